"""Tests of `mnist_tutorial.ood`: scores, AUROC and acceptance rates, the out-of-distribution
test sets, and the report, on toy inputs whose answers can be checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_tutorial.ood import (
    acceptance_rate,
    auroc_in_vs_out,
    choose_threshold,
    digit_scores,
    energy_score,
    format_ood_comparison,
    ood_datasets,
    ood_report,
)


def test_auroc_of_a_perfect_separator_is_one() -> None:
    assert auroc_in_vs_out(np.array([0.9, 0.8]), np.array([0.1, 0.2, 0.3])) == 1.0
    assert auroc_in_vs_out(np.array([0.1]), np.array([0.9])) == 0.0
    assert acceptance_rate(np.array([0.1, 0.5, 0.9, 0.95]), 0.9) == 0.5


def test_energy_and_scores() -> None:
    logits = np.array([[0.0, np.log(3.0)]])
    assert energy_score(logits)[0] == pytest.approx(np.log(4.0))
    score, predicted = digit_scores(logits, "max_probability", num_digits=2)
    assert score[0] == pytest.approx(0.75) and predicted[0] == 1
    with pytest.raises(ValueError, match="unknown method"):
        digit_scores(logits, "vibes")


def test_ood_sets() -> None:
    digits = np.random.default_rng(0).random((30, 28, 28)).astype(np.float32)
    sets = ood_datasets(digits, n=20, seed=0)
    assert list(sets) == [
        "uniform noise [-1, 1]",
        "Gaussian noise",
        "blank (all 0)",
        "all ink (all 1)",
        "rotated 90 degrees",
        "inverted",
    ]
    assert all(v.shape == (20, 28, 28) for v in sets.values())
    assert sets["uniform noise [-1, 1]"].min() < 0
    np.testing.assert_array_equal(sets["rotated 90 degrees"][0], np.rot90(digits[0]))


def test_ood_report_on_a_toy() -> None:
    # Test digits: logits strongly on the right class for 3, weak and wrong for 1.
    test_logits = np.array([[9.0, 0, 0], [0, 9.0, 0], [0, 0, 9.0], [1.0, 0.5, 0]])
    y_test = np.array([0, 1, 2, 1])
    noise = np.array([[0.2, 0.1, 0.0], [9.0, 0, 0]])
    # Chosen on "validation" logits (a copy here): every answer right -> skip the weak one.
    threshold = choose_threshold(test_logits.copy(), y_test, "max_probability", 1.0, 1.0)
    assert 0.9 < threshold < 1.0
    report = ood_report(test_logits, y_test, {"noise": noise}, "max_probability", threshold)
    assert report.coverage == 0.75 and report.accuracy_answered == 1.0
    assert report.accepted["noise"] == 0.5
    table = format_ood_comparison({"top-p": report})
    assert "noise" in table and "coverage of test digits" in table and "0.7500" in table
