"""Tests of `mnist_tutorial.rejection`: the threshold for a target accuracy, risk and
coverage, "I don't know", and the settings chosen on validation data and stored with a model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax

from mnist_tutorial.config import MLPConfig, not_a_digit_experiment
from mnist_tutorial.evaluate import predict_logits
from mnist_tutorial.model import build_mlp
from mnist_tutorial.rejection import (
    RejectionSettings,
    choose_rejection,
    load_rejection,
    predict_or_reject,
    report_rejection,
    risk_coverage_curve,
    store_rejection,
    threshold_for_accuracy,
)
from mnist_tutorial.storage import read_metadata, save_model


def test_threshold_for_accuracy_by_hand() -> None:
    confidence = np.array([0.99, 0.95, 0.90, 0.80, 0.70, 0.60])
    correct = np.array([True, True, False, True, True, False])
    # top-2: 2/2; top-3: 2/3; top-4: 3/4; top-5: 4/5 = 0.8; top-6: 4/6
    assert threshold_for_accuracy(confidence, correct, 0.8) == (0.70, 5 / 6)
    assert threshold_for_accuracy(confidence, correct, 1.0) == (0.95, 2 / 6)
    assert threshold_for_accuracy(np.array([0.5]), np.array([False]), 0.9) == (float("inf"), 0.0)


def test_ties_are_accepted_or_refused_together() -> None:
    curve = risk_coverage_curve(np.array([0.9, 0.8, 0.8, 0.7]), np.array([1, 1, 0, 1]))
    assert curve.thresholds.tolist() == [0.9, 0.8, 0.7]
    assert curve.coverage.tolist() == [0.25, 0.75, 1.0]
    assert curve.risk.tolist() == pytest.approx([0.0, 1 / 3, 0.25])


def test_predict_or_reject_answers_or_says_none() -> None:
    config = MLPConfig()
    model = build_mlp(config)
    # Make the output layer ignore the input: logits = bias.
    kernel, _ = model.layers[-1].get_weights()
    bias = np.array([0, 0, 0, 5, 0, 0, 0, 0, 0, 0], dtype=np.float32)
    model.layers[-1].set_weights([np.zeros_like(kernel), bias])
    p3 = softmax(bias.astype(np.float64))[3]
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    assert predict_or_reject(model, images, threshold=p3 - 1e-6).classes == [3, 3]
    rejected = predict_or_reject(model, images, threshold=p3 + 1e-6)
    assert rejected.classes == [None, None]
    assert rejected.probabilities.shape == (2, 10)
    np.testing.assert_allclose(predict_logits(model, np.zeros((1, 784))), [bias], atol=1e-6)


def test_eleventh_class_answer_is_none() -> None:
    config = not_a_digit_experiment()
    model = build_mlp(config)
    kernel, _ = model.layers[-1].get_weights()
    bias = np.zeros(11, dtype=np.float32)
    bias[10] = 9
    model.layers[-1].set_weights([np.zeros_like(kernel), bias])
    assert predict_or_reject(model, np.zeros((1, 784), np.float32), 0.0).classes == [None]


def test_choose_rejection_uses_only_what_it_is_given(tmp_path) -> None:
    model = build_mlp(MLPConfig())
    rng = np.random.default_rng(0)
    x_val = rng.random((300, 784), dtype=np.float32)
    y_val = predict_logits(model, x_val).argmax(axis=1)
    y_val[:30] = (y_val[:30] + 1) % 10  # 10 % wrong, so a threshold is needed for 99 %
    settings = choose_rejection(model, x_val, y_val, target_accuracy=0.99)
    assert settings.chosen_on == "validation" and settings.temperature > 0
    answered = report_rejection(model, x_val, y_val, settings)
    assert answered["accuracy_answered"] >= 0.99 and 0 < answered["coverage"] < 1
    assert answered["accuracy_all"] == pytest.approx(0.9)
    # Stored with the model in its sidecar, read back the same; absent -> None.
    path = save_model(model, tmp_path / "m.keras", {"config": {}})
    assert load_rejection(path) is None
    store_rejection(path, settings)
    assert load_rejection(path) == settings
    assert read_metadata(path)["config"] == {}
    with pytest.raises(FileNotFoundError, match="missing or unreadable"):
        store_rejection(tmp_path / "other.keras", settings)
    with pytest.raises(ValueError, match="temperature must be positive"):
        RejectionSettings(0.0, 0.5, 0.99)
