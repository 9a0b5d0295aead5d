"""Your run beside the measured runs: a notebook's headline results next to the lowest and
highest value the course measured over many training runs (other training seeds, other
CPUs), so that a student sees once, in one table, how much a result moves from run to run.

The ranges are read from `measured_runs.json` beside this module. The course's test rig
writes that file from its seed envelope (`make envelope`, `make execute`); this module only
reads it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources

from mnist_tutorial.tables import format_table

DATA_FILE = "measured_runs.json"


def measured_ranges(notebook: str) -> dict[str, dict]:
    """The measured range of each headline result of `notebook` (its file name without
    `.ipynb`): `{result: {"lowest", "highest", "runs", "decimals"}}`."""
    text = resources.files("mnist_tutorial").joinpath(DATA_FILE).read_text(encoding="utf-8")
    notebooks = json.loads(text)["notebooks"]
    if notebook not in notebooks:
        raise KeyError(f"no measured runs for notebook {notebook!r}")
    return notebooks[notebook]


def compare_with_measured_runs(
    notebook: str,
    this_run: Mapping[str, float],
    ranges: Mapping[str, Mapping] | None = None,
) -> str:
    """A table: each result of `this_run` (named as in the measured ranges), its value, the
    measured runs' lowest to highest value, and whether this run lies within them. `ranges`
    defaults to `measured_ranges(notebook)`. A notebook that has no measured runs yet (a new
    one, executed before `make envelope` measured it) gets its values with "not measured
    yet"."""
    if ranges is None:
        try:
            ranges = measured_ranges(notebook)
        except KeyError:
            return _not_measured_yet(this_run)
    rows = []
    for result, value in this_run.items():
        if result not in ranges:
            known = ", ".join(sorted(ranges))
            raise KeyError(f"{result!r} is not measured for {notebook} (measured: {known})")
        measured = ranges[result]
        places = measured["decimals"]
        shown = round(float(value), places)
        within = measured["lowest"] <= shown <= measured["highest"]
        rows.append(
            [
                result,
                f"{shown:.{places}f}",
                f"{measured['lowest']:.{places}f} to {measured['highest']:.{places}f}",
                str(measured["runs"]),
                "yes" if within else "no",
            ]
        )
    headers = ["result", "this run", "measured runs: lowest to highest", "runs", "within"]
    return format_table(headers, rows)


def _not_measured_yet(this_run: Mapping[str, float]) -> str:
    rows = [
        [result, f"{float(value):g}", "not measured yet", "0", "-"]
        for result, value in this_run.items()
    ]
    headers = ["result", "this run", "measured runs: lowest to highest", "runs", "within"]
    return format_table(headers, rows)
