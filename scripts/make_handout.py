"""Write the student copy of the course: every notebook without solutions and without outputs.

Used by `make handout`. Cells tagged "solution" (the worked answers to the exercises) are
removed, every output and execution count is cleared, and the notebooks (with the glossary)
are written to a folder that is not committed, `build/handout/` by default. Each file is
written to a temporary name and renamed, so an interrupted run leaves no half notebook.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def student_copy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without solution cells, outputs or execution counts."""
    notebook = nbformat.from_dict(notebook)
    notebook.cells = [
        cell for cell in notebook.cells if "solution" not in cell.metadata.get("tags", [])
    ]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return notebook


def write_atomic(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "handout")
    args = parser.parse_args()
    sources = sorted(args.notebooks.glob("*.ipynb"))
    if not sources:
        print(f"make_handout: no notebooks in {args.notebooks}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    removed = 0
    for source in sources:
        notebook = nbformat.read(source, as_version=4)
        copy = student_copy(notebook)
        removed += len(notebook.cells) - len(copy.cells)
        write_atomic(args.out / source.name, lambda fh, nb=copy: nbformat.write(nb, fh))
    for extra in args.notebooks.glob("*.md"):
        shutil.copyfile(extra, args.out / extra.name)
    print(f"wrote {len(sources)} notebooks to {args.out} ({removed} solution cells removed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
