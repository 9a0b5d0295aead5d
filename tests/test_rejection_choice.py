"""Rejection settings are chosen in one place, on the validation split the model never saw."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from mnist_tutorial import trained
from mnist_tutorial.config import seed_experiment
from mnist_tutorial.preprocess import split_validation

ROOT = Path(__file__).resolve().parents[1]


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
    config = seed_experiment().replace(seed=7)  # a training seed other than the data seed
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
