"""Re-execute notebooks in place, in the plain kernel they name, keeping them free of noise.

Used by `make execute`. Each notebook runs top to bottom in its own folder, in a fresh
`python3` kernel of this environment (what any Jupyter gives a student; the notebook's first
cell prepares everything else); its outputs are replaced, no timing metadata is recorded,
the software it ran with goes into its metadata (`mnist_tutorial.software`, out of the
lesson), and the file is written to a temporary name and renamed, so an interrupted run never
leaves half a notebook.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert.preprocessors import CoalesceStreamsPreprocessor
from traitlets.config import Config

from mnist_tutorial.files import atomic_path
from mnist_tutorial.tensorflow_log import strip_tensorflow_startup_log


def software_versions() -> dict[str, str]:
    """The software a notebook ran with (Python, Keras, JAX, TensorFlow, NumPy): kept in its
    metadata, out of the lesson."""
    versions = {"python": platform.python_version()}
    for package in ("keras", "jax", "tensorflow", "numpy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def execute_notebook(path: Path, kernel: str | None, timeout: int, out: Path | None = None) -> None:
    """Run `path` top to bottom in `kernel` (default: the one its metadata names) and write
    the result to `out` (default: in place)."""
    nb = nbformat.read(path, as_version=4)
    kernel = kernel or nb.metadata.get("kernelspec", {}).get("name", "python3")
    # Kernel and client talk over local sockets (IPC), not TCP: no "running over TCP
    # without encryption" warning, and nothing is reachable from outside the machine.
    # (The socket files go to a folder of their own: the kernel runs in the notebook's folder.)
    sockets = tempfile.mkdtemp(prefix="nbkernel-")
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = os.path.join(sockets, "kernel")
    client = NotebookClient(
        nb,
        config=config,
        kernel_name=kernel,
        timeout=timeout,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    coalesce = CoalesceStreamsPreprocessor()
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            # TensorFlow's start-up log lines (they differ between CPUs) out first, so that
            # the stdout pieces they separated join up again ...
            for output in cell.outputs:
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output.text = strip_tensorflow_startup_log(output.text)
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "stream" or o.text]
            # ... then one stream output per cell and stream, with carriage returns applied:
            # a progress line rewritten 100 times is stored once, as its final state.
            coalesce.preprocess_cell(cell, {}, index)
    nb.metadata.pop("widgets", None)
    nb.metadata["mnist_tutorial"] = {"software": software_versions()}
    out = out or path
    with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        nbformat.write(nb, fh)


MODEL_FILE = re.compile(r"models/(\w+)\.keras")


def models_saved(path: Path) -> set[str]:
    """The model files a notebook writes (`models/NAME.keras` in a cell that saves)."""
    nb = nbformat.read(path, as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code" and ".save(" in c.source]
    return {name for source in cells for name in MODEL_FILE.findall(source)}


def dependents(paths: list[Path]) -> dict[str, list[str]]:
    """For each notebook in `paths` that saves a model, the other notebooks of its folder that
    read one of those model files (and so show what it trained)."""
    found = {}
    for path in paths:
        saved = models_saved(path)
        readers = [
            other.name
            for other in sorted(path.parent.glob("*.ipynb"))
            if other not in paths and saved & set(MODEL_FILE.findall(other.read_text()))
        ]
        if readers:
            found[path.name] = readers
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--kernel", help="run every notebook in this kernel (default: its own)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    args = parser.parse_args()
    if not args.notebooks:
        print("no notebooks to execute")
        return 0
    for path in args.notebooks:
        start = time.perf_counter()
        print(f"executing {path} ...", flush=True)
        try:
            execute_notebook(path, args.kernel, args.timeout)
        except CellExecutionError as exc:
            print(f"{path} failed:\n{exc}", file=sys.stderr)
            return 1
        print(f"  done in {time.perf_counter() - start:.0f} s", flush=True)
    for name, readers in dependents(args.notebooks).items():
        print(f"{name} saved models that {', '.join(readers)} read: re-run them too")
    return 0


if __name__ == "__main__":
    sys.exit(main())
