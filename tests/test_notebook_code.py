"""The Keras code students read in notebook 4 is the code the library runs.

Notebook 4 writes out the model (`keras.Sequential` + `Dense` layers), `compile` and
`model.fit` with its EarlyStopping callback. These tests run those very cells (taken from
the committed notebook) and check that they build exactly what `build_mlp` builds (same
layer configs, parameter count, starting weights, optimizer, loss) and train exactly what
`train_model` trains (same weights and history after the same epochs, same seed).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest

from mnist_tutorial._keras import keras
from mnist_tutorial.config import ExperimentConfig
from mnist_tutorial.model import build_mlp
from mnist_tutorial.train import TrainingLog, train_model

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_model_and_training.ipynb"


def notebook_cell(marker: str) -> str:
    """The source of the one code cell of notebook 4 that contains `marker`."""
    cells = [
        cell.source
        for cell in nbformat.read(NOTEBOOK, as_version=4).cells
        if cell.cell_type == "code"
        and marker in cell.source
        and "solution" not in cell.metadata.get("tags", [])
    ]
    assert len(cells) == 1, f"expected one cell with {marker!r} in notebook 4, found {len(cells)}"
    return cells[0]


def build_as_the_notebook_does(config: ExperimentConfig) -> keras.Model:
    namespace = {"keras": keras, "config": config}
    exec(notebook_cell("keras.Sequential("), namespace)
    exec(notebook_cell("model.compile("), namespace)
    return namespace["model"]


def _without_names(config: dict) -> dict:
    return {k: v for k, v in config.items() if k != "name"}


def test_notebook_model_is_build_mlp() -> None:
    config = ExperimentConfig()
    notebook_model, library_model = build_as_the_notebook_does(config), build_mlp(config)
    assert notebook_model.count_params() == library_model.count_params() == 109_386
    assert [_without_names(layer.get_config()) for layer in notebook_model.layers] == [
        _without_names(layer.get_config()) for layer in library_model.layers
    ]
    for a, b in zip(notebook_model.get_weights(), library_model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert _without_names(notebook_model.optimizer.get_config()) == _without_names(
        library_model.optimizer.get_config()
    )
    assert notebook_model.loss == library_model.loss
    assert notebook_model.steps_per_execution == library_model.steps_per_execution


def test_notebook_fit_trains_what_train_model_trains() -> None:
    config = ExperimentConfig(epochs=3, early_stopping_patience=1, steps_per_execution=4)
    rng = np.random.default_rng(0)
    x_fit, x_val = (
        rng.random((600, 784), dtype=np.float32),
        rng.random((150, 784), dtype=np.float32),
    )
    y_fit = keras.utils.to_categorical(rng.integers(0, 10, 600), 10)
    y_val = keras.utils.to_categorical(rng.integers(0, 10, 150), 10)

    namespace = {"keras": keras, "config": config, "TrainingLog": TrainingLog}
    namespace.update(x_fit=x_fit, y_fit=y_fit, x_val=x_val, y_val=y_val)
    namespace["model"] = build_as_the_notebook_does(config)
    exec(notebook_cell("model.fit("), namespace)

    library_model = build_mlp(config)
    result = train_model(
        library_model, x_fit, y_fit, config, validation_data=(x_val, y_val), progress=False
    )
    assert namespace["history"].history.keys() == result.history.keys()
    for key, values in namespace["history"].history.items():
        assert values == pytest.approx(result.history[key], rel=0, abs=0), key
    for a, b in zip(namespace["model"].get_weights(), library_model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    # The notebook's callback really is the seed's rule from the config.
    stopper = next(
        c
        for c in namespace["early_stopping"].__class__.__mro__
        if c is keras.callbacks.EarlyStopping
    )
    assert stopper and namespace["early_stopping"].monitor == config.early_stopping_monitor
    assert namespace["early_stopping"].patience == config.early_stopping_patience
