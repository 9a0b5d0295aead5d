"""The notebook comparison's text rules: exact by default, within the band of a number's kind."""

from __future__ import annotations

import pytest

from mnist_tutorial.tables import format_table
from tests.nbval_tolerance import (
    FIGURE_KIND_OF_FUNCTION,
    FIGURE_TOLERANCES,
    KIND_PATTERNS,
    TOLERANCES,
    compare_text,
    kind_of_label,
)


def test_every_kind_has_a_tolerance_with_a_reason() -> None:
    assert {kind for kind, _ in KIND_PATTERNS} <= set(TOLERANCES)
    assert all(t.why for t in TOLERANCES.values())
    assert set(FIGURE_KIND_OF_FUNCTION.values()) <= set(FIGURE_TOLERANCES)
    assert all(t.why for t in FIGURE_TOLERANCES.values())


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("test accuracy: ", "accuracy"),
        ("Test loss (categorical cross-entropy): ", "loss"),
        ("test errors: ", "errors"),
        ("test errors: 188 of ", "exact"),
        ("epoch 149/", "exact"),
        ("epoch ", "epochs"),
        ("Stopped early after 149 epochs: accuracy did not improve for ", "exact"),
        ("s/epoch", "seconds"),
        ("ECE after: ", "ece"),
        ("temperature: ", "temperature"),
        ("threshold: ", "threshold"),
        ("coverage: ", "coverage"),
        ("top-p: mean AUROC: ", "ood_plain"),
        ("11th class: mean AUROC: ", "mean_auroc"),
        ("energy: AUROC", "ood_plain"),
        ("11th class: AUROC", "auroc"),
        ("x_train: (", None),
        ("parameters", None),
        ("min: 0 max: ", None),
    ],
)
def test_kind_of_label(label: str, kind: str | None) -> None:
    assert kind_of_label(label) == kind


def test_deterministic_numbers_are_exact() -> None:
    assert compare_text("x_train: (60000, 28, 28)\n", "x_train: (60000, 28, 28)\n") == []
    assert compare_text("x_train: (60000, 28, 28)\n", "x_train: (60000, 28, 29)\n") != []
    assert compare_text("min: 0 max: 255 dtype: uint8", "min: 0 max: 254 dtype: uint8") != []


def test_labelled_values_within_their_band() -> None:
    committed = "test accuracy: 0.9812\ntest loss: 0.1786\ntest errors: 188 of 10000"
    other_cpu = "test accuracy: 0.9777\ntest loss: 0.1701\ntest errors: 223 of 10000"
    regressed = "test accuracy: 0.9690\ntest loss: 0.0900\ntest errors: 310 of 10000"
    assert compare_text(committed, other_cpu) == []
    problems = compare_text(committed, regressed)
    assert [p.split(" (")[0] for p in problems] == [
        "line 1: accuracy 0.9812 -> 0.9690",
        "line 2: loss 0.1786 -> 0.0900",
        "line 3: errors 188 -> 310",
    ]
    # The denominator is not a training result: exact.
    assert compare_text(committed, committed.replace("of 10000", "of 9999")) != []


def test_text_and_format_must_match() -> None:
    assert compare_text("test accuracy: 0.9812", "test accurracy: 0.9812") != []
    assert compare_text("test accuracy: 0.9812", "test accuracy: 0.981") != []
    assert compare_text("test accuracy: 0.9812", "test accuracy: 0.9812\nextra line") != []


def test_table_columns_take_the_kind_of_their_header() -> None:
    headers = ["model", "parameters", "s/epoch", "epochs", "test accuracy", "test errors"]
    committed = format_table(headers, [["seed MLP", 109386, 0.4658, 149, 0.9820, 180]])
    other_cpu = format_table(headers, [["seed MLP", 109386, 0.6619, 79, 0.9777, 223]])
    assert compare_text(committed, other_cpu) == []
    fewer_params = format_table(headers, [["seed MLP", 109385, 0.4658, 149, 0.9820, 180]])
    assert "exact 109386 -> 109385" in compare_text(committed, fewer_params)[0]
    worse = format_table(headers, [["seed MLP", 109386, 0.4658, 3, 0.9690, 180]])
    assert "accuracy 0.9820 -> 0.9690" in compare_text(committed, worse)[0]


def test_a_column_aligned_report_without_rule() -> None:
    committed = "              precision    recall\n\n           0     0.9848    0.9898\n"
    assert compare_text(committed, committed.replace("0.9848", "0.9780")) == []
    assert compare_text(committed, committed.replace("0.9848", "0.9500")) != []
    assert compare_text(committed, committed.replace("    0     ", "    1     ")) != []


def test_environment_line_is_compared_for_structure_only() -> None:
    committed = "environment: Python 3.11.7, Keras 3.15.1 (jax), JAX 0.10.2, NumPy 2.3.1"
    newer = "environment: Python 3.12.1, Keras 3.16.0 (jax), JAX 0.11.0, NumPy 2.4.0rc1"
    assert compare_text(committed, newer) == []
    assert compare_text(committed, committed.replace("(jax)", "(tensorflow)")) != []


def test_a_model_trained_now_or_loaded_reads_the_same() -> None:
    from tests.nbval_tolerance import compare_text

    loaded = "cnn: Stopped early after 7 epochs. [loaded from ../models/cnn.keras]\n"
    trained = "cnn: Stopped early after 7 epochs. [trained now, saved to ../models/cnn.keras]\n"
    assert compare_text(loaded, trained) == []
    other_file = "cnn: Stopped early after 7 epochs. [loaded from ../models/other.keras]\n"
    assert compare_text(loaded, other_file)


def test_structure_only_compares_text_but_not_numbers() -> None:
    from tests.nbval_tolerance import compare_text

    committed, new = "1: 0.99146\n7: 0.00005\n", "1: 0.00001\n7: 0.98000\n"
    assert compare_text(committed, new)  # far outside the probability band...
    assert compare_text(committed, new, structure_only=True) == []  # ...but the same lines
    assert compare_text(committed, "1: 0.99146\n", structure_only=True)
    assert compare_text(committed, "one: 0.99146\n7: 0.00005\n", structure_only=True)


def test_kinds_for_shifted_digits_energy_and_the_plain_networks_ood_columns() -> None:
    assert kind_of_label("test accuracy, shifted by 2 pixels: ") == "shifted"
    assert kind_of_label("seed MLP: test accuracy on shifted digits: ") == "shifted"
    assert kind_of_label("energy: threshold (logit units): ") == "logit_scale"
    assert kind_of_label("top-p: accepted") == "ood_plain"
    assert kind_of_label("energy: mean AUROC: ") == "ood_plain"
    assert kind_of_label("11th class: accepted") == "accepted"
    assert kind_of_label("11th class: mean AUROC: ") == "mean_auroc"
    assert kind_of_label("test accuracy: ") == "accuracy"
