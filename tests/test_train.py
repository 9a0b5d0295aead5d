"""Tests of `mnist_tutorial.train`: reproducible training, the progress line and the
sentence that says how training stopped."""

from __future__ import annotations

import numpy as np

from mnist_tutorial.config import MLPConfig
from mnist_tutorial.evaluate import loss_and_accuracy
from mnist_tutorial.model import build_mlp
from mnist_tutorial.preprocess import one_hot, prepare_images
from mnist_tutorial.storage import load_model, save_model
from mnist_tutorial.train import TrainingResult, train_model


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


def test_first_mlp_reaches_96_5_percent_after_3_epochs(mnist) -> None:
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
    assert out.startswith("\rTraining first_mlp on 750 images, up to 4 epochs (at most about ")
    assert "on a laptop): epoch 1/4 - accuracy: " in out and "loss: " in out
    # What a notebook stores (carriage returns applied) is the final sentence alone.
    final = out.rstrip("\n").split("\r")[-1]
    assert final.startswith(("first_mlp: Trained all 4 epochs.", "first_mlp: Stopped early after"))
    assert len(result.history["loss"]) == result.epochs_run
    assert result.seconds > 0


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
