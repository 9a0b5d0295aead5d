"""The trained MLP as a small file a web page can run: `export_weights`.

Writes the dense layers' kernels and biases (float32, little-endian, base64) with the
rejection settings (temperature, threshold) and the constants of the MNIST-style
preprocessing, as JSON (`.json`) or as a script that adds it to
`window.MNIST_TUTORIAL_MODELS` under the model's name (`.js`, which a page opened from disk
can load, unlike JSON; a page can load several). Ten outputs are the digits; an 11th is
"not a digit" (notebook 8's network), which the page reads as a refusal. The site's
`mnist_digit.js` reads it. Written atomically.
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
JS_VARIABLE = "MNIST_TUTORIAL_MODELS"
#: The names of the outputs: the ten digits, then (with an 11th output) "not a digit".
CLASS_NAMES = [str(k) for k in range(10)] + ["not a digit"]


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
    if layers[0]["inputs"] != 784 or layers[-1]["units"] not in (10, 11):
        raise ExportError(
            f"the page reads 28x28 digits into 10 classes (11 with 'not a digit'); this "
            f"model is {layers[0]['inputs']} -> {layers[-1]['units']}"
        )
    return {
        "format": FORMAT,
        "name": model.name,
        "classes": CLASS_NAMES[: layers[-1]["units"]],
        "layers": layers,
        "rejection": asdict(rejection),
        "preprocessing": preprocessing_constants(),
    }


def export_weights(
    model: keras.Model, path: str | os.PathLike[str], rejection: RejectionSettings
) -> Path:
    """Write `model` for the draw-a-digit page: `.json`, or `.js` assigning the same object."""
    path = Path(path)
    spec = model_spec(model, rejection)
    text = json.dumps(spec, separators=(",", ":"))
    if path.suffix == ".js":
        table = f"window.{JS_VARIABLE}"
        text = f"{table} = {table} || {{}};\n{table}[{json.dumps(spec['name'])}] = {text};\n"
    elif path.suffix != ".json":
        raise ValueError(f"export to a .js or .json file, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text)
    return path


def read_spec(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read back a file written by `export_weights` (either form)."""
    text = Path(path).read_text()
    if text.startswith(f"window.{JS_VARIABLE} = "):
        text = text.splitlines()[1].split("] = ", 1)[1].rstrip().rstrip(";")
    return json.loads(text)
