"""The notebooks never fit or choose anything on the test set: a static check of every
notebook's code."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


#: Functions that fit or choose something: they must only ever see training or validation data.
CHOOSERS = {
    "choose_rejection",
    "choose_threshold",
    "fit_temperature",
    "threshold_for_accuracy",
    "fit",
    "select_model",
}


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def test_no_notebook_passes_test_data_to_anything_that_fits_or_chooses() -> None:
    """Static proof over every notebook's code: no call to a fitting/choosing function has an
    argument that mentions a test-set variable (any name containing "test")."""
    checked = 0
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            source = "\n".join(
                line
                for line in cell.source.splitlines()
                if not line.lstrip().startswith(("%", "!"))
            )
            for node in ast.walk(ast.parse(source)):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name not in CHOOSERS:
                    continue
                checked += 1
                for argument in [*node.args, *(k.value for k in node.keywords)]:
                    leaks = {n for n in _names_in(argument) if "test" in n.lower()}
                    assert not leaks, f"{path.name}: {name}(...) is given {sorted(leaks)}"
    assert checked >= 5, "the notebooks' fitting/choosing calls were not found"


def test_the_checker_catches_a_test_leak() -> None:
    tree = ast.parse("settings = choose_rejection(model, x_test_prepared, y_test)")
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    assert {n for a in call.args for n in _names_in(a) if "test" in n} == {
        "x_test_prepared",
        "y_test",
    }
