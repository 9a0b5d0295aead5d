"""The trained MLP as a small file a web page can run: `export_weights`.

Writes the dense layers' kernels and biases (float32, little-endian, base64) with the
rejection settings (temperature, threshold) and the constants of the MNIST-style
preprocessing, as JSON (`.json`) or as a script that assigns it to
`window.MNIST_TUTORIAL_MODEL` (`.js`, which a page opened from disk can load, unlike JSON).
The site's `mnist_digit.js` reads it. Written atomically.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from mnist_tutorial._keras import keras
from mnist_tutorial.images import preprocessing_constants
from mnist_tutorial.rejection import RejectionSettings
from mnist_tutorial.train import write_text_atomic

FORMAT = "mnist-tutorial-mlp/1"
JS_VARIABLE = "MNIST_TUTORIAL_MODEL"


class ExportError(ValueError):
    """A model the page cannot run (not a dense MLP with ReLU hidden layers)."""


def _float32_base64(array: np.ndarray) -> str:
    return base64.b64encode(np.asarray(array, dtype="<f4").tobytes()).decode("ascii")


_LAYERS = (keras.layers.Dense, keras.layers.InputLayer)


def model_spec(model: keras.Model, rejection: RejectionSettings) -> dict[str, Any]:
    """The JSON-ready description of `model` that `export_weights` writes."""
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    others = [layer for layer in model.layers if not isinstance(layer, _LAYERS)]
    if not dense or others:
        kinds = ", ".join(sorted({type(layer).__name__ for layer in others})) or "no Dense layer"
        raise ExportError(f"only a Sequential MLP of Dense layers can be exported (found {kinds})")
    layers = []
    for i, layer in enumerate(dense):
        activation = layer.get_config()["activation"]
        expected = "softmax" if i == len(dense) - 1 else "relu"
        if activation != expected:
            raise ExportError(f"layer {layer.name!r}: activation {activation!r}, not {expected!r}")
        kernel, bias = layer.get_weights()
        layers.append(
            {
                "name": layer.name,
                "inputs": int(kernel.shape[0]),
                "units": int(kernel.shape[1]),
                "activation": activation,
                "kernel": _float32_base64(kernel),
                "bias": _float32_base64(bias),
            }
        )
    if layers[0]["inputs"] != 784 or layers[-1]["units"] != 10:
        raise ExportError(
            f"the page reads 28x28 digits into 10 classes; this model is "
            f"{layers[0]['inputs']} -> {layers[-1]['units']}"
        )
    return {
        "format": FORMAT,
        "name": model.name,
        "layers": layers,
        "rejection": asdict(rejection),
        "preprocessing": preprocessing_constants(),
    }


def export_weights(
    model: keras.Model, path: str | os.PathLike[str], rejection: RejectionSettings
) -> Path:
    """Write `model` for the draw-a-digit page: `.json`, or `.js` assigning the same object."""
    path = Path(path)
    text = json.dumps(model_spec(model, rejection), separators=(",", ":"))
    if path.suffix == ".js":
        text = f"window.{JS_VARIABLE} = {text};\n"
    elif path.suffix != ".json":
        raise ValueError(f"export to a .js or .json file, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text)
    return path


def read_spec(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read back a file written by `export_weights` (either form)."""
    text = Path(path).read_text()
    prefix = f"window.{JS_VARIABLE} = "
    if text.startswith(prefix):
        text = text[len(prefix) :].rstrip().rstrip(";")
    return json.loads(text)
