"""Trained models on disk: `.keras` files, each with a JSON sidecar of how it was trained.

Storage layer: above training (the sidecars hold `train`'s
`TrainingResult`), below everything that uses trained models.

`save_model` writes a `.keras` file atomically (temporary name, then rename);
`save_trained` puts a trained model where `mnist_tutorial.trained.load_or_train` looks
(`model_path`) with its sidecar: the config (`config.to_dict()`) and the training record.
`record_training` writes only the sidecar, beside a `.keras` file a notebook saved itself
with `model.save(path)`, so that `load_or_train` recognises that model too.
`saved_result` is that recognition: the record of a saved model, when its sidecar's config
(read with `config_from_dict`) is the one asked for.
"""

from __future__ import annotations

import json
import os
import warnings
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from mnist_tutorial._keras import keras
from mnist_tutorial.augmentation import CUSTOM_OBJECTS
from mnist_tutorial.config import TrainingConfig, config_from_dict
from mnist_tutorial.files import atomic_path, write_text_atomic
from mnist_tutorial.model_files import ModelFileError, check_model_file
from mnist_tutorial.train import TrainingResult

__all__ = [
    "ModelFileError",
    "check_model_file",
    "load_for_prediction",
    "load_model",
    "model_path",
    "read_metadata",
    "record_training",
    "save_model",
    "save_trained",
    "saved_result",
    "sidecar_path",
]


def sidecar_path(model_path: str | os.PathLike[str]) -> Path:
    """The JSON file beside a `.keras` file that records how it was trained."""
    return Path(model_path).with_suffix(".json")


def _write_metadata(model_path: Path, metadata: dict[str, Any]) -> None:
    write_text_atomic(sidecar_path(model_path), json.dumps(metadata, indent=2, sort_keys=True))


def save_model(
    model: keras.Model, path: str | os.PathLike[str], metadata: dict[str, Any] | None = None
) -> Path:
    """Save `model` to a `.keras` file atomically; `metadata` goes to a JSON sidecar.

    The old sidecar is removed first and the new one written last, so a crash half-way
    leaves a model without a sidecar (which `load_or_train` retrains), never a mismatch.

    A compiled model that was never trained has an optimizer without its slots (Adam's two
    moments per weight): saved so, it loads with Keras' "Skipping variable loading for
    optimizer" warning, because loading builds the slots and then finds none in the file.
    Building them (at zero, as training would start) before saving makes the file whole;
    nothing a model computes changes.
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"model files end in .keras, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    sidecar_path(path).unlink(missing_ok=True)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built:
        optimizer.build(model.trainable_variables)
    with atomic_path(path) as tmp:
        model.save(tmp)
    if metadata is not None:
        _write_metadata(path, metadata)
    return path


def load_model(path: str | os.PathLike[str]) -> keras.Model:
    """Load a `.keras` model, with a clear `ModelFileError` when it is missing or not one.

    Loaded compiled (optimizer, loss and metrics as saved): the course evaluates loaded
    models with `model.evaluate`, which needs the loss and metrics, and a file saved by
    `save_model` or after training has the optimizer's whole state, so nothing is skipped.
    """
    path = check_model_file(path)
    try:
        with warnings.catch_warnings():
            # A model compiled on JAX records jit_compile=True; TensorFlow then falls back
            # to no XLA and says so. Harmless: the weights and predictions are the same.
            warnings.filterwarnings("ignore", message="Model doesn't support `jit_compile")
            return keras.saving.load_model(path, custom_objects=CUSTOM_OBJECTS)
    except Exception as exc:  # Keras raises many kinds for a bad file
        detail = " ".join(str(exc).split())[:200]
        raise ModelFileError(f"{path} is not a readable Keras model ({detail})") from exc


def load_for_prediction(path: str | os.PathLike[str]) -> keras.Model:
    """The model of a `.keras` file for prediction only: `load_model(path)`'s layers and
    weights, so the same predictions to the bit, in a tenth of a second instead of seconds.

    Building a model from its file first gives every weight its initial value, then
    overwrites it with the saved one. On JAX each random initializer (Glorot's for every
    kernel) is an XLA program compiled for its shape: seconds of CPU for values never used.
    Here the file's config names an initializer of zeros made by NumPy instead (nothing to
    compile), the model is built uncompiled (no optimizer, loss or metrics: prediction uses
    none) and `model.load_weights` reads the weights from the same file. The model is for
    prediction: not for training, nor for saving (its config names that initializer).

    Whatever fails on the way (a damaged file, a config this does not foresee) is left to
    `load_model`, which then loads the model or raises its usual `ModelFileError`.
    """
    path = check_model_file(path)
    try:
        return _load_without_initial_values(path)
    except Exception:  # load_model says what is wrong, in its own words
        return load_model(path)


class _NumpyZeros(keras.initializers.Initializer):
    """Zeros made by NumPy: the initial value of a weight about to be loaded."""

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        return np.zeros(shape, dtype=keras.backend.standardize_dtype(dtype))


#: How a config names `_NumpyZeros`: Keras finds a class by its registered name.
_NUMPY_ZEROS_NAME = "mnist_tutorial>NumpyZeros"
_NUMPY_ZEROS = {
    "module": None,
    "class_name": "_NumpyZeros",
    "config": {},
    "registered_name": _NUMPY_ZEROS_NAME,
}
_LARGEST_CONFIG = 1 << 20  # bytes; a model's config.json is a few kB


def _without_initial_values(config: Any) -> Any:
    """A model's config (JSON) with every initializer (`kernel_initializer`, ...) replaced
    by `_NumpyZeros`."""
    if isinstance(config, dict):
        return {
            key: _NUMPY_ZEROS
            if key.endswith("_initializer") and value is not None
            else _without_initial_values(value)
            for key, value in config.items()
        }
    if isinstance(config, list):
        return [_without_initial_values(value) for value in config]
    return config


def _load_without_initial_values(path: Path) -> keras.Model:
    with zipfile.ZipFile(path) as archive:
        if archive.getinfo("config.json").file_size > _LARGEST_CONFIG:
            raise ValueError("config.json too large")  # load_model's own checks judge it
        config = json.loads(archive.read("config.json"))
    config["compile_config"] = None
    # Each layer looks its initializers up itself: in the scope, not in an argument.
    with keras.saving.CustomObjectScope({_NUMPY_ZEROS_NAME: _NumpyZeros, **CUSTOM_OBJECTS}):
        model = keras.models.model_from_json(json.dumps(_without_initial_values(config)))
    model.load_weights(path)
    return model


def read_metadata(model_path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The sidecar of a saved model, or None when absent or unreadable."""
    try:
        return json.loads(sidecar_path(Path(model_path)).read_text())
    except (OSError, ValueError):
        return None


def model_path(config: TrainingConfig, models_dir: str | os.PathLike[str] = "models") -> Path:
    """Where `load_or_train` keeps the model for `config`: `<models_dir>/<name>.keras`."""
    return Path(models_dir) / f"{config.name}.keras"


def _training_metadata(config: TrainingConfig, result: TrainingResult) -> dict[str, Any]:
    return {"config": config.to_dict(), "training": asdict(result)}


def save_trained(
    model: keras.Model,
    config: TrainingConfig,
    result: TrainingResult,
    models_dir: str | os.PathLike[str] = "models",
) -> Path:
    """Save a trained model where `load_or_train` finds it, with its config and history."""
    return save_model(model, model_path(config, models_dir), _training_metadata(config, result))


def record_training(
    model_path: str | os.PathLike[str], config: TrainingConfig, result: TrainingResult
) -> None:
    """Write the sidecar (config and training record) beside a `.keras` file saved with
    `model.save(model_path)`, so that `load_or_train(config)` later recognises that model.

    Any older sidecar there (with its stored rejection settings) is replaced: they described
    another training run. Returns nothing, so a notebook cell that ends with it shows nothing;
    the sidecar is `sidecar_path(model_path)`.
    """
    path = check_model_file(model_path)
    _write_metadata(path, _training_metadata(config, result))


def saved_result(config: TrainingConfig, path: str | os.PathLike[str]) -> TrainingResult | None:
    """The training record of the model saved at `path`, if it was trained with `config`
    (its sidecar's config, read by `config_from_dict`, equals it); else None."""
    path = Path(path)
    metadata = read_metadata(path)
    if not (path.is_file() and metadata and "config" in metadata and "training" in metadata):
        return None
    try:
        saved = config_from_dict(metadata["config"])
    except (TypeError, ValueError):
        return None
    return TrainingResult.from_dict(metadata["training"]) if saved == config else None
