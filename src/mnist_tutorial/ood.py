"""Out-of-distribution inputs: things that are not digits, and how well scores spot them.

`ood_datasets` builds the test sets (noise, blank, all-ink, rotated and inverted digits);
`auroc_in_vs_out` measures how well a score ranks real test digits above them (1 is perfect,
0.5 is chance); `energy_score` is an alternative to the top probability that uses the
logits' overall size, not only their softmax. (The non-digits a model can be trained
on as an 11th class, noises and drawings, are `mnist_tutorial.datasets.not_a_digit_images`.)

Uses-trained-models layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import logsumexp
from sklearn.metrics import roc_auc_score

from mnist_tutorial.calibration import apply_temperature
from mnist_tutorial.rejection import digit_only_scores, threshold_for_accuracy
from mnist_tutorial.tables import format_table


def ood_datasets(test_images: np.ndarray, n: int = 1000, seed: int = 42) -> dict[str, np.ndarray]:
    """Non-digit inputs, float32 (n, 28, 28), built from `test_images` (float, [0, 1]).

    * uniform noise in [-1, 1] (the original notebook's hallucination demo),
    * Gaussian noise (mean 0.5, sd 0.25, clipped to [0, 1]),
    * blank (all 0: no ink) and all ink (all 1: ink everywhere),
    * test digits rotated by 90 degrees, and test digits inverted (1 - x).
    """
    images = np.asarray(test_images, dtype=np.float32).reshape(-1, 28, 28)[:n]
    if images.min() < 0 or images.max() > 1:
        raise ValueError("test_images should be scaled to [0, 1]")
    n = len(images)
    rng = np.random.default_rng(seed)
    return {
        "uniform noise [-1, 1]": (rng.random((n, 28, 28)) * 2 - 1).astype(np.float32),
        "Gaussian noise": np.clip(rng.normal(0.5, 0.25, (n, 28, 28)), 0, 1).astype(np.float32),
        "blank (all 0)": np.zeros((n, 28, 28), dtype=np.float32),
        "all ink (all 1)": np.ones((n, 28, 28), dtype=np.float32),
        "rotated 90 degrees": np.rot90(images, k=1, axes=(1, 2)).copy(),
        "inverted": 1.0 - images,
    }


def max_probability(probabilities: np.ndarray) -> np.ndarray:
    """The top class probability of each row (the usual confidence score)."""
    return np.asarray(probabilities).max(axis=1)


def energy_score(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Negative free energy T * logsumexp(logits / T): higher means more digit-like."""
    logits = np.asarray(logits, dtype=np.float64)
    return temperature * logsumexp(logits / temperature, axis=1)


def auroc_in_vs_out(in_scores: np.ndarray, out_scores: np.ndarray) -> float:
    """AUROC of a score separating in-distribution (positive) from out-of-distribution."""
    in_scores, out_scores = np.asarray(in_scores), np.asarray(out_scores)
    labels = np.r_[np.ones(len(in_scores)), np.zeros(len(out_scores))]
    return float(roc_auc_score(labels, np.r_[in_scores, out_scores]))


def acceptance_rate(scores: np.ndarray, threshold: float) -> float:
    """The share of inputs whose score clears the threshold (that the model would answer)."""
    return float(np.mean(np.asarray(scores) >= threshold))


def digit_scores(
    logits: np.ndarray, method: str, temperature: float = 1.0, num_digits: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """`(score, predicted class)` per input; a higher score means "more surely a digit".

    * "max_probability": the top digit probability of softmax(logits / T) (with an 11th
      "not a digit" class the softmax includes it, so its mass lowers the digit scores);
    * "energy": T * logsumexp over the digit logits.

    The predicted class is the argmax over all outputs (10 means "not a digit").
    """
    predicted = np.asarray(logits).argmax(axis=1)
    if method == "max_probability":
        return apply_temperature(logits, temperature)[:, :num_digits].max(axis=1), predicted
    if method == "energy":
        return energy_score(np.asarray(logits)[:, :num_digits], temperature), predicted
    raise ValueError(f"unknown method {method!r}: use 'max_probability' or 'energy'")


@dataclass(frozen=True)
class OODReport:
    """At a confidence score's threshold: test coverage and accuracy, and how it fares on
    non-digits."""

    threshold: float
    coverage: float
    accuracy_answered: float
    accepted: dict[str, float] = field(default_factory=dict)
    auroc: dict[str, float] = field(default_factory=dict)


def choose_threshold(
    val_logits: np.ndarray,
    y_val: np.ndarray,
    method: str,
    temperature: float = 1.0,
    target_accuracy: float = 0.995,
) -> float:
    """The lowest score threshold whose answered *validation* digits are at least
    `target_accuracy` right (a "not a digit" answer counts as a refusal)."""
    scores, predicted = digit_scores(val_logits, method, temperature)
    scores = digit_only_scores(scores, predicted)
    return threshold_for_accuracy(scores, predicted == np.asarray(y_val), target_accuracy)[0]


def ood_report(
    test_logits: np.ndarray,
    y_test: np.ndarray,
    ood_logits: dict[str, np.ndarray],
    method: str,
    threshold: float,
    temperature: float = 1.0,
) -> OODReport:
    """At a threshold chosen beforehand on validation data (`choose_threshold`), report the
    test digits' coverage and accuracy, and for each non-digit set the share the model still
    answers and the score's AUROC (real test digits against that set)."""
    scores, predicted = digit_scores(test_logits, method, temperature)
    correct = predicted == np.asarray(y_test)
    # A "not a digit" answer on a test digit is a refusal, never an accepted answer.
    scores = digit_only_scores(scores, predicted)
    answered = scores >= threshold
    accuracy = float(correct[answered].mean()) if answered.any() else float("nan")
    report = OODReport(threshold, float(answered.mean()), accuracy)
    for name, logits in ood_logits.items():
        out_scores, out_pred = digit_scores(logits, method, temperature)
        out_scores = digit_only_scores(out_scores, out_pred)
        report.accepted[name] = acceptance_rate(out_scores, threshold)
        report.auroc[name] = auroc_in_vs_out(
            np.nan_to_num(scores, neginf=-1e9), np.nan_to_num(out_scores, neginf=-1e9)
        )
    return report


def format_ood_comparison(reports: dict[str, OODReport]) -> str:
    """One text table: per non-digit set, each method's accepted share and AUROC; then each
    method's coverage of the test digits at its threshold."""
    names = list(next(iter(reports.values())).accepted)
    headers = ["input"]
    for method in reports:
        headers += [f"{method}: accepted", f"{method}: AUROC"]
    rows: list[list[object]] = [
        [name, *(v for r in reports.values() for v in (r.accepted[name], r.auroc[name]))]
        for name in names
    ]
    rows.append(
        ["coverage of test digits", *(v for r in reports.values() for v in (r.coverage, None))]
    )
    return format_table(headers, rows)
