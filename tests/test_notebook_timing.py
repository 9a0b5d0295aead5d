"""The time-per-notebook summary that `make test` prints after nbval."""

from __future__ import annotations

from types import SimpleNamespace

from rig.notebook_timing import NotebookTiming, file_of, summary_lines


def test_cells_are_grouped_by_notebook() -> None:
    assert file_of("notebooks/01_data.ipynb::Cell 3") == "notebooks/01_data.ipynb"
    assert file_of("tests/test_x.py") == "tests/test_x.py"


def test_durations_add_up_per_file_in_running_order() -> None:
    timing = NotebookTiming()
    reports = [
        ("b.ipynb::Cell 0", 2.0, False),  # set-up, with the kernel's start
        ("b.ipynb::Cell 0", 1.5, False),
        ("a.ipynb::Cell 0", 0.3, True),
        ("b.ipynb::Cell 1", 0.5, False),
    ]
    for nodeid, duration, failed in reports:
        timing.pytest_runtest_logreport(
            SimpleNamespace(nodeid=nodeid, duration=duration, failed=failed)
        )
    assert timing.durations == {"b.ipynb": 4.0, "a.ipynb": 0.3}
    lines = summary_lines(timing.durations, timing.failed)
    assert lines == [
        "b.ipynb      4.0 s",
        "a.ipynb      0.3 s  (failed)",
        "total        4.3 s",
    ]


def test_nothing_is_printed_when_nothing_ran() -> None:
    assert summary_lines({}) == []
