"""Letting the model say "I don't know": answer only above a confidence threshold.

`threshold_for_accuracy` finds the lowest threshold whose accepted answers reach a target
accuracy (so it keeps the most answers), `risk_coverage_curve` traces the trade-off, and
`predict_or_reject` is what the CLI and the own-digit notebook call.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from mnist_tutorial._keras import keras


@dataclass(frozen=True)
class RiskCoverage:
    """For each threshold (distinct confidence, highest first): share answered, error rate."""

    thresholds: np.ndarray
    coverage: np.ndarray
    risk: np.ndarray


def risk_coverage_curve(confidence: np.ndarray, correct: np.ndarray) -> RiskCoverage:
    """Answer when confidence >= t, for every distinct t: coverage and risk (1 - accuracy)."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=bool)
    if confidence.shape != correct.shape or confidence.ndim != 1 or confidence.size == 0:
        raise ValueError("confidence and correct must be non-empty vectors of the same length")
    order = np.argsort(-confidence, kind="stable")
    conf_sorted = confidence[order]
    hits = np.cumsum(correct[order])
    # A threshold accepts whole tie groups: cut only where the next confidence is lower.
    ends = np.flatnonzero(np.r_[conf_sorted[1:] < conf_sorted[:-1], True])
    accepted = ends + 1
    return RiskCoverage(
        thresholds=conf_sorted[ends],
        coverage=accepted / confidence.size,
        risk=1.0 - hits[ends] / accepted,
    )


def threshold_for_accuracy(
    confidence: np.ndarray, correct: np.ndarray, target_accuracy: float
) -> tuple[float, float]:
    """The lowest threshold whose accepted answers are at least `target_accuracy` right.

    Returns `(threshold, coverage)`. When no threshold reaches the target, returns
    `(inf, 0.0)`: answer nothing.
    """
    curve = risk_coverage_curve(confidence, correct)
    ok = np.flatnonzero(1.0 - curve.risk >= target_accuracy - 1e-12)
    if ok.size == 0:
        return float("inf"), 0.0
    best = ok[-1]  # thresholds descend, so the last one that reaches the target covers most
    return float(curve.thresholds[best]), float(curve.coverage[best])


def as_model_input(images: np.ndarray, model: keras.Model) -> np.ndarray:
    """Images as the model takes them: uint8 is scaled to [0, 1]; any layout is reshaped."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        images = images.astype(np.float32) / 255.0
    shape = tuple(model.input_shape[1:])
    size = int(np.prod(shape))
    if images.size % size:
        raise ValueError(f"images of {images.shape} do not reshape to the model's input {shape}")
    return images.astype(np.float32).reshape((-1, *shape))


@dataclass(frozen=True)
class Decisions:
    """Per image: the digit, or None for "I don't know"; and the ten probabilities."""

    classes: list[int | None]
    probabilities: np.ndarray


def predict_or_reject(
    model: keras.Model, images: np.ndarray, threshold: float, temperature: float = 1.0
) -> Decisions:
    """A digit where its (temperature-scaled) probability is >= threshold, else None.

    With a model that has an 11th "not a digit" output, an image whose top output is that
    class is also None. `probabilities` has one column per model output.
    """
    from mnist_tutorial.calibration import apply_temperature
    from mnist_tutorial.evaluate import predict_logits

    logits = predict_logits(model, as_model_input(images, model))
    probabilities = apply_temperature(logits, temperature)
    top = probabilities.argmax(axis=1)
    best = probabilities.max(axis=1)
    classes = [
        int(c) if c < 10 and p >= threshold else None for c, p in zip(top, best, strict=True)
    ]
    return Decisions(classes, probabilities)


# --------------------------------------------------------------------------------------------
# STAND-IN for the lead's API (issue 12), added on branch `site` only so the site can be built
# before main has it. Drop this block at merge in favour of main's version; the site's code
# uses only the names and fields below.


@dataclass(frozen=True)
class RejectionSettings:
    """The temperature and the answer threshold chosen on held-out data."""

    temperature: float
    threshold: float
    target_accuracy: float
    chosen_on: str = "validation"


def choose_rejection(
    model: keras.Model, x_val: np.ndarray, y_val: np.ndarray, target_accuracy: float = 0.995
) -> RejectionSettings:
    """Temperature fitted on the validation logits, then the lowest threshold whose
    validation answers reach `target_accuracy`."""
    from mnist_tutorial.calibration import apply_temperature, fit_temperature
    from mnist_tutorial.evaluate import predict_logits

    y_val = np.asarray(y_val)
    logits = predict_logits(model, as_model_input(x_val, model))
    temperature = fit_temperature(logits, y_val)
    probabilities = apply_temperature(logits, temperature)
    threshold, _ = threshold_for_accuracy(
        probabilities.max(axis=1), probabilities.argmax(axis=1) == y_val, target_accuracy
    )
    return RejectionSettings(temperature, threshold, target_accuracy)


def store_rejection(model_path: str | os.PathLike[str], settings: RejectionSettings) -> None:
    """Write `settings` into the model's JSON sidecar under the key "rejection"."""
    from mnist_tutorial.train import _write_text_atomic, read_metadata, sidecar_path

    metadata = read_metadata(model_path) or {}
    metadata["rejection"] = asdict(settings)
    path = sidecar_path(Path(model_path))
    _write_text_atomic(path, json.dumps(metadata, indent=2, sort_keys=True))


def load_rejection(model_path: str | os.PathLike[str]) -> RejectionSettings | None:
    """The settings stored beside a model, or None."""
    from mnist_tutorial.train import read_metadata

    values = (read_metadata(model_path) or {}).get("rejection")
    return RejectionSettings(**values) if values else None
