"""nbval against the seed envelope: training-dependent numbers within the spread measured
over training seeds, everything else exact, figures within stated bands.

nbval compares outputs as exact strings and skips `image/png`. This plugin (loaded with
`pytest -p rig.nbval_tolerance --nbval ...`, see the Makefile's NBVAL_FLAGS) replaces that
comparison for every notebook cell:

* Text outputs (stdout, stderr, text/plain, text/html, ...) are compared line by line. Each
  line is split into numbers and the text between them; the text must match exactly, and so
  must each number's format (its number of decimals). A number that training decides has an
  entry in the seed envelope (`rig/seed_envelope.json`, written by `make envelope`, see
  rig/seed_envelope.py), found by notebook, cell id, output, the text of its line and its
  position on it (`number_key`): a new value passes within the range measured over the
  envelope's runs, widened by the margin of its kind of number (`SPREAD_KINDS`, `WHY_MARGIN`,
  the margins derived from the runs themselves). A number without an entry was the same in every
  measured run and is compared exactly (shapes, pixel values, parameter and dataset counts);
  timings are not compared (`TOLERANCES`).
* Figures (`image/png`) are compared by `compare_png`: the committed picture against the new
  one, with the thresholds of the figure's kind (`FIGURE_TOLERANCES`), chosen from the
  plotting function the cell calls or from a cell tag `nbval-figure-<kind>`.
* Whatever else (other MIME types, the set and number of outputs) is compared as nbval does.
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import json
import math
import re
import statistics
import types
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Tolerance:
    """How a number with no envelope entry is compared: exactly, or not at all."""

    compared: bool = True
    why: str = ""

    def accepts(self, committed: float, new: float) -> bool:
        return not self.compared or abs(new - committed) <= 1e-12

    def describe(self) -> str:
        return "exact" if self.compared else "not compared"


# What no seed envelope covers. Every number that training decides (losses, accuracies,
# epochs, temperatures, thresholds, shares, probabilities...) is compared against the range
# measured over training seeds (`rig/seed_envelope.json`, made by `make envelope`, see
# rig/seed_envelope.py), widened by the margin stated there. What is left:
TOLERANCES: dict[str, Tolerance] = {
    "exact": Tolerance(
        why="A number that was the same in every measured run (shapes, pixel values, parameter "
        "and dataset counts, the 'of 10000' and '/200' after a count, a patience, digit "
        "indices) does not depend on training: compared exactly."
    ),
    "seconds": Tolerance(compared=False, why="Timings depend on the machine and its load."),
}

# Which words make a number a kind. A label is the text of the line before the number; the
# pattern whose match ends last in it wins (ties: the first listed). Column headers of tables
# are matched the same way. Numbers matching no pattern are compared against their envelope,
# or exactly where they have none.
KIND_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in [
        ("exact", r"\d\s*/\s*$|\d of $|did not improve for $|\bpatience\b"),
        ("seconds", r"\bs/epoch\b|\bs/step\b|\bms/step\b|\bseconds?\b|\btime\b"),
    ]
]

# Lines that only have to be there: the environment line that ends every notebook names the
# versions and the Keras backend that ran, which differ between Pythons (no TensorFlow on 3.14).
STRUCTURE_ONLY_LINES = re.compile(r"^environment: ")

# Text that may legitimately read two ways, made equal before comparing (both sides).
EQUIVALENT_TEXT: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"\((?:trained earlier, loaded|trained now, saved to [^)]+)\)$", re.M),
        "(model file)",
        "Whether a notebook trained a model now or found it saved by an earlier notebook "
        "depends on what ran before (a fresh clone, an instructor's models/); the sentence "
        "about the run, which starts with the model's name, is still compared.",
    ),
]


def equivalent_text(text: str) -> str:
    for pattern, replacement, _why in EQUIVALENT_TEXT:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class FigureTolerance:
    """Thresholds of `compare_png` (pixel values 0 = black ... 1 = white, pictures on white).

    size: largest relative change of width or height (the picture is cropped to its content,
    so labels of other widths change it a little). tile: largest mean difference of one tile
    of 32x32 pixels after blurring 4x4 (None: not compared). blank: a 128x128-pixel tile with
    ink (mean darkness >= 0.03) in one picture must not fall below this darkness in the other
    (None: not compared); it catches an empty or extra panel. Measured: a grid of other wrong
    digits keeps >= 0.032 in every tile and one blank panel in it drops a tile to 0.012 (so
    0.02 for exact figures); on the AVX2 re-run, a curve or reliability bar moving kept >= 0.011
    (so 0.005 for training figures, which still catches a blank panel of a larger figure).
    colour: each of 12 hues may change its pixel count by this factor at most (a curve or bar
    series of its own colour; None: not compared); colour_floor: a hue covering less than this
    share of the figure in both pictures is too small to judge. ink: largest relative change
    of the whole picture's darkness (None: not compared), for pictures whose layout moves.
    """

    size: float
    tile: float | None
    blank: float | None
    colour: float | None
    why: str
    colour_floor: float = 0.0005
    ink: float | None = None


FIGURE_TOLERANCES: dict[str, FigureTolerance] = {
    "exact": FigureTolerance(
        size=0.01,
        tile=0.06,
        blank=0.02,
        colour=1.3,
        why="Figures of data and of fixed computations (image grids, preprocessing steps, the "
        "architecture): re-drawn they differ only by anti-aliasing, while one changed digit "
        "in a grid or a missing curve changes a tile by 0.1 or more.",
    ),
    "training": FigureTolerance(
        size=0.05,
        tile=None,
        blank=0.005,
        colour=3.0,
        why="Figures of training results (curves, confusion matrices, misclassified digits, "
        "probabilities of real digits): another CPU draws other values, other epochs, other "
        "wrong digits. Still compared: the size, that no panel or region empties or fills, "
        "and each colour (so a missing or extra curve or bar series fails).",
    ),
    "unstable": FigureTolerance(
        size=0.05,
        tile=None,
        blank=None,
        colour=3.0,
        colour_floor=0.003,
        why="Figures whose layout itself is decided by training, e.g. the probabilities a "
        "model gives to random noise (which digit wins flips between CPUs): size and colours "
        "only, a colour only where it covers 0.3 % of the figure (a thin bar of another run "
        "covered 0.02 to 0.17 %). Only by cell tag `nbval-figure-unstable`.",
    ),
    "graphviz": FigureTolerance(
        size=0.05,
        tile=None,
        blank=None,
        colour=1.3,
        ink=0.05,
        why="Pictures drawn by Graphviz's `dot` (the network's architecture): the content is "
        "fixed, but its layout and fonts change with Graphviz's version (2.43 on Debian 12 "
        "drew 802x367 pixels, 14.1 on Debian unstable 809x375, with its nodes moved, so that "
        "regions empty and fill). Compared: the size within 5 %, every colour, and the whole "
        "picture's ink within 5 % (1.2 % apart between those two; blanking the output layer "
        "loses 10 %).",
    ),
    "heatmap": FigureTolerance(
        size=0.05,
        tile=None,
        blank=0.005,
        colour=None,
        why="Confusion matrices and weights drawn as pictures: the colour scale follows the "
        "largest cell or weight, which training decides (one run of the seed envelope "
        "confused one pair 99 times, and every other cell paled: its blue share fell from 9 % "
        "to 2 % of the figure; one run's largest first-layer weight paled the red of the "
        "others from 5.9 % to 1.6 %). Size and that no region empties or fills are compared.",
    ),
}

# A cell's figures get the loosest kind among the plotting functions its source calls.
FIGURE_KIND_OF_FUNCTION: dict[str, str] = {
    "draw_architecture": "graphviz",
    "plot_history": "training",
    "plot_loss_curves": "training",
    "plot_confusion_matrix": "heatmap",
    "plot_weight_images": "heatmap",
    "plot_wrong_predictions": "training",
    "plot_confused_pairs": "training",
    "plot_class_probabilities": "training",
    "plot_reliability_diagram": "training",
    "plot_risk_coverage": "training",
}
FIGURE_TAG_PREFIX = "nbval-figure-"

# --------------------------------------------------------------------------- numbers in text

# A number: not glued to a word (float32, R2, first_mlp, 3ms and 1000x220 stay text).
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.]*\w)")
_FIELD = re.compile(r"\S+(?: \S+)*")  # a table header field: words separated by one space
_RULE = re.compile(r"^\s*-+(\s+-+)*\s*$")


def kind_of_label(label: str) -> str | None:
    """The kind whose pattern ends last in `label` (ties: the first listed), or None."""
    best: tuple[int, int] | None = None
    best_kind = None
    for order, (kind, pattern) in enumerate(KIND_PATTERNS):
        for match in pattern.finditer(label):
            key = (match.end(), -order)
            if best is None or key > best:
                best, best_kind = key, kind
    return best_kind


def numbers_in(line: str) -> list[re.Match[str]]:
    return list(_NUMBER.finditer(line))


def _column_header(lines: Sequence[str], index: int, start: int, end: int) -> str | None:
    """The header field of the table column above [start, end) of lines[index], if any."""
    for above in range(index - 1, -1, -1):
        text = lines[above]
        if not text.strip() or _RULE.match(text):
            continue
        if numbers_in(text):
            continue  # another row of the table
        for field in _FIELD.finditer(text):
            if field.start() < end and start < field.end():
                return field.group()
        return None
    return None


def _header_kind(lines: Sequence[str], index: int, start: int, end: int) -> str | None:
    """The kind of the table column above [start, end) of lines[index], if any."""
    header = _column_header(lines, index, start, end)
    return None if header is None else kind_of_label(header)


def labelled_kind(
    lines: Sequence[str], index: int, numbers: Sequence[re.Match], at: int
) -> str | None:
    """The kind that numbers[at] on lines[index] is labelled with: by its own label, its
    column or its line (see `number_kind`); None where no label names a kind.

    Its own label is the text since the previous number (that number included, so `149/200`
    and `180 of 10000` can mark the denominator exact); its column is the header field above
    it in a table; its line is everything before it.
    """
    line, number = lines[index], numbers[at]
    since = numbers[at - 1].start() if at else 0
    return (
        kind_of_label(line[since : number.start()])
        or _header_kind(lines, index, number.start(), number.end())
        or kind_of_label(line[: number.start()])
    )


def number_kind(lines: Sequence[str], index: int, numbers: Sequence[re.Match], at: int) -> str:
    """The kind of numbers[at] on lines[index]: the kind it is labelled with, or exact."""
    return labelled_kind(lines, index, numbers, at) or "exact"


def _both(old: str, new: str) -> str:
    return f"\n      committed: {old!r}\n      now:       {new!r}"


def skeleton(line: str) -> str:
    """The line's text with each number as `#` and the padding next to numbers as one space
    (a table column of numbers is padded to its widest value, which may change width)."""
    return re.sub(r"# +", "# ", re.sub(r" +#", " #", _NUMBER.sub("#", line)))


def line_keys(lines: Sequence[str]) -> list[str]:
    """Each line's key in the envelope: how many lines with the same text came before it in
    its output, and its text with each number as `#` (`skeleton`). Adding, removing or moving
    other lines of an output leaves a line's key as it was."""
    seen: Counter[str] = Counter()
    keys = []
    for line in lines:
        text = skeleton(line)
        keys.append(f"{seen[text]}:{text}")
        seen[text] += 1
    return keys


def number_key(line_key: str, position: int) -> str:
    """A number's key within its output: its position on the line, then the line's key."""
    return f"{position}:{line_key}"


def find_number(lines: Sequence[str], key: str) -> tuple[int, int] | None:
    """(line index, position) of the number `number_key` names in `lines`, or None."""
    position, line_key = key.split(":", 1)
    keys = line_keys(lines)
    if line_key not in keys:
        return None
    return keys.index(line_key), int(position)


def as_float(token: str) -> float:
    return float(token.replace(",", ""))


def decimals(token: str) -> int:
    mantissa = re.split(r"[eE]", token)[0]
    return len(mantissa.split(".")[1]) if "." in mantissa else 0


#: A number's measured values over the envelope's runs, its printed decimals, whether it is a
#: share or probability (measured on the logit scale), and its kind's margin in standard
#: deviations.
Measured = tuple[Sequence[float], int, bool, float]


def compare_text(
    committed: str, new: str, envelope: Mapping[str, Measured] | None = None
) -> list[str]:
    """Differences between two text outputs; [] when they agree.

    Text must match exactly, and so must each number's format. A number that differs is
    accepted within its envelope (`envelope[number_key(line_key, position)]`, see `accepts`),
    and compared exactly when it has none (except timings)."""
    committed, new = equivalent_text(committed), equivalent_text(new)
    envelope = envelope or {}
    old_lines, new_lines = committed.splitlines(), new.splitlines()
    if len(old_lines) != len(new_lines):
        return [f"{len(old_lines)} lines committed, {len(new_lines)} now"]
    problems: list[str] = []
    keys = line_keys(old_lines)
    for index, (old, cur) in enumerate(zip(old_lines, new_lines, strict=True)):
        if STRUCTURE_ONLY_LINES.match(old):
            if not STRUCTURE_ONLY_LINES.match(cur):
                problems.append(f"line {index + 1}: environment line missing{_both(old, cur)}")
            continue
        old_numbers, new_numbers = numbers_in(old), numbers_in(cur)
        if skeleton(old) != skeleton(cur) or len(old_numbers) != len(new_numbers):
            problems.append(f"line {index + 1}: text differs{_both(old, cur)}")
            continue
        for position, (a, b) in enumerate(zip(old_numbers, new_numbers, strict=True)):
            if a.group() == b.group():
                continue
            if decimals(a.group()) != decimals(b.group()):
                problems.append(
                    f"line {index + 1}: {a.group()} -> {b.group()} (format changed)"
                    + _both(old, cur)
                )
                continue
            value = as_float(b.group())
            measured = envelope.get(number_key(keys[index], position))
            if measured is not None:
                values, places, share, sds = measured
                if not accepts(values, places, value, share, sds):
                    low, high = envelope_bounds(values, places, share, sds)
                    problems.append(
                        f"line {index + 1}: {a.group()} -> {b.group()}, outside the seed "
                        f"envelope {low:.{places}f} .. {high:.{places}f} (measured "
                        f"{min(values):.{places}f} .. {max(values):.{places}f} over "
                        f"{len(values)} runs, widened by {sds:g} standard deviations)"
                        f"{_both(old, cur)}"
                    )
                continue
            kind = number_kind(old_lines, index, old_numbers, position)
            tol = TOLERANCES[kind]
            if not tol.accepts(as_float(a.group()), value):
                problems.append(
                    f"line {index + 1}: {a.group()} -> {b.group()} (the same in every run of "
                    f"the seed envelope, so compared exactly){_both(old, cur)}"
                )
    return problems


# --------------------------------------------------------------------------- the envelope

#: How far beyond the measured range a new value may fall, in sample standard deviations of
#: the measured values; shares and probabilities (values in [0, 1]) are measured on the logit
#: scale, log(p / (1 - p)), where 0.999 and 0.9999 are as far apart as 0.9 and 0.99. Each kind
#: of number (`SPREAD_KINDS`) has its own margin, derived from the measured runs by
#: `make envelope` (`derive_margins` in rig/seed_envelope.py) and stored in the envelope;
#: `MARGIN_SDS` is used only for an envelope that has none.
MARGIN_SDS = 8.0
#: A kind's margin: the widest excursion any left-out run showed among numbers of that kind
#: (standard deviations beyond the range of the other runs) times this, rounded up to a half...
MARGIN_OVER_WORST = 1.5
#: ... and never less than this many standard deviations (4 would be rare for normal values)...
MARGIN_MIN_SDS = 4.0
#: ... nor less than this many units of the number's last printed digit.
MARGIN_FLOOR_UNITS = 10
WHY_MARGIN = (
    "A number that training decides passes within the range of its values over the measured "
    "runs (8 training seeds, the CNN on another backend, the committed run and the runs it "
    "replaced), widened by a margin in standard deviations of those values (of their logits, "
    "for shares and probabilities in [0, 1]) and by at least "
    f"{MARGIN_FLOOR_UNITS} units of its last printed digit. The margin depends on the kind "
    "of number, because training spreads kinds differently: numbers over many images "
    "(accuracies, losses, thresholds, temperatures, shares) spread little and evenly; "
    "per-digit figures rest on a few hundred images each; a single image's probability can "
    "jump; and early stopping makes some runs much longer or shorter than the rest. For each "
    "kind, every measured run is left out in turn and compared with the range of the others: "
    f"the widest excursion found, times {MARGIN_OVER_WORST:g} (rounded up to a half, at "
    f"least {MARGIN_MIN_SDS:g}), is that kind's margin (`margin.standard_deviations`; the "
    "excursions in `margin.widest_left_out`). Every left-out run then passes against the "
    "others, while a result that moves well beyond the spread of its kind fails: a tenfold "
    "learning rate, up or down, fails in notebook 4 (`rig/regression_demo.sh`)."
)
#: The kinds of measured number (see `WHY_MARGIN`), tried in order on the number's whole line,
#: the text before it on its line ("label") or its table column's header; "aggregate" if none.
SPREAD_KINDS: list[tuple[str, str, re.Pattern[str]]] = [
    (kind, where, re.compile(pattern))
    for kind, where, pattern in [
        ("early stopping", "line",
         r"Stopped early|Trained all|Kept the weights|best epoch|stops after epoch|epochs run|"
         r"after the last epoch"),
        ("early stopping", "column", r"(?i)\bepochs?\b"),
        ("per digit", "label",
         r"^\s*\d(\s+-?\d+(\.\d+)?)*\s*$|\b\d: (recall|precision)|wrongly called \d|"
         r"hardest digit|lowest precision"),
        ("one image", "label",
         r"probability of|with probability\s*$|largest probability|'not a digit' probability|"
         r"^\s*logits|softmax|model\.predict|\.png\b|validation image|^\s*\d:\s*$|"
         r"^\s*(blank|all ink) \(all"),
    ]
]  # fmt: skip
DEFAULT_SPREAD_KIND = "aggregate"


def spread_kind(lines: Sequence[str], index: int, numbers: Sequence[re.Match], at: int) -> str:
    """The kind of measured number numbers[at] on lines[index] is (see `SPREAD_KINDS`)."""
    line, number = lines[index], numbers[at]
    texts = {
        "line": line,
        "label": line[: number.start()],
        "column": _column_header(lines, index, number.start(), number.end()) or "",
    }
    for kind, where, pattern in SPREAD_KINDS:
        if pattern.search(texts[where]):
            return kind
    return DEFAULT_SPREAD_KIND


ENVELOPE_FILE = Path(__file__).resolve().parent / "seed_envelope.json"


def _is_share(values: Sequence[float], decimals: int) -> bool:
    return decimals >= 2 and all(0.0 <= v <= 1.0 for v in values)


def _logit(value: float, unit: float) -> float:
    p = min(max(value, unit / 2), 1 - unit / 2)  # a printed 1.0000 is at least 0.99995
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def envelope_bounds(
    values: Sequence[float], decimals: int, share: bool | None = None, sds: float = MARGIN_SDS
) -> tuple[float, float]:
    """The lowest and highest value accepted for a number measured as `values`, widened by
    `sds` standard deviations; `share` says whether it is a share or probability (default:
    whether every value lies in [0, 1])."""
    unit = 10.0 ** (-decimals)
    low, high = min(values), max(values)
    if _is_share(values, decimals) if share is None else share:
        logits = [_logit(v, unit) for v in values]
        margin = sds * statistics.stdev(logits) if len(values) > 1 else 0.0
        wide = (_sigmoid(min(logits) - margin), _sigmoid(max(logits) + margin))
    else:
        margin = sds * statistics.stdev(values) if len(values) > 1 else 0.0
        wide = (low - margin, high + margin)
    floor = MARGIN_FLOOR_UNITS * unit
    return min(wide[0], low - floor), max(wide[1], high + floor)


def measured_values(entry: dict) -> list[float]:
    """An envelope entry's values: its committed run's, then each measured run's that has
    one (a run that did not print this number holds None)."""
    return [v for v in [entry["committed"], *entry["runs"].values()] if v is not None]


def accepts(
    values: Sequence[float],
    decimals: int,
    new: float,
    share: bool | None = None,
    sds: float = MARGIN_SDS,
) -> bool:
    low, high = envelope_bounds(values, decimals, share, sds)
    return low - 1e-12 <= new <= high + 1e-12


@dataclass(frozen=True)
class Envelope:
    """The measured numbers: notebook -> cell id -> `OUTPUT:number_key` -> measured."""

    runs: tuple[str, ...]
    numbers: Mapping[str, Mapping[str, Mapping[str, Measured]]]

    def for_output(self, notebook: str, cell: str, where: str) -> dict[str, Measured]:
        """The measured numbers of one output (`stdout#0`), by `number_key`."""
        entries = self.numbers.get(notebook, {}).get(cell, {})
        prefix = where + ":"
        return {a[len(prefix) :]: m for a, m in entries.items() if a.startswith(prefix)}


def margins(data: Mapping) -> dict[str, float]:
    """The envelope file's margin for each kind of number (one for all in an older file)."""
    stated = data.get("margin", {}).get("standard_deviations", MARGIN_SDS)
    if isinstance(stated, int | float):
        return defaultdict(lambda: float(stated))
    return defaultdict(lambda: MARGIN_SDS, stated)


def read_envelope(path: Path = ENVELOPE_FILE) -> Envelope:
    """The committed envelope, or an empty one (every number then compared exactly)."""
    if not path.exists():
        return Envelope((), {})
    data = json.loads(path.read_text())
    sds = margins(data)
    numbers: dict[str, dict[str, dict[str, Measured]]] = {}
    for notebook, cells in data["numbers"].items():
        for cell, entries in cells.items():
            for address, entry in entries.items():
                measured = measured_values(entry)
                numbers.setdefault(notebook, {}).setdefault(cell, {})[address] = (
                    measured,
                    entry["decimals"],
                    _is_share(measured, entry["decimals"]),
                    sds[entry.get("spread", DEFAULT_SPREAD_KIND)],
                )
    return Envelope(tuple(data["runs"]), numbers)


@functools.cache
def committed_envelope() -> Envelope:
    return read_envelope()


# --------------------------------------------------------------------------- figures


def _decode_png(data: str | bytes) -> np.ndarray:
    """A PNG (base64 text, as notebooks store it, or bytes) as RGB floats in [0, 1] on white."""
    from PIL import Image

    raw = data if isinstance(data, bytes) else base64.b64decode("".join(data.split()))
    with Image.open(io.BytesIO(raw)) as image:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float64) / 255.0
    alpha = rgba[..., 3:4]
    return rgba[..., :3] * alpha + (1.0 - alpha)


def _resize(rgb: np.ndarray, height: int, width: int) -> np.ndarray:
    from PIL import Image

    channels = [
        np.asarray(
            Image.fromarray(rgb[..., c].astype(np.float32), mode="F").resize(
                (width, height), Image.Resampling.BOX
            )
        )
        for c in range(3)
    ]
    return np.stack(channels, axis=-1).astype(np.float64)


def _tiles(gray: np.ndarray, size: int) -> np.ndarray:
    """Mean of each size x size tile (the edge tiles partial)."""
    h, w = gray.shape
    rows, cols = math.ceil(h / size), math.ceil(w / size)
    padded = np.full((rows * size, cols * size), np.nan)
    padded[:h, :w] = gray
    return np.nanmean(padded.reshape(rows, size, cols, size), axis=(1, 3))


def _colour_counts(rgb: np.ndarray) -> np.ndarray:
    """Share of pixels in each of 12 hue bins among clearly coloured pixels."""
    top, bottom = rgb.max(axis=-1), rgb.min(axis=-1)
    saturated = (top - bottom) > 0.3
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    hue = (np.degrees(np.arctan2(math.sqrt(3) * (g - b), 2 * r - g - b)) + 360.0) % 360.0
    bins = np.floor(hue[saturated] / 30.0).astype(int) % 12
    return np.bincount(bins, minlength=12) / rgb[..., 0].size


def compare_png(committed: str | bytes, new: str | bytes, kind: str = "exact") -> list[str]:
    """Material differences between two PNG figures under FIGURE_TOLERANCES[kind]."""
    tol = FIGURE_TOLERANCES[kind]
    try:
        old, cur = _decode_png(committed), _decode_png(new)
    except (OSError, ValueError, binascii.Error) as exc:
        return [f"not a readable PNG: {exc}"]
    (h0, w0), (h1, w1) = old.shape[:2], cur.shape[:2]
    if abs(h1 - h0) > max(2, tol.size * h0) or abs(w1 - w0) > max(2, tol.size * w0):
        return [f"figure size {w0}x{h0} -> {w1}x{h1} pixels"]
    # Same grid for both: the committed size, then blurred by averaging 4x4 pixel blocks,
    # which absorbs anti-aliasing and one-pixel shifts.
    if (h1, w1) != (h0, w0):
        cur = _resize(cur, h0, w0)
    small_h, small_w = max(1, h0 // 4), max(1, w0 // 4)
    old_s, cur_s = _resize(old, small_h, small_w), _resize(cur, small_h, small_w)
    problems: list[str] = []
    old_gray, cur_gray = old_s.mean(axis=-1), cur_s.mean(axis=-1)
    if tol.tile is not None:
        diff = _tiles(np.abs(old_s - cur_s).max(axis=-1), 8)
        worst = np.unravel_index(np.argmax(diff), diff.shape)
        if diff[worst] > tol.tile:
            problems.append(
                f"region near x={worst[1] * 32 + 16}, y={worst[0] * 32 + 16} px changed by "
                f"{diff[worst]:.3f} (tolerance {tol.tile})"
            )
    # Ink per tile of 128x128 pixels (about one panel of a digit grid): a panel or region
    # that empties or fills fails.
    old_ink, cur_ink = _tiles(1.0 - old_gray, 32), _tiles(1.0 - cur_gray, 32)
    for a, b, what in ((old_ink, cur_ink, "emptied"), (cur_ink, old_ink, "filled")):
        if tol.blank is None:
            break
        lost = (a >= 0.03) & (b < tol.blank)
        if lost.any():
            y, x = np.argwhere(lost)[0]
            problems.append(
                f"region near x={x * 128 + 64}, y={y * 128 + 64} px {what} "
                f"(ink {a[y, x]:.3f} -> {b[y, x]:.3f})"
            )
    if tol.ink is not None:
        old_dark, cur_dark = float(np.mean(1.0 - old_gray)), float(np.mean(1.0 - cur_gray))
        if abs(cur_dark - old_dark) > tol.ink * max(old_dark, 1e-6):
            problems.append(f"ink of the whole picture {old_dark:.4f} -> {cur_dark:.4f}")
    old_col, cur_col = _colour_counts(old), _colour_counts(cur)  # full size: thin lines
    for hue_bin in range(12 if tol.colour is not None else 0):
        a, b = old_col[hue_bin], cur_col[hue_bin]
        if max(a, b) < tol.colour_floor:
            continue  # too few pixels of that colour to judge
        if min(a, b) * tol.colour < max(a, b):
            problems.append(
                f"pixels of hue {hue_bin * 30}-{hue_bin * 30 + 30} degrees: {a:.4f} -> {b:.4f} "
                f"of the figure (a curve, bar series or colour map appeared or vanished?)"
            )
    return problems


def figure_kind(source: str, tags: Iterable[str] = ()) -> str:
    """The figure kind of a cell: its `nbval-figure-<kind>` tag, else from what it calls."""
    for tag in tags:
        if tag.startswith(FIGURE_TAG_PREFIX):
            kind = tag[len(FIGURE_TAG_PREFIX) :]
            if kind not in FIGURE_TOLERANCES:
                raise ValueError(f"unknown figure kind in tag {tag!r}: {sorted(FIGURE_TOLERANCES)}")
            return kind
    called = {FIGURE_KIND_OF_FUNCTION[f] for f in FIGURE_KIND_OF_FUNCTION if f + "(" in source}
    for kind in ("heatmap", "training", "graphviz"):  # the loosest first
        if kind in called:
            return kind
    return "exact"


# --------------------------------------------------------------------------- the nbval hook

IMAGES = ("image/png",)


def flatten_outputs(outputs: Sequence[dict], skip: Sequence[str]) -> dict[str, list]:
    flat: dict[str, list] = defaultdict(list)
    for output in outputs:
        for key, value in output.items():
            if key in skip and key not in IMAGES:
                continue
            if key == "data":
                for mime, data in value.items():
                    if mime not in skip or mime in IMAGES:
                        flat[mime].append(data)
            else:
                flat[key].append(value)
    return flat


def compare_cell(
    notebook: str,
    cell: Mapping,
    old: Mapping[str, list],
    new: Mapping[str, list],
    envelope: Envelope | None = None,
) -> list[str]:
    """Differences between a cell's committed outputs `old` and `new` (both as
    `flatten_outputs` keys them), text numbers within `envelope` (default: the committed one)."""
    envelope = envelope or committed_envelope()
    if set(new) != set(old):
        return [
            f"outputs committed: {sorted(old)}; now: {sorted(new)}"
            " (missing or unexpected output fields)"
        ]
    problems: list[str] = []
    tags = cell.get("metadata", {}).get("tags", ())
    for key in old:
        if len(old[key]) != len(new[key]):
            problems.append(f"{key}: {len(old[key])} outputs committed, {len(new[key])} now")
            continue
        for index, (a, b) in enumerate(zip(old[key], new[key], strict=True)):
            where = f"{key}" + (f" #{index + 1}" if len(old[key]) > 1 else "")
            if key in IMAGES:
                kind = figure_kind(cell.get("source", ""), tags)
                found = compare_png(a, b, kind)
                problems += [f"{where} ({kind} figure): {p}" for p in found]
            elif isinstance(a, str) and isinstance(b, str):
                measured = envelope.for_output(notebook, cell.get("id", ""), f"{key}#{index}")
                problems += [f"{where}: {p}" for p in compare_text(a, b, measured)]
            elif a != b:
                problems.append(f"{where}: {a!r} -> {b!r}")
    return problems


def without_startup_log(outputs: Sequence[dict]) -> list[dict]:
    """A new run's outputs without TensorFlow's start-up log lines on stderr, which
    `make execute` leaves out of the stored notebook too (they differ between CPUs)."""
    from mnist_tutorial.tensorflow_log import strip_tensorflow_startup_log

    kept = []
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            text = strip_tensorflow_startup_log(output.get("text", ""))
            if not text:
                continue
            output = {**output, "text": text}
        kept.append(output)
    return kept


def compare_outputs(item, test, ref, skip_compare=None) -> bool:  # noqa: ANN001
    """Replacement for nbval's IPyNbCell.compare_outputs (same contract)."""
    from nbval.plugin import transform_streams_for_comparison

    skip = skip_compare or item.parent.skip_compare
    new = flatten_outputs(transform_streams_for_comparison(without_startup_log(test)), skip)
    old = flatten_outputs(transform_streams_for_comparison(ref), skip)
    notebook = Path(str(getattr(item.parent, "path", None) or item.parent.fspath)).name
    item.comparison_traceback = compare_cell(notebook, item.cell, old, new)
    return not item.comparison_traceback


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every nbval cell item the tolerant comparison."""
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval not installed: nothing to do
        return
    for item in items:
        if isinstance(item, IPyNbCell):
            item.compare_outputs = types.MethodType(compare_outputs, item)


# --------------------------------------------------------------------------- by hand


def changed_numbers(committed: str, new: str) -> list[tuple[str, str, str]]:
    """(kind, committed, new) for every number that differs (for measuring tolerances)."""
    old_lines, new_lines = committed.splitlines(), new.splitlines()
    found = []
    for index, (old, cur) in enumerate(zip(old_lines, new_lines, strict=False)):
        a_numbers, b_numbers = numbers_in(old), numbers_in(cur)
        if len(a_numbers) != len(b_numbers) or STRUCTURE_ONLY_LINES.match(old):
            continue
        for position, (a, b) in enumerate(zip(a_numbers, b_numbers, strict=True)):
            if a.group() != b.group():
                kind = number_kind(old_lines, index, a_numbers, position)
                found.append((kind, a.group(), b.group()))
    return found


def list_kinds(text: str) -> list[tuple[str, str, str]]:
    """(kind, number, line) for every number in `text`: how the comparison will treat it."""
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        if STRUCTURE_ONLY_LINES.match(line):
            found.append(("structure", "-", line))
            continue
        numbers = numbers_in(line)
        for position, number in enumerate(numbers):
            found.append((number_kind(lines, index, numbers, position), number.group(), line))
    return found


def _texts(output: dict) -> list[str]:
    texts = [output["text"]] if "text" in output else []
    return texts + [v for k, v in output.get("data", {}).items() if k == "text/plain"]


def main(argv: Sequence[str] | None = None) -> int:
    """Compare two runs of a notebook offline (committed.ipynb new.ipynb [--all]), or list how
    each number of one notebook will be compared (notebook.ipynb --kinds)."""
    import argparse

    import nbformat
    from nbval.plugin import coalesce_streams

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("committed")
    parser.add_argument("new", nargs="?")
    parser.add_argument("--all", action="store_true", help="also list every changed number")
    parser.add_argument("--kinds", action="store_true", help="list each number's kind")
    args = parser.parse_args(argv)
    old_nb = nbformat.read(args.committed, as_version=4)
    if args.kinds or args.new is None:
        for number, cell in enumerate(old_nb.cells):
            figures = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
            if figures:
                kind = figure_kind(cell.source, cell.metadata.get("tags", ()))
                print(f"cell {number}: {len(figures)} figure(s), {kind}")
            for output in cell.get("outputs", []):
                for text in _texts(output):
                    for kind, value, line in list_kinds(text):
                        if kind != "exact":
                            print(f"cell {number}: {kind:13s} {value:>10s}  | {line.strip()}")
        print("(every other number is compared exactly)")
        return 0
    new_nb = nbformat.read(args.new, as_version=4)
    failed = 0
    for number, (old_cell, new_cell) in enumerate(zip(old_nb.cells, new_nb.cells, strict=True)):
        if old_cell.cell_type != "code":
            continue
        item = types.SimpleNamespace(
            cell=old_cell,
            parent=types.SimpleNamespace(skip_compare=NBVAL_SKIP, path=Path(args.committed)),
        )
        ok = compare_outputs(
            item, coalesce_streams(new_cell.outputs), coalesce_streams(old_cell.outputs)
        )
        if not ok:
            failed += 1
            print(f"cell {number}: FAILS")
            for line in item.comparison_traceback:
                print("   ", line)
        if args.all:
            for old_out, new_out in zip(old_cell.outputs, new_cell.outputs, strict=False):
                for a, b in zip(_texts(old_out), _texts(new_out), strict=False):
                    for kind, x, y in changed_numbers(a, b):
                        print(f"cell {number}: {kind:12s} {x} -> {y}")
    print(f"{failed} cell(s) differ beyond the seed envelope")
    return 1 if failed else 0


NBVAL_SKIP = (
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "name",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/jpeg",
)

if __name__ == "__main__":
    raise SystemExit(main())
