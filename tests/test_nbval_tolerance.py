"""The notebook comparison's text rules: exact by default, training results within the seed
envelope, timings not compared."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mnist_tutorial.tables import format_table
from rig.nbval_tolerance import (
    FIGURE_KIND_OF_FUNCTION,
    FIGURE_TOLERANCES,
    KIND_PATTERNS,
    MARGIN_FLOOR_UNITS,
    MARGIN_SDS,
    TOLERANCES,
    accepts,
    compare_text,
    envelope_bounds,
    find_number,
    kind_of_label,
    line_keys,
    margins,
    number_key,
    numbers_in,
    read_envelope,
    spread_kind,
)


def test_every_kind_has_a_tolerance_with_a_reason() -> None:
    assert {kind for kind, _ in KIND_PATTERNS} <= set(TOLERANCES)
    assert all(t.why for t in TOLERANCES.values())
    assert set(FIGURE_KIND_OF_FUNCTION.values()) <= set(FIGURE_TOLERANCES)
    assert all(t.why for t in FIGURE_TOLERANCES.values())


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("test errors: 188 of ", "exact"),
        ("epoch 149/", "exact"),
        ("Stopped early after 149 epochs: accuracy did not improve for ", "exact"),
        ("s/epoch", "seconds"),
        ("training time: ", "seconds"),
        ("test accuracy: ", None),
        ("x_train: (", None),
    ],
)
def test_kind_of_label(label: str, kind: str | None) -> None:
    assert kind_of_label(label) == kind


def test_numbers_without_an_envelope_are_exact_and_timings_free() -> None:
    assert compare_text("x_train: (60000, 28, 28)\n", "x_train: (60000, 28, 28)\n") == []
    assert compare_text("x_train: (60000, 28, 28)\n", "x_train: (60000, 28, 29)\n") != []
    assert compare_text("min: 0 max: 255 dtype: uint8", "min: 0 max: 254 dtype: uint8") != []
    assert compare_text("test accuracy: 0.9812", "test accuracy: 0.9811") != []
    assert compare_text("training time: 41.2 s", "training time: 97.0 s") == []


def _keyed(text: str, measured: dict[tuple[int, int], tuple]) -> dict[str, tuple]:
    """An envelope for `text`, its entries given by (line, position)."""
    keys = line_keys(text.splitlines())
    return {number_key(keys[line], pos): value for (line, pos), value in measured.items()}


def test_numbers_within_their_envelope() -> None:
    committed = "test accuracy: 0.9812\ntest errors: 188 of 10000"
    envelope = _keyed(
        committed,
        {(0, 0): ([0.9812, 0.9790, 0.9801, 0.9825], 4, True, 5.0),
         (1, 0): ([188, 210, 199, 175], 0, False, 5.0)},
    )  # fmt: skip
    other_seed = "test accuracy: 0.9783\ntest errors: 217 of 10000"
    assert compare_text(committed, other_seed, envelope) == []
    regressed = "test accuracy: 0.9000\ntest errors: 1000 of 10000"
    problems = compare_text(committed, regressed, envelope)
    assert len(problems) == 2 and all("outside the seed envelope" in p for p in problems)
    # The denominator has no envelope entry: exact.
    assert compare_text(committed, committed.replace("of 10000", "of 9999"), envelope) != []


def test_a_line_added_or_moved_keeps_the_other_lines_entries() -> None:
    committed = "test accuracy: 0.9812\ntest errors: 188 of 10000"
    envelope = _keyed(committed, {(1, 0): ([188, 210, 199, 175], 0, False, 5.0)})
    moved = "test errors: 188 of 10000\nnew line: 5\ntest accuracy: 0.9812"
    keys = line_keys(moved.splitlines())
    assert find_number(moved.splitlines(), next(iter(envelope))) == (0, 0)
    assert number_key(keys[0], 0) in envelope
    # Lines of the same text are told apart by their order.
    assert line_keys(["a 1", "b", "a 2"]) == ["0:a #", "0:b", "1:a #"]


@pytest.mark.parametrize(
    ("line", "at", "kind"),
    [
        ("test accuracy: 0.9778", 0, "aggregate"),
        ("accuracy rule: temperature: 3.9772, threshold: 0.9145", 1, "aggregate"),
        ("top probability: threshold: 0.8779", 0, "aggregate"),
        ("first_mlp: Stopped early after 75 epochs: accuracy did not improve for 30 epochs "
         "(best accuracy: 1.0000 at epoch 45).", 2, "early stopping"),
        ("epochs run: 15 of 30", 0, "early stopping"),
        ("validation loss after the last epoch: 0.1662", 0, "early stopping"),
        ("lowest validation loss: 0.0874, after epoch 12", 1, "aggregate"),
        ("3: recall 0.9663", 1, "per digit"),
        ("3: precision 0.9659, test images wrongly called 3: 35", 3, "per digit"),
        ("           3     0.9659    0.9802    0.9730      1010", 2, "per digit"),
        ("rotated 10 degrees: probability of 7: 0.9919", 2, "one image"),
        ("digit_1.png         0.3990     0.3990       0.0012", 0, "one image"),
        ("7: 0.00334", 1, "one image"),
        ("blank (all 0)    0.0000    1.0000", 1, "one image"),  # 1000 copies of one image
    ],
)  # fmt: skip
def test_each_number_has_a_kind_of_spread(line: str, at: int, kind: str) -> None:
    assert spread_kind([line], 0, numbers_in(line), at) == kind


def test_a_tight_kind_catches_what_a_wide_one_lets_through() -> None:
    runs = [0.9778, 0.9790, 0.9801, 0.9812, 0.9825]
    assert accepts(runs, 4, 0.9650, True, sds=8.0)
    assert not accepts(runs, 4, 0.9650, True, sds=4.0)
    data = {"margin": {"standard_deviations": {"aggregate": 5.0, "early stopping": 13.5}}}
    assert margins(data)["early stopping"] == 13.5 and margins(data)["unknown"] == MARGIN_SDS
    assert margins({"margin": {"standard_deviations": 8.0}})["aggregate"] == 8.0


def test_the_margin_grows_with_the_spread_and_has_a_floor() -> None:
    low, high = envelope_bounds([12.5, 12.5, 12.5], 1)
    assert (low, high) == pytest.approx((12.5 - MARGIN_FLOOR_UNITS * 0.1, 12.5 + 1.0))
    values = [97.0, 98.0, 99.0]
    low, high = envelope_bounds(values, 1)
    assert high - 99.0 == pytest.approx(MARGIN_SDS * np.std(values, ddof=1))
    # Shares are widened on the logit scale: less room towards 1 than towards 0.5.
    low, high = envelope_bounds([0.97, 0.98, 0.99], 4)
    assert 0.99 < high < 1 and high - 0.99 < 0.97 - low
    assert not accepts([0.97, 0.98, 0.99], 4, 0.1)


def test_the_margin_lets_an_unseen_run_pass_but_not_a_shifted_one() -> None:
    """9 values from one normal distribution, then a tenth; and a regression that moves the
    mean by 30 standard deviations."""
    rng = np.random.default_rng(0)
    draws = rng.standard_normal((20000, 10)) * 5 + 50
    outside = np.mean([not accepts(row[:9], 6, row[9]) for row in draws])
    assert outside < 0.0005
    inside_alone = np.mean([row[:9].min() <= row[9] <= row[:9].max() for row in draws])
    assert 0.75 < inside_alone < 0.85  # the range alone misses 2 in 10
    caught = np.mean([not accepts(row[:9], 6, row[9] + 150) for row in draws])
    assert caught > 0.9


def test_text_and_format_must_match() -> None:
    assert compare_text("test accuracy: 0.9812", "test accurracy: 0.9812") != []
    assert compare_text("test accuracy: 0.9812", "test accuracy: 0.981") != []
    assert compare_text("test accuracy: 0.9812", "test accuracy: 0.9812\nextra line") != []


def test_table_cells_have_envelopes_of_their_own() -> None:
    headers = ["model", "parameters", "s/epoch", "epochs", "test accuracy"]
    committed = format_table(headers, [["first MLP", 109386, 0.4658, 149, 0.9820]])
    other = format_table(headers, [["first MLP", 109386, 0.6619, 79, 0.9777]])
    envelope = _keyed(
        committed,
        {(2, 2): ([149, 80, 120], 0, False, 13.5),
         (2, 3): ([0.9820, 0.9790, 0.9801], 4, True, 5.0)},
    )  # fmt: skip
    assert compare_text(committed, other, envelope) == []  # s/epoch: a timing
    fewer_params = format_table(headers, [["first MLP", 109385, 0.4658, 149, 0.9820]])
    assert "109386 -> 109385" in compare_text(committed, fewer_params, envelope)[0]


def test_a_model_trained_now_or_loaded_reads_the_same() -> None:
    loaded = "cnn: Stopped early after 7 epochs. (trained earlier, loaded)\n"
    trained = "cnn: Stopped early after 7 epochs. (trained now, saved to ../models/cnn.keras)\n"
    assert compare_text(loaded, trained) == []
    other_model = "mlp: Stopped early after 7 epochs. (trained earlier, loaded)\n"
    assert compare_text(loaded, other_model)


def test_envelope_file_is_read_by_notebook_cell_and_output(tmp_path) -> None:
    path = tmp_path / "envelope.json"
    entry = {"committed": 0.98, "runs": {"seed-0": 0.97, "seed-1": None}, "decimals": 2,
             "spread": "one image"}  # fmt: skip
    path.write_text(
        json.dumps(
            {
                "runs": ["seed-0", "seed-1"],
                "margin": {"standard_deviations": {"one image": 8.5}},
                "numbers": {"a.ipynb": {"c1": {"stdout#0:1:0:p #": entry}}},
            }
        )  # fmt: skip
    )
    envelope = read_envelope(path)
    assert envelope.for_output("a.ipynb", "c1", "stdout#0") == {
        "1:0:p #": ([0.98, 0.97], 2, True, 8.5)
    }
    assert envelope.for_output("a.ipynb", "c1", "stdout#1") == {}
    assert read_envelope(tmp_path / "missing.json").numbers == {}
