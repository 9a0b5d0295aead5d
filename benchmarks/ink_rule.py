"""The ink rule's two quantities on MNIST's digits and on what the rule should refuse.

`mnist_tutorial.images.ink_problem` refuses an MNIST-style image with too little ink (fewer
than `MIN_INK_PIXELS` pixels at `INK_LEVEL` of white or more) or with a dot or a blob (an
inked pixel more than `MAX_STROKE_RADIUS` pixels from the nearest pixel without ink). This
measures both on every MNIST digit (the 60,000 training digits, which hold the validation
split, and the 10,000 test digits), each made MNIST-style again by the library's recipe
(`mnist_style_steps`), and on shapes drawn as the draw page draws them (its pen is 1/14 of
the 280-pixel canvas): a click (a dot), a short dash, filled blobs, a hairline. Prints a
table and writes results/ink_rule.json. About two minutes.

    .venv/bin/python benchmarks/ink_rule.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
CANVAS = 280
PEN = CANVAS / 14  # draw.js: ctx.lineWidth = canvas.width / 14


def shapes() -> dict[str, Image.Image]:
    """Pictures the rule should refuse (and two it should not), dark ink on white."""

    def new() -> tuple[Image.Image, ImageDraw.ImageDraw]:
        image = Image.new("L", (CANVAS, CANVAS), 255)
        return image, ImageDraw.Draw(image)

    c, r = CANVAS / 2, PEN / 2
    out = {}
    image, draw = new()
    draw.ellipse([c - r, c - r, c + r, c + r], fill=0)
    out["a click (a dot of the pen)"] = image
    image, draw = new()
    draw.line([(c - 5, c), (c + 5, c)], fill=0, width=round(PEN))
    draw.ellipse([c - 5 - r, c - r, c - 5 + r, c + r], fill=0)
    draw.ellipse([c + 5 - r, c - r, c + 5 + r, c + r], fill=0)
    out["a click dragged 10 px"] = image
    image, draw = new()
    draw.ellipse([c - 60, c - 60, c + 60, c + 60], fill=0)
    out["a filled disc"] = image
    image, draw = new()
    for k in range(12):
        draw.line([(60, 60 + 14 * k), (220, 60 + 14 * k)], fill=0, width=round(PEN))
    out["a scribbled blob"] = image
    image, draw = new()
    draw.line([(20, 20), (260, 260)], fill=0, width=1)
    out["a hairline (1 px)"] = image
    image, draw = new()
    draw.line([(c, 40), (c, 240)], fill=0, width=round(PEN))
    out["a 1 (one stroke; not refused)"] = image
    image, draw = new()
    draw.ellipse([c - 50, c - 80, c + 50, c + 80], outline=0, width=round(PEN))
    out["a 0 (a ring; not refused)"] = image
    return out


def summary(values: np.ndarray) -> dict[str, float]:
    quantiles = np.percentile(values, [0.01, 1, 50, 99, 99.99])
    keys = ("p0.01", "p1", "median", "p99", "p99.99")
    return {
        "min": float(values.min()),
        **{k: round(float(q), 3) for k, q in zip(keys, quantiles, strict=True)},
        "max": float(values.max()),
    }


def main() -> int:
    from mnist_tutorial import images
    from mnist_tutorial.data import load_mnist

    (x_train, _), (x_test, _) = load_mnist(verbose=False)
    results: dict = {
        "rule": {
            "ink_level": images.INK_LEVEL,
            "min_ink_pixels": images.MIN_INK_PIXELS,
            "max_stroke_radius": images.MAX_STROKE_RADIUS,
        },
        "mnist": {},
        "shapes": {},
    }
    print(
        f"ink rule: refused below {images.MIN_INK_PIXELS} inked pixels (>= {images.INK_LEVEL} "
        f"of white) or above a stroke radius of {images.MAX_STROKE_RADIUS} px"
    )
    print(f"{'':34s} {'inked pixels':>26s}   {'stroke radius (px)':>26s}   refused")
    columns = f"{'min':>8s} {'median':>8s} {'max':>8s}"
    print(f"{'':34s} {columns}   {columns}")
    for name, digits in (("MNIST training (60,000)", x_train), ("MNIST test (10,000)", x_test)):
        measured = [images.ink_measures(images.mnist_style_steps(d).centred) for d in digits]
        inked = np.array([m.inked for m in measured])
        radius = np.array([m.stroke_radius for m in measured])
        refused = int(((inked < images.MIN_INK_PIXELS) | (radius > images.MAX_STROKE_RADIUS)).sum())
        results["mnist"][name] = {
            "inked_pixels": summary(inked),
            "stroke_radius": summary(radius),
            "refused": refused,
        }
        print(
            f"{name:34s} {inked.min():8d} {np.median(inked):8.0f} {inked.max():8d}   "
            f"{radius.min():8.2f} {np.median(radius):8.2f} {radius.max():8.2f}   {refused}"
        )
    for name, picture in shapes().items():
        pixels = images.mnist_style_steps(picture).centred
        measures = images.ink_measures(pixels)
        problem = images.ink_problem(pixels)
        results["shapes"][name] = {
            "inked_pixels": measures.inked,
            "stroke_radius": round(measures.stroke_radius, 3),
            "refused": problem,
        }
        print(
            f"{name:34s} {'':17s} {measures.inked:8d}   {'':17s} "
            f"{measures.stroke_radius:8.2f}   {problem or '-'}"
        )
    out = ROOT / "benchmarks" / "results" / "ink_rule.json"
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"written: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
