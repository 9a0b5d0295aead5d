"""Any picture of a digit -> a 28x28 array made the way MNIST itself was made.

`to_mnist_style(path_or_image)` converts to grayscale, inverts when the digit is dark on a
light background (judged from the border pixels), stretches the contrast so the background
is 0, crops to the ink's bounding box with a small margin, scales the longer side to 20
pixels keeping the aspect ratio (anti-aliased), and pastes the result into a 28x28 field so
that the ink's centre of mass sits at the centre. `mnist_style_steps` returns every stage,
for the notebook that shows them side by side.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy.ndimage import center_of_mass

#: Contrast (grey levels of 255) below which an image is taken to hold no ink at all.
MIN_INK_CONTRAST = 32
#: Share of the ink's peak that counts as ink when finding the bounding box.
INK_LEVEL = 0.2


class ImageInputError(ValueError):
    """A file that cannot be read as a picture of a digit."""


@dataclass(frozen=True)
class MnistStyleSteps:
    """Each stage of the conversion (uint8 arrays, ink bright on black from `ink` on)."""

    grayscale: np.ndarray
    inverted: bool
    ink: np.ndarray
    cropped: np.ndarray
    resized: np.ndarray
    centred: np.ndarray


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


def mnist_style_steps(source: str | os.PathLike[str] | Image.Image | np.ndarray) -> MnistStyleSteps:
    """Convert a picture of one digit, keeping every intermediate stage."""
    if isinstance(source, Image.Image):
        gray = to_grayscale(source)
    elif isinstance(source, np.ndarray):
        gray = to_grayscale(Image.fromarray(np.asarray(source, dtype=np.uint8)))
    else:
        gray = to_grayscale(load_image(source))
    if gray.shape[0] < 2 or gray.shape[1] < 2:
        raise ImageInputError(f"image of {gray.shape[1]}x{gray.shape[0]} pixels is too small")

    # MNIST digits are light ink on a dark background: invert a light background.
    inverted = bool(np.median(_border(gray)) > 127)
    ink = (255 - gray if inverted else gray).astype(np.float64)
    background = np.median(_border(ink))
    ink = np.clip(ink - background, 0, None)
    if ink.max() < MIN_INK_CONTRAST:
        raise ImageInputError(
            "no digit found: the image is blank (no pixel differs from the background by "
            f"{MIN_INK_CONTRAST} grey levels or more)"
        )
    ink = ink * (255.0 / ink.max())

    rows = np.flatnonzero((ink >= INK_LEVEL * 255).any(axis=1))
    cols = np.flatnonzero((ink >= INK_LEVEL * 255).any(axis=0))
    height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    margin = max(1, round(0.05 * max(height, width)))
    top, bottom = max(rows[0] - margin, 0), min(rows[-1] + margin + 1, ink.shape[0])
    left, right = max(cols[0] - margin, 0), min(cols[-1] + margin + 1, ink.shape[1])
    cropped = ink[top:bottom, left:right]

    scale = 20.0 / max(cropped.shape)
    new_size = (max(1, round(cropped.shape[1] * scale)), max(1, round(cropped.shape[0] * scale)))
    resized_image = Image.fromarray(cropped.astype(np.float32)).resize(
        new_size, Image.Resampling.LANCZOS
    )
    resized = np.clip(np.asarray(resized_image), 0, 255)

    centred = np.zeros((28, 28), dtype=np.float64)
    cy, cx = center_of_mass(resized)
    h, w = resized.shape
    top = int(np.clip(round(13.5 - cy), 0, 28 - h))
    left = int(np.clip(round(13.5 - cx), 0, 28 - w))
    centred[top : top + h, left : left + w] = resized

    def as_bytes(values: np.ndarray) -> np.ndarray:
        return np.clip(np.rint(values), 0, 255).astype(np.uint8)

    return MnistStyleSteps(
        grayscale=gray,
        inverted=inverted,
        ink=as_bytes(ink),
        cropped=as_bytes(cropped),
        resized=as_bytes(resized),
        centred=as_bytes(centred),
    )


def to_mnist_style(source: str | os.PathLike[str] | Image.Image | np.ndarray) -> np.ndarray:
    """A picture of one digit as MNIST would have it: uint8 (28, 28), ink bright on black."""
    return mnist_style_steps(source).centred
