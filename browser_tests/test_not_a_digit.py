"""The draw page's "not a digit" answer, on drawings made with the mouse: a network that has
one refuses drawn non-digits as not a digit (a square, a scribble, a line, crosses, a star, a
blob, a letter, a smiley, a dot) and never reads a drawn digit wrong (right, or refused).

Notebook 11 trains that answer on non-digits prepared as this page prepares a drawing
(`mnist_tutorial.drawings`); none of the drawings below is among its training images.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from browser_tests.conftest import NETWORKS, ROOT, SHOTS, choose_network, report

SAMPLES = sorted((ROOT / "examples" / "digits").glob("digit_*.png"))


def _ring(cx: float, cy: float, rx: float, ry: float, start: float = 0.0, turn: float = 1.0):
    steps = 36
    return [
        (cx + rx * math.cos(start + 2 * math.pi * turn * k / steps),
         cy + ry * math.sin(start + 2 * math.pi * turn * k / steps))
        for k in range(steps + 1)
    ]  # fmt: skip


#: Ten non-digits, as strokes in the drawing area's unit square (x right, y down); a "click"
#: is a single point. A circle is left out: it may fairly read as a 0.
NON_DIGITS: dict[str, list[list[tuple[float, float]]]] = {
    "square": [[(0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75), (0.25, 0.25)]],
    "scribble": [[(0.1, 0.2), (0.9, 0.3), (0.1, 0.5), (0.9, 0.6), (0.1, 0.8), (0.9, 0.9)]],
    "horizontal line": [[(0.15, 0.5), (0.85, 0.52)]],
    "plus": [[(0.2, 0.5), (0.8, 0.5)], [(0.5, 0.2), (0.5, 0.8)]],
    "x cross": [[(0.22, 0.2), (0.78, 0.8)], [(0.78, 0.2), (0.22, 0.8)]],
    "star": [[(0.5, 0.12), (0.73, 0.82), (0.13, 0.38), (0.87, 0.38), (0.27, 0.82), (0.5, 0.12)]],
    "blob": [[(0.3 + 0.4 * (k % 2), 0.3 + 0.025 * k) for k in range(17)]],
    "letter A": [[(0.22, 0.85), (0.5, 0.15), (0.78, 0.85)], [(0.33, 0.58), (0.67, 0.58)]],
    "smiley": [
        _ring(0.5, 0.5, 0.35, 0.35),
        [(0.38, 0.4), (0.38, 0.41)],
        [(0.62, 0.4), (0.62, 0.41)],
        [(0.34, 0.6), (0.42, 0.68), (0.5, 0.7), (0.58, 0.68), (0.66, 0.6)],
    ],
    "dot": [[(0.5, 0.35)]],
}


def _line(*xy: float) -> list[tuple[float, float]]:
    """A stroke through the points (x0, y0, x1, y1, ...)."""
    return list(zip(xy[0::2], xy[1::2], strict=True))


#: Digits drawn with the mouse in several styles: each must be read right or refused.
DRAWN_DIGITS: dict[str, tuple[int, list[list[tuple[float, float]]]]] = {
    "0 oval": (0, [_ring(0.5, 0.5, 0.2, 0.33, -math.pi / 2)]),
    "1 plain": (1, [_line(0.5, 0.15, 0.5, 0.85)]),
    "1 slanted": (1, [_line(0.58, 0.15, 0.44, 0.85)]),
    "1 with a flag": (1, [_line(0.38, 0.28, 0.52, 0.15, 0.52, 0.85)]),
    "2": (2, [_line(0.3, 0.3, 0.45, 0.17, 0.65, 0.2, 0.68, 0.38, 0.3, 0.82, 0.72, 0.82)]),
    "3": (
        3,
        [_line(0.3, 0.2, 0.6, 0.18, 0.65, 0.33, 0.45, 0.48, 0.68, 0.62, 0.62, 0.8, 0.3, 0.82)],
    ),
    "4 open": (4, [_line(0.55, 0.15, 0.3, 0.6, 0.75, 0.6), _line(0.62, 0.35, 0.62, 0.88)]),
    "4 in two strokes": (
        4,
        [_line(0.4, 0.15, 0.35, 0.55, 0.7, 0.55), _line(0.65, 0.15, 0.65, 0.88)],
    ),
    "5": (
        5,
        [_line(0.68, 0.18, 0.35, 0.18, 0.33, 0.47, 0.6, 0.47, 0.68, 0.65, 0.58, 0.82, 0.3, 0.8)],
    ),
    "6": (
        6,
        [_line(0.62, 0.15, 0.38, 0.45, 0.35, 0.7, 0.5, 0.85, 0.66, 0.7, 0.6, 0.52, 0.38, 0.58)],
    ),
    "7 plain": (7, [_line(0.3, 0.2, 0.7, 0.2, 0.45, 0.85)]),
    "7 crossed": (7, [_line(0.3, 0.2, 0.7, 0.2, 0.45, 0.85), _line(0.4, 0.52, 0.66, 0.52)]),
    "8": (  # two strokes: down the S, back up the other way
        8,
        [
            _line(0.62, 0.25, 0.5, 0.15, 0.36, 0.25, 0.4, 0.4, 0.6, 0.58, 0.64, 0.75),
            _line(0.64, 0.75, 0.5, 0.86, 0.36, 0.75, 0.4, 0.58, 0.6, 0.4, 0.64, 0.25),
        ],
    ),
    "9": (9, [_line(0.64, 0.35, 0.5, 0.2, 0.36, 0.3, 0.4, 0.48, 0.64, 0.38, 0.62, 0.85)]),
}


def _open(page, site: Path) -> None:
    page.goto((site / "draw.html").as_uri(), wait_until="load")
    page.wait_for_selector("#draw-app[data-ready='true']")


def _draw(page, strokes) -> str:
    """Clear, draw the strokes with the mouse, and give the answer's state: "answer",
    "unknown" ("I don't know", "not a digit" among them) or "refused" (the ink rule)."""
    page.click("#draw-clear")
    canvas = page.locator("#draw-canvas")
    canvas.scroll_into_view_if_needed()  # as a reader would, after trying a sample below it
    box = canvas.bounding_box()
    for stroke in strokes:
        xy = [(box["x"] + box["width"] * x, box["y"] + box["height"] * y) for x, y in stroke]
        if len(xy) == 1:
            page.mouse.click(*xy[0])
            continue
        page.mouse.move(*xy[0])
        page.mouse.down()
        for p in xy[1:]:
            page.mouse.move(*p, steps=4)
        page.mouse.up()
    return page.locator("#draw-answer").get_attribute("data-state")


def _with_not_a_digit(site: Path) -> list[str]:
    """The page's networks with a "not a digit" output, from their exported files."""
    from mnist_tutorial.export import read_spec

    return [
        name
        for name in NETWORKS
        if "not a digit" in read_spec(site / "_static" / "models" / f"{name}.js")["classes"]
    ]


#: The page's networks with a "not a digit" answer: the tests below run on these (a network
#: without one can only answer a digit or "I don't know", so "refused as not a digit" would
#: never be asserted of it).
WITH_NOT_A_DIGIT = ["mlp_not_a_digit", "cnn_augmented"]


def test_there_is_a_network_with_a_not_a_digit_answer(site) -> None:
    assert _with_not_a_digit(site) == WITH_NOT_A_DIGIT


def _refused(state: str, text: str) -> bool:
    """Refused as not a digit: the network's "not a digit" answer, or the ink rule's message
    (a dot, a blob). A plain "I don't know (best guess ...)" does not count: it only says the
    network is unsure which digit it is."""
    return state == "refused" or (state == "unknown" and "not a digit" in text)


@pytest.mark.parametrize("network", WITH_NOT_A_DIGIT)
def test_drawn_non_digits_are_refused(site, page, network) -> None:
    """At least 8 of the 10 refused as not a digit by every network with a "not a digit"
    answer; the ones it reads as digits are reported."""
    _open(page, site)
    choose_network(page, network)
    answers = {}
    for name, strokes in NON_DIGITS.items():
        state = _draw(page, strokes)
        answers[name] = (state, page.locator("#draw-answer").inner_text())
        if network == "mlp_not_a_digit":
            slug = name.replace(" ", "_")
            page.screenshot(path=str(SHOTS / f"not_a_digit_{slug}_{network}.png"))
    refused = [name for name, answer in answers.items() if _refused(*answer)]
    report(
        "draw page: drawn non-digits refused as not a digit",
        f"{network}: {len(refused)} of {len(NON_DIGITS)}; the others: "
        + (", ".join(f"{n} ({answers[n][1]})" for n in NON_DIGITS if n not in refused) or "none"),
    )
    assert len(refused) >= 8, answers


@pytest.mark.parametrize("network", WITH_NOT_A_DIGIT)
def test_drawn_and_sample_digits_are_never_read_wrong(site, page, network) -> None:
    """The ten sample digits and digits drawn with the mouse in several styles: a network
    with a "not a digit" answer reads each right or refuses it, never as another digit."""
    _open(page, site)
    choose_network(page, network)
    results = {}
    for path in SAMPLES:
        page.click(f"button[data-sample='{path.stem}']")
        page.wait_for_function(
            f"document.getElementById('draw-status').textContent.includes('{path.stem}')"
        )
        results[path.stem] = (int(path.stem[-1]), _answer(page))
    for name, (digit, strokes) in DRAWN_DIGITS.items():
        _draw(page, strokes)
        results[name] = (digit, _answer(page))
    wrong = {n: a for n, (d, a) in results.items() if a is not None and a != d}
    right = sum(a == d for d, a in results.values())
    report(
        "draw page: drawn and sample digits",
        f"{network}: {right} right, {len(results) - right - len(wrong)} refused, "
        f"{len(wrong)} wrong of {len(results)}" + (f" {wrong}" if wrong else ""),
    )
    assert not wrong, results


def _answer(page) -> int | None:
    """The digit the page answers, or None when it refuses."""
    answer = page.locator("#draw-answer")
    assert answer.get_attribute("data-state") in ("answer", "unknown", "refused")
    digit = answer.get_attribute("data-digit")
    return int(digit) if digit else None
