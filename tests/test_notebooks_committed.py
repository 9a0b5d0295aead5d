"""The committed notebooks are in the state `make execute` leaves them (nbval does not look
at pictures, so this checks that every figure was really rendered)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

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
