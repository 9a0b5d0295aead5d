"""Any picture of a digit -> a 28x28 array made the way MNIST itself was made.

MNIST's recipe (LeCun, Cortes and Burges): each digit's bounding box was scaled, keeping its
aspect ratio, to fit a 20x20 box, with anti-aliasing (hence the grey levels); the result was
placed in a 28x28 field so that its centre of mass sits at the centre. Measured on MNIST's
training set: the longer side of every digit's ink is exactly 20 pixels, and every centre of
mass lies within half a pixel of (14, 14) — an integer shift that puts it as close to (14, 14)
as whole pixels allow.

`to_mnist_style(path_or_image)` does the same to any picture: grayscale; inverted when the
digit is dark on a light background (judged from the border pixels); the background (median
of the border) subtracted and the contrast stretched so the darkest ink is 255; cropped to the
bounding box of the ink (pixels at `INK_LEVEL` of the peak or more); scaled so that the longer
side is 20 pixels with Lanczos resampling (Pillow's LANCZOS filter: a windowed sinc, stretched
over the input area each output pixel covers, so it anti-aliases like averaging that area but
blurs the strokes less; the same formula enlarges a tiny drawing); then shifted by whole pixels
so its centre of mass is nearest (14, 14). `mnist_style_steps` returns every stage, for the
notebook that shows them side by side.

Not every picture is a digit. `ink_problem` is the rule that refuses two kinds of input
before any network sees them: too little ink (fewer than `MIN_INK_PIXELS` pixels of the 28x28
image at `INK_LEVEL` or more: a hairline or a faint smudge) and a dot or a blob (some inked
pixel lies more than `MAX_STROKE_RADIUS` pixels from the nearest pixel without ink: no
stroke of a digit is that thick). A single dot is scaled up like any drawing, to a disc that
fills the 20-pixel box (316 inked pixels, 9.2 pixels deep): counting pixels alone cannot
refuse it, since MNIST's boldest training digit, a filled-in 0, has 335; its deepest point is
6.7 pixels from a pixel without ink. `to_mnist_style` raises `InkError` with the rule's
message; `benchmarks/ink_rule.py` measures both quantities on MNIST's 70,000 digits (see
docs/preprocessing-study.md).

Every step is plain arithmetic on float64 arrays, so the "draw a digit" page of the course's
site repeats it exactly in JavaScript (`site/_static/mnist_digit.js`); the constants below,
the ink rule's thresholds and messages included, are exported with the model's weights so
both sides use the same values.

Data layer.
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

#: Contrast (grey levels of 255) below which an image is taken to hold no ink at all.
MIN_INK_CONTRAST = 32
#: Share of the ink's peak that counts as ink when finding the bounding box.
INK_LEVEL = 0.3
#: Lobes of the Lanczos kernel that scales the digit (Pillow's LANCZOS filter has 3).
LANCZOS_LOBES = 3
#: The longer side of the digit's bounding box after scaling (MNIST: 20 pixels).
BOX_SIZE = 20
#: Side of the final image (MNIST: 28 pixels).
FIELD_SIZE = 28
#: Where the centre of mass goes, in pixel indices (MNIST: (14, 14), to the nearest pixel).
CENTRE = 14.0

# The ink rule (`ink_problem`), chosen with margin on MNIST's 70,000 digits made MNIST-style
# by `to_mnist_style` (`benchmarks/ink_rule.py`): none of them is refused.
#: Fewer pixels than this at `INK_LEVEL` or more: too little ink (MNIST's fewest: 25, a 1).
MIN_INK_PIXELS = 12
#: An inked pixel farther than this from the nearest pixel without ink, in pixels: a dot or
#: a blob, not strokes (MNIST's deepest: 6.7; a dot: 9.2; a filled square: 10).
MAX_STROKE_RADIUS = 7.5
#: What the library (`InkError`, so `mnist-tutorial predict` too) and the draw page say.
TOO_LITTLE_INK = "Not a digit: too little ink."
TOO_MUCH_INK = "Not a digit: a dot or a blob."


class ImageInputError(ValueError):
    """A file that cannot be read as a picture of a digit."""


class InkError(ImageInputError):
    """A picture whose MNIST-style image fails the ink rule; `message` is the rule's own
    (`TOO_LITTLE_INK` or `TOO_MUCH_INK`), the text the draw page shows too."""

    def __init__(self, message: str, source: object = None) -> None:
        self.message = message
        super().__init__(f"{source}: {message}" if source is not None else message)


@dataclass(frozen=True)
class MnistStyleSteps:
    """Each stage of the conversion (uint8 arrays, ink bright on black from `ink` on)."""

    grayscale: np.ndarray
    inverted: bool
    ink: np.ndarray
    cropped: np.ndarray
    resized: np.ndarray
    centred: np.ndarray


def preprocessing_constants() -> dict[str, float | str]:
    """The constants of the recipe and of the ink rule, with its messages, for the JavaScript
    copy of them (exported with the model)."""
    return {
        "min_ink_contrast": MIN_INK_CONTRAST,
        "ink_level": INK_LEVEL,
        "lanczos_lobes": LANCZOS_LOBES,
        "box_size": BOX_SIZE,
        "field_size": FIELD_SIZE,
        "centre": CENTRE,
        "min_ink_pixels": MIN_INK_PIXELS,
        "max_stroke_radius": MAX_STROKE_RADIUS,
        "too_little_ink": TOO_LITTLE_INK,
        "too_much_ink": TOO_MUCH_INK,
    }


def load_image(path: str | os.PathLike[str]) -> Image.Image:
    """Open an image file, with a clear `ImageInputError` for anything that is not one."""
    path = Path(path)
    if not path.exists():
        raise ImageInputError(f"{path}: no such file")
    if path.is_dir():
        raise ImageInputError(f"{path}: is a directory, not an image")
    try:
        with Image.open(path) as image:
            image.load()
            return ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ImageInputError(f"{path}: not a readable image ({exc})") from exc


def to_grayscale(image: Image.Image) -> np.ndarray:
    """uint8 grayscale; transparent pixels count as the background (white)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return np.asarray(image.convert("L"), dtype=np.uint8)


def _border(pixels: np.ndarray) -> np.ndarray:
    return np.concatenate([pixels[0], pixels[-1], pixels[1:-1, 0], pixels[1:-1, -1]])


def lanczos(x: float) -> float:
    """The Lanczos kernel with 3 lobes: sinc(x) * sinc(x / 3) on (-3, 3), else 0."""
    if not -LANCZOS_LOBES <= x < LANCZOS_LOBES:
        return 0.0
    if x == 0.0:
        return 1.0
    px = math.pi * x
    return math.sin(px) / px * (math.sin(px / LANCZOS_LOBES) / (px / LANCZOS_LOBES))


def resample_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) matrix taking a row of n_in pixels to n_out pixels: Lanczos resampling.

    Output pixel i is centred at input position c = (i + 0.5) * n_in / n_out; each input
    pixel j weighs lanczos((j + 0.5 - c) / s), with s = n_in / n_out when shrinking (the
    kernel stretched over the input area each output pixel covers: anti-aliasing) and s = 1
    when enlarging; the weights of each row are scaled to sum to 1. Pillow's
    `Image.resize(..., Image.Resampling.LANCZOS)` computes the same weights.
    """
    weights = np.zeros((n_out, n_in), dtype=np.float64)
    ratio = n_in / n_out
    stretch = max(ratio, 1.0)
    support = LANCZOS_LOBES * stretch
    for i in range(n_out):
        centre = (i + 0.5) * ratio
        first = max(math.floor(centre - support + 0.5), 0)
        last = min(math.floor(centre + support + 0.5), n_in)
        row = [lanczos((j + 0.5 - centre) / stretch) for j in range(first, last)]
        total = 0.0
        for w in row:  # summed in order, as the JavaScript copy does
            total += w
        weights[i, first:last] = [w / total for w in row]
    return weights


@functools.lru_cache(maxsize=2048)
def _weights(n_in: int, n_out: int) -> np.ndarray:
    """`resample_weights`, computed once per size (read-only): many drawings share sizes."""
    weights = resample_weights(n_in, n_out)
    weights.setflags(write=False)
    return weights


def resize(pixels: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resample a float image to (height, width) with `resample_weights` on each axis."""
    rows = _weights(pixels.shape[0], height)
    cols = _weights(pixels.shape[1], width)
    return rows @ (np.asarray(pixels, dtype=np.float64) @ cols.T)


def round_half_up(values: np.ndarray | float) -> np.ndarray:
    """floor(x + 0.5): the rounding JavaScript's Math.round does, so both sides agree."""
    return np.floor(np.asarray(values, dtype=np.float64) + 0.5)


def centre_of_mass(pixels: np.ndarray) -> tuple[float, float]:
    """(row, column) of the intensity-weighted mean position, in pixel indices."""
    total = float(pixels.sum())
    rows = pixels.sum(axis=1)
    cols = pixels.sum(axis=0)
    return (
        float(np.arange(len(rows)) @ rows) / total,
        float(np.arange(len(cols)) @ cols) / total,
    )


def _as_gray(source: str | os.PathLike[str] | Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(source, Image.Image):
        return to_grayscale(source)
    if isinstance(source, np.ndarray):
        return to_grayscale(Image.fromarray(np.asarray(source, dtype=np.uint8)))
    return to_grayscale(load_image(source))


def mnist_style_steps(source: str | os.PathLike[str] | Image.Image | np.ndarray) -> MnistStyleSteps:
    """Convert a picture of one digit, keeping every intermediate stage."""
    gray = _as_gray(source)
    if gray.shape[0] < 2 or gray.shape[1] < 2:
        raise ImageInputError(f"image of {gray.shape[1]}x{gray.shape[0]} pixels is too small")

    # MNIST digits are light ink on a dark background: invert a light background.
    inverted = bool(np.median(_border(gray)) > 127)
    ink = (255.0 - gray if inverted else gray.astype(np.float64)).astype(np.float64)
    background = np.median(_border(ink))
    ink = np.clip(ink - background, 0, None)
    peak = float(ink.max())
    if peak < MIN_INK_CONTRAST:
        raise ImageInputError(
            "no digit found: the image is blank (no pixel differs from the background by "
            f"{MIN_INK_CONTRAST} grey levels or more)"
        )
    ink = ink * (255.0 / peak)

    # The bounding box of the ink, scaled so that its longer side is BOX_SIZE pixels.
    is_ink = ink >= INK_LEVEL * 255.0
    rows = np.flatnonzero(is_ink.any(axis=1))
    cols = np.flatnonzero(is_ink.any(axis=0))
    cropped = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = cropped.shape
    scale = BOX_SIZE / max(height, width)
    new_height = max(1, min(BOX_SIZE, int(round_half_up(height * scale))))
    new_width = max(1, min(BOX_SIZE, int(round_half_up(width * scale))))
    resized = np.clip(resize(cropped, new_height, new_width), 0.0, 255.0)

    # Whole-pixel shift that brings the centre of mass nearest to (CENTRE, CENTRE).
    cy, cx = centre_of_mass(resized)
    top = int(np.clip(round_half_up(CENTRE - cy), 0, FIELD_SIZE - new_height))
    left = int(np.clip(round_half_up(CENTRE - cx), 0, FIELD_SIZE - new_width))
    centred = np.zeros((FIELD_SIZE, FIELD_SIZE), dtype=np.float64)
    centred[top : top + new_height, left : left + new_width] = resized

    def as_bytes(values: np.ndarray) -> np.ndarray:
        return np.clip(round_half_up(values), 0, 255).astype(np.uint8)

    return MnistStyleSteps(
        grayscale=gray,
        inverted=inverted,
        ink=as_bytes(ink),
        cropped=as_bytes(cropped),
        resized=as_bytes(resized),
        centred=as_bytes(centred),
    )


@dataclass(frozen=True)
class InkMeasures:
    """What the ink rule looks at in an MNIST-style image."""

    #: Pixels at `INK_LEVEL` of white or more.
    inked: int
    #: The largest distance, in pixels (between pixel centres), from an inked pixel to the
    #: nearest pixel that is not inked (outside the image counts as not inked): about half
    #: the width of the thickest stroke.
    stroke_radius: float


def ink_measures(pixels: np.ndarray) -> InkMeasures:
    """`InkMeasures` of a 28x28 MNIST-style image (grey levels 0-255). Exact: the squared
    distances are whole numbers, searched in full, as the page's JavaScript does."""
    inked = np.pad(np.asarray(pixels, dtype=np.float64) >= INK_LEVEL * 255.0, 1)
    ink, blank = np.argwhere(inked), np.argwhere(~inked)
    if len(ink) == 0:
        return InkMeasures(inked=0, stroke_radius=0.0)
    squared = ((ink[:, np.newaxis, :] - blank[np.newaxis, :, :]) ** 2).sum(axis=2)
    return InkMeasures(inked=len(ink), stroke_radius=math.sqrt(int(squared.min(axis=1).max())))


def ink_problem(pixels: np.ndarray) -> str | None:
    """The ink rule: `TOO_LITTLE_INK`, `TOO_MUCH_INK` (a dot or a blob), or None for an image
    that may be a digit. `pixels`: a 28x28 MNIST-style image (grey levels 0-255)."""
    measures = ink_measures(pixels)
    if measures.inked < MIN_INK_PIXELS:
        return TOO_LITTLE_INK
    if measures.stroke_radius > MAX_STROKE_RADIUS:
        return TOO_MUCH_INK
    return None


def to_mnist_style(source: str | os.PathLike[str] | Image.Image | np.ndarray) -> np.ndarray:
    """A picture of one digit as MNIST would have it: uint8 (28, 28), ink bright on black.
    Raises `InkError` (an `ImageInputError`) when the result fails the ink rule."""
    pixels = mnist_style_steps(source).centred
    problem = ink_problem(pixels)
    if problem is not None:
        named = isinstance(source, (str, os.PathLike))
        raise InkError(problem, source if named else None)
    return pixels
