"""Validation split, calibration, rejection and out-of-distribution helpers, on toy inputs
whose answers can be checked by hand."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import numpy as np
import pytest
from scipy.special import softmax

from mnist_tutorial.calibration import (
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    reliability_bins,
)
from mnist_tutorial.config import MLPConfig, not_a_digit_experiment
from mnist_tutorial.datasets import not_a_digit_images
from mnist_tutorial.evaluate import most_confused_pairs, predict_logits
from mnist_tutorial.model import build_mlp
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
from mnist_tutorial.preprocess import split_validation
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
from mnist_tutorial.tables import format_table

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# --------------------------------------------------------------------------- split


def test_validation_split_is_stratified_seeded_and_disjoint() -> None:
    labels = np.repeat(np.arange(10), 100)
    images = np.arange(1000)
    (x_fit, y_fit), (x_val, y_val) = split_validation(images, labels, 200, seed=1)
    assert len(x_val) == 200 and len(x_fit) == 800
    assert np.bincount(y_val).tolist() == [20] * 10
    assert not set(x_fit) & set(x_val)
    (_, _), (x_val2, _) = split_validation(images, labels, 200, seed=1)
    assert np.array_equal(x_val, x_val2)
    with pytest.raises(ValueError, match="validation_size must be between 1 and 999"):
        split_validation(images, labels, 1000, seed=1)


def test_config_refuses_val_monitor_without_validation() -> None:
    with pytest.raises(ValueError, match="needs a validation_size"):
        MLPConfig(validation_size=0, early_stopping_monitor="val_loss")
    assert not_a_digit_experiment().output_units == 11


# --------------------------------------------------------------------------- calibration


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


# --------------------------------------------------------------------------- rejection


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


# --------------------------------------------------------------------------- out of distribution


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


def test_ood_sets_and_generated_non_digits() -> None:
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
    fake = not_a_digit_images((digits * 255).astype(np.uint8), 8, seed=3)
    assert fake.shape == (8, 28, 28) and fake.dtype == np.float32
    assert np.all(fake[2] == fake[2, 0, 0])  # a flat grey image
    np.testing.assert_array_equal(fake, not_a_digit_images((digits * 255).astype(np.uint8), 8, 3))


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


# --------------------------------------------------------------------------- reporting


def test_most_confused_pairs_and_tables() -> None:
    matrix = np.array([[5, 2, 0], [3, 5, 2], [0, 0, 5]])
    assert most_confused_pairs(matrix, top=2) == [(1, 0, 3), (0, 1, 2)]
    text = format_table(["rule", "loss"], [["a", 0.123456], ["bb", None]])
    assert text.splitlines() == ["rule    loss", "----  ------", "a     0.1235", "bb         -"]
    with pytest.raises(ValueError, match="one value per header"):
        format_table(["a"], [[1, 2]])


# --------------------------------------------------------------------------- chosen settings


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


#: Functions that fit or choose something: they must only ever see training or validation data.
CHOOSERS = {
    "choose_rejection",
    "choose_threshold",
    "fit_temperature",
    "threshold_for_accuracy",
    "fit",
    "select_model",
}


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def test_no_notebook_passes_test_data_to_anything_that_fits_or_chooses() -> None:
    """Static proof over every notebook's code: no call to a fitting/choosing function has an
    argument that mentions a test-set variable (any name containing "test")."""
    checked = 0
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            source = "\n".join(
                line
                for line in cell.source.splitlines()
                if not line.lstrip().startswith(("%", "!"))
            )
            for node in ast.walk(ast.parse(source)):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name not in CHOOSERS:
                    continue
                checked += 1
                for argument in [*node.args, *(k.value for k in node.keywords)]:
                    leaks = {n for n in _names_in(argument) if "test" in n.lower()}
                    assert not leaks, f"{path.name}: {name}(...) is given {sorted(leaks)}"
    assert checked >= 5, "the notebooks' fitting/choosing calls were not found"


def test_the_checker_catches_a_test_leak() -> None:
    tree = ast.parse("settings = choose_rejection(model, x_test_prepared, y_test)")
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    assert {n for a in call.args for n in _names_in(a) if "test" in n} == {
        "x_test_prepared",
        "y_test",
    }
