"""The keras-visualizer wrapper: corrected labels, a small PNG, a clear Graphviz error."""

from __future__ import annotations

import shutil

import pytest
from PIL import Image

from mnist_tutorial.architecture import GraphvizMissingError, architecture_dot, draw_architecture
from mnist_tutorial.model import build_mlp


def test_input_row_has_no_activation_label() -> None:
    source = architecture_dot(build_mlp())
    input_label = next(line for line in source.splitlines() if "Input Units: 784" in line)
    assert "Activation" not in input_label
    assert "Activation: softmax" in source and "Units: 128" in source


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz' dot is not installed")
def test_draws_a_small_png(tmp_path) -> None:
    path = draw_architecture(build_mlp(), tmp_path / "arch.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width > 300
    assert path.stat().st_size < 150_000
    assert [p.name for p in tmp_path.iterdir()] == ["arch.png"]


def test_missing_graphviz_is_explained(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizMissingError, match="apt-get install graphviz"):
        draw_architecture(build_mlp(), tmp_path / "arch.png")


def test_architecture_labels_say_how_many_neurons_are_drawn() -> None:
    from mnist_tutorial.architecture import architecture_dot
    from mnist_tutorial.model import build_mlp

    dot = architecture_dot(build_mlp())
    assert "Input Units: 784 (10 drawn)" in dot and "Units: 128 (10 drawn)" in dot
    assert "more)" not in dot
