"""Training, saving and loading models, and `load_or_train` so every notebook runs alone.

`train_model` seeds everything from the config, fits with the config's early stopping and a
one-line progress display, and returns a `TrainingResult`. `save_model` writes a `.keras`
file atomically (temporary name, then rename) with a JSON sidecar holding the config and
the history; `load_or_train` reuses a saved model only when its sidecar's config equals
the one asked for.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from mnist_tutorial._keras import keras
from mnist_tutorial.config import ExperimentConfig
from mnist_tutorial.reproducibility import set_reproducible


class ModelFileError(RuntimeError):
    """A model file is missing, or is not a Keras model."""


@dataclass
class TrainingResult:
    """What a training run produced besides the weights."""

    history: dict[str, list[float]]
    epochs_run: int
    stopped_early: bool
    seconds: float
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainingResult:
        return cls(**values)


class EpochProgress(keras.callbacks.Callback):
    """A progress display of one line, rewritten after every epoch.

    Each epoch writes `\\r` and `epoch i/N - name: value ...`; a terminal or Jupyter shows
    it in place, and nbval (which applies `\\r`) sees only the final line. Timings are left
    out on purpose: they would change on every run.
    """

    def __init__(self, total_epochs: int, stream: TextIO | None = None) -> None:
        super().__init__()
        self.total_epochs = total_epochs
        self.stream = stream

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        metrics = " - ".join(f"{k}: {float(v):.4f}" for k, v in sorted((logs or {}).items()))
        out = self.stream or sys.stdout
        print(f"\repoch {epoch + 1}/{self.total_epochs} - {metrics}", end="", file=out, flush=True)

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        print(file=self.stream or sys.stdout, flush=True)


def make_callbacks(config: ExperimentConfig) -> list[keras.callbacks.Callback]:
    """The config's early stopping rule (the seed: monitor accuracy, patience 30)."""
    mode = "max" if "accuracy" in config.early_stopping_monitor else "min"
    return [
        keras.callbacks.EarlyStopping(
            monitor=config.early_stopping_monitor,
            patience=config.early_stopping_patience,
            mode=mode,
            restore_best_weights=config.restore_best_weights,
        )
    ]


def train_model(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    config: ExperimentConfig,
    *,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    progress: bool = True,
) -> TrainingResult:
    """Fit `model` as the config says, reproducibly, and describe the run.

    Seeds every generator from `config.seed` first (so the shuffling is repeatable), then
    fits for up to `config.epochs` at `config.batch_size` with the config's early stopping.
    """
    set_reproducible(config.seed)
    callbacks = make_callbacks(config)
    if progress:
        callbacks.append(EpochProgress(config.epochs))
    start = time.perf_counter()
    history = model.fit(
        x,
        y,
        epochs=config.epochs,
        batch_size=config.batch_size,
        validation_data=validation_data,
        validation_batch_size=config.validation_batch_size,
        callbacks=callbacks,
        verbose=0,
    )
    seconds = time.perf_counter() - start
    hist = {k: [float(v) for v in values] for k, values in history.history.items()}
    epochs_run = len(hist["loss"])
    result = TrainingResult(hist, epochs_run, epochs_run < config.epochs, seconds)
    result.extras["best_epoch"] = best_epoch(result, config)
    if progress:
        print(describe_stop(result, config))
    return result


def best_epoch(result: TrainingResult, config: ExperimentConfig) -> int:
    """The 1-based epoch with the best value of the monitored quantity."""
    monitor = config.early_stopping_monitor
    values = result.history[monitor]
    return int(np.argmax(values) if "accuracy" in monitor else np.argmin(values)) + 1


def describe_stop(result: TrainingResult, config: ExperimentConfig) -> str:
    """One sentence on how training ended, for people."""
    if not result.stopped_early:
        return f"Trained all {result.epochs_run} epochs."
    monitor = config.early_stopping_monitor
    values = result.history[monitor]
    best_at = best_epoch(result, config) - 1
    sentence = (
        f"Stopped early after {result.epochs_run} epochs: {monitor} did not improve for "
        f"{config.early_stopping_patience} epochs (best {monitor}: {values[best_at]:.4f} "
        f"at epoch {best_at + 1})."
    )
    if config.restore_best_weights:
        sentence += f" Kept the weights of epoch {best_at + 1}."
    return sentence


# --------------------------------------------------------------------------- files


def sidecar_path(model_path: Path) -> Path:
    """The JSON file beside a `.keras` file that records how it was trained."""
    return Path(model_path).with_suffix(".json")


def _write_text_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_model(
    model: keras.Model, path: str | os.PathLike[str], metadata: dict[str, Any] | None = None
) -> Path:
    """Save `model` to a `.keras` file atomically; `metadata` goes to a JSON sidecar.

    The old sidecar is removed first and the new one written last, so a crash half-way
    leaves a model without a sidecar (which `load_or_train` retrains), never a mismatch.
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"model files end in .keras, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    sidecar_path(path).unlink(missing_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.keras")
    try:
        model.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if metadata is not None:
        _write_text_atomic(sidecar_path(path), json.dumps(metadata, indent=2, sort_keys=True))
    return path


def load_model(path: str | os.PathLike[str]) -> keras.Model:
    """Load a `.keras` model, with a clear `ModelFileError` when it is missing or not one."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(
            f"no model file at {path}: train one first (`mnist-tutorial train --out {path}`)"
        )
    if path.is_dir():
        raise ModelFileError(f"{path} is a directory, not a .keras model file")
    try:
        with warnings.catch_warnings():
            # A model compiled on JAX records jit_compile=True; TensorFlow then falls back
            # to no XLA and says so. Harmless: the weights and predictions are the same.
            warnings.filterwarnings("ignore", message="Model doesn't support `jit_compile")
            return keras.saving.load_model(path)
    except Exception as exc:  # Keras raises many kinds for a bad file
        detail = " ".join(str(exc).split())[:200]
        raise ModelFileError(f"{path} is not a readable Keras model ({detail})") from exc


def read_metadata(model_path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The sidecar of a saved model, or None when absent or unreadable."""
    try:
        return json.loads(sidecar_path(Path(model_path)).read_text())
    except (OSError, ValueError):
        return None


def model_path(config: ExperimentConfig, models_dir: str | os.PathLike[str] = "models") -> Path:
    """Where `load_or_train` keeps the model for `config`: `<models_dir>/<name>.keras`."""
    return Path(models_dir) / f"{config.name}.keras"


def save_trained(
    model: keras.Model,
    config: ExperimentConfig,
    result: TrainingResult,
    models_dir: str | os.PathLike[str] = "models",
) -> Path:
    """Save a trained model where `load_or_train` finds it, with its config and history."""
    metadata = {"config": config.to_dict(), "training": asdict(result)}
    return save_model(model, model_path(config, models_dir), metadata)


def train_and_save(
    config: ExperimentConfig,
    models_dir: str | os.PathLike[str] = "models",
    *,
    progress: bool = True,
) -> tuple[keras.Model, TrainingResult]:
    """Train `config`'s model on MNIST's training images and save it with its sidecar.

    With `config.validation_size`, that many images (stratified, seeded) are held out and
    monitored; the rest are trained on.
    """
    from mnist_tutorial.data import load_mnist
    from mnist_tutorial.model import build_model, model_inputs
    from mnist_tutorial.preprocess import one_hot, split_validation

    (x_train, y_train), _ = load_mnist(verbose=False)
    validation_data = None
    if config.validation_size:
        (x_train, y_train), (x_val, y_val) = split_validation(
            x_train, y_train, config.validation_size, config.seed
        )
        validation_data = (model_inputs(x_val, config), one_hot(y_val, config.output_units))
    x_fit, y_fit = model_inputs(x_train, config), one_hot(y_train, config.output_units)
    if config.not_a_digit_examples:
        from mnist_tutorial.ood import not_a_digit_images

        extra = not_a_digit_images(x_train, config.not_a_digit_examples, config.seed)
        x_fit = np.concatenate([x_fit, model_inputs(extra, config)])
        extra_labels = np.full(len(extra), config.num_classes)
        y_fit = np.concatenate([y_fit, one_hot(extra_labels, config.output_units)])
    model = build_model(config)
    result = train_model(
        model,
        x_fit,
        y_fit,
        config,
        validation_data=validation_data,
        progress=progress,
    )
    save_trained(model, config, result, models_dir)
    return model, result


def load_or_train(
    config: ExperimentConfig | None = None,
    models_dir: str | os.PathLike[str] = "models",
    *,
    progress: bool = False,
) -> tuple[keras.Model, TrainingResult]:
    """The saved model for `config` if one was trained with exactly this config, else train.

    Either way returns `(model, training_result)`; the result comes from the sidecar when
    the model was loaded. Quiet by default, so a notebook's output does not depend on
    whether the model was cached.
    """
    config = config or ExperimentConfig()
    path = model_path(config, models_dir)
    metadata = read_metadata(path)
    if path.exists() and metadata and metadata.get("config") == config.to_dict():
        return load_model(path), TrainingResult.from_dict(metadata["training"])
    return train_and_save(config, models_dir, progress=progress)
