"""The keras-visualizer picture of a Sequential model, as a small PNG.

keras-visualizer 3.2 works with Keras 3 Sequential models, but (1) it labels the input row
with the first Dense layer's activation, (2) its PNG is about 0.5 MB, and (3) it re-raises
any Graphviz failure as a bare `ValueError`. We wrap it rather than vendor it: it writes
only the DOT description, we drop the wrong "Activation" line from the input label, and
render with Graphviz' `dot` at a modest DPI ourselves, with a clear error when `dot` is
missing. Its "Units: 784 (+774 more)" labels become "Units: 784 (10 drawn)".

Model layer (with `model`). keras-visualizer is imported inside `architecture_dot`, only
when a picture is drawn: it is slow to import and only notebook 4 draws one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from mnist_tutorial._keras import keras


class GraphvizMissingError(RuntimeError):
    """Graphviz' `dot` program is not on PATH."""


GRAPHVIZ_HELP = (
    "Graphviz' `dot` program is needed to draw the architecture: install it with "
    "`apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
    "`conda install -c conda-forge graphviz`, or run `make install` as root."
)


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
    # "Units: 128 (+118 more)" reads as if there were 246: say how many are drawn instead.
    return re.sub(
        r"Units: (\d+) \(\+(\d+) more\)",
        lambda m: f"Units: {m[1]} ({int(m[1]) - int(m[2])} drawn)",
        source,
    )


def _shrink_png(path: Path, colors: int = 32) -> None:
    """Re-encode a flat-coloured diagram with a small palette (a fraction of the bytes)."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=colors)
    small.save(path, format="PNG", optimize=True)


def draw_architecture(model: keras.Model, path: str | os.PathLike[str], dpi: int = 40) -> Path:
    """Render `model`'s architecture to a PNG at `path` (atomically) and return the path."""
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissingError(GRAPHVIZ_HELP)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    source = architecture_dot(model)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        result = subprocess.run(
            [dot, "-Tpng", f"-Gdpi={dpi}", "-o", str(tmp)],
            input=source,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"Graphviz failed to draw the model: {result.stderr.strip()}")
        _shrink_png(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
