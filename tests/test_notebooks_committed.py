"""The committed notebooks are in the state `make execute` leaves them: every figure rendered
(the nbval plugin compares pictures only where there is one), no timing metadata, and no
absolute path of the machine that ran them."""

from __future__ import annotations

import re
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
    assert nb.metadata["kernelspec"]["name"] == "mnist-tutorial"
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
