"""Tests of `mnist_tutorial.config`: plain config values, the named experiments and the one
place the environment's training seed reaches them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from mnist_tutorial import config as config_module
from mnist_tutorial.config import (
    SEED_VARIABLE,
    CNNConfig,
    MLPConfig,
    TrainingConfig,
    cnn_experiment,
    config_from_dict,
    first_mlp_experiment,
    not_a_digit_experiment,
    validation_stopped_experiment,
    with_training_seed_from_environment,
)

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: `from mnist_tutorial.config import a, b` or `... import (\n    a,\n    b,\n)`.
CONFIG_IMPORT = re.compile(r"from mnist_tutorial\.config import (?:\(([\w,\s]+)\)|([\w, ]+))")


def notebook_config_imports() -> set[str]:
    """Every name a notebook imports from `mnist_tutorial.config`."""
    names = set()
    for path in NOTEBOOKS.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                for found in CONFIG_IMPORT.findall(cell.source):
                    names |= {name.strip() for name in "".join(found).split(",") if name.strip()}
    return names


def test_a_config_is_a_plain_value_whatever_the_environment(monkeypatch) -> None:
    monkeypatch.setenv(SEED_VARIABLE, "3")
    assert MLPConfig().seed == 42 and CNNConfig().seed == 42
    assert MLPConfig().data_seed == 42
    monkeypatch.delenv(SEED_VARIABLE)
    assert MLPConfig() == MLPConfig(seed=42)


def test_the_notebooks_configs_take_the_training_seed_from_the_environment(monkeypatch) -> None:
    imported = notebook_config_imports()
    # The notebooks build their configs only through the named experiments ...
    assert imported == {
        "first_mlp_experiment",
        "validation_stopped_experiment",
        "not_a_digit_experiment",
        "cnn_experiment",
        "augmented_cnn_experiment",
    }
    experiments = [getattr(config_module, name) for name in sorted(imported)]
    # ... which are 42 without the variable (or with it empty) ...
    monkeypatch.delenv(SEED_VARIABLE, raising=False)
    assert [experiment().seed for experiment in experiments] == [42] * 5
    monkeypatch.setenv(SEED_VARIABLE, " ")
    assert [experiment().seed for experiment in experiments] == [42] * 5
    plain = {experiment.__name__: experiment() for experiment in experiments}
    # ... and take `make envelope`'s training seed from it; nothing else changes.
    monkeypatch.setenv(SEED_VARIABLE, "3")
    for experiment in experiments:
        config = experiment()
        assert config.seed == 3 and config.data_seed == 42, experiment.__name__
        assert config.replace(seed=42) == plain[experiment.__name__]
    assert first_mlp_experiment() == MLPConfig(seed=3)
    assert validation_stopped_experiment().seed == not_a_digit_experiment().seed == 3
    assert cnn_experiment().seed == 3


def test_the_environments_seed_is_applied_in_one_function(monkeypatch) -> None:
    config = CNNConfig(name="mine", seed=5)
    monkeypatch.delenv(SEED_VARIABLE, raising=False)
    assert with_training_seed_from_environment(config) is config
    monkeypatch.setenv(SEED_VARIABLE, "7")
    changed = with_training_seed_from_environment(config)
    assert type(changed) is CNNConfig and changed == config.replace(seed=7)
    monkeypatch.setenv(SEED_VARIABLE, "seven")
    with pytest.raises(ValueError, match="MNIST_TUTORIAL_SEED must be an integer, got 'seven'"):
        first_mlp_experiment()
    assert MLPConfig().seed == 42  # a plain config does not even look


def test_config_overrides_by_keyword_and_round_trips() -> None:
    config = MLPConfig(epochs=3)
    assert config.epochs == 3 and MLPConfig().epochs == 200
    assert config.replace(batch_size=10).batch_size == 10
    assert config_from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert MLPConfig.from_dict({"epochs": 3}) == config
    with pytest.raises(ValueError, match="batch_size"):
        MLPConfig(batch_size=0)
    with pytest.raises(ValueError, match="unknown config fields: colour"):
        config_from_dict({"kind": "mlp", "colour": "blue"})
    with pytest.raises(ValueError, match="kind must be one of"):
        config_from_dict({"kind": "rnn"})
    with pytest.raises(TypeError, match="use MLPConfig or CNNConfig"):
        TrainingConfig()


def test_config_repr_shows_every_field_of_its_class_one_per_line() -> None:
    import dataclasses

    from mnist_tutorial.config import cnn_experiment

    for config in (cnn_experiment(), MLPConfig()):
        lines = repr(config).splitlines()
        names = [f.name for f in dataclasses.fields(config)]
        assert lines[0] == f"{type(config).__name__}(" and lines[-1] == ")"
        assert [line.strip().split("=")[0] for line in lines[1:-1]] == names
    cnn, mlp = repr(cnn_experiment()), repr(MLPConfig())
    assert "conv_filters" in cnn and "input_dim" not in cnn and "warmup_epochs" in cnn
    assert "input_dim" in mlp and "conv_filters" not in mlp and "lr_schedule" in mlp


def test_config_refuses_val_monitor_without_validation() -> None:
    with pytest.raises(ValueError, match="needs a validation_size"):
        MLPConfig(validation_size=0, early_stopping_monitor="val_loss")
    assert not_a_digit_experiment().output_units == 11
