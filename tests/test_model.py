"""Tests of `mnist_tutorial.model`: the first MLP, the CNN and the learning-rate schedule."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_tutorial.config import CNNConfig, MLPConfig
from mnist_tutorial.model import build_mlp


def test_first_mlp_has_the_original_notebooks_architecture() -> None:
    model = build_mlp()
    assert model.count_params() == 109_386
    dense = model.layers
    assert [layer.units for layer in dense] == [128, 64, 10]
    assert [layer.activation.__name__ for layer in dense] == ["relu", "relu", "softmax"]
    assert model.input_shape == (None, 784)
    assert type(model.optimizer).__name__ == "Adam"
    assert model.loss == "categorical_crossentropy"


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
