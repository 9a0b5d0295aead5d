"""Is the model's confidence trustworthy? Expected calibration error and temperature scaling.

A model is calibrated when, among the answers it gives with confidence 0.9, nine in ten are
right. `expected_calibration_error` measures the gap (binned, as Guo et al. 2017);
`fit_temperature` finds the one scalar T that, dividing the logits, minimises the negative
log-likelihood on held-out data — it changes confidences, never the predicted class.

Uses-trained-models layer: works on
logits, imports nothing of the package. `apply_temperature` is on the path of
`mnist-tutorial predict`, so it is plain NumPy (the same operations, in the same order, as
`scipy.special.softmax`: the same bits), and SciPy is imported inside the functions that
fit a temperature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ReliabilityBins:
    """Per-bin mean confidence, accuracy and count (empty bins have count 0 and NaN means)."""

    edges: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    count: np.ndarray


def _check(probabilities: np.ndarray, y_true: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(y_true)
    if p.ndim != 2 or y.shape != (p.shape[0],):
        raise ValueError(f"expected probabilities (n, k) and labels (n,), got {p.shape}, {y.shape}")
    return p, y


def reliability_bins(
    probabilities: np.ndarray, y_true: np.ndarray, n_bins: int = 15
) -> ReliabilityBins:
    """Group predictions by top probability into equal-width bins over (0, 1]."""
    p, y = _check(probabilities, y_true)
    confidence = p.max(axis=1)
    correct = p.argmax(axis=1) == y
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # Bin b holds confidences in (edges[b], edges[b + 1]]; a confidence of 0 joins bin 0.
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, n_bins - 1)
    count = np.bincount(which, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        conf = np.bincount(which, weights=confidence, minlength=n_bins) / count
        acc = np.bincount(which, weights=correct, minlength=n_bins) / count
    return ReliabilityBins(edges, conf, acc, count)


def expected_calibration_error(
    probabilities: np.ndarray, y_true: np.ndarray, n_bins: int = 15
) -> float:
    """ECE: the count-weighted mean |accuracy - confidence| over the bins (0 is perfect)."""
    bins = reliability_bins(probabilities, y_true, n_bins)
    used = bins.count > 0
    gaps = np.abs(bins.accuracy[used] - bins.confidence[used])
    return float(np.sum(gaps * bins.count[used]) / bins.count.sum())


def negative_log_likelihood(logits: np.ndarray, y_true: np.ndarray, temperature: float) -> float:
    """Mean cross-entropy of softmax(logits / temperature) against the labels."""
    from scipy.special import log_softmax

    log_p = log_softmax(np.asarray(logits, dtype=np.float64) / temperature, axis=1)
    return float(-np.mean(log_p[np.arange(len(y_true)), y_true]))


def fit_temperature(logits: np.ndarray, y_true: np.ndarray) -> float:
    """The temperature T > 0 minimising the NLL of softmax(logits / T) (search over log T)."""
    from scipy.optimize import minimize_scalar

    logits, y = _check(logits, y_true)
    result = minimize_scalar(
        lambda log_t: negative_log_likelihood(logits, y, float(np.exp(log_t))),
        bounds=(np.log(0.05), np.log(20.0)),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return float(np.exp(result.x))


def apply_temperature(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Probabilities softmax(logits / temperature)."""
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    # scipy.special.softmax(scaled, axis=1), step for step: shift by the row's maximum,
    # exponentiate, divide by the row's sum.
    shifted = np.exp(scaled - np.max(scaled, axis=1, keepdims=True))
    return shifted / np.sum(shifted, axis=1, keepdims=True)
