"""MNIST-style preprocessing of arbitrary pictures: the invariants MNIST's own recipe has."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps
from scipy.ndimage import center_of_mass

from mnist_tutorial.images import ImageInputError, mnist_style_steps, to_mnist_style

SAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples" / "digits").glob("*.png"))


def _drawn_seven(size=(180, 120), offset=(0, 0), width=9) -> Image.Image:
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    x, y = 20 + offset[0], 15 + offset[1]
    draw.line([(x, y), (x + 60, y), (x + 25, y + 85)], fill=0, width=width)
    return image


def test_samples_exist_and_are_small() -> None:
    assert len(SAMPLES) == 10
    assert sum(p.stat().st_size for p in SAMPLES) < 100_000


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_becomes_a_centred_mnist_digit(path) -> None:
    out = to_mnist_style(path)
    assert out.shape == (28, 28) and out.dtype == np.uint8
    assert out.max() > 200 and out[0].max() == 0 and out[:, 0].max() == 0  # ink inside, border dark
    cy, cx = center_of_mass(out.astype(float))
    assert abs(cy - 13.5) <= 1 and abs(cx - 13.5) <= 1
    rows, cols = np.flatnonzero(out.any(axis=1)), np.flatnonzero(out.any(axis=0))
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 <= 21  # longer side ~20 px


def test_dark_on_light_equals_light_on_dark() -> None:
    picture = _drawn_seven()
    np.testing.assert_array_equal(to_mnist_style(picture), to_mnist_style(ImageOps.invert(picture)))
    steps = mnist_style_steps(picture)
    assert steps.inverted and not mnist_style_steps(ImageOps.invert(picture)).inverted


def test_position_and_scale_do_not_matter_much() -> None:
    a = to_mnist_style(_drawn_seven()).astype(float)
    b = to_mnist_style(_drawn_seven(size=(400, 300), offset=(150, 120))).astype(float)
    assert np.abs(a - b).mean() < 10  # same digit, wherever it was drawn


def test_modes_rgb_rgba_and_palette(tmp_path) -> None:
    gray = _drawn_seven()
    expected = to_mnist_style(gray)
    rgba = Image.new("RGBA", gray.size, (0, 0, 0, 0))
    rgba.putalpha(ImageOps.invert(gray))  # black pen on a transparent background
    for image in (gray.convert("RGB"), rgba, gray.convert("P")):
        np.testing.assert_allclose(to_mnist_style(image), expected, atol=2)
    path = tmp_path / "seven.jpg"
    gray.convert("RGB").save(path, quality=95)
    assert np.abs(to_mnist_style(path).astype(int) - expected).mean() < 3


def test_blank_and_bad_inputs_are_refused_clearly(tmp_path) -> None:
    with pytest.raises(ImageInputError, match="no digit found: the image is blank"):
        to_mnist_style(np.full((40, 40), 200, dtype=np.uint8))
    with pytest.raises(ImageInputError, match="no such file"):
        to_mnist_style(tmp_path / "missing.png")
    with pytest.raises(ImageInputError, match="is a directory"):
        to_mnist_style(tmp_path)
    text = tmp_path / "notes.png"
    text.write_text("this is not a picture")
    with pytest.raises(ImageInputError, match="not a readable image"):
        to_mnist_style(text)
    with pytest.raises(ImageInputError, match="too small"):
        to_mnist_style(np.zeros((1, 5), dtype=np.uint8))
