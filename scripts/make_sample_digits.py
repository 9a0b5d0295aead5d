"""Draw the sample digit images in `examples/digits/` with Pillow (run to regenerate them).

Each digit is a few pen strokes (polylines in a unit box), drawn with a varied stroke width,
size, offset and a little rotation, on canvases of different sizes and colour modes: dark ink
on white paper, light chalk on a dark board, RGB, and a transparent PNG. Deterministic: the
same files every run.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parents[1] / "examples" / "digits"


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


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for digit in STROKES:
        draw_digit(digit).save(OUT / f"digit_{digit}.png", optimize=True)
    print(f"wrote {len(STROKES)} images to {OUT}")


if __name__ == "__main__":
    main()
