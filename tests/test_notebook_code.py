"""The Keras code students read in the notebooks is the code the library runs.

Each of the course's five models is built, compiled and trained in plain Keras in the
notebook that teaches it: the first MLP in notebook 4, the validation-stopped MLP in
notebook 6, the CNN in notebook 7, the augmented CNN in notebook 8 and the 11-class MLP in
notebook 11. These tests run those very cells (taken from the committed notebooks) and check
that they build exactly what `build_model` builds (same layer configs, parameter count,
starting weights, optimizer, loss), that they assemble the training data `training_arrays`
assembles, and that they train exactly what `train_model` trains (same weights and history
after the same epochs, same seed), so that `load_or_train`, the CLI and the draw page use
the models the notebooks show.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

from mnist_tutorial._keras import keras
from mnist_tutorial.config import (
    TrainingConfig,
    augmented_cnn_experiment,
    cnn_experiment,
    first_mlp_experiment,
    not_a_digit_experiment,
    validation_stopped_experiment,
)
from mnist_tutorial.data import load_mnist
from mnist_tutorial.datasets import not_a_digit_images, not_a_digit_kinds, training_arrays
from mnist_tutorial.model import build_model
from mnist_tutorial.preprocess import prepare_images, scale_pixels, split_validation
from mnist_tutorial.storage import read_metadata, record_training
from mnist_tutorial.train import TrainingLog, train_model

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def notebook_cell(notebook: str, marker: str) -> str:
    """The source of the one (non-solution) code cell of `notebook` that contains `marker`."""
    cells = [
        cell.source
        for cell in nbformat.read(NOTEBOOKS / notebook, as_version=4).cells
        if cell.cell_type == "code"
        and marker in cell.source
        and "solution" not in cell.metadata.get("tags", [])
    ]
    assert len(cells) == 1, f"expected one cell with {marker!r} in {notebook}, found {len(cells)}"
    return cells[0]


def _without_names(config: dict) -> dict:
    return {k: v for k, v in config.items() if k != "name"}


def assert_same_network(notebook_model: keras.Model, library_model: keras.Model) -> None:
    assert notebook_model.count_params() == library_model.count_params()
    assert [_without_names(layer.get_config()) for layer in notebook_model.layers] == [
        _without_names(layer.get_config()) for layer in library_model.layers
    ]
    for a, b in zip(notebook_model.get_weights(), library_model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def assert_same_compile(notebook_model: keras.Model, library_model: keras.Model) -> None:
    assert _without_names(notebook_model.optimizer.get_config()) == _without_names(
        library_model.optimizer.get_config()
    )
    assert notebook_model.loss == library_model.loss


def assert_same_training(history: keras.callbacks.History, model, library_model, result) -> None:
    assert history.history.keys() == result.history.keys()
    for key, values in history.history.items():
        assert values == pytest.approx(result.history[key], rel=0, abs=0), key
    for a, b in zip(model.get_weights(), library_model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def small_data(shape: tuple[int, ...], classes: int) -> dict[str, np.ndarray]:
    """Random images and one-hot labels, small enough to train on in a second."""
    rng = np.random.default_rng(0)
    return {
        "x_fit": rng.random((600, *shape), dtype=np.float32),
        "x_val": rng.random((150, *shape), dtype=np.float32),
        "y_fit": keras.utils.to_categorical(rng.integers(0, classes, 600), classes),
        "y_val": keras.utils.to_categorical(rng.integers(0, classes, 150), classes),
    }


def training_cell(notebook: str, full: TrainingConfig, short: TrainingConfig | None = None) -> str:
    """The notebook's training cell (`.fit(`), whose settings are written out as literals.

    Checks that they are `full`'s (the config that the library records with the model), then
    puts `short`'s epochs and patience in their place, for a quick test run."""
    source = notebook_cell(notebook, ".fit(")
    literals = {
        "epochs": (f"epochs={full.epochs},", "epochs={},", "epochs"),
        "patience": (
            f"patience={full.early_stopping_patience},",
            "patience={},",
            "early_stopping_patience",
        ),
    }
    assert f"batch_size={full.batch_size}," in source
    assert f'monitor="{full.early_stopping_monitor}"' in source
    assert ("restore_best_weights=True" in source) == full.restore_best_weights
    for written, template, field in literals.values():
        assert source.count(written) == 1, f"{notebook}: {written!r} not written once"
        if short is not None:
            source = source.replace(written, template.format(getattr(short, field)))
    return source


def library_run(config: TrainingConfig, data: dict[str, np.ndarray]):
    model = build_model(config)
    result = train_model(
        model,
        data["x_fit"],
        data["y_fit"],
        config,
        validation_data=(data["x_val"], data["y_val"]),
        progress=False,
    )
    return model, result


@pytest.fixture
def in_a_notebook_folder(tmp_path, monkeypatch) -> Path:
    """Run with a notebook's working directory, so its "../models" lands in tmp_path."""
    (tmp_path / "models").mkdir()
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    return tmp_path / "models"


def namespace(**values: Any) -> dict[str, Any]:
    base = {
        "os": os,
        "keras": keras,
        "np": np,
        "TrainingLog": TrainingLog,
        "record_training": record_training,
    }
    return {**base, **values}


# ----------------------------------------------------------------- notebook 4: the first MLP


def build_first_mlp_as_notebook_4(config: TrainingConfig) -> keras.Model:
    code = namespace(config=config)
    exec(notebook_cell("04_model_and_training.ipynb", "keras.Sequential("), code)
    exec(notebook_cell("04_model_and_training.ipynb", "model.compile("), code)
    return code["model"]


def test_notebook_4_builds_the_first_mlp() -> None:
    config = first_mlp_experiment()
    notebook_model = build_first_mlp_as_notebook_4(config)
    library_model = build_model(config)
    assert notebook_model.count_params() == 109_386
    assert_same_network(notebook_model, library_model)
    assert_same_compile(notebook_model, library_model)


def test_notebook_4_trains_what_train_model_trains(in_a_notebook_folder) -> None:
    config = first_mlp_experiment().replace(epochs=3, early_stopping_patience=1)
    data = small_data((784,), 10)
    code = namespace(config=config, **data, model=build_first_mlp_as_notebook_4(config))
    exec(training_cell("04_model_and_training.ipynb", first_mlp_experiment(), config), code)
    library_model, result = library_run(config, data)
    assert_same_training(code["history"], code["model"], library_model, result)
    assert code["early_stopping"].monitor == config.early_stopping_monitor
    assert code["early_stopping"].patience == config.early_stopping_patience

    # The saving cell writes the model and the record `load_or_train` recognises.
    exec(notebook_cell("04_model_and_training.ipynb", "model.save("), code)
    saved = in_a_notebook_folder / "first_mlp.keras"
    assert saved.is_file() and read_metadata(saved)["config"] == config.to_dict()


# ------------------------------------------- notebook 6: the MLP stopped on validation loss


def test_notebook_6_builds_and_trains_the_validation_stopped_mlp(in_a_notebook_folder) -> None:
    config = validation_stopped_experiment()
    data = small_data((784,), 10)
    code = namespace(
        config=config,
        x_fit_prepared=data["x_fit"],
        y_fit_one_hot=data["y_fit"],
        x_val_prepared=data["x_val"],
        y_val_one_hot=data["y_val"],
        load_or_train=lambda *args, **kwargs: (None, None),
        first_config=first_mlp_experiment(),
    )
    exec(notebook_cell("06_better_training.ipynb", "keras.Sequential("), code)
    library_model = build_model(config)
    assert_same_network(code["model"], library_model)
    assert_same_compile(code["model"], library_model)

    exec(training_cell("06_better_training.ipynb", config), code)
    library_model, result = library_run(config, data)
    assert_same_training(code["history"], code["validation_model"], library_model, result)
    saved = in_a_notebook_folder / "mlp_val_loss.keras"
    assert read_metadata(saved)["config"] == config.to_dict()


# -------------------------------------------------------------------- notebook 7: the CNN


def build_cnn_as_notebook_7(config: TrainingConfig, n_fit: int) -> keras.Model:
    # `len(x_fit_images)` sets the schedule's length: a view of the real size, no memory.
    code = namespace(config=config, math=__import__("math"))
    code["x_fit_images"] = np.broadcast_to(np.float32(0), (n_fit, 28, 28, 1))
    exec(notebook_cell("07_convolutional_network.ipynb", "cnn = keras.Sequential("), code)
    exec(notebook_cell("07_convolutional_network.ipynb", "cnn.compile("), code)
    return code["cnn"]


def test_notebook_7_builds_the_cnn() -> None:
    config = cnn_experiment()
    n_fit = 60_000 - config.validation_size
    notebook_model, library_model = build_cnn_as_notebook_7(config, n_fit), build_model(config)
    assert_same_network(notebook_model, library_model)
    assert_same_compile(notebook_model, library_model)


def test_notebook_7_trains_what_train_model_trains(in_a_notebook_folder) -> None:
    config = cnn_experiment()
    data = small_data((28, 28, 1), 10)
    cnn = build_cnn_as_notebook_7(config, 60_000 - config.validation_size)
    code = namespace(
        config=config,
        cnn=cnn,
        x_fit_images=data["x_fit"],
        y_fit_one_hot=data["y_fit"],
        x_val_images=data["x_val"],
        y_val_one_hot=data["y_val"],
    )
    exec(notebook_cell("07_convolutional_network.ipynb", "cnn.fit("), code)
    library_model, result = library_run(config, data)
    assert_same_training(code["history"], code["cnn"], library_model, result)
    assert read_metadata(in_a_notebook_folder / "cnn.keras")["config"] == config.to_dict()


def test_notebook_7_prepares_the_images_training_arrays_prepares() -> None:
    config = cnn_experiment()
    code = namespace(
        config=config, load_mnist=load_mnist, split_validation=split_validation,
        scale_pixels=scale_pixels, prepare_images=prepare_images,
    )  # fmt: skip
    exec(notebook_cell("07_convolutional_network.ipynb", "x_fit_images = "), code)
    (x_fit, y_fit), (x_val, y_val) = training_arrays(config)
    np.testing.assert_array_equal(code["x_fit_images"], x_fit)
    np.testing.assert_array_equal(code["y_fit_one_hot"], y_fit)
    np.testing.assert_array_equal(code["x_val_images"], x_val)
    np.testing.assert_array_equal(code["y_val_one_hot"], y_val)


# ---------------------------------------------------------- notebook 8: the augmented CNN


def build_cnn_as_notebook_8(config: TrainingConfig, n_fit: int) -> keras.Model:
    from mnist_tutorial.augmentation import RandomStrokeWidth

    code = namespace(config=config, math=__import__("math"), RandomStrokeWidth=RandomStrokeWidth)
    code["x_fit"] = np.broadcast_to(np.float32(0), (n_fit, 28, 28, 1))
    exec(notebook_cell("08_digits_unlike_mnist.ipynb", "model = keras.Sequential("), code)
    exec(notebook_cell("08_digits_unlike_mnist.ipynb", "model.compile("), code)
    return code["model"]


def test_notebook_8_builds_the_augmented_cnn() -> None:
    config = augmented_cnn_experiment()
    n_fit = 60_000 - config.validation_size + config.not_a_digit_examples
    notebook_model, library_model = build_cnn_as_notebook_8(config, n_fit), build_model(config)
    assert_same_network(notebook_model, library_model)
    assert_same_compile(notebook_model, library_model)


def test_notebook_8_trains_what_train_model_trains(in_a_notebook_folder) -> None:
    """Augmentation included: the same random changes, so the same weights."""
    config = augmented_cnn_experiment()
    data = small_data((28, 28, 1), 11)
    n_fit = 60_000 - config.validation_size + config.not_a_digit_examples
    model = build_cnn_as_notebook_8(config, n_fit)
    code = namespace(config=config, model=model, x_fit=data["x_fit"], y_fit=data["y_fit"])
    code.update(x_val=data["x_val"], y_val=data["y_val"])
    exec(notebook_cell("08_digits_unlike_mnist.ipynb", "model.fit("), code)
    library_model, result = library_run(config, data)
    assert_same_training(code["history"], code["model"], library_model, result)
    assert read_metadata(in_a_notebook_folder / "cnn_augmented.keras")["config"] == config.to_dict()


# ---------------------------------------------------- notebook 11: the 11-class MLP


def test_notebook_11_assembles_builds_and_trains_the_11_class_mlp(in_a_notebook_folder) -> None:
    # The notebook's recipe with a tenth of its non-digits (the same kinds, the same code).
    config = not_a_digit_experiment().replace(not_a_digit_examples=600)
    (x_train, y_train), _ = load_mnist(verbose=False)
    (x_fit, y_fit), (x_val, y_val) = split_validation(
        x_train, y_train, config.validation_size, config.data_seed
    )
    code = namespace(
        reject_config=config,
        not_a_digit_experiment=lambda: config,
        x_fit=x_fit,
        y_fit=y_fit,
        y_val=y_val,
        x_fit_prepared=prepare_images(x_fit),
        x_val_prepared=prepare_images(x_val),
        not_a_digit_images=not_a_digit_images,
        not_a_digit_kinds=not_a_digit_kinds,
        plot_images_row=lambda *args, **kwargs: None,
    )
    exec(notebook_cell("11_out_of_distribution.ipynb", "generated = not_a_digit_images("), code)
    exec(notebook_cell("11_out_of_distribution.ipynb", "reject_model = keras.Sequential("), code)
    (x_fit_11, y_fit_11), (x_val_11, y_val_11) = training_arrays(config)
    np.testing.assert_array_equal(code["x_fit_11"], x_fit_11)
    np.testing.assert_array_equal(code["y_fit_11"], y_fit_11)
    np.testing.assert_array_equal(code["x_val_prepared"], x_val_11)
    np.testing.assert_array_equal(code["y_val_11"], y_val_11)
    library_model = build_model(config)
    assert_same_network(code["reject_model"], library_model)
    assert_same_compile(code["reject_model"], library_model)

    # Training, on a small part of those arrays.
    data = small_data((784,), 11)
    code.update(x_fit_11=data["x_fit"], y_fit_11=data["y_fit"])
    code.update(x_val_prepared=data["x_val"], y_val_11=data["y_val"])
    exec(training_cell("11_out_of_distribution.ipynb", config), code)
    library_model, result = library_run(config, data)
    assert_same_training(code["history"], code["reject_model"], library_model, result)
    saved = in_a_notebook_folder / "mlp_not_a_digit.keras"
    assert read_metadata(saved)["config"] == config.to_dict()


# ------------------------------------------------------- notebook 2: the validation split


def test_notebook_2_splits_as_split_validation_does() -> None:
    (x_train, y_train), _ = load_mnist(verbose=False)
    code = namespace(x_train=x_train, y_train=y_train, x_test=x_train[:1])
    exec("from sklearn.model_selection import train_test_split", code)
    exec(notebook_cell("02_preprocessing.ipynb", "train_test_split("), code)
    config = first_mlp_experiment()
    (x_fit, y_fit), (x_val, y_val) = split_validation(
        x_train, y_train, config.validation_size, config.data_seed
    )
    np.testing.assert_array_equal(code["x_fit"], x_fit)
    np.testing.assert_array_equal(code["y_val"], y_val)
