"""`make handout`: the student copy has no solutions and no outputs, and loses nothing else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def test_handout_drops_solutions_and_outputs_only(tmp_path: Path) -> None:
    out = tmp_path / "handout"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_handout.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "solution cells removed" in done.stdout
    originals = sorted((ROOT / "notebooks").glob("*.ipynb"))
    notebooks = out / "notebooks"
    assert [p.name for p in sorted(notebooks.glob("*.ipynb"))] == [p.name for p in originals]
    assert (notebooks / "glossary.md").exists()
    # Self-contained: notebook 12's sample digits at the path it reads, and the library.
    digits = sorted(p.name for p in (ROOT / "examples" / "digits").iterdir())
    assert sorted(p.name for p in (out / "examples" / "digits").iterdir()) == digits
    assert (out / "src" / "mnist_tutorial" / "images.py").exists()
    assert (out / "pyproject.toml").exists() and (out / "requirements.lock").exists()
    solutions = 0
    for original in originals:
        full = nbformat.read(original, as_version=4)
        student = nbformat.read(notebooks / original.name, as_version=4)
        kept = [c for c in full.cells if "solution" not in c.metadata.get("tags", [])]
        solutions += len(full.cells) - len(kept)
        assert [c.source for c in student.cells] == [c.source for c in kept]
        assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
        assert "## Exercises" in "".join(c.source for c in student.cells)
    assert solutions >= 2 * len(originals)  # every notebook has 2-4 worked solutions
