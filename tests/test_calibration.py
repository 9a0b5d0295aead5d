"""Tests of `mnist_tutorial.calibration`: the expected calibration error and temperature
scaling, on toy inputs whose answers can be checked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax

from mnist_tutorial.calibration import (
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    reliability_bins,
)


def test_ece_is_zero_for_a_perfectly_calibrated_toy() -> None:
    # Confidence 0.75 on every example, and exactly 3 of 4 are right.
    probs = np.array([[0.75, 0.25]] * 4)
    y = np.array([0, 0, 0, 1])
    assert expected_calibration_error(probs, y) == pytest.approx(0.0)


def test_ece_by_hand() -> None:
    # Two bins used: conf 0.95 all right (gap 0.05), conf 0.55 all wrong (gap 0.55).
    probs = np.array([[0.95, 0.05], [0.95, 0.05], [0.55, 0.45], [0.55, 0.45]])
    y = np.array([0, 0, 1, 1])
    assert expected_calibration_error(probs, y) == pytest.approx((2 * 0.05 + 2 * 0.55) / 4)
    bins = reliability_bins(probs, y)
    assert bins.count.sum() == 4 and bins.count[bins.count > 0].tolist() == [2, 2]


def test_temperature_recovers_the_one_that_made_the_data() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, size=(20000, 5))
    true_t = 2.0
    y = np.array([rng.choice(5, p=p) for p in softmax(logits / true_t, axis=1)])
    assert fit_temperature(logits, y) == pytest.approx(true_t, rel=0.05)
    with pytest.raises(ValueError, match="temperature must be positive"):
        apply_temperature(logits, 0)


def test_apply_temperature_is_scipys_softmax_to_the_bit() -> None:
    """`apply_temperature` is NumPy (so `mnist-tutorial predict` needs no SciPy), with the
    same steps as `scipy.special.softmax`: the same probabilities, not just close ones."""
    rng = np.random.default_rng(1)
    for scale in (0.1, 3.0, 40.0, 400.0):
        logits = rng.normal(0, scale, size=(50, 11))
        for temperature in (0.3, 1.0, 3.97):
            expected = softmax(logits / temperature, axis=1)
            np.testing.assert_array_equal(apply_temperature(logits, temperature), expected)
