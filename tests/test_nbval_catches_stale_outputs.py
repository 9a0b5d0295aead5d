"""nbval really compares: a notebook whose committed output was edited fails.

nbval runs as `make test` runs it: with the tolerance plugin (tests/nbval_tolerance.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_data.ipynb"


def _run_nbval(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "--rootdir", str(folder),
            "-p", "tests.nbval_tolerance",
            "--nbval", "--nbval-kernel-name", "mnist-tutorial",
            str(folder / NOTEBOOK.name),
        ],
        capture_output=True, text=True, cwd=folder, timeout=600, check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
        )},
    )  # fmt: skip


def test_nbval_fails_on_an_edited_shape_output(tmp_path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    edited = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("name") == "stdout" and "x_train: (60000, 28, 28)" in output.text:
                output.text = output.text.replace("(60000, 28, 28)", "(60000, 28, 29)")
                edited += 1
    assert edited == 1
    stale = tmp_path / "stale"
    stale.mkdir()
    nbformat.write(nb, stale / NOTEBOOK.name)
    result = _run_nbval(stale)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout and "(60000, 28, 29)" in result.stdout

    # The same notebook unedited passes: the failure above is the edit, nothing else.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(NOTEBOOK, fresh / NOTEBOOK.name)
    assert _run_nbval(fresh).returncode == 0
