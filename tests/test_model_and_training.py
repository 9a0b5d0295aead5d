"""The seed MLP, reproducible training, saving/loading and `load_or_train`."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from mnist_tutorial.config import CNNConfig, MLPConfig, TrainingConfig, config_from_dict
from mnist_tutorial.evaluate import loss_and_accuracy
from mnist_tutorial.model import build_mlp
from mnist_tutorial.preprocess import one_hot, prepare_images
from mnist_tutorial.storage import (
    ModelFileError,
    load_model,
    model_path,
    read_metadata,
    record_training,
    save_model,
    save_trained,
    saved_result,
    sidecar_path,
)
from mnist_tutorial.train import TrainingResult, train_model
from mnist_tutorial.trained import load_or_train


def test_config_overrides_by_keyword_and_round_trips() -> None:
    config = MLPConfig(epochs=3)
    assert config.epochs == 3 and MLPConfig().epochs == 200
    assert config.replace(batch_size=10).batch_size == 10
    assert config_from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert MLPConfig.from_dict({"epochs": 3}) == config
    with pytest.raises(ValueError, match="batch_size"):
        MLPConfig(batch_size=0)
    with pytest.raises(ValueError, match="unknown config fields: colour"):
        config_from_dict({"kind": "mlp", "colour": "blue"})
    with pytest.raises(ValueError, match="kind must be one of"):
        config_from_dict({"kind": "rnn"})
    with pytest.raises(TypeError, match="use MLPConfig or CNNConfig"):
        TrainingConfig()


def test_seed_mlp_has_the_seed_architecture() -> None:
    model = build_mlp()
    assert model.count_params() == 109_386
    dense = model.layers
    assert [layer.units for layer in dense] == [128, 64, 10]
    assert [layer.activation.__name__ for layer in dense] == ["relu", "relu", "softmax"]
    assert model.input_shape == (None, 784)
    assert type(model.optimizer).__name__ == "Adam"
    assert model.loss == "categorical_crossentropy"


def _subset(mnist, n=3000):
    (x_train, y_train), _ = mnist
    return prepare_images(x_train[:n]), one_hot(y_train[:n])


def test_two_trainings_give_bit_identical_weights(mnist) -> None:
    x, y = _subset(mnist)
    config = MLPConfig(epochs=2)
    weights = []
    for _ in range(2):
        model = build_mlp(config)
        train_model(model, x, y, config, progress=False)
        weights.append(model.get_weights())
    for a, b in zip(*weights, strict=True):
        assert np.array_equal(a, b)
    # ... and a different seed gives different weights (the test can fail).
    other = build_mlp(config.replace(seed=7))
    train_model(other, x, y, config.replace(seed=7), progress=False)
    assert not np.array_equal(other.get_weights()[0], weights[0][0])


def test_seed_model_reaches_96_5_percent_after_3_epochs(mnist) -> None:
    (x_train, y_train), (x_test, y_test) = mnist
    config = MLPConfig(epochs=3)
    model = build_mlp(config)
    result = train_model(model, prepare_images(x_train), one_hot(y_train), config, progress=False)
    assert result.epochs_run == 3 and not result.stopped_early
    scores = loss_and_accuracy(model, prepare_images(x_test), one_hot(y_test))
    assert scores["accuracy"] >= 0.965, scores


def test_progress_line_and_stop_sentence(mnist, capsys) -> None:
    x, y = _subset(mnist, 750)
    config = MLPConfig(epochs=4, early_stopping_patience=0, early_stopping_monitor="loss")
    result = train_model(build_mlp(config), x, y, config)
    out = capsys.readouterr().out
    # First what trains and roughly how long, at once; then each epoch on the same line.
    assert out.startswith("\rTraining seed_mlp on 750 images, up to 4 epochs (at most about ")
    assert "on a laptop): epoch 1/4 - accuracy: " in out and "loss: " in out
    # What a notebook stores (carriage returns applied) is the final sentence alone.
    final = out.rstrip("\n").split("\r")[-1]
    assert final.startswith(("seed_mlp: Trained all 4 epochs.", "seed_mlp: Stopped early after"))
    assert len(result.history["loss"]) == result.epochs_run
    assert result.seconds > 0


def test_save_is_atomic_and_loads_back(tmp_path, mnist) -> None:
    model = build_mlp()
    path = save_model(model, tmp_path / "m.keras", {"note": 1})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.keras"]
    x, _ = _subset(mnist, 5)
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


def test_load_or_train_reuses_only_a_matching_config(tmp_path, monkeypatch, capsys) -> None:
    config = MLPConfig(name="tiny", epochs=1)
    model = build_mlp(config)
    result = TrainingResult({"loss": [1.0], "accuracy": [0.5]}, 1, False, 0.1)
    save_trained(model, config, result, tmp_path)
    assert model_path(config, tmp_path) == tmp_path / "tiny.keras"

    calls = []

    def fake_train_and_save(c, d, progress):
        calls.append(c)
        save_trained(build_mlp(c), c, result, d)
        return None, result

    monkeypatch.setattr("mnist_tutorial.trained.train_and_save", fake_train_and_save)
    loaded, loaded_result = load_or_train(config, tmp_path)
    assert calls == [] and loaded_result == result
    assert loaded.count_params() == model.count_params()
    said_loaded = capsys.readouterr().out
    assert said_loaded == f"tiny: Trained all 1 epoch. [loaded from {tmp_path / 'tiny.keras'}]\n"

    load_or_train(config.replace(epochs=2), tmp_path)
    assert calls == [config.replace(epochs=2)]
    said_trained = capsys.readouterr().out
    # The same sentence either way; only the bracket says where the model came from.
    assert said_trained.startswith("tiny: Trained all 1 epoch. [")
    assert said_trained.endswith(f"[trained now, saved to {tmp_path / 'tiny.keras'}]\n")


def test_cnn_builds_and_takes_image_shaped_input() -> None:
    from mnist_tutorial.config import cnn_experiment
    from mnist_tutorial.model import build_model, model_inputs

    config = cnn_experiment()
    model = build_model(config)
    # conv 16*(9+1) + conv 32*(16*9+1) + dense (5*5*32+1)*128 + output (128+1)*10
    assert model.count_params() == 160 + 4_640 + 102_528 + 1_290
    assert [type(layer).__name__ for layer in model.layers] == [
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "MaxPooling2D",
        "Flatten",
        "Dense",
        "Dropout",
        "Dense",
    ]
    assert model.name == "cnn" and config.kind == "cnn" and MLPConfig().kind == "mlp"
    assert model.optimizer.get_config()["learning_rate"]["class_name"] == "CosineDecay"
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    assert model_inputs(images, config).shape == (3, 28, 28, 1)
    assert model_inputs(images, MLPConfig()).shape == (3, 784)
    assert model.predict(model_inputs(images, config), verbose=0).shape == (3, 10)
    with pytest.raises(ValueError, match="dropout must be"):
        CNNConfig(dropout=1.0)


def test_warmup_cosine_schedule_rises_then_falls_to_zero() -> None:
    from mnist_tutorial.model import learning_rate

    config = MLPConfig(
        epochs=4,
        batch_size=1000,
        validation_size=5000,
        lr_schedule="warmup_cosine",
        learning_rate=0.01,
        warmup_epochs=1.0,
    )
    assert config.steps_per_epoch == 55
    schedule = learning_rate(config)
    rates = [float(schedule(step)) for step in (0, 27, 55, 110, 4 * 55)]
    assert rates[0] == 0.0 and rates[2] == pytest.approx(0.01)
    assert rates[0] < rates[1] < rates[2] > rates[3] > rates[4]
    assert rates[4] == pytest.approx(0.0, abs=1e-9)
    assert learning_rate(MLPConfig()) == 0.001
    with pytest.raises(ValueError, match="lr_schedule"):
        MLPConfig(lr_schedule="cyclic")
    with pytest.raises(ValueError, match="warmup_epochs"):
        MLPConfig(epochs=2, warmup_epochs=2)


def test_config_repr_shows_every_field_of_its_class_one_per_line() -> None:
    import dataclasses

    from mnist_tutorial.config import cnn_experiment

    for config in (cnn_experiment(), MLPConfig()):
        lines = repr(config).splitlines()
        names = [f.name for f in dataclasses.fields(config)]
        assert lines[0] == f"{type(config).__name__}(" and lines[-1] == ")"
        assert [line.strip().split("=")[0] for line in lines[1:-1]] == names
    cnn, mlp = repr(cnn_experiment()), repr(MLPConfig())
    assert "conv_filters" in cnn and "input_dim" not in cnn and "warmup_epochs" in cnn
    assert "input_dim" in mlp and "conv_filters" not in mlp and "lr_schedule" in mlp


@pytest.mark.parametrize("architecture", ["mlp", "cnn"])
def test_predict_logits_agree_with_predict_in_any_chunking(architecture) -> None:
    from scipy.special import softmax

    from mnist_tutorial.config import cnn_experiment
    from mnist_tutorial.evaluate import predict_logits
    from mnist_tutorial.model import build_model, model_inputs

    config = cnn_experiment() if architecture == "cnn" else MLPConfig()
    model = build_model(config)
    images = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    x = model_inputs(images, config)
    logits = predict_logits(model, x)
    assert logits.dtype == np.float64 and logits.shape == (5, 10)
    np.testing.assert_allclose(predict_logits(model, x, batch_size=2), logits, atol=1e-5)
    np.testing.assert_allclose(predict_logits(model, x[:1]), logits[:1], atol=1e-5)
    probabilities = model.predict(x, verbose=0)
    np.testing.assert_allclose(softmax(logits, axis=1), probabilities, atol=1e-5)
    assert predict_logits(model, x[:0]).shape == (0, 10)


def test_cnn_with_schedule_trains_repeatably_and_loads_back(mnist, tmp_path) -> None:
    from mnist_tutorial.config import cnn_experiment
    from mnist_tutorial.model import build_cnn, model_inputs

    (x_train, y_train), _ = mnist
    config = cnn_experiment().replace(epochs=2, conv_filters=(4, 8), hidden_units=(16,))
    x, y = model_inputs(x_train[:512], config), one_hot(y_train[:512])
    validation = (model_inputs(x_train[512:768], config), one_hot(y_train[512:768]))
    weights = []
    for _ in range(2):
        model = build_cnn(config)
        result = train_model(model, x, y, config, validation_data=validation, progress=False)
        weights.append(model.get_weights())
    assert result.epochs_run == 2 and "val_loss" in result.history
    for a, b in zip(*weights, strict=True):
        assert np.array_equal(a, b)
    loaded = load_model(save_model(model, tmp_path / "cnn.keras"))
    assert loaded.optimizer.get_config()["learning_rate"]["class_name"] == "CosineDecay"
    np.testing.assert_allclose(loaded.predict(x[:8], verbose=0), model.predict(x[:8], verbose=0))


def test_describe_stop_says_which_weights_were_kept() -> None:
    from mnist_tutorial.train import describe_stop

    config = MLPConfig(epochs=3, early_stopping_monitor="val_loss", restore_best_weights=True)
    run = TrainingResult({"loss": [1, 0.5, 0.4], "val_loss": [0.5, 0.3, 0.4]}, 3, False, 1.0)
    assert describe_stop(run, config) == (
        "Trained all 3 epochs. Kept the weights of epoch 2 (best val_loss: 0.3000)."
    )
    assert describe_stop(run, config.replace(restore_best_weights=False)) == (
        "Trained all 3 epochs."
    )


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
