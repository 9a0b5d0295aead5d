"""A pytest plugin that prints each file's wall time at the end of the run.

`make test` and `make nbval` load it for nbval (`-p rig.notebook_timing`), so an instructor
sees which notebook takes the time. A notebook's time is the sum of its cells' set-up, run
and tear-down, which includes starting and stopping its kernel.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest


def file_of(nodeid: str) -> str:
    """The file a test id belongs to (`notebooks/01_data.ipynb::Cell 3` -> the notebook)."""
    return nodeid.split("::", 1)[0]


def summary_lines(durations: dict[str, float], failed: Iterable[str] = ()) -> list[str]:
    """One line per file, in the order they ran, then the total."""
    if not durations:
        return []
    failed = set(failed)
    width = max(len(name) for name in durations)
    lines = [
        f"{name:<{width}}  {seconds:7.1f} s" + ("  (failed)" if name in failed else "")
        for name, seconds in durations.items()
    ]
    lines.append(f"{'total':<{width}}  {sum(durations.values()):7.1f} s")
    return lines


class NotebookTiming:
    """Adds up the durations pytest reports, per file."""

    def __init__(self) -> None:
        self.durations: dict[str, float] = {}
        self.failed: set[str] = set()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = file_of(report.nodeid)
        self.durations[name] = self.durations.get(name, 0.0) + report.duration
        if report.failed:
            self.failed.add(name)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        lines = summary_lines(self.durations, self.failed)
        if lines:
            terminalreporter.write_sep("-", "time per file")
            for line in lines:
                terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(NotebookTiming(), "notebook-timing-collector")
