"""Tests of `mnist_tutorial.drawings`: drawn non-digits, prepared as the draw page prepares a
drawing (their place in `not_a_digit_images` is tested in test_datasets.py)."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_tutorial.drawings import (
    CANVAS,
    DRAWN_KINDS,
    LETTERS,
    PEN,
    drawn_kinds,
    drawn_non_digit,
    drawn_non_digits,
)
from mnist_tutorial.images import ink_problem, mnist_style_steps


@pytest.fixture(scope="module")
def drawn() -> np.ndarray:
    return drawn_non_digits(2 * len(DRAWN_KINDS), seed=7)


def test_the_page_canvas_and_pen() -> None:
    """The draw page's drawing area and pen (site/draw.md, site/_static/draw.js)."""
    assert CANVAS == 280 and PEN == 20


def test_shapes_types_and_determinism(drawn) -> None:
    assert drawn.shape == (2 * len(DRAWN_KINDS), 28, 28) and drawn.dtype == np.uint8
    np.testing.assert_array_equal(drawn, drawn_non_digits(2 * len(DRAWN_KINDS), seed=7))
    assert not np.array_equal(drawn, drawn_non_digits(2 * len(DRAWN_KINDS), seed=8))


def test_every_kind_in_turn(drawn) -> None:
    assert drawn_kinds(len(drawn)) == list(DRAWN_KINDS) * 2
    for kind in ("rectangle", "scribble", "line", "plus", "x cross", "star", "smiley"):
        assert kind in DRAWN_KINDS
    assert {"letter", "hash sign", "triangle", "zig-zag"} <= set(DRAWN_KINDS)
    assert all(image.max() == 255 for image in drawn)  # each holds a drawing


def test_each_is_mnist_style_and_passes_the_ink_rule(drawn) -> None:
    """What a network is shown: the page's preparation (longer side of the ink 20 pixels,
    centre of mass near the middle), and nothing the ink rule would refuse."""
    for image in drawn:
        assert ink_problem(image) is None
        rows = np.flatnonzero((image >= 0.3 * 255).any(axis=1))
        cols = np.flatnonzero((image >= 0.3 * 255).any(axis=0))
        assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 in (19, 20, 21)
        centre = np.argwhere(image > 0).mean(axis=0)
        assert np.all(np.abs(centre - 13.5) < 4)


def test_it_is_the_pages_preparation_of_the_drawing() -> None:
    """`drawn_non_digits` is `to_mnist_style` of `drawn_non_digit`'s canvas: replayed with
    the same random numbers, the same images."""
    rng = np.random.default_rng(3)
    canvas = drawn_non_digit("star", rng)
    assert canvas.shape == (CANVAS, CANVAS) and canvas.dtype == np.uint8
    assert canvas[0, 0] == 255 and canvas.min() == 0  # black ink on white, like the page
    assert mnist_style_steps(canvas).inverted


def test_no_vertical_lines_by_construction() -> None:
    """Lines (and zig-zags) are turned at most 40 degrees from horizontal, so never a 1: the
    long axis of every drawn line's ink (jitter included) is within 50 degrees of it."""
    rng = np.random.default_rng(0)
    for kind in ("line", "zig-zag"):
        for _ in range(40):
            ink = np.argwhere(drawn_non_digit(kind, rng) < 128).astype(float)
            _, vectors = np.linalg.eigh(np.cov(ink.T))  # (row, column) axes
            drow, dcol = vectors[:, -1]
            assert np.degrees(np.arctan2(abs(drow), abs(dcol))) < 50, kind


def test_no_digit_like_letters() -> None:
    assert not set(LETTERS) & set("IlOoSsZzBbGgq")
