"""The trained MLP as a small file a web page can run: `export_weights`.

Writes the dense layers' kernels and biases (little-endian, base64) with the
rejection settings (temperature, threshold) and the constants of the MNIST-style
preprocessing, as JSON (`.json`) or as a script that adds it to
`window.MNIST_TUTORIAL_MODELS` under the model's name (`.js`, which a page opened from disk
can load, unlike JSON; a page can load several). Ten outputs are the digits; an 11th is
"not a digit" (notebook 11's network), which the page reads as a refusal. The site's
`mnist_digit.js` reads it. Written atomically.

Kernels are float32, or with `precision="int8"` (what the site uses: a quarter of the
size) 8-bit integers with one float32 scale per output unit, `kernel = q * scale`
(symmetric, per column). Biases stay float32. `exported_weights` decodes either, so that the
Python side can run exactly the weights the page runs.

Application layer: on top of the library. The layers are read
by their Keras class and order, never by name (Keras numbers its default names per process,
so a name says nothing about a layer's role); an error names a layer by its position.
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
from mnist_tutorial.augmentation import AUGMENTATION_LAYERS
from mnist_tutorial.files import write_text_atomic
from mnist_tutorial.images import preprocessing_constants
from mnist_tutorial.rejection import RejectionSettings

FORMAT = "mnist-tutorial-model/1"
PRECISIONS = ("float32", "int8")
JS_VARIABLE = "MNIST_TUTORIAL_MODELS"
#: The names of the outputs: the ten digits, then (with an 11th output) "not a digit".
CLASS_NAMES = [str(k) for k in range(10)] + ["not a digit"]


class ExportError(ValueError):
    """A model the page cannot run (neither a dense MLP nor a small CNN of the kinds it knows)."""


def _float32_base64(array: np.ndarray) -> str:
    return base64.b64encode(np.asarray(array, dtype="<f4").tobytes()).decode("ascii")


def quantize_int8(kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(q, scale): int8 q and a float32 scale per output unit (the last axis: a dense
    layer's column, a convolution's filter), with kernel ~ q * scale."""
    kernel = np.asarray(kernel, dtype=np.float32)
    peak = np.abs(kernel.reshape(-1, kernel.shape[-1])).max(axis=0)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(kernel / scale), -127, 127).astype(np.int8)
    return q, scale


def _kernel_fields(kernel: np.ndarray, precision: str) -> dict[str, str]:
    if precision == "float32":
        return {"kernel": _float32_base64(kernel)}
    q, scale = quantize_int8(kernel)
    return {
        "kernel_encoding": "int8",
        "kernel": base64.b64encode(q.tobytes()).decode("ascii"),
        "kernel_scale": _float32_base64(scale),
    }


def exported_weights(spec: dict[str, Any]) -> list[np.ndarray]:
    """The weights the page runs, as float32 arrays in Keras' order (kernel, bias, ...)."""
    arrays = []
    for layer in spec["layers"]:
        if layer.get("type", "dense") not in ("dense", "conv2d"):
            continue
        shape = (layer["inputs"], layer["units"])
        if layer.get("type") == "conv2d":
            shape = (layer["size"], layer["size"], *shape)
        raw = base64.b64decode(layer["kernel"])
        if layer.get("kernel_encoding", "float32") == "int8":
            q = np.frombuffer(raw, dtype=np.int8).reshape(shape).astype(np.float32)
            scale = np.frombuffer(base64.b64decode(layer["kernel_scale"]), dtype="<f4")
            kernel = q * scale
        else:
            kernel = np.frombuffer(raw, dtype="<f4").reshape(shape)
        bias = np.frombuffer(base64.b64decode(layer["bias"]), dtype="<f4")
        arrays += [kernel.astype(np.float32), bias.astype(np.float32)]
    return arrays


def _weighted(layer: keras.layers.Layer, kind: str, activation: str, precision: str) -> dict:
    kernel, bias = layer.get_weights()
    return {
        "type": kind,
        **({"size": int(kernel.shape[0])} if kind == "conv2d" else {}),
        "inputs": int(kernel.shape[-2]),
        "units": int(kernel.shape[-1]),
        "activation": activation,
        **_kernel_fields(kernel, precision),
        "bias": _float32_base64(bias),
    }


def _label(position: int, layer: keras.layers.Layer) -> str:
    """How an error names a layer: by its position and class (never by its name)."""
    return f"layer {position} ({type(layer).__name__})"


def _conv_spec(layer: keras.layers.Layer, label: str, precision: str) -> dict:
    config = layer.get_config()
    plain = (
        config["padding"] == "valid"
        and tuple(config["strides"]) == (1, 1)
        and tuple(config["dilation_rate"]) == (1, 1)
        and config.get("data_format", "channels_last") == "channels_last"
        and config.get("groups", 1) == 1
        and config["kernel_size"][0] == config["kernel_size"][1]
    )
    if not plain or config["activation"] != "relu":
        raise ExportError(f"{label}: only square 'valid' relu convolutions")
    return _weighted(layer, "conv2d", "relu", precision)


def _pool_spec(layer: keras.layers.Layer, label: str) -> dict:
    config = layer.get_config()
    size = tuple(config["pool_size"])
    strides = tuple(config["strides"] or size)
    if size[0] != size[1] or strides != size or config["padding"] != "valid":
        raise ExportError(f"{label}: only square 'valid' max-pooling")
    return {"type": "maxpool2d", "size": int(size[0])}


def model_spec(
    model: keras.Model, rejection: RejectionSettings, precision: str = "float32"
) -> dict[str, Any]:
    """The JSON-ready description of `model` that `export_weights` writes: an MLP (Dense
    layers) or a small CNN (valid 3x3 relu convolutions, max-pooling, Flatten, Dense; Dropout
    and the augmentation layers do nothing at prediction and are left out)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    layers, dense_labels, found = [], [], set()
    for position, layer in enumerate(model.layers, start=1):
        label = _label(position, layer)
        if isinstance(layer, keras.layers.Conv2D):
            layers.append(_conv_spec(layer, label, precision))
        elif isinstance(layer, keras.layers.MaxPooling2D):
            layers.append(_pool_spec(layer, label))
        elif isinstance(layer, keras.layers.Flatten):
            layers.append({"type": "flatten"})
        elif isinstance(layer, keras.layers.Dense):
            layers.append(_weighted(layer, "dense", layer.get_config()["activation"], precision))
            dense_labels.append(label)
        elif not isinstance(
            layer, (keras.layers.Dropout, keras.layers.InputLayer, *AUGMENTATION_LAYERS)
        ):
            found.add(type(layer).__name__)
    dense = [layer for layer in layers if layer["type"] == "dense"]
    if found or not dense:
        kinds = ", ".join(sorted(found)) or "no Dense layer"
        raise ExportError(f"only an MLP or a small CNN can be exported (found {kinds})")
    for i, (layer, label) in enumerate(zip(dense, dense_labels, strict=True)):
        expected = "softmax" if i == len(dense) - 1 else "relu"
        if layer["activation"] != expected:
            raise ExportError(f"{label}: activation {layer['activation']!r}, not {expected!r}")
    shape = tuple(model.input_shape[1:])
    if shape not in ((784,), (28, 28, 1)) or dense[-1]["units"] not in (10, 11):
        raise ExportError(
            f"the page reads 28x28 digits into 10 classes (11 with 'not a digit'); this "
            f"model is {shape} -> {dense[-1]['units']}"
        )
    return {
        "format": FORMAT,
        "name": model.name,
        "classes": CLASS_NAMES[: dense[-1]["units"]],
        "layers": layers,
        "rejection": asdict(rejection),
        "preprocessing": preprocessing_constants(),
    }


def export_weights(
    model: keras.Model,
    path: str | os.PathLike[str],
    rejection: RejectionSettings,
    precision: str = "float32",
) -> Path:
    """Write `model` for the draw-a-digit page: `.json`, or `.js` assigning the same object."""
    path = Path(path)
    spec = model_spec(model, rejection, precision)
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
