"""The rig's side of the notebooks' "your run and the measured runs" tables
(`rig/headline_results.py`): the package's ranges are the seed envelope's, and every
committed table shows the committed run's numbers beside them."""

from __future__ import annotations

import json

import nbformat
import pytest

from mnist_tutorial.measured_runs import compare_with_measured_runs
from rig import headline_results
from rig.headline_results import (
    DATA_FILE,
    HEADLINES,
    TABLE_TAG,
    headline_entry,
    measured_runs_text,
    rerender_tables,
    table_cells,
    table_values,
)
from rig.nbval_tolerance import ENVELOPE_FILE

NOTEBOOKS = headline_results.NOTEBOOKS


def test_the_packages_ranges_are_the_envelopes() -> None:
    """`make envelope` and `make execute` rewrite it; a hand edit of either file fails here."""
    expected = measured_runs_text(json.loads(ENVELOPE_FILE.read_text()))
    assert DATA_FILE.read_text() == expected, "run the rig's update (make execute / envelope)"


@pytest.mark.parametrize("notebook", sorted(HEADLINES))
def test_each_table_shows_the_committed_run_beside_the_measured_ranges(notebook) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4)
    cells = table_cells(nb)
    assert len(cells) == 1, "one table per notebook"
    cell = cells[0]
    assert TABLE_TAG in cell.metadata.get("tags", [])
    text = "".join(o.text for o in cell.outputs if o.get("name") == "stdout")
    values = table_values(text)
    assert list(values) == list(HEADLINES[notebook]), "the table's results are HEADLINES'"
    numbers = json.loads(ENVELOPE_FILE.read_text())["numbers"]
    for result, (cell_id, key) in HEADLINES[notebook].items():
        entry = headline_entry(numbers, notebook, cell_id, key)
        # The same number the notebook printed where it first showed it.
        assert values[result] == round(entry["committed"], entry["decimals"]), result
    assert text == compare_with_measured_runs(notebook, values) + "\n", "stale: rerender"


def test_table_values_reads_back_what_the_table_shows() -> None:
    ranges = {"a b": {"lowest": 1.0, "highest": 2.0, "runs": 3, "decimals": 2}}
    text = compare_with_measured_runs("nb", {"a b": 1.5}, ranges=ranges)
    assert table_values(text) == {"a b": 1.5}


def test_a_stale_table_is_redrawn(tmp_path, monkeypatch) -> None:
    notebook = "05_evaluation"
    nb = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4)
    output = next(o for o in table_cells(nb)[0].outputs if o.get("name") == "stdout")
    fresh = output.text
    output.text = fresh.replace(" to ", " TO ")  # as if drawn with other ranges
    nbformat.write(nb, tmp_path / f"{notebook}.ipynb")
    monkeypatch.setattr(headline_results, "NOTEBOOKS", tmp_path)
    assert rerender_tables([f"{notebook}.ipynb"]) == 1
    redrawn = nbformat.read(tmp_path / f"{notebook}.ipynb", as_version=4)
    assert (
        next(o for o in table_cells(redrawn)[0].outputs if o.get("name") == "stdout").text == fresh
    )
    assert rerender_tables([f"{notebook}.ipynb"]) == 0
