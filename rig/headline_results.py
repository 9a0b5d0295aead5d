"""The notebooks' tables "your run and the measured runs".

Each notebook that shows training results ends with one table (a code cell that calls
`mnist_tutorial.measured_runs.compare_with_measured_runs`): its headline results beside the
lowest and highest value over the measured runs. This module is the rig's side of it:

* `HEADLINES`: which seed-envelope entry each headline result of a notebook is;
* `measured_ranges`: those entries' ranges, written into the package as
  `src/mnist_tutorial/measured_runs.json` (`write_measured_runs`) whenever the envelope
  changes (`make envelope`, `make execute`);
* `rerender_tables`: the committed tables redrawn from the new ranges (a table is a pure
  function of this run's values and the ranges; nbval does not compare it, tag
  `nbval-ignore-output`, since each of its numbers is compared where the notebook first
  printed it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import nbformat

from mnist_tutorial.files import write_text_atomic
from mnist_tutorial.measured_runs import compare_with_measured_runs
from rig.nbval_tolerance import measured_values

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DATA_FILE = ROOT / "src" / "mnist_tutorial" / "measured_runs.json"
#: The call that draws a notebook's table, and the tag that keeps nbval from comparing it.
TABLE_CALL = "compare_with_measured_runs("
TABLE_TAG = "nbval-ignore-output"

#: notebook -> result -> (cell id, the start of the entry's key within its output:
#: "position:occurrence:line text with each number as #"), all on stdout.
HEADLINES: dict[str, dict[str, tuple[str, str]]] = {
    "04_model_and_training": {
        "epochs run": ("03-15", "0:0:first_mlp: Stopped early after # epochs"),
        "lowest validation loss": ("4a1e2c07", "0:0:lowest validation loss: #"),
        "validation accuracy, last epoch": (
            "4a1e2c07",
            "0:0:validation accuracy after the last epoch: #",
        ),
    },
    "05_evaluation": {
        "test accuracy": ("04-20", "0:0:test accuracy: #"),
        "test loss": ("04-20", "0:0:test loss: #"),
    },
    "06_better_training": {
        "validation-stopped MLP: epochs run": (
            "c76fb1d6",
            "0:0:mlp_val_loss: Stopped early after #",
        ),
        "validation-stopped MLP: test loss": ("06-09", "0:0:validation rule # # #"),
        "validation-stopped MLP: test accuracy": ("06-09", "1:0:validation rule # # #"),
    },
    "07_convolutional_network": {
        "CNN: epoch kept": ("10-09", "1:0:cnn: Trained all # epochs. Kept the weights of epoch #"),
        "CNN: test accuracy": ("10-15", "3:0:CNN # # # # # #"),
    },
    "08_digits_unlike_mnist": {
        "augmented CNN: epoch kept": (
            "08-17f",
            "1:0:cnn_augmented: Trained all # epochs. Kept the weights of epoch #",
        ),
        "augmented CNN: changed validation digits, % right": ("08-20", "1:0:all changes #% #%"),
        "augmented CNN: test accuracy, %": ("08-24", "0:0:augmented CNN #% #%"),
    },
    "10_calibration_and_rejection": {
        "validation-stopped MLP: temperature": (
            "07-11",
            "0:0:validation rule: temperature: #, threshold: #",
        ),
        "validation-stopped MLP: threshold": (
            "07-11",
            "1:0:validation rule: temperature: #, threshold: #",
        ),
        "validation-stopped MLP: test coverage": ("07-13", "2:0:validation rule # # # # #"),
        "validation-stopped MLP: test accuracy of answers": (
            "07-13",
            "3:0:validation rule # # # # #",
        ),
    },
    "11_out_of_distribution": {
        "11-class network: epochs run": ("64f63508", "0:0:mlp_not_a_digit: Stopped early after #"),
        "11-class network: mean validation AUROC": (
            "fa700c50",
            "0:0:11th class: mean validation AUROC",
        ),
        "11-class network: threshold": ("08-05", "0:0:11th class: threshold: #"),
    },
    "12_your_own_digit": {
        "threshold": ("09-09", "1:0:temperature: #, threshold: #"),
        "sample pictures answered (of 10)": ("09-12", "0:0:answered: # of #, right: #, wrong: #"),
    },
}


def headline_entry(numbers: dict, notebook: str, cell: str, key: str) -> dict:
    """The one envelope entry of `notebook`'s `cell` whose key within its output starts
    with `key`."""
    entries = numbers.get(f"{notebook}.ipynb", {}).get(cell, {})
    found = [e for address, e in entries.items() if address.split(":", 1)[1].startswith(key)]
    if len(found) != 1:
        raise LookupError(f"{notebook} cell {cell}: {len(found)} envelope entries for {key!r}")
    return found[0]


def measured_ranges(envelope: dict) -> dict[str, dict[str, dict]]:
    """Each headline result's lowest and highest value over the envelope's runs and its
    committed run, how many values those are, and its decimals. A notebook the envelope has
    not measured yet (new, executed once) is left out: its table says "not measured yet"."""
    out: dict[str, dict[str, dict]] = {}
    for notebook, results in HEADLINES.items():
        if not envelope["numbers"].get(f"{notebook}.ipynb"):
            continue
        for result, (cell, key) in results.items():
            entry = headline_entry(envelope["numbers"], notebook, cell, key)
            values = measured_values(entry)
            out.setdefault(notebook, {})[result] = {
                "lowest": min(values),
                "highest": max(values),
                "runs": len(values),
                "decimals": entry["decimals"],
            }
    return out


def measured_runs_text(envelope: dict) -> str:
    """The contents of `measured_runs.json` for `envelope`."""
    payload = {
        "about": "Written by the test rig from rig/seed_envelope.json (rig/headline_results.py):"
        " each notebook's headline results over the measured training runs.",
        "notebooks": measured_ranges(envelope),
    }
    return json.dumps(payload, indent=1) + "\n"


def write_measured_runs(envelope_file: Path) -> None:
    write_text_atomic(DATA_FILE, measured_runs_text(json.loads(envelope_file.read_text())))


def table_values(text: str) -> dict[str, float]:
    """This run's values, read back from a drawn table (its first two columns)."""
    rows = text.strip().splitlines()[2:]
    return {cells[0]: float(cells[1]) for cells in (re.split(r"\s{2,}", r) for r in rows)}


def table_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in notebook.cells if c.cell_type == "code" and TABLE_CALL in c.source]


def rerender_tables(notebooks: Sequence[str]) -> int:
    """Redraw the committed tables of `notebooks` (file names) from the current ranges;
    the number of tables that changed."""
    changed = 0
    for name in notebooks:
        stem = name.removesuffix(".ipynb")
        if stem not in HEADLINES:
            continue
        path = NOTEBOOKS / f"{stem}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        for cell in table_cells(notebook):
            for output in cell.outputs:
                if output.get("name") != "stdout":
                    continue
                new = compare_with_measured_runs(stem, table_values(output.text)) + "\n"
                if new != output.text:
                    output.text = new
                    changed += 1
        if changed:
            write_text_atomic(path, nbformat.writes(notebook) + "\n")
    return changed
