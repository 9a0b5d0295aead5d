"""The committed seed envelope agrees with the committed notebooks and their prose."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from rig.nbval_tolerance import (
    ENVELOPE_FILE,
    equivalent_text,
    find_number,
    measured_values,
    numbers_in,
)
from rig.seed_envelope import SEEDS, cell_outputs, course_notebooks

ROOT = Path(__file__).resolve().parents[1]
ENVELOPE = json.loads(ENVELOPE_FILE.read_text()) if ENVELOPE_FILE.exists() else None
needs_envelope = pytest.mark.skipif(ENVELOPE is None, reason="no rig/seed_envelope.json")
#: A spread in prose: "... the nine measured runs gave 97.7 to 98.2 %" (or "... 0.93 to 0.95").
SPREAD = re.compile(
    r"runs(?: \([^)]*\))? gave (?:from )?(-?\d+(?:\.\d+)?)( ?%)? to (-?\d+(?:\.\d+)?)( ?%)?"
)


def _number_at(notebook: nbformat.NotebookNode, cell_id: str, address: str) -> str | None:
    where, number = address.split(":", 1)
    key, index = where.rsplit("#", 1)
    cell = next((c for c in notebook.cells if c.get("id") == cell_id), None)
    if cell is None:
        return None
    outputs = cell_outputs(cell).get(key, [])
    if int(index) >= len(outputs):
        return None
    lines = equivalent_text(outputs[int(index)]).splitlines()
    found = find_number(lines, number)
    if found is None:
        return None
    line, position = found
    numbers = numbers_in(lines[line])
    return numbers[position].group() if position < len(numbers) else None


@needs_envelope
def test_the_envelope_measured_every_seed_and_the_committed_outputs() -> None:
    assert len(SEEDS) >= 8
    assert {f"seed-{seed}" for seed in SEEDS} <= set(ENVELOPE["runs"])
    assert ENVELOPE["margin"]["why"]
    assert set(ENVELOPE["numbers"]) <= set(course_notebooks())
    stale = []
    for name, cells in ENVELOPE["numbers"].items():
        notebook = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        for cell_id, entries in cells.items():
            for address, entry in entries.items():
                found = _number_at(notebook, cell_id, address)
                if found is None or float(found.replace(",", "")) != entry["committed"]:
                    stale.append(f"{name} {cell_id} {address}: {entry['committed']} vs {found}")
    assert not stale, "committed outputs changed since `make envelope`:\n" + "\n".join(stale)


@needs_envelope
def test_no_output_line_or_figure_flips_between_seeds() -> None:
    assert ENVELOPE["flips"] == []
    assert ENVELOPE["figures_beyond_tolerance"] == []


def _measured_ranges(name: str) -> list[tuple[float, float]]:
    ranges = []
    for entries in ENVELOPE["numbers"].get(name, {}).values():
        for entry in entries.values():
            # Every measured run, the one stored in the notebook (the student's page) included.
            values = measured_values(entry)
            ranges.append((min(values), max(values)))
    return ranges


def _matches(low: str, high: str, percent: bool, measured: tuple[float, float]) -> bool:
    """A range quoted in percent matches a share (0.978) or a number printed in percent (97.8)."""
    places = len(low.split(".")[1]) if "." in low else 0
    return any(
        all(
            round(value * scale, places) == round(float(text), places)
            for value, text in zip(measured, (low, high), strict=True)
        )
        for scale in ((100.0, 1.0) if percent else (1.0,))
    )


@needs_envelope
@pytest.mark.parametrize("name", course_notebooks())
def test_the_spreads_quoted_in_the_prose_are_the_measured_ones(name: str) -> None:
    notebook = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    ranges = _measured_ranges(name)
    wrong = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for match in SPREAD.finditer(cell.source):
            low, high = match.group(1), match.group(3)
            percent = bool(match.group(2) or match.group(4))
            if not any(_matches(low, high, percent, r) for r in ranges):
                wrong.append(f"{cell.get('id')}: {match.group(0)!r}")
    assert not wrong, (
        "no measured number has this range: quote the range over every measured run and the "
        "run stored in the notebook (`python -m rig.seed_envelope ranges NOTEBOOK` lists "
        "them), or `make envelope` if the notebook's numbers changed:\n" + "\n".join(wrong)
    )


@pytest.mark.parametrize("name", course_notebooks())
def test_the_prose_quotes_at_most_one_measured_range(name: str) -> None:
    """The spread of training results is shown once, where a student looks for it; the
    prose says what holds in plain words ("in every run we measured", "usually")."""
    notebook = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    quoted = [
        match.group(0)
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for match in SPREAD.finditer(cell.source)
    ]
    assert len(quoted) <= 1, quoted
