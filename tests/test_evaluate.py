"""Tests of `mnist_tutorial.evaluate`, on inputs whose answers are known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_tutorial._keras import keras
from mnist_tutorial.config import MLPConfig
from mnist_tutorial.evaluate import (
    most_confused_pairs,
    suite_accuracy,
    to_classes,
    wrong_predictions,
)


def test_to_classes_is_argmax_per_row() -> None:
    probs = np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])
    assert to_classes(probs).tolist() == [1, 0]
    with pytest.raises(ValueError, match="one row per example"):
        to_classes(np.array([0.1, 0.9]))


def test_wrong_predictions() -> None:
    assert wrong_predictions(np.array([1, 2, 3]), np.array([1, 0, 0])).tolist() == [1, 2]
    with pytest.raises(ValueError, match="shapes differ"):
        wrong_predictions(np.array([1]), np.array([1, 2]))


def test_most_confused_pairs() -> None:
    matrix = np.array([[5, 2, 0], [3, 5, 2], [0, 0, 5]])
    assert most_confused_pairs(matrix, top=2) == [(1, 0, 3), (0, 1, 2)]


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


def test_suite_accuracy_scores_every_variant_and_not_a_digit_counts_as_wrong() -> None:
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(11)])
    bias = np.full(11, -10.0, dtype=np.float32)
    bias[10] = 10.0  # every answer "not a digit"
    model.layers[0].set_weights([np.zeros((784, 11), dtype=np.float32), bias])
    images = np.zeros((4, 28, 28), dtype=np.uint8)
    suite = {"clean": (images, np.arange(4)), "shift/mild": (images, np.arange(4))}
    assert suite_accuracy(model, suite) == {"clean": 0.0, "shift/mild": 0.0}
    bias[10], bias[2] = -10.0, 10.0  # every answer 2
    model.layers[0].set_weights([np.zeros((784, 11), dtype=np.float32), bias])
    assert suite_accuracy(model, suite) == {"clean": 0.25, "shift/mild": 0.25}
