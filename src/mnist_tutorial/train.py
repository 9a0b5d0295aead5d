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
from mnist_tutorial.model_files import ModelFileError, check_model_file
from mnist_tutorial.reproducibility import set_reproducible


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


#: Rough training speed on a laptop CPU, in seconds per 1000 training images per epoch
#: (measured on the reference 2-core machine, rounded up): for "how long will this take?".
_LAPTOP_SECONDS_PER_1000_IMAGES = {"mlp": 0.012, "cnn": 0.12}


def estimated_seconds(config: ExperimentConfig, n_examples: int) -> float:
    """An upper estimate of a run's training time on a laptop: every epoch run."""
    per_epoch = _LAPTOP_SECONDS_PER_1000_IMAGES[config.architecture] * n_examples / 1000
    return per_epoch * config.epochs


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(10, round(seconds, -1)):.0f} s"
    return f"{seconds / 60:.0f} min"


class TrainingLog(keras.callbacks.Callback):
    """A one-line live display of a run: what trains, roughly how long, then each epoch.

    The line is rewritten with `\\r` after every epoch (a terminal or Jupyter shows it in
    place) and replaced at the end by one sentence on how training ended, so a stored
    notebook (and nbval, which applies `\\r`) keeps only that sentence. It also times the
    run (`seconds`). Timings are never printed in the line: they change on every run.
    """

    def __init__(
        self,
        config: ExperimentConfig,
        n_examples: int,
        *,
        show: bool = True,
        final_line: bool = True,
        stream: TextIO | None = None,
    ) -> None:
        super().__init__()
        self.show = show
        self.final_line = final_line
        self.config = config
        self.heading = (
            f"Training {config.name} on {n_examples} images, up to {config.epochs} epochs "
            f"(at most about {_duration(estimated_seconds(config, n_examples))} on a laptop)"
        )
        self.stream = stream
        self.seconds = 0.0
        self._start = 0.0
        self._history: dict[str, list[float]] = {}

    def _write(self, text: str, end: str = "") -> None:
        if self.show:
            print(f"\r{text}", end=end, file=self.stream or sys.stdout, flush=True)

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self._start = time.perf_counter()
        self._history = {}
        self._write(f"{self.heading} ...")

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        for key, value in (logs or {}).items():
            self._history.setdefault(key, []).append(float(value))
        metrics = " - ".join(f"{k}: {float(v):.4f}" for k, v in sorted((logs or {}).items()))
        self._write(f"{self.heading}: epoch {epoch + 1}/{self.config.epochs} - {metrics}")

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        self.seconds = time.perf_counter() - self._start
        epochs_run = len(self._history.get("loss", []))
        result = TrainingResult(self._history, epochs_run, epochs_run < self.config.epochs, 0.0)
        if self.final_line:
            self._write(f"{self.config.name}: {describe_stop(result, self.config)}", end="\n")
        else:  # the caller writes the last line over this one
            self._write("")


def early_stopping(config: ExperimentConfig) -> keras.callbacks.EarlyStopping:
    """The config's early stopping rule (the seed: monitor accuracy, patience 30)."""
    mode = "max" if "accuracy" in config.early_stopping_monitor else "min"
    return keras.callbacks.EarlyStopping(
        monitor=config.early_stopping_monitor,
        patience=config.early_stopping_patience,
        mode=mode,
        restore_best_weights=config.restore_best_weights,
    )


def training_result(
    history: keras.callbacks.History, config: ExperimentConfig, seconds: float
) -> TrainingResult:
    """Describe a finished `model.fit` run: its history, epochs run, whether it stopped early
    and the best epoch of the monitored quantity."""
    hist = {k: [float(v) for v in values] for k, values in history.history.items()}
    epochs_run = len(hist["loss"])
    result = TrainingResult(hist, epochs_run, epochs_run < config.epochs, seconds)
    result.extras["best_epoch"] = best_epoch(result, config)
    return result


def train_model(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    config: ExperimentConfig,
    *,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    progress: bool = True,
    final_line: bool = True,
) -> TrainingResult:
    """Fit `model` as the config says, reproducibly, and describe the run.

    Seeds every generator from `config.seed` first (so the shuffling is repeatable), then
    fits for up to `config.epochs` at `config.batch_size` with the config's early stopping.
    Notebook 4 writes this same `model.fit` call out in full.
    """
    set_reproducible(config.seed)
    log = TrainingLog(config, len(x), show=progress, final_line=final_line)
    history = model.fit(
        x,
        y,
        epochs=config.epochs,
        batch_size=config.batch_size,
        validation_data=validation_data,
        validation_batch_size=config.validation_batch_size,
        callbacks=[early_stopping(config), log],
        verbose=0,
    )
    return training_result(history, config, log.seconds)


def best_epoch(result: TrainingResult, config: ExperimentConfig) -> int:
    """The 1-based epoch with the best value of the monitored quantity."""
    monitor = config.early_stopping_monitor
    values = result.history[monitor]
    return int(np.argmax(values) if "accuracy" in monitor else np.argmin(values)) + 1


def _epochs(n: int) -> str:
    return f"{n} epoch" if n == 1 else f"{n} epochs"


def describe_stop(result: TrainingResult, config: ExperimentConfig) -> str:
    """One sentence on how training ended, for people."""
    if not result.stopped_early:
        sentence = f"Trained all {_epochs(result.epochs_run)}."
        if config.restore_best_weights:
            monitor = config.early_stopping_monitor
            best = best_epoch(result, config)
            sentence += (
                f" Kept the weights of epoch {best} (best {monitor}: "
                f"{result.history[monitor][best - 1]:.4f})."
            )
        return sentence
    monitor = config.early_stopping_monitor
    values = result.history[monitor]
    best_at = best_epoch(result, config) - 1
    sentence = (
        f"Stopped early after {_epochs(result.epochs_run)}: {monitor} did not improve for "
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


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it into place."""
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
        write_text_atomic(sidecar_path(path), json.dumps(metadata, indent=2, sort_keys=True))
    return path


def load_model(path: str | os.PathLike[str]) -> keras.Model:
    """Load a `.keras` model, with a clear `ModelFileError` when it is missing or not one."""
    path = check_model_file(path)
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
            x_train, y_train, config.validation_size, config.data_seed
        )
        validation_data = (model_inputs(x_val, config), one_hot(y_val, config.output_units))
    x_fit, y_fit = model_inputs(x_train, config), one_hot(y_train, config.output_units)
    if config.not_a_digit_examples:
        from mnist_tutorial.ood import not_a_digit_images

        extra = not_a_digit_images(x_train, config.not_a_digit_examples, config.data_seed)
        x_fit = np.concatenate([x_fit, model_inputs(extra, config)])
        extra_labels = np.full(len(extra), config.num_classes)
        y_fit = np.concatenate([y_fit, one_hot(extra_labels, config.output_units)])
    set_reproducible(config.seed)
    model = build_model(config)
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


def _saved_result(config: ExperimentConfig, path: Path) -> TrainingResult | None:
    """The training record of the model saved at `path`, if it was trained with `config`."""
    metadata = read_metadata(path)
    if path.exists() and metadata and metadata.get("config") == config.to_dict():
        return TrainingResult.from_dict(metadata["training"])
    return None


def ensure_trained(
    config: ExperimentConfig | None = None,
    models_dir: str | os.PathLike[str] = "models",
    *,
    progress: bool = True,
) -> Path:
    """The path of the saved model for `config`, training and saving it first if needed.

    Says what happened in one line, which ends the same way whether the model was trained
    now (with a live progress line while it trains) or found on disk.
    """
    config = config or ExperimentConfig()
    path = model_path(config, models_dir)
    result = _saved_result(config, path)
    if result is None:
        result = train_and_save(config, models_dir, progress=progress)[1]
        how = f"trained now, saved to {path}"
    else:
        how = f"loaded from {path}"
    if progress:
        print(f"{config.name}: {describe_stop(result, config)} [{how}]", flush=True)
    return path


def load_or_train(
    config: ExperimentConfig | None = None,
    models_dir: str | os.PathLike[str] = "models",
    *,
    progress: bool = True,
) -> tuple[keras.Model, TrainingResult]:
    """The saved model for `config` if one was trained with exactly this config, else train
    and save it. Returns `(model, training_result)`; with `progress`, says which happened
    (see `ensure_trained`)."""
    config = config or ExperimentConfig()
    path = ensure_trained(config, models_dir, progress=progress)
    return load_model(path), TrainingResult.from_dict(read_metadata(path)["training"])
