"""Drawn non-digits, made the way the draw page and `mnist-tutorial predict` make a drawing:
`drawn_non_digits(n, seed)`.

A network with a "not a digit" answer only refuses what it was taught to refuse. Every
drawing and upload reaches it through `mnist_tutorial.images.to_mnist_style` (cropped,
scaled so its longer side is 20 pixels, centred by its mass): a square drawn on the page
arrives as a thin 20-pixel square outline, not as anything noise-like. So its "not a digit"
examples must include drawings that went through that same preparation.

Each picture is drawn with Pillow on a canvas the size of the draw page's (`CANVAS`, 280
pixels, white), in black, with a round pen about as wide as the page's (`PEN`: draw.js sets
`lineWidth = canvas.width / 14`, here varied by a quarter either way): one of the shapes in
`DRAWN_KINDS` (rectangles, scribbles, horizontal and diagonal lines, crosses + and x, stars,
smileys, letters, hash signs, triangles, zig-zags), with a random size, position, aspect,
rotation and a hand's jitter. Vertical lines are never drawn (they are 1s), nor circles (0s),
nor letters that look like digits (I, O, S, Z, B, G, g, q, b): the letters are `LETTERS`.
The picture then goes through `to_mnist_style`, the page's own preparation; one that the ink
rule refuses (a dot or a blob, too little ink) is drawn again, so what comes out is what a
network would actually be shown. Deterministic for a seed.

Data layer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image, ImageDraw

from mnist_tutorial.images import ImageInputError, to_mnist_style

#: Side of the draw page's drawing area, in pixels (site/draw.md: `<canvas width="280">`).
CANVAS = 280
#: The draw page's pen width (draw.js: `ctx.lineWidth = canvas.width / 14`).
PEN = CANVAS / 14

Point = tuple[float, float]
Stroke = list[Point]

#: Letters as strokes in a unit box (x right, y down), none of them digit-like.
LETTERS: dict[str, list[Stroke]] = {
    "A": [[(0, 1), (0.5, 0), (1, 1)], [(0.22, 0.58), (0.78, 0.58)]],
    "E": [[(1, 0), (0, 0), (0, 1), (1, 1)], [(0, 0.5), (0.75, 0.5)]],
    "F": [[(1, 0), (0, 0), (0, 1)], [(0, 0.48), (0.75, 0.48)]],
    "H": [[(0, 0), (0, 1)], [(1, 0), (1, 1)], [(0, 0.5), (1, 0.5)]],
    "K": [[(0, 0), (0, 1)], [(0.95, 0), (0, 0.6)], [(0.3, 0.42), (1, 1)]],
    "M": [[(0, 1), (0, 0), (0.5, 0.65), (1, 0), (1, 1)]],
    "N": [[(0, 1), (0, 0), (1, 1), (1, 0)]],
    "R": [
        [(0, 1), (0, 0), (0.65, 0), (0.9, 0.12), (0.9, 0.36), (0.65, 0.5), (0, 0.5)],
        [(0.4, 0.5), (1, 1)],
    ],
    "W": [[(0, 0), (0.25, 1), (0.5, 0.35), (0.75, 1), (1, 0)]],
    "X": [[(0, 0), (1, 1)], [(1, 0), (0, 1)]],
    "Y": [[(0, 0), (0.5, 0.5), (1, 0)], [(0.5, 0.5), (0.5, 1)]],
}


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, k: int) -> Stroke:
    return [(cx + rx * math.cos(t), cy + ry * math.sin(t)) for t in np.linspace(start, end, k)]


def _rectangle(rng: np.random.Generator) -> list[Stroke]:
    w, h = 1.0, rng.uniform(0.45, 1.0)
    if rng.random() < 0.5:
        w, h = h, w
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    start = int(rng.integers(4))
    corners = corners[start:] + corners[:start]
    return [corners + [corners[0]]]


def _scribble(rng: np.random.Generator) -> list[Stroke]:
    k = int(rng.integers(6, 16))
    return [[(float(x), float(y)) for x, y in rng.random((k, 2))]]


def _line(rng: np.random.Generator) -> list[Stroke]:
    bend = rng.uniform(-0.08, 0.08)
    return [[(0, 0), (0.5, bend), (1, 0)]]


def _plus(rng: np.random.Generator) -> list[Stroke]:
    a, b = rng.uniform(0.3, 0.7, 2)
    return [[(0, a), (1, a)], [(b, 0), (b, 1)]]


def _cross(rng: np.random.Generator) -> list[Stroke]:
    return [[(0, 0), (1, 1)], [(1, 0), (0, 1)]]


def _star(rng: np.random.Generator) -> list[Stroke]:
    if rng.random() < 0.5:  # a five-pointed star in one stroke
        points = [
            (0.5 + 0.5 * math.sin(2 * math.pi * k / 5), 0.5 - 0.5 * math.cos(2 * math.pi * k / 5))
            for k in (0, 2, 4, 1, 3, 0)
        ]
        return [points]
    arms = int(rng.integers(3, 5))  # an asterisk: 3 or 4 lines through the centre
    return [
        [
            (0.5 - 0.5 * math.cos(t), 0.5 - 0.5 * math.sin(t)),
            (0.5 + 0.5 * math.cos(t), 0.5 + 0.5 * math.sin(t)),
        ]
        for t in np.pi * (np.arange(arms) / arms + rng.uniform(0, 1))
    ]


def _smiley(rng: np.random.Generator) -> list[Stroke]:
    face = _arc(0.5, 0.5, 0.5, 0.5, 0, 2 * math.pi, 40)
    eyes = [[(0.33, 0.35), (0.33, 0.38)], [(0.67, 0.35), (0.67, 0.38)]]
    mouth = _arc(0.5, 0.55, 0.24, rng.uniform(0.1, 0.2), 0.15 * math.pi, 0.85 * math.pi, 12)
    return [face, *eyes, mouth]


def _letter(rng: np.random.Generator) -> list[Stroke]:
    name = sorted(LETTERS)[int(rng.integers(len(LETTERS)))]
    return [list(stroke) for stroke in LETTERS[name]]


def _hash(rng: np.random.Generator) -> list[Stroke]:
    a, b = rng.uniform(0.2, 0.4), rng.uniform(0.6, 0.8)
    c, d = rng.uniform(0.2, 0.4), rng.uniform(0.6, 0.8)
    return [[(0, a), (1, a)], [(0, b), (1, b)], [(c, 0), (c, 1)], [(d, 0), (d, 1)]]


def _triangle(rng: np.random.Generator) -> list[Stroke]:
    apex = (rng.uniform(0.2, 0.8), 0.0)
    return [[apex, (1, 1), (0, 1), apex]]


def _zigzag(rng: np.random.Generator) -> list[Stroke]:
    k = int(rng.integers(4, 8))
    height = rng.uniform(0.25, 0.6)
    return [[(i / k, height * (i % 2)) for i in range(k + 1)]]


#: Each kind: (how its strokes are made, the largest rotation in degrees either way).
#: Lines and zig-zags stay within 40 degrees of horizontal: nearly vertical, they are 1s.
_SHAPES: dict[str, tuple[Callable[[np.random.Generator], list[Stroke]], float]] = {
    "rectangle": (_rectangle, 180),
    "scribble": (_scribble, 180),
    "line": (_line, 40),
    "plus": (_plus, 15),
    "x cross": (_cross, 15),
    "star": (_star, 180),
    "smiley": (_smiley, 25),
    "letter": (_letter, 20),
    "hash sign": (_hash, 20),
    "triangle": (_triangle, 180),
    "zig-zag": (_zigzag, 35),
}

#: The kinds of drawing, in the order `drawn_non_digits` cycles through them.
DRAWN_KINDS: tuple[str, ...] = tuple(_SHAPES)


def _placed(
    strokes: Sequence[Stroke], rng: np.random.Generator, max_degrees: float
) -> list[Stroke]:
    """Strokes from a unit box to canvas pixels: stretched, rotated, sized, moved, jittered."""
    points = np.concatenate([np.asarray(s, dtype=np.float64) for s in strokes])
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    stretch = np.array([rng.uniform(0.8, 1.25), 1.0])
    angle = math.radians(rng.uniform(-max_degrees, max_degrees))
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    size = rng.uniform(0.35, 0.85) * CANVAS
    shaped = [((np.asarray(s, dtype=np.float64) - centre) * stretch) @ rotation.T for s in strokes]
    extent = np.ptp(np.concatenate(shaped), axis=0).max()
    shaped = [s * (size / max(extent, 1e-9)) for s in shaped]
    where = rng.uniform(0.5 * size, CANVAS - 0.5 * size, 2)  # size < CANVAS
    jitter = 0.025 * size
    return [
        [(float(x), float(y)) for x, y in s + where + rng.normal(0, jitter, s.shape)]
        for s in shaped
    ]


def _draw(strokes: Sequence[Stroke], pen: float) -> np.ndarray:
    """Black strokes of a round pen `pen` pixels wide on a white canvas: uint8 (CANVAS, CANVAS)."""
    image = Image.new("L", (CANVAS, CANVAS), 255)
    draw = ImageDraw.Draw(image)
    r = pen / 2
    for stroke in strokes:
        if len(stroke) > 1:
            draw.line(stroke, fill=0, width=max(1, round(pen)), joint="curve")
        for x, y in (stroke[0], stroke[-1]):  # round ends, like the page's pen
            draw.ellipse((x - r, y - r, x + r, y + r), fill=0)
    return np.asarray(image, dtype=np.uint8)


def drawn_kinds(n: int) -> list[str]:
    """The kind of each of `drawn_non_digits(n, ...)`'s drawings: `DRAWN_KINDS` in turn."""
    return [DRAWN_KINDS[i % len(DRAWN_KINDS)] for i in range(n)]


def drawn_non_digit(kind: str, rng: np.random.Generator) -> np.ndarray:
    """One drawing of `kind` on the page-sized canvas (uint8, white background), before any
    preparation."""
    make, max_degrees = _SHAPES[kind]
    pen = PEN * rng.uniform(0.75, 1.25)
    return _draw(_placed(make(rng), rng, max_degrees), pen)


def drawn_non_digits(n: int, seed: int) -> np.ndarray:
    """`n` drawn non-digits as the draw page would show them to a network: uint8 (n, 28, 28),
    ink bright on black, each through `to_mnist_style` and passing its ink rule (a drawing
    the rule refuses is drawn again). Kinds in turn (`drawn_kinds`); deterministic for a seed."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, 28, 28), dtype=np.uint8)
    for i, kind in enumerate(drawn_kinds(n)):
        while True:
            try:
                out[i] = to_mnist_style(drawn_non_digit(kind, rng))
                break
            except ImageInputError:  # the ink rule (InkError) or nothing left to see
                continue
    return out
