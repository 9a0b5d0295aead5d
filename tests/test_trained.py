"""Tests of `mnist_tutorial.trained`: a saved model is reused only for its own config, and
rejection settings are chosen in one place, on the validation split the model never saw."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from mnist_tutorial import trained
from mnist_tutorial.config import MLPConfig, first_mlp_experiment
from mnist_tutorial.model import build_mlp
from mnist_tutorial.preprocess import split_validation
from mnist_tutorial.storage import model_path, save_trained
from mnist_tutorial.train import TrainingResult
from mnist_tutorial.trained import load_or_train

ROOT = Path(__file__).resolve().parents[1]


def test_load_or_train_reuses_only_a_matching_config(tmp_path, monkeypatch, capsys) -> None:
    config = MLPConfig(name="tiny", epochs=1)
    model = build_mlp(config)
    result = TrainingResult({"loss": [1.0], "accuracy": [0.5]}, 1, False, 0.1)
    save_trained(model, config, result, tmp_path)
    assert model_path(config, tmp_path) == tmp_path / "tiny.keras"

    calls = []

    def fake_train_and_save(c, d, progress):
        calls.append(c)
        save_trained(build_mlp(c), c, result, d)
        return None, result

    monkeypatch.setattr("mnist_tutorial.trained.train_and_save", fake_train_and_save)
    loaded, loaded_result = load_or_train(config, tmp_path)
    assert calls == [] and loaded_result == result
    assert loaded.count_params() == model.count_params()
    said_loaded = capsys.readouterr().out
    assert said_loaded == "tiny: Trained all 1 epoch. (trained earlier, loaded)\n"

    load_or_train(config.replace(epochs=2), tmp_path)
    assert calls == [config.replace(epochs=2)]
    said_trained = capsys.readouterr().out
    # The same sentence either way; only the parentheses say where the model came from.
    assert said_trained.startswith("tiny: Trained all 1 epoch. (")
    assert said_trained.endswith(f"(trained now, saved to {tmp_path / 'tiny.keras'})\n")


def test_only_ensure_rejection_chooses_rejection_settings() -> None:
    """The CLI, the site's export and the library all call `ensure_rejection`; none splits
    the validation images itself (the site once split with the training seed)."""
    callers = []
    for path in [*(ROOT / "src").rglob("*.py"), *(ROOT / "scripts").glob("*.py")]:
        for line in path.read_text().splitlines():
            if re.search(r"\bchoose_rejection\(", line) and "def choose_rejection" not in line:
                callers.append(path.name)
    assert callers == ["trained.py"]


def test_ensure_rejection_uses_the_data_seed_split(monkeypatch, tmp_path, mnist) -> None:
    config = first_mlp_experiment().replace(seed=7)  # a training seed other than the data seed
    seen = {}
    monkeypatch.setattr(trained, "ensure_trained", lambda c, d: tmp_path / "m.keras")
    monkeypatch.setattr(trained, "load_rejection", lambda p: None)
    monkeypatch.setattr(trained, "store_rejection", lambda p, s: None)
    monkeypatch.setattr(trained, "load_model", lambda p: "model")

    def choose(model, x, y, target):  # noqa: ANN001, ANN202
        seen["y"] = y
        return "settings"

    monkeypatch.setattr(trained, "choose_rejection", choose)
    assert trained.ensure_rejection(config, tmp_path) == "settings"
    (x_train, y_train), _ = mnist
    _, (_, y_val) = split_validation(x_train, y_train, config.validation_size, config.data_seed)
    np.testing.assert_array_equal(seen["y"], y_val)
