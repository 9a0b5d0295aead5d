"""nbval really compares: a notebook whose committed output was edited fails.

nbval runs as `make test` runs it: with the tolerance plugin (rig/nbval_tolerance.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_data.ipynb"


def _run_nbval(folder: Path) -> subprocess.CompletedProcess[str]:
    """nbval as `make test` runs it, on every notebook in `folder`, in one pytest process."""
    return subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider",
            "--rootdir", str(folder),
            "-p", "rig.nbval_tolerance",
            "--nbval",
            str(folder),
        ],
        capture_output=True, text=True, cwd=folder, timeout=600, check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
        )},
    )  # fmt: skip


def test_nbval_fails_on_an_edited_shape_output(tmp_path) -> None:
    # The committed notebook's first cells (loading, shapes, one digit's pixels as an array
    # and its label): enough to show the comparison, at a fraction of the whole run's time.
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells = nb.cells[:11]
    nbformat.write(nb, tmp_path / "fresh.ipynb")
    edited = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("name") == "stdout" and "x_train: (60000, 28, 28)" in output.text:
                output.text = output.text.replace("(60000, 28, 28)", "(60000, 28, 29)")
                edited += 1
    assert edited == 1
    nbformat.write(nb, tmp_path / "stale.ipynb")

    result = _run_nbval(tmp_path)
    assert result.returncode == 1, result.stdout[-2000:]
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    # Only the edited cell fails; the same cells unedited (fresh.ipynb) pass, so the failure
    # is the edit and nothing else.
    assert len(failed) == 1 and "stale.ipynb::Cell" in failed[0], result.stdout[-2000:]
    assert "1 failed" in result.stdout and "(60000, 28, 29)" in result.stdout
