"""MNIST digits drawn large, then made MNIST-style again: how faithful is `to_mnist_style`?

`render_digit` turns one 28x28 MNIST digit into a picture a student might take: enlarged with
bicubic interpolation, placed off-centre on a larger canvas, optionally blurred, optionally
dark ink on light paper. `round_trip_variants` gives every digit one such rendering, cycling
through sizes, polarities, blur and positions, so a thousand digits cover all combinations;
`to_mnist_style` of the rendering should give back (nearly) the original 28x28 digit.

Data layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

#: Blur of the blurred renderings: a Gaussian of this many original pixels (a slightly
#: out-of-focus photo). At 0.6 even a crop to the digit's exact original box agrees with the
#: original's prediction on only about 98.9 % of test digits: the blur, not the recipe, decides.
BLUR_SIGMA = 0.3
#: Enlargement factors of the 28x28 digit (the rendered digit is 28 * factor pixels wide).
SCALES: tuple[float, ...] = (3.0, 5.5, 8.0, 11.0)


@dataclass(frozen=True)
class Rendering:
    """How one digit was drawn large."""

    scale: float
    dark_on_light: bool
    blur: bool
    offset: tuple[int, int]
    #: Standard deviation of the Gaussian blur, in pixels of the 28x28 original.
    blur_sigma: float = BLUR_SIGMA


def render_digit(digit: np.ndarray, rendering: Rendering) -> np.ndarray:
    """uint8 picture of a 28x28 digit drawn as `rendering` says (grayscale)."""
    size = round(28 * rendering.scale)
    large = Image.fromarray(np.asarray(digit, dtype=np.uint8)).resize(
        (size, size), Image.Resampling.BICUBIC
    )
    if rendering.blur:
        sigma = rendering.blur_sigma * rendering.scale  # in pixels of the large picture
        large = large.filter(ImageFilter.GaussianBlur(radius=sigma))
    canvas = Image.new("L", (size + size // 2, size + size // 2), 0)
    canvas.paste(large, rendering.offset)
    pixels = np.asarray(canvas)
    return 255 - pixels if rendering.dark_on_light else pixels


def round_trip_variants(
    count: int, seed: int = 0, scales: tuple[float, ...] = SCALES
) -> list[Rendering]:
    """`count` renderings cycling through every scale, polarity and blur, at random offsets."""
    rng = np.random.default_rng(seed)
    variants = []
    for i in range(count):
        scale = scales[i % len(scales)]
        size = round(28 * scale)
        offset = (int(rng.integers(0, size // 2 + 1)), int(rng.integers(0, size // 2 + 1)))
        variants.append(
            Rendering(
                scale=scale,
                dark_on_light=bool((i // len(scales)) % 2),
                blur=bool((i // (2 * len(scales))) % 2),
                offset=offset,
            )
        )
    return variants
