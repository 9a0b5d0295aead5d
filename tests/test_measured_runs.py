"""Tests of `mnist_tutorial.measured_runs`: a run's results beside the measured ranges."""

from __future__ import annotations

import pytest

from mnist_tutorial.measured_runs import compare_with_measured_runs, measured_ranges

RANGES = {
    "test accuracy": {"lowest": 0.9778, "highest": 0.9825, "runs": 10, "decimals": 4},
    "epochs run": {"lowest": 57.0, "highest": 123.0, "runs": 18, "decimals": 0},
}


def test_each_result_beside_its_range_and_whether_it_lies_within() -> None:
    table = compare_with_measured_runs(
        "nb", {"test accuracy": 0.97804, "epochs run": 124}, ranges=RANGES
    )
    header, rule, accuracy, epochs = table.splitlines()
    assert header.split() == ["result", "this", "run", "measured", "runs:", "lowest", "to",
                              "highest", "runs", "within"]  # fmt: skip
    assert accuracy.split() == ["test", "accuracy", "0.9780", "0.9778", "to", "0.9825", "10", "yes"]
    assert epochs.split() == ["epochs", "run", "124", "57", "to", "123", "18", "no"]


def test_a_value_is_judged_as_it_is_shown() -> None:
    """0.98254 shows as 0.9825, the highest measured value: within."""
    table = compare_with_measured_runs("nb", {"test accuracy": 0.98254}, ranges=RANGES)
    assert table.splitlines()[-1].endswith("yes")
    table = compare_with_measured_runs("nb", {"test accuracy": 0.98256}, ranges=RANGES)
    assert table.splitlines()[-1].endswith("no")


def test_a_result_that_was_not_measured_is_named_in_the_error() -> None:
    with pytest.raises(KeyError, match="'test loss' is not measured for nb"):
        compare_with_measured_runs("nb", {"test loss": 0.18}, ranges=RANGES)
    with pytest.raises(KeyError, match="no measured runs for notebook 'nb'"):
        measured_ranges("nb")


def test_the_package_holds_ranges_for_the_notebooks() -> None:
    ranges = measured_ranges("05_evaluation")
    accuracy = ranges["test accuracy"]
    assert 0.9 < accuracy["lowest"] <= accuracy["highest"] < 1 and accuracy["runs"] >= 2


def test_a_notebook_not_measured_yet_shows_its_values_and_says_so() -> None:
    table = compare_with_measured_runs("a_new_notebook", {"test accuracy": 0.98256})
    assert table.splitlines()[-1].split() == [
        "test",
        "accuracy",
        "0.98256",
        "not",
        "measured",
        "yet",
        "0",
        "-",
    ]
