"""Write the student copy of the course: every notebook without solutions and without outputs.

Used by `make handout`. Cells tagged "solution" (the worked answers to the exercises) are
removed, every output and execution count is cleared, and the notebooks (with the glossary)
are written to a folder that is not committed, `build/handout/` by default, laid out as the
repository is, so that the copy is self-contained: `notebooks/`, the sample digits that
notebook 12 reads (`examples/digits/`), and what installs the course's library with pip as
the README says (`src/`, `pyproject.toml`, `requirements.lock`, the README itself). Each
notebook is written to a temporary name and renamed, so an interrupted run leaves no half
notebook.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat

from mnist_tutorial.files import atomic_path

ROOT = Path(__file__).resolve().parents[1]
#: What the copy needs besides the notebooks: the sample digits notebook 12 reads, and what
#: installs the library with pip (README, "Getting started").
INSTALL_FOLDERS = ["examples/digits", "src"]
INSTALL_FILES = ["README.md", "pyproject.toml", "requirements.lock"]


def is_solution(cell: dict) -> bool:
    """Whether a notebook cell is a worked solution (tagged "solution"): what the student
    editions (this handout, `make site EDITION=student`) leave out."""
    return "solution" in cell.get("metadata", {}).get("tags", [])


def student_copy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without solution cells, outputs or execution counts."""
    notebook = nbformat.from_dict(notebook)
    notebook.cells = [cell for cell in notebook.cells if not is_solution(cell)]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return notebook


def write_atomic(path: Path, write) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        write(fh)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "handout")
    args = parser.parse_args()
    sources = sorted(args.notebooks.glob("*.ipynb"))
    if not sources:
        print(f"make_handout: no notebooks in {args.notebooks}", file=sys.stderr)
        return 1
    notebooks = args.out / "notebooks"
    notebooks.mkdir(parents=True, exist_ok=True)
    removed = 0
    for source in sources:
        notebook = nbformat.read(source, as_version=4)
        copy = student_copy(notebook)
        removed += len(notebook.cells) - len(copy.cells)
        write_atomic(notebooks / source.name, lambda fh, nb=copy: nbformat.write(nb, fh))
    for extra in args.notebooks.glob("*.md"):
        shutil.copyfile(extra, notebooks / extra.name)
    for folder in INSTALL_FOLDERS:
        shutil.rmtree(args.out / folder, ignore_errors=True)
        shutil.copytree(
            ROOT / folder,
            args.out / folder,
            ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"),
        )
    for name in INSTALL_FILES:
        shutil.copyfile(ROOT / name, args.out / name)
    print(f"wrote {len(sources)} notebooks to {notebooks} ({removed} solution cells removed)")
    print(f"with {', '.join(INSTALL_FOLDERS + INSTALL_FILES)}: install it as its README says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
