"""Letting the model say "I don't know": answer only above a confidence threshold.

`threshold_for_accuracy` finds the lowest threshold whose accepted answers reach a target
accuracy (so it keeps the most answers), `risk_coverage_curve` traces the trade-off, and
`predict_or_reject` is what the CLI and the own-digit notebook call. `choose_rejection` picks
the temperature and threshold on the validation split and `store_rejection` keeps them in
the model's sidecar, where the CLI and the notebooks find them (`load_rejection`).

Uses-trained-models layer: above training
and storage. `mnist_tutorial.trained.ensure_rejection` chooses and stores the settings of a
model it trains on demand.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

import numpy as np

from mnist_tutorial._keras import keras
from mnist_tutorial.calibration import apply_temperature, fit_temperature
from mnist_tutorial.evaluate import as_model_input, predict_logits
from mnist_tutorial.files import write_text_atomic
from mnist_tutorial.storage import read_metadata, sidecar_path

#: The index of the 11th output, "not a digit", of a model that has one; `decide` also uses it
#: for "no answer".
NOT_A_DIGIT = 10


def digit_only_scores(scores: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """`scores` with -inf where the predicted class is "not a digit" (`NOT_A_DIGIT`): that
    answer is a refusal, never an accepted digit, at any threshold."""
    return np.where(np.asarray(predicted) < NOT_A_DIGIT, scores, -np.inf)


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
    class is also None. `probabilities` has one column per model output. Pass the values
    a `RejectionSettings` holds (`load_rejection(model_path)`).
    """
    logits = predict_logits(model, as_model_input(images, model))
    answered = decide(logits, temperature, threshold).answered_class
    classes = [int(c) if c < NOT_A_DIGIT else None for c in answered]
    return Decisions(classes, apply_temperature(logits, temperature))


# --------------------------------------------------------------------------- chosen settings


@dataclass(frozen=True)
class RejectionSettings:
    """How a model says "I don't know": a temperature and a threshold on the scaled top
    probability, both chosen on the validation split (never on the test set)."""

    temperature: float
    threshold: float
    target_accuracy: float
    chosen_on: str = "validation"

    def __post_init__(self) -> None:
        if not self.temperature > 0:
            raise ValueError(f"temperature must be positive, got {self.temperature}")
        if not 0.0 < self.target_accuracy <= 1.0:
            raise ValueError(f"target_accuracy must be in (0, 1], got {self.target_accuracy}")


def choose_rejection(
    model: keras.Model, x_val: np.ndarray, y_val: np.ndarray, target_accuracy: float = 0.995
) -> RejectionSettings:
    """Fit the temperature on validation logits, then pick the lowest threshold whose
    answered validation digits are at least `target_accuracy` right.

    Takes validation arrays only: the test set then reports what these choices give.
    With an 11th "not a digit" output, a validation digit called "not a digit" counts as
    a refusal, never as an answer.
    """
    y_val = np.asarray(y_val)
    logits = predict_logits(model, as_model_input(x_val, model))
    temperature = fit_temperature(logits, y_val)
    decisions = decide(logits, temperature, threshold=0.0)
    scores = digit_only_scores(decisions.confidence, decisions.top_class)
    threshold, _ = threshold_for_accuracy(scores, decisions.top_class == y_val, target_accuracy)
    return RejectionSettings(temperature, threshold, target_accuracy)


@dataclass(frozen=True)
class _Scored:
    top_class: np.ndarray
    answered_class: np.ndarray
    confidence: np.ndarray


def decide(logits: np.ndarray, temperature: float, threshold: float) -> _Scored:
    """Top class and its temperature-scaled probability per row; `answered_class` is
    `NOT_A_DIGIT` ("no answer") where the top is "not a digit" or the probability is under
    `threshold`."""
    probabilities = apply_temperature(logits, temperature)
    top = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    answered = np.where((top < NOT_A_DIGIT) & (confidence >= threshold), top, NOT_A_DIGIT)
    return _Scored(top, answered, confidence)


def report_rejection(
    model: keras.Model, x: np.ndarray, y: np.ndarray, settings: RejectionSettings
) -> dict[str, float]:
    """What `settings` give on labelled data (use it once, on the test set): the share
    answered (coverage), the accuracy of those answers and the accuracy without refusing."""
    y = np.asarray(y)
    logits = predict_logits(model, as_model_input(x, model))
    scored = decide(logits, settings.temperature, settings.threshold)
    answered = scored.answered_class < NOT_A_DIGIT
    return {
        "coverage": float(answered.mean()),
        "accuracy_answered": float((scored.top_class == y)[answered].mean())
        if answered.any()
        else float("nan"),
        "accuracy_all": float((scored.top_class == y).mean()),
    }


def store_rejection(model_path: str | os.PathLike[str], settings: RejectionSettings) -> None:
    """Write `settings` into the model's JSON sidecar (key "rejection"), atomically."""
    metadata = read_metadata(model_path)
    if metadata is None:
        raise FileNotFoundError(f"{sidecar_path(model_path)} is missing or unreadable")
    metadata["rejection"] = asdict(settings)
    write_text_atomic(sidecar_path(model_path), json.dumps(metadata, indent=2, sort_keys=True))


def load_rejection(model_path: str | os.PathLike[str]) -> RejectionSettings | None:
    """The settings stored with a model by `store_rejection`, or None."""
    values = (read_metadata(model_path) or {}).get("rejection")
    return RejectionSettings(**values) if values else None
