"""The draw page for everyone: the keyboard alone, sample digits, an upload, saving the drawing,
one announcement per finished stroke, a layout that never moves, and a choice of network whose
answers are the Python library's on the same pictures."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from browser_tests.audit import set_mode
from browser_tests.conftest import NETWORKS, ROOT, SHOTS, choose_network, report

SAMPLES = sorted((ROOT / "examples" / "digits").glob("digit_*.png"))
WATCH_STATUS = """() => { window.__announced = [];
    new MutationObserver(() => window.__announced.push(
        document.getElementById('draw-status').textContent))
      .observe(document.getElementById('draw-status'),
               {childList: true, characterData: true, subtree: true}); }"""


def _open(page, site: Path, network: str | None = None) -> None:
    page.goto((site / "draw.html").as_uri(), wait_until="load")
    page.wait_for_selector("#draw-app[data-ready='true']")
    if network:
        choose_network(page, network)


def _python_answer(references, network: str, picture) -> int | None:
    from mnist_tutorial.images import to_mnist_style
    from mnist_tutorial.rejection import predict_or_reject

    model, spec = references[network]
    pixels = to_mnist_style(picture)[np.newaxis]
    rejection = spec["rejection"]
    return predict_or_reject(
        model, pixels, rejection["threshold"], rejection["temperature"]
    ).classes[0]


def _page_answer(page) -> int | None:
    answer = page.locator("#draw-answer")
    assert answer.get_attribute("data-state") in ("answer", "unknown"), answer.text_content()
    digit = answer.get_attribute("data-digit")
    return int(digit) if digit else None


def _stroke(page, points) -> None:
    box = page.locator("#draw-canvas").bounding_box()
    xy = [(box["x"] + box["width"] * x, box["y"] + box["height"] * y) for x, y in points]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for p in xy[1:]:
        page.mouse.move(*p, steps=4)
    page.mouse.up()


def _layout(page) -> dict:
    return page.evaluate(
        """() => Object.fromEntries(['.draw-canvas-box', '#draw-preview', '#draw-answer',
                '#draw-bars', '.draw-controls', '#draw-network'].map(s => {
            const r = document.querySelector(s).getBoundingClientRect();
            return [s, [r.x, r.y + window.scrollY, r.width, r.height].map(Math.round)]; }))"""
    )


# ------------------------------------------------------------------------ the keyboard


def _tab_to(page, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):
            return
    pytest.fail(f"{selector} cannot be reached with Tab")


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_draw_page_with_the_keyboard_alone(site, browser, width, height, mode) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    _open(page, site)
    set_mode(page, mode)
    page.wait_for_selector("#draw-app[data-ready='true']")
    tag = f"{width}_{mode}"
    page.locator("#draw-app").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"draw_{tag}_before.png"))
    page.evaluate(WATCH_STATUS)
    # A 1 drawn with the keys: pen down, down the arrow, pen up.
    _tab_to(page, "#draw-canvas")
    assert page.locator("#draw-pen").is_visible()  # where the pen is
    for key in ["ArrowUp"] * 6 + ["Space"] + ["ArrowDown"] * 12 + ["Space"]:
        page.keyboard.press(key)
    assert page.locator("#draw-answer").get_attribute("data-state") in ("answer", "unknown")
    assert page.evaluate("window.__announced.length") == 1  # one stroke, one announcement
    page.screenshot(path=str(SHOTS / f"draw_{tag}_after_keys.png"))
    page.keyboard.press("Delete")
    assert page.locator("#draw-answer").get_attribute("data-state") == "empty"
    # A sample digit, with Tab and Enter.
    _tab_to(page, "button[data-sample='digit_7']")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('draw-answer').dataset.state !== 'empty'")
    # The other network, with the keyboard.
    _tab_to(page, "#draw-network")
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "document.getElementById('draw-app').dataset.network === 'mlp_not_a_digit'"
    )
    assert page.locator("#draw-answer").get_attribute("data-digit") == "7"
    said = page.locator("#draw-status").text_content()  # the new network, then its answer
    assert said.startswith('Network: the MLP with "not a digit"') and "7" in said, said
    page.locator("#draw-app").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"draw_{tag}_after_sample.png"))
    context.close()


def test_every_arrow_key_draws_and_stays_on_the_page(site, page) -> None:
    """The help text's keys, left and right arrows included: the theme's arrow-key page
    navigation must not take them (it once opened the next page and lost the drawing)."""
    _open(page, site)
    url = page.url
    page.focus("#draw-canvas")
    keys = ["ArrowLeft"] * 3 + ["Space"] + ["ArrowRight"] * 6 + ["ArrowDown"] * 3
    keys += ["ArrowLeft"] * 6 + ["Shift+ArrowRight", "Shift+ArrowLeft", "Space"]
    for key in keys:
        page.keyboard.press(key)
    page.wait_for_timeout(300)  # a navigation, had one started, would have begun by now
    assert page.url == url
    assert page.locator("#draw-answer").get_attribute("data-state") in ("answer", "unknown")


# ------------------------------------------------------------------- announcements


def test_the_answer_is_announced_once_per_finished_stroke(site, page) -> None:
    _open(page, site)
    assert page.locator("#draw-answer").get_attribute("aria-live") is None
    assert page.locator("#draw-status").get_attribute("aria-live") == "polite"
    page.evaluate(WATCH_STATUS)
    eight = [(0.5 + 0.2 * np.cos(t), 0.3 + 0.18 * np.sin(t)) for t in np.linspace(0, 6.3, 30)]
    eight += [(0.5 + 0.24 * np.cos(t), 0.7 + 0.2 * np.sin(t)) for t in np.linspace(0, 6.3, 30)]
    _stroke(page, eight)  # 240 pointer moves
    assert page.evaluate("window.__announced") == [page.locator("#draw-answer").inner_text()]
    _stroke(page, [(0.2, 0.5), (0.8, 0.5)])
    assert page.evaluate("window.__announced.length") == 2


# ------------------------------------------------------------------------- layout


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_the_layout_never_moves_and_the_answer_is_in_view(site, browser, width, height) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    _open(page, site)
    empty = _layout(page)
    _stroke(page, [(0.5, 0.15), (0.5, 0.85)])  # a digit
    answered = _layout(page)
    page.click("#draw-clear")
    _stroke(page, [(0.1, 0.1), (0.9, 0.9), (0.1, 0.9), (0.9, 0.1), (0.5, 0.5), (0.2, 0.6)])
    scribble = _layout(page)
    choose_network(page, "first_mlp")
    _stroke(page, [(0.3, 0.3), (0.7, 0.3), (0.7, 0.7), (0.3, 0.7), (0.3, 0.3)])
    square = _layout(page)
    assert empty == answered == scribble == square
    canvas, bars, answer = empty[".draw-canvas-box"], empty["#draw-bars"], empty["#draw-answer"]
    if width >= 1000:  # beside the drawing area
        assert bars[0] >= canvas[0] + canvas[2] and answer[0] >= canvas[0] + canvas[2]
        assert bars[1] + bars[3] <= canvas[1] + canvas[3] + 160
    else:  # the answer beside it, the bars just under it: one screen from the network choice
        assert answer[0] >= canvas[0] + canvas[2]
        assert canvas[1] + canvas[3] <= bars[1] <= canvas[1] + canvas[3] + 30
        top = empty["#draw-network"][1]
        assert bars[1] + bars[3] - top <= height - 60, (top, bars)
    context.close()


# -------------------------------------------------------- samples, upload and save


@pytest.mark.parametrize("network", NETWORKS)
def test_samples_and_uploads_give_the_librarys_answers(site, page, references, network, tmp_path):
    from mnist_tutorial.images import load_image

    _open(page, site, network)
    agree = 0
    for path in SAMPLES:
        expected = _python_answer(references, network, load_image(path))
        page.click(f"button[data-sample='{path.stem}']")
        page.wait_for_function(
            f"document.getElementById('draw-status').textContent.includes('{path.stem}')"
        )
        assert _page_answer(page) == expected, path.name
        if expected is not None:  # "It's an 8", "It's a 7"
            article = "an" if expected == 8 else "a"
            assert (
                page.locator("#draw-answer").inner_text().startswith(f"It's {article} {expected} (")
            )
        page.click("#draw-clear")
        page.set_input_files("#draw-upload", str(path))
        page.wait_for_function(
            f"document.getElementById('draw-status').textContent.startsWith('{path.name}')"
        )
        assert _page_answer(page) == expected, path.name
        agree += expected == int(path.stem[-1])
        page.click("#draw-clear")
    # A JPEG (another decoder, so a grey level may differ): the same answer or refusal.
    jpeg = tmp_path / "seven.jpg"
    Image.open(SAMPLES[7]).convert("RGB").save(jpeg, quality=90)
    page.set_input_files("#draw-upload", str(jpeg))
    page.wait_for_function("document.getElementById('draw-status').textContent.startsWith('seven')")
    assert _page_answer(page) == _python_answer(references, network, load_image(jpeg))
    report("draw page: sample digits read right", f"{network}: {agree} of {len(SAMPLES)}")


def test_a_file_that_is_not_a_picture_says_so_on_screen(site, page, tmp_path) -> None:
    _open(page, site)
    page.click("button[data-sample='digit_7']")
    page.wait_for_function("document.getElementById('draw-answer').dataset.state === 'answer'")
    not_a_picture = tmp_path / "notes.png"
    not_a_picture.write_text("these are notes, not a picture")
    page.set_input_files("#draw-upload", str(not_a_picture))
    page.wait_for_function("document.getElementById('draw-answer').dataset.state === 'error'")
    shown = page.locator("#draw-answer").inner_text()
    assert shown == "notes.png is not a PNG or JPEG picture."
    assert page.locator("#draw-status").text_content() == shown  # said, too
    assert page.evaluate("document.querySelector('.draw-bar-best') === null")  # old answer gone


def test_save_as_png_gives_the_drawing_back(site, page, references) -> None:
    _open(page, site, "first_mlp")
    _stroke(page, [(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)])
    with page.expect_download() as download:
        page.click("#draw-save")
    saved = download.value
    assert saved.suggested_filename == "my_digit.png"
    picture = Image.open(io.BytesIO(Path(saved.path()).read_bytes()))
    assert picture.size == (280, 280)
    assert _python_answer(references, "first_mlp", picture) == _page_answer(page)


# --------------------------------------------------------------------- networks


def test_each_network_is_described_by_its_own_layers(site, page) -> None:
    _open(page, site)
    described = {}
    for network in NETWORKS:
        choose_network(page, network)
        described[network] = page.locator("#draw-layers").inner_text()
    assert described["cnn_augmented"] == (
        "2 convolutions (24 and 48 filters, ReLU) with max pooling, "
        "1 dense layer of 128 neurons (ReLU), a softmax over 11 outputs"
    )
    assert described["first_mlp"] == (
        "2 dense layers of 128 and 64 neurons (ReLU), a softmax over 10 outputs"
    )
    assert described["mlp_not_a_digit"].endswith("a softmax over 11 outputs")


def test_the_eleven_output_network_refuses_what_the_first_mlp_reads(site, page) -> None:
    """A square and a scribble: the first MLP must pick a digit among ten; notebook 11's network
    has a "not a digit" output. Both answers are shown as the page gives them."""
    shapes = {
        "square": [(0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75), (0.25, 0.25)],
        "scribble": [(0.1, 0.2), (0.9, 0.3), (0.1, 0.5), (0.9, 0.6), (0.1, 0.8), (0.9, 0.9)],
    }
    _open(page, site)
    results = {}
    for network in NETWORKS:
        choose_network(page, network)
        for name, points in shapes.items():
            page.click("#draw-clear")
            _stroke(page, points)
            results[(network, name)] = page.locator("#draw-answer").inner_text()
    for name in shapes:
        report(
            "draw page: non-digits",
            f"{name}: " + " | ".join(f"{n}: {results[(n, name)]}" for n in NETWORKS),
        )
    refused = [name for name in shapes if "I don't know" in results[("mlp_not_a_digit", name)]]
    assert refused, results


# -------------------------------------------------------------------------- the ink rule


def _canvas_gray(page) -> np.ndarray:
    rgba = page.evaluate(
        "() => { const c = document.getElementById('draw-canvas');"
        " return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data); }"
    )
    return np.asarray(rgba, dtype=np.uint8).reshape(280, 280, 4)[..., 0]


@pytest.mark.parametrize("network", ["first_mlp", "cnn_augmented"])
def test_a_dot_and_a_blob_get_the_librarys_message_not_a_digit(site, page, network) -> None:
    """A single click (a dot: scaled up like any drawing, a disc that fills the 20-pixel box)
    and a filled blob: once a confident digit, now the library's ink rule refuses them, with
    the library's message, exported with the weights; no bar is shown. The library says the
    same of the canvas's own pixels."""
    from mnist_tutorial.images import TOO_MUCH_INK, InkError, to_mnist_style

    _open(page, site, network)
    exported = page.evaluate("window.MNIST_DRAW_MODEL.constants")  # from the weights file
    assert exported["too_much_ink"] == TOO_MUCH_INK
    page.evaluate(WATCH_STATUS)
    box = page.locator("#draw-canvas").bounding_box()
    blob = [(0.3 + 0.4 * (k % 2), 0.3 + 0.025 * k) for k in range(17)]  # back and forth
    for name, draw in {
        "dot": lambda: page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 3),
        "blob": lambda: _stroke(page, blob),
    }.items():
        page.click("#draw-clear")
        draw()
        answer = page.locator("#draw-answer")
        assert answer.get_attribute("data-state") == "refused", (name, answer.inner_text())
        assert answer.get_attribute("data-reason") == "too-much-ink", name
        assert answer.inner_text() == TOO_MUCH_INK, name
        assert page.evaluate("window.__announced.at(-1)") == TOO_MUCH_INK, name
        assert page.evaluate("document.querySelector('.draw-bar-best') === null"), name
        assert page.locator(".draw-bar-value").first.inner_text() == "-", name
        with pytest.raises(InkError) as refused:
            to_mnist_style(_canvas_gray(page))
        assert refused.value.message == TOO_MUCH_INK, name
        page.screenshot(path=str(SHOTS / f"draw_{name}_refused_{network}.png"))
    # A digit after them is read again.
    page.click("#draw-clear")
    _stroke(page, [(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)])
    assert page.locator("#draw-answer").get_attribute("data-state") in ("answer", "unknown")
    assert page.locator("#draw-answer").get_attribute("data-reason") == ""


def test_the_pages_ink_rule_is_the_librarys_on_the_same_pixels(site, page) -> None:
    """`MnistDigit.inkMeasures` and `inkProblem` against `ink_measures` and `ink_problem`:
    the same numbers, exactly, on prepared digits, dots, thin lines and noise."""
    from mnist_tutorial.images import ink_measures, ink_problem, mnist_style_steps

    _open(page, site)
    rng = np.random.default_rng(3)
    images = [mnist_style_steps(Image.open(p)).centred for p in SAMPLES]
    images += [(rng.random((28, 28)) < share) * 255 for share in (0.005, 0.01, 0.3, 0.9)]
    disc = np.add.outer((np.arange(28) - 14) ** 2, (np.arange(28) - 14) ** 2)
    images += [(disc <= r * r) * 255 for r in (1, 2, 7, 8, 9, 10)]
    js = page.evaluate(
        """(images) => images.map(p => {
            const c = window.MNIST_DRAW_MODEL.constants;
            const m = MnistDigit.inkMeasures(p, c), problem = MnistDigit.inkProblem(p, c);
            return [m.inked, m.strokeRadius, problem && problem.message]; })""",
        [[int(v) for v in np.ravel(image)] for image in images],
    )
    python = []
    for image in images:
        measures = ink_measures(image)
        python.append([measures.inked, measures.stroke_radius, ink_problem(image)])
    assert js == python
    assert {row[2] for row in python} == {
        None,
        "Not a digit: too little ink.",
        "Not a digit: a dot or a blob.",
    }


# ------------------------------------------------------------- focus rings and phones


#: A focused button's ring and the space it takes outside the button (course.css).
RING = """(button) => { const s = getComputedStyle(button);
    const r = button.getBoundingClientRect();
    const out = s.outlineStyle === 'none' ? 0
        : parseFloat(s.outlineWidth) + Math.max(0, parseFloat(s.outlineOffset));
    const others = [...document.querySelectorAll('#draw-app button, #draw-app a, '
        + '#draw-app input, #draw-app select')]
      .filter(e => e !== button && e.getClientRects().length)
      .map(e => [e.dataset.sample || e.id, e.getBoundingClientRect()]);
    const ring = {left: r.left - out, right: r.right + out, top: r.top - out,
                  bottom: r.bottom + out};
    const covered = others.filter(([, o]) => o.left < ring.right && o.right > ring.left
        && o.top < ring.bottom && o.bottom > ring.top).map(([name]) => name);
    return {out, covered, focusVisible: button.matches(':focus-visible')}; }"""


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_a_focused_sample_buttons_ring_is_not_under_its_neighbour(site, browser, width, height):
    """Each sample button focused with Tab: its focus ring (3 px, 2 px off the button) lies
    clear of every other control. The buttons once stood edge to edge, and the next one
    covered half of the ring."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    _open(page, site)
    names = page.evaluate("[...document.querySelectorAll('button.draw-sample')]"
                          ".map(b => b.dataset.sample)")  # fmt: skip
    assert len(names) >= 10
    covered = {}
    for name in names:
        _tab_to(page, f"button[data-sample='{name}']")
        ring = page.locator(f"button[data-sample='{name}']").evaluate(RING)
        assert ring["focusVisible"] and ring["out"] >= 3, ring
        if ring["covered"]:
            covered[name] = ring["covered"]
    context.close()
    assert covered == {}


#: Whether the select's content box holds the selected option's text, laid out with the
#: select's own font and white-space (a select does not report its text's overflow).
SELECT_TEXT_FITS = """() => { const s = document.getElementById('draw-network');
    const cs = getComputedStyle(s);
    const probe = document.createElement('div');
    probe.textContent = s.options[s.selectedIndex].text;
    for (const p of ['fontFamily', 'fontSize', 'fontWeight', 'fontStyle', 'letterSpacing',
                     'wordSpacing', 'whiteSpace', 'lineHeight', 'overflowWrap']) {
        probe.style[p] = cs[p];
    }
    const width = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const height = s.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
    Object.assign(probe.style, {position: 'absolute', visibility: 'hidden', width: width + 'px',
                                boxSizing: 'content-box', padding: '0', border: '0'});
    document.body.appendChild(probe);
    const needed = [probe.scrollWidth, probe.scrollHeight];
    probe.remove();
    return {text: probe.textContent, width, height, needed,
            right: s.getBoundingClientRect().right, viewport: innerWidth}; }"""


@pytest.mark.parametrize("width", [390, 360])
def test_the_network_choice_shows_its_whole_name_on_a_phone(site, browser, width) -> None:
    """On a phone the select once showed '11 outputs, with "not a digit" (notebook' and cut
    the rest off: a select keeps its text on one line. Every option, selected, must fit."""
    context = browser.new_context(viewport={"width": width, "height": 844}, has_touch=True)
    page = context.new_page()
    _open(page, site)
    cut = []
    for network in NETWORKS:
        choose_network(page, network)
        fit = page.evaluate(SELECT_TEXT_FITS)
        report("draw page: the network's name on a phone", f"{width} px: {fit}")
        too_wide = fit["needed"][0] > fit["width"] + 0.5
        too_tall = fit["needed"][1] > fit["height"] + 1
        if too_wide or too_tall or fit["right"] > fit["viewport"]:
            cut.append(fit)
    page.locator("#draw-network").screenshot(path=str(SHOTS / f"draw_network_{width}.png"))
    context.close()
    assert cut == []


# ------------------------------------------------------------------- sample digits


def test_every_network_reads_every_sample_digit(site, page) -> None:
    """The page's sample digits (MNIST validation digits that scripts/make_sample_digits.py
    chooses): every network answers each one, right. The drawn sample 1 of notebook 12 was
    refused by two of the three (47.0 % and 50.3 %)."""
    _open(page, site)
    names = page.evaluate(
        "[...document.querySelectorAll('#draw-samples button.draw-sample')]"
        ".map(b => b.dataset.sample)"
    )
    assert len(names) == 10, names
    results = {}
    for network in NETWORKS:
        choose_network(page, network)
        for name in names:
            page.click(f"button[data-sample='{name}']")
            page.wait_for_function(
                f"document.getElementById('draw-status').textContent.includes('{name}.png')"
            )
            answer = page.locator("#draw-answer")
            results[(network, name)] = (
                answer.get_attribute("data-state"),
                answer.get_attribute("data-digit"),
                answer.inner_text(),
            )
        report(
            "draw page: the sample digits",
            f"{network}: "
            + ", ".join(results[(network, n)][2].split("(")[-1].rstrip(").") for n in names),
        )
    wrong = {
        key: said for key, said in results.items() if said[0] != "answer" or said[1] != key[1][-1]
    }
    assert wrong == {}
