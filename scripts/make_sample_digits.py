"""Draw the sample digit images in `examples/digits/` with Pillow (run to regenerate them),
and, with `--mnist`, choose the draw page's sample digits, `site/sample_digits/`.

Each drawn digit is a few pen strokes (polylines in a unit box), drawn with a varied stroke
width, size, offset and a little rotation, on canvases of different sizes and colour modes:
dark ink on white paper, light chalk on a dark board, RGB, and a transparent PNG.
Deterministic: the same files every run. Notebook 12 reads them (and explains why the
MLPs refuse the 1), as does `mnist-tutorial predict`'s documentation.

The draw page's sample digits are MNIST digits that every network of the page reads (its
drawn samples were refused, the 1 by the two MLPs). The rule, `choose_mnist_samples`:
for each digit, the first image of the validation split (the 5000 training images that every
network of the page was validated on and none trained on; never a test image) that every
network answers right, as the page answers (temperature, threshold, "not a digit"), with a
probability of at least 0.99, the picture read as written: 28x28, dark ink on white paper.
It depends on the trained networks (models/), as the page does: run it again after one is
retrained (`make site` exports them; the browser test checks every sample on the page).
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "examples" / "digits"
#: The draw page's sample digits (`build_site.export_samples` puts them in the page).
MNIST_OUT = ROOT / "site" / "sample_digits"
#: What "reads it" means for the draw page's samples: answered right with at least this.
SURE = 0.99


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 24):
    return [
        (cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
        for a in np.linspace(start, end, n)
    ]


STROKES: dict[int, list[list[tuple[float, float]]]] = {
    0: [_arc(0.5, 0.5, 0.28, 0.42, 0, 360, 40)],
    1: [[(0.35, 0.25), (0.55, 0.08), (0.55, 0.92)]],
    2: [_arc(0.5, 0.32, 0.27, 0.24, 200, 360) + [(0.72, 0.45), (0.25, 0.9), (0.8, 0.9)]],
    3: [_arc(0.48, 0.3, 0.25, 0.21, 210, 450), _arc(0.48, 0.7, 0.28, 0.22, 270, 500)],
    4: [[(0.62, 0.92), (0.62, 0.08), (0.18, 0.65), (0.82, 0.65)]],
    5: [[(0.75, 0.1), (0.32, 0.1), (0.28, 0.45)] + _arc(0.48, 0.64, 0.28, 0.26, 230, 500)],
    6: [[(0.68, 0.08)] + _arc(0.5, 0.66, 0.26, 0.26, 200, 560, 40)],
    7: [[(0.2, 0.1), (0.8, 0.1), (0.42, 0.92)], [(0.35, 0.5), (0.7, 0.5)]],
    8: [_arc(0.5, 0.28, 0.2, 0.2, 90, 450), _arc(0.5, 0.7, 0.25, 0.22, -90, 270)],
    9: [_arc(0.5, 0.32, 0.24, 0.24, 0, 360, 40) + [(0.74, 0.32), (0.66, 0.92)]],
}

# digit: (canvas w, h, stroke width, box size, dx, dy, rotation, style)
VARIANTS = {
    0: (120, 120, 9, 90, 0, 0, -4, "paper"),
    1: (64, 96, 5, 70, 4, 2, 6, "paper"),
    2: (200, 150, 14, 110, -20, 8, 3, "board"),
    3: (100, 100, 7, 80, 3, -4, -6, "rgb"),
    4: (150, 150, 10, 100, 10, 10, 5, "transparent"),
    5: (90, 120, 6, 85, -4, 0, 2, "paper"),
    6: (128, 128, 12, 96, 0, 6, -3, "board"),
    7: (160, 110, 8, 90, 25, -2, 7, "rgb"),
    8: (100, 140, 9, 110, 0, 0, 0, "paper"),
    9: (110, 110, 8, 88, -5, 3, -8, "transparent"),
}


def draw_digit(digit: int) -> Image.Image:
    width, height, stroke, box, dx, dy, angle, style = VARIANTS[digit]
    layer = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(layer)
    x0, y0 = (width - box) / 2 + dx, (height - box) / 2 + dy
    for line in STROKES[digit]:
        points = [(x0 + x * box, y0 + y * box) for x, y in line]
        draw.line(points, fill=255, width=stroke, joint="curve")
        for x, y in (points[0], points[-1]):
            r = stroke / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    ink = layer.rotate(angle, resample=Image.Resampling.BICUBIC).filter(
        ImageFilter.GaussianBlur(0.8)
    )
    if style == "paper":
        return Image.eval(ink, lambda v: 255 - int(v * 0.85))
    if style == "board":
        return Image.eval(ink, lambda v: 40 + int(v * 0.8))
    if style == "rgb":
        paper = Image.new("RGB", ink.size, (250, 246, 235))
        pen = Image.new("RGB", ink.size, (20, 40, 140))
        return Image.composite(pen, paper, ink)
    pen = Image.new("RGBA", ink.size, (10, 10, 10, 255))
    pen.putalpha(ink)
    return pen


def as_picture(digit: np.ndarray) -> Image.Image:
    """An MNIST digit (bright ink on black) as the page's sample: dark ink on white paper."""
    return Image.fromarray(255 - np.asarray(digit, dtype=np.uint8), mode="L")


def choose_mnist_samples(models_dir: Path, sure: float = SURE) -> dict[int, tuple[int, list]]:
    """{digit: (index in MNIST's training set, [each network's probability of it])}: the
    first validation image of each digit that every network of the draw page answers right
    with at least `sure` (see the module's docstring)."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    from mnist_tutorial.config import (
        augmented_cnn_experiment,
        first_mlp_experiment,
        not_a_digit_experiment,
    )
    from mnist_tutorial.data import load_mnist
    from mnist_tutorial.images import to_mnist_style
    from mnist_tutorial.preprocess import split_validation
    from mnist_tutorial.rejection import predict_or_reject
    from mnist_tutorial.storage import load_model, model_path
    from mnist_tutorial.trained import ensure_rejection

    configs = [augmented_cnn_experiment(), not_a_digit_experiment(), first_mlp_experiment()]
    splits = {(c.validation_size, c.data_seed) for c in configs}
    if len(splits) != 1:
        raise SystemExit(f"the networks were validated on different splits: {splits}")
    (size, seed) = splits.pop()
    (x_train, y_train), _ = load_mnist(verbose=False)
    _, (validation, labels) = split_validation(np.arange(len(y_train)), y_train, size, seed)
    networks = []
    for config in configs:
        settings = ensure_rejection(config, models_dir)
        networks.append((load_model(model_path(config, models_dir)), settings))
    chosen: dict[int, tuple[int, list]] = {}
    for digit in range(10):
        candidates = validation[labels == digit]
        for start in range(0, len(candidates), 50):
            batch = candidates[start : start + 50]
            pixels = np.stack([to_mnist_style(as_picture(x_train[i])) for i in batch])
            sureness = []
            for model, settings in networks:
                decisions = predict_or_reject(
                    model, pixels, settings.threshold, settings.temperature
                )
                right = np.array([c == digit for c in decisions.classes])
                sureness.append(np.where(right, decisions.probabilities[:, digit], 0.0))
            sureness = np.array(sureness)
            good = np.flatnonzero((sureness >= sure).all(axis=0))
            if good.size:
                k = good[0]
                chosen[digit] = (int(batch[k]), [round(float(p), 4) for p in sureness[:, k]])
                break
        else:
            raise SystemExit(f"no validation {digit} that every network reads with {sure:.0%}")
    return chosen


def write_mnist_samples(models_dir: Path, out: Path = MNIST_OUT) -> None:
    from PIL import PngImagePlugin

    from mnist_tutorial.data import load_mnist

    (x_train, _), _ = load_mnist(verbose=False)
    out.mkdir(parents=True, exist_ok=True)
    for digit, (index, sureness) in choose_mnist_samples(models_dir).items():
        info = PngImagePlugin.PngInfo()
        info.add_text("Source", f"MNIST training image {index} (validation split)")
        as_picture(x_train[index]).save(out / f"mnist_{digit}.png", pnginfo=info)
        print(f"mnist_{digit}.png: training image {index}, read with {sureness}")
    print(f"wrote 10 images to {out}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mnist", action="store_true", help="choose the draw page's MNIST samples instead"
    )
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    args = parser.parse_args(argv)
    if args.mnist:
        write_mnist_samples(args.models)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    for digit in STROKES:
        draw_digit(digit).save(OUT / f"digit_{digit}.png", optimize=True)
    print(f"wrote {len(STROKES)} images to {OUT}")


if __name__ == "__main__":
    main()
