"""Trained models on demand: the saved one when it matches its config, else trained now.

Top library layer (below only `cli`, `export` and the scripts): it calls the data, model,
training and storage layers, and `rejection`. So every notebook runs alone: it asks for the
model it needs and gets the one saved by an earlier notebook, or trains it.

`ensure_trained(config)` returns the path of the model saved for `config`
(`mnist_tutorial.storage.model_path`), training and saving it first when no saved model
was trained with exactly this config; `load_or_train` loads it as well; `train_and_save`
always trains. `ensure_rejection` does the same for a model's rejection settings.
"""

from __future__ import annotations

import os
from pathlib import Path

from mnist_tutorial._keras import keras
from mnist_tutorial.config import TrainingConfig, first_mlp_experiment
from mnist_tutorial.data import load_mnist
from mnist_tutorial.datasets import training_arrays
from mnist_tutorial.model import build_model, model_inputs
from mnist_tutorial.preprocess import split_validation
from mnist_tutorial.rejection import (
    RejectionSettings,
    choose_rejection,
    load_rejection,
    store_rejection,
)
from mnist_tutorial.storage import load_model, model_path, save_trained, saved_result
from mnist_tutorial.train import TrainingResult, describe_stop, train_model


def train_and_save(
    config: TrainingConfig,
    models_dir: str | os.PathLike[str] = "models",
    *,
    progress: bool = True,
) -> tuple[keras.Model, TrainingResult]:
    """Train `config`'s model on MNIST's training images and save it with its sidecar.

    The arrays are `mnist_tutorial.datasets.training_arrays(config)`: with
    `config.validation_size`, that many images (stratified, seeded) are held out and
    monitored; the rest are trained on.
    """
    (x_fit, y_fit), validation_data = training_arrays(config)
    model = build_model(config)  # seeded where it is built; `train_model` seeds the training
    result = train_model(
        model,
        x_fit,
        y_fit,
        config,
        validation_data=validation_data,
        progress=progress,
        final_line=False,
    )
    save_trained(model, config, result, models_dir)
    return model, result


def ensure_trained(
    config: TrainingConfig | None = None,
    models_dir: str | os.PathLike[str] = "models",
    *,
    progress: bool = True,
) -> Path:
    """The path of the saved model for `config` (by default `first_mlp_experiment()`), training
    and saving it first if needed.

    Says what happened in one line, the same sentence whether the model was trained now
    (with a live progress line while it trains) or found on disk; only its ending in
    parentheses differs: "(trained earlier, loaded)" names no file, for a student reading a
    notebook, and "(trained now, saved to PATH)" says where the new file is.
    """
    config = config or first_mlp_experiment()
    path = model_path(config, models_dir)
    result = saved_result(config, path)
    if result is None:
        result = train_and_save(config, models_dir, progress=progress)[1]
        how = f"trained now, saved to {path}"
    else:
        how = "trained earlier, loaded"
    if progress:
        print(f"{config.name}: {describe_stop(result, config)} ({how})", flush=True)
    return path


def load_or_train(
    config: TrainingConfig | None = None,
    models_dir: str | os.PathLike[str] = "models",
    *,
    progress: bool = True,
) -> tuple[keras.Model, TrainingResult]:
    """The saved model for `config` if one was trained with exactly this config, else train
    and save it. Returns `(model, its TrainingResult)`; with `progress`, says which happened
    (see `ensure_trained`)."""
    config = config or first_mlp_experiment()
    path = ensure_trained(config, models_dir, progress=progress)
    result = saved_result(config, path)
    assert result is not None  # ensure_trained has just saved or found it
    return load_model(path), result


def ensure_rejection(
    config: TrainingConfig,
    models_dir: str | os.PathLike[str] = "models",
    target_accuracy: float = 0.995,
) -> RejectionSettings:
    """The rejection settings stored with `config`'s saved model (notebooks 10 and 11 store
    them); when there are none yet, choose them on the config's validation split and store
    them. Trains the model first if it is not saved yet."""
    path = ensure_trained(config, models_dir)
    stored = load_rejection(path)
    if stored is not None and stored.target_accuracy == target_accuracy:
        return stored
    if not config.validation_size:
        raise ValueError(f"{config.name} has no validation split to choose a threshold on")
    (x_train, y_train), _ = load_mnist(verbose=False)
    _, (x_val, y_val) = split_validation(x_train, y_train, config.validation_size, config.data_seed)
    settings = choose_rejection(
        load_model(path), model_inputs(x_val, config), y_val, target_accuracy
    )
    store_rejection(path, settings)
    return settings
