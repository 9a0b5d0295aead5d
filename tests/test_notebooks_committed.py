"""The committed notebooks are in the state `make execute` leaves them: every figure rendered
(the nbval plugin compares pictures only where there is one), no timing metadata, and no
absolute path of the machine that ran them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

# A user's home folder (Linux, macOS, Windows) or the path of this checkout.
MACHINE_PATHS = re.compile(
    r"(/root/|/home/[^/\s]+/|/Users/[^/\s]+/|[A-Za-z]:\\Users\\|"
    + re.escape(str(Path(__file__).resolve().parents[1]))
    + ")"
)
NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_executed_and_clean(path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert "python" in nb.metadata["mnist_tutorial"]["software"], "run `make execute`"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    for cell in code:
        assert "execution" not in cell.metadata, "timing metadata: run `make execute`"
        for output in cell.outputs:
            assert output.output_type != "error", f"{path.name} has an error output"
            text = output.get("data", {}).get("text/plain", "")
            if text.startswith(("<Figure", "<IPython.core.display.Image")):
                assert "image/png" in output.data, f"{path.name}: a figure without its picture"
            if output.output_type == "stream":
                assert "\r" not in output.text, "progress lines should be stored collapsed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_hold_no_machine_paths(path) -> None:
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")]
            texts += [v for k, v in output.get("data", {}).items() if k.startswith("text/")]
            for text in texts:
                found = MACHINE_PATHS.search(text)
                assert not found, f"{path.name} cell {index}: machine path {found.group()!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_a_lesson(path) -> None:
    """Each notebook states what it teaches, what it needs and how long it runs, links the
    glossary, ends with takeaways, 2-4 exercises with worked solutions and a link onwards."""
    nb = nbformat.read(path, as_version=4)
    prose = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    for heading in ("**What you will learn**", "**What you need first:**", "**Run time:**"):
        assert heading in nb.cells[0].source, f"{path.name}: header lacks {heading}"
    assert "(glossary.md)" in prose
    assert "## Key takeaways" in prose and "## Exercises" in prose
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert 2 <= len(solutions) <= 4, f"{path.name}: {len(solutions)} worked solutions"
    later = sorted(p.name for p in NOTEBOOKS if p.name > path.name)
    if later:
        assert f"({later[0]})" in prose, f"{path.name} does not link to {later[0]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_runs_in_a_plain_kernel_that_its_first_cell_prepares(path: Path) -> None:
    """Any Jupyter where the course is installed runs the notebook as committed: it names
    the plain `python3` kernel, and its first code cell chooses Keras' backend, in view,
    before anything imports Keras (a notebook that never imports Keras, checked in a fresh
    Python, chooses none); no output names the software it ran with."""
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    first = next(c for c in nb.cells if c.cell_type == "code").source
    if 'os.environ["KERAS_BACKEND"] = "' in first:
        before = first.split("KERAS_BACKEND", 1)[0]
        assert "keras" not in before.replace("KERAS", "") and "mnist_tutorial" not in before
    else:
        imports = "\n".join(
            line
            for c in nb.cells
            if c.cell_type == "code"
            for line in c.source.splitlines()
            if line.startswith(("import ", "from "))
        )
        check = f"{imports}\nimport sys\nassert 'keras' not in sys.modules"
        done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
        assert done.returncode == 0, f"{path.name} imports Keras without choosing a backend"
    outputs = "\n".join(
        "".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "environment: " not in outputs and "Config(" not in outputs


def test_keras_code_is_in_the_open() -> None:
    """The Keras calls the original notebook wrote can be read in the notebooks themselves."""
    code = "\n".join(
        cell.source
        for path in NOTEBOOKS
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code"
    )
    for call in ("keras.Sequential(", ".compile(", ".fit(", ".predict(", ".evaluate(", "save"):
        assert call in code, f"no notebook shows {call}"
    assert "keras.saving.load_model(" in code and "keras.callbacks.EarlyStopping(" in code
    assert "keras.layers.Conv2D(" in code and ".reshape(-1, 28, 28, 1)" in code
    assert "keras.optimizers.schedules.CosineDecay(" in code
    assert "keras.utils.to_categorical(" in code


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_keras_is_imported_as_keras_code_anywhere_imports_it(path) -> None:
    """Copied code runs outside this course: Keras comes from `import keras` (the kernel has
    chosen the backend before the first cell), never from the course's package."""
    code = "\n".join(
        cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"
    )
    assert "from mnist_tutorial import keras" not in code
    assert "mnist_tutorial._keras" not in code
    if "keras." in code:
        assert re.search(r"^import keras$", code, re.M), f"{path.name}: keras without import"
