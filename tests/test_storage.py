"""Tests of `mnist_tutorial.storage`: `.keras` files and their JSON sidecars, and the
recognition of a saved model by its config."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from mnist_tutorial.config import MLPConfig, config_from_dict
from mnist_tutorial.model import build_cnn, build_mlp
from mnist_tutorial.preprocess import prepare_images
from mnist_tutorial.storage import (
    ModelFileError,
    load_for_prediction,
    load_model,
    read_metadata,
    record_training,
    save_model,
    saved_result,
    sidecar_path,
)
from mnist_tutorial.train import TrainingResult


def test_save_is_atomic_and_loads_back(tmp_path, mnist) -> None:
    model = build_mlp()
    path = save_model(model, tmp_path / "m.keras", {"note": 1})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.keras"]
    x = prepare_images(mnist[0][0][:5])
    np.testing.assert_array_equal(
        load_model(path).predict(x, verbose=0), model.predict(x, verbose=0)
    )
    with pytest.raises(ValueError, match=r"end in \.keras"):
        save_model(model, tmp_path / "m.h5")


def test_load_model_errors_are_clear(tmp_path) -> None:
    with pytest.raises(ModelFileError, match="no model file at"):
        load_model(tmp_path / "absent.keras")
    with pytest.raises(ModelFileError, match="is a directory"):
        load_model(tmp_path)
    junk = tmp_path / "junk.keras"
    junk.write_text("not a model")
    with pytest.raises(ModelFileError, match="not a readable Keras model"):
        load_model(junk)


def test_record_training_makes_a_notebook_saved_model_recognised(tmp_path) -> None:
    config = MLPConfig(name="by_hand", epochs=1)
    model = build_mlp(config)
    path = tmp_path / "by_hand.keras"
    with pytest.raises(ModelFileError, match="no model file at"):
        record_training(path, config, TrainingResult({"loss": [1.0]}, 1, False, 0.1))
    model.save(path)  # as the notebook does
    result = TrainingResult({"loss": [1.0], "accuracy": [0.5]}, 1, False, 0.1)
    assert record_training(path, config, result) is None
    assert sidecar_path(path) == tmp_path / "by_hand.json"
    assert read_metadata(path)["config"]["kind"] == "mlp"
    assert saved_result(config, path) == result
    assert saved_result(config.replace(epochs=2), path) is None


def test_a_model_saved_before_training_loads_without_warnings(tmp_path) -> None:
    import warnings

    path = save_model(build_mlp(), tmp_path / "untrained.keras")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = load_model(path)
    assert not [w for w in caught if "Skipping variable loading" in str(w.message)]
    assert loaded.optimizer.built


def test_a_sidecar_config_without_a_kind_is_not_recognised(tmp_path) -> None:
    config = MLPConfig(name="old")
    flat = {k: v for k, v in config.to_dict().items() if k != "kind"}
    with pytest.raises(ValueError, match="kind must be one of mlp, cnn, got None"):
        config_from_dict(flat)
    # A model saved with such a sidecar is not the one load_or_train asks for: it is retrained.
    path = save_model(build_mlp(config), tmp_path / "old.keras")
    result = TrainingResult({"loss": [1.0]}, 1, False, 0.1)
    path.with_suffix(".json").write_text(
        json.dumps({"config": flat, "training": dataclasses.asdict(result)})
    )
    assert saved_result(config, path) is None
    path.with_suffix(".json").write_text(
        json.dumps({"config": config.to_dict(), "training": dataclasses.asdict(result)})
    )
    assert saved_result(config, path) == result


@pytest.mark.parametrize(
    "build",
    [lambda: build_mlp(), lambda: build_mlp(MLPConfig(num_classes=11)), lambda: build_cnn()],
    ids=["mlp", "mlp-11-outputs", "cnn"],
)
def test_load_for_prediction_gives_load_models_weights_and_predictions(tmp_path, build) -> None:
    from mnist_tutorial.evaluate import predict_logits

    path = save_model(build(), tmp_path / "m.keras")
    fast, full = load_for_prediction(path), load_model(path)
    # Built without initial values (the fast way, not load_model's as a fallback)...
    assert {type(layer.kernel_initializer).__name__ for layer in fast.layers if layer.weights} == {
        "_NumpyZeros"
    }
    # ...with the same layers and, to the bit, the same weights and predictions.
    assert [type(layer) for layer in fast.layers] == [type(layer) for layer in full.layers]
    assert fast.input_shape == full.input_shape and fast.output_shape == full.output_shape
    weights, expected = fast.get_weights(), full.get_weights()
    assert len(weights) == len(expected)
    for got, want in zip(weights, expected, strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    x = np.random.default_rng(0).random((7, *full.input_shape[1:]), dtype=np.float32)
    np.testing.assert_array_equal(predict_logits(fast, x), predict_logits(full, x))


def test_load_for_prediction_fails_as_load_model_does(tmp_path) -> None:
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"PK\x03\x04 broken")
    for bad in (tmp_path / "absent.keras", tmp_path, junk):
        with pytest.raises(ModelFileError) as expected:
            load_model(bad)
        with pytest.raises(ModelFileError) as got:
            load_for_prediction(bad)
        assert str(got.value) == str(expected.value)
