"""The library's modules form layers: no import cycle, and no import from a higher layer.

Every `import` and `from ... import` of every module under src/mnist_tutorial is read with
`ast`, function bodies included (an import inside a function is still a dependency), so
neither a cycle nor an upward import can hide in a lazily run line. The layers are the ones
the package docstring draws and docs/layout.md lists.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "mnist_tutorial"
SOURCE = Path(__file__).resolve().parents[1] / "src" / PACKAGE

#: Layer of each module, lowest first: a module may import from its own layer or below.
LAYERS: dict[str, int] = {
    # bottom
    "__init__": 0,
    "_keras": 0,
    "tensorflow_log": 0,
    "files": 0,
    "config": 0,
    "reproducibility": 0,
    "tables": 0,
    "measured_runs": 0,
    # data
    "data": 1,
    "datasets": 1,
    "preprocess": 1,
    "images": 1,
    "drawings": 1,
    "roundtrip": 1,
    "corruptions": 1,
    # model
    "model": 2,
    "architecture": 2,
    "augmentation": 2,
    # training
    "train": 3,
    # storing trained models
    "storage": 4,
    "model_files": 4,
    # uses trained models
    "evaluate": 5,
    "calibration": 5,
    "rejection": 5,
    "ood": 5,
    "plots": 5,
    # trains on demand
    "trained": 6,
    # applications
    "cli": 7,
    "export": 7,
}


def _modules() -> list[str]:
    return sorted(p.stem for p in SOURCE.glob("*.py"))


def imports_of(module: str) -> set[str]:
    """The package's modules that `module` imports anywhere in its file."""
    tree = ast.parse((SOURCE / f"{module}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x, from .x import y
                base = node.module or ""
                names = [f"{PACKAGE}.{base}".rstrip(".")]
                if not base:
                    names = [f"{PACKAGE}.{alias.name}" for alias in node.names]
            else:
                names = [node.module or ""]
                if node.module == PACKAGE:  # from mnist_tutorial import x
                    names = [f"{PACKAGE}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == PACKAGE and len(parts) > 1 and parts[1] in LAYERS:
                found.add(parts[1])
    found.discard(module)
    return found


def test_every_module_has_a_layer() -> None:
    assert sorted(LAYERS) == _modules(), "add the new module to LAYERS (and docs/layout.md)"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for other in sorted(graph[node]):
            if state.get(other) == 1:
                return path[path.index(other) :] + [other]
            if other not in state and (found := visit(other)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle() -> None:
    graph = {module: imports_of(module) for module in _modules()}
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("module", _modules())
def test_no_import_from_a_higher_layer(module) -> None:
    upward = sorted(m for m in imports_of(module) if LAYERS[m] > LAYERS[module])
    assert not upward, f"{module} (layer {LAYERS[module]}) imports " + ", ".join(
        f"{m} (layer {LAYERS[m]})" for m in upward
    )


def test_the_checks_can_fail() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
    assert "train" in imports_of("trained") and "storage" in imports_of("rejection")


def _docstring_layers() -> dict[str, int]:
    """{module: layer} as the package docstring draws them (its indented table, top layer
    first; a row's module list may continue on the next line)."""
    import mnist_tutorial

    rows: list[list[str]] = []
    for line in (mnist_tutorial.__doc__ or "").splitlines():
        if not line.startswith("    "):
            continue
        if line.startswith("     " * 4):  # a continued module list
            rows[-1].append(line)
        else:
            rows.append([line])
    found: dict[str, int] = {}
    for layer, row in enumerate(reversed(rows)):
        text = " ".join(row)[22:].split("(")[0]  # the module column, without remarks
        text = text.split(":", 1)[0] if ":" in text else text  # "trained: its functions"
        for name in text.replace(",", " ").split():
            found[name] = layer
    return found


def test_the_package_docstring_draws_these_layers() -> None:
    drawn = _docstring_layers()
    expected = {m: layer for m, layer in LAYERS.items() if m != "__init__"}
    assert drawn == expected, "the package docstring's layers and LAYERS disagree"


def test_docs_layout_lists_each_module_in_its_layer() -> None:
    """docs/layout.md's bullets, one per layer from the bottom up, name each module of that
    layer in backticks (function names in the same bullet are allowed: only module names
    are checked)."""
    import re

    text = (SOURCE.parents[1] / "docs" / "layout.md").read_text()
    bullets = re.findall(r"^\* \*\*[^*]+:\*\*(.*?)(?=^\* \*\*|^\s*$)", text, re.M | re.S)
    assert len(bullets) == max(LAYERS.values()) + 1, "one bullet per layer in docs/layout.md"
    for layer, bullet in enumerate(bullets):
        named = {m for m in re.findall(r"`([\w.]+)`", bullet) if m in LAYERS}
        expected = {m for m, at in LAYERS.items() if at == layer and m != "__init__"}
        assert named == expected, f"docs/layout.md, layer {layer}: {sorted(named ^ expected)}"
