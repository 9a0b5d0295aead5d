"""The keras-visualizer wrapper: corrected labels, an SVG drawn without system Graphviz."""

from __future__ import annotations

from mnist_tutorial.architecture import architecture_dot, draw_architecture
from mnist_tutorial.model import build_mlp


def test_input_row_has_no_activation_label() -> None:
    source = architecture_dot(build_mlp())
    input_label = next(line for line in source.splitlines() if "Input Units: 784" in line)
    assert "Activation" not in input_label
    assert "Activation: softmax" in source and "Units: 128" in source


def test_draws_an_svg_without_graphviz_on_path(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` program anywhere
    svg = draw_architecture(build_mlp())
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "Units: 128 (10 drawn)" in svg
    assert len(svg) < 200_000


def test_architecture_labels_say_how_many_neurons_are_drawn() -> None:
    dot = architecture_dot(build_mlp())
    assert "Input Units: 784 (10 drawn)" in dot and "Units: 128 (10 drawn)" in dot
    assert "more)" not in dot
