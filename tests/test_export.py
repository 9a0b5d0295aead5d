"""The model file of the draw-a-digit page: what `export_weights` writes, and refuses."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from mnist_tutorial.config import MLPConfig
from mnist_tutorial.export import ExportError, export_weights, read_spec
from mnist_tutorial.model import build_cnn, build_mlp
from mnist_tutorial.rejection import RejectionSettings

SETTINGS = RejectionSettings(temperature=1.5, threshold=0.8, target_accuracy=0.995)


def _array(encoded: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(encoded), dtype="<f4")


@pytest.mark.parametrize("suffix", [".js", ".json"])
def test_exported_weights_reproduce_the_model(tmp_path, suffix) -> None:
    model = build_mlp(MLPConfig())
    path = export_weights(model, tmp_path / f"model{suffix}", rejection=SETTINGS)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    spec = read_spec(path)
    assert spec["rejection"]["threshold"] == 0.8 and spec["rejection"]["temperature"] == 1.5
    assert spec["preprocessing"]["box_size"] == 20 and spec["preprocessing"]["centre"] == 14
    assert [(layer["inputs"], layer["units"]) for layer in spec["layers"]] == [
        (784, 128),
        (128, 64),
        (64, 10),
    ]
    # The forward pass the page does, in NumPy, gives the model's probabilities.
    x = np.random.default_rng(0).random((5, 784), dtype=np.float32)
    h = x.astype(np.float64)
    for layer in spec["layers"]:
        kernel = _array(layer["kernel"]).reshape(layer["inputs"], layer["units"])
        h = h @ kernel + _array(layer["bias"])
        if layer["activation"] == "relu":
            h = np.maximum(h, 0)
    p = np.exp(h - h.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p, np.asarray(model(x)), atol=1e-5)


def test_only_what_the_page_can_run_is_exported(tmp_path) -> None:
    from mnist_tutorial._keras import keras

    odd = keras.Sequential(
        [keras.Input((784,)), keras.layers.BatchNormalization(), keras.layers.Dense(10, "softmax")]
    )
    with pytest.raises(ExportError, match="found BatchNormalization"):
        export_weights(odd, tmp_path / "m.js", SETTINGS)
    same = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, "softmax"),
        ]
    )
    with pytest.raises(ExportError, match="only square 'valid' relu convolutions"):
        export_weights(same, tmp_path / "m.js", SETTINGS)
    with pytest.raises(ExportError, match=r"\(784,\) -> 12"):
        export_weights(build_mlp(MLPConfig(num_classes=12)), tmp_path / "m.js", SETTINGS)
    with pytest.raises(ValueError, match=".js or .json"):
        export_weights(build_mlp(MLPConfig()), tmp_path / "m.txt", SETTINGS)
    assert list(tmp_path.iterdir()) == []


def test_the_eleven_output_network_is_exported_with_its_class_names(tmp_path) -> None:
    """Notebook 11's network: the 11th output is "not a digit"; two models share one page."""
    eleven = build_mlp(MLPConfig(name="mlp_not_a_digit", not_a_digit_examples=10))
    ten = build_mlp(MLPConfig())
    a = export_weights(eleven, tmp_path / "eleven.js", rejection=SETTINGS)
    b = export_weights(ten, tmp_path / "ten.js", rejection=SETTINGS)
    spec = read_spec(a)
    assert spec["classes"] == [str(k) for k in range(10)] + ["not a digit"]
    assert spec["layers"][-1]["units"] == 11
    assert read_spec(b)["classes"] == [str(k) for k in range(10)]
    # Each .js file adds its model to one table, under the model's name.
    for path, model in ((a, eleven), (b, ten)):
        first, second = path.read_text().splitlines()
        assert first == "window.MNIST_TUTORIAL_MODELS = window.MNIST_TUTORIAL_MODELS || {};"
        assert second.startswith(f'window.MNIST_TUTORIAL_MODELS["{model.name}"] = {{')


def test_int8_kernels_are_a_quarter_of_the_size_and_decode_to_nearly_the_same_weights(
    tmp_path,
) -> None:
    from mnist_tutorial.export import exported_weights

    model = build_mlp(MLPConfig())
    small = export_weights(model, tmp_path / "small.js", SETTINGS, precision="int8")
    full = export_weights(model, tmp_path / "full.js", SETTINGS)
    assert small.stat().st_size < 0.3 * full.stat().st_size
    spec = read_spec(small)
    assert spec["layers"][0]["kernel_encoding"] == "int8"
    originals = model.get_weights()
    decoded = exported_weights(spec)
    assert [a.shape for a in decoded] == [a.shape for a in originals]
    for layer, kernel, original in zip(spec["layers"], decoded[::2], originals[::2], strict=True):
        scale = _array(layer["kernel_scale"])
        assert np.all(np.abs(kernel - original) <= scale / 2 * 1.001)  # half a step at most
    for bias, original in zip(decoded[1::2], originals[1::2], strict=True):
        assert np.array_equal(bias, original)  # biases stay float32
    np.testing.assert_array_equal(exported_weights(read_spec(full))[0], originals[0])
    with pytest.raises(ValueError, match="precision"):
        export_weights(model, tmp_path / "x.js", SETTINGS, precision="float16")


def test_the_cnn_is_exported_layer_by_layer_with_keras_weight_order(tmp_path) -> None:
    from mnist_tutorial.config import cnn_experiment
    from mnist_tutorial.export import exported_weights

    model = build_cnn(cnn_experiment())
    spec = read_spec(export_weights(model, tmp_path / "cnn.js", SETTINGS))
    kinds = [layer["type"] for layer in spec["layers"]]
    assert kinds == ["conv2d", "maxpool2d", "conv2d", "maxpool2d", "flatten", "dense", "dense"]
    assert spec["layers"][0]["size"] == 3 and spec["layers"][2]["inputs"] == 16
    decoded = exported_weights(spec)
    for ours, theirs in zip(decoded, model.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
