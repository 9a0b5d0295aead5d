"""Training a model as the notebooks do, and describing the run.

Training layer: above the model layer, below `storage` (which saves what this trains);
`mnist_tutorial.trained` trains on demand.

`train_model` seeds everything from the config, fits with the config's early stopping and a
one-line progress display (`TrainingLog`), and returns the log's `TrainingResult`: the
history, the epochs run, whether it stopped early, the best epoch, the time. It runs exactly
the notebooks' `model.fit(x, y, epochs=..., batch_size=..., validation_data=...,
callbacks=[..., log])`, after which a notebook saves the model and records `log.result`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np

from mnist_tutorial._keras import keras
from mnist_tutorial.config import TrainingConfig
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


def estimated_seconds(config: TrainingConfig, n_examples: int) -> float:
    """An upper estimate of a run's training time on a laptop: every epoch run."""
    per_epoch = _LAPTOP_SECONDS_PER_1000_IMAGES[config.kind] * n_examples / 1000
    return per_epoch * config.epochs


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(10, round(seconds, -1)):.0f} s"
    return f"{seconds / 60:.0f} min"


class TrainingLog(keras.callbacks.Callback):
    """A one-line live display of a run: what trains, roughly how long, then each epoch.

    The line is rewritten with `\\r` after every epoch (a terminal or Jupyter shows it in
    place) and replaced at the end by one sentence on how training ended, so a stored
    notebook (and nbval, which applies `\\r`) keeps only that sentence. It also keeps what the
    run produced (`result`, with its time). Timings are never printed in the line: they change
    on every run.
    """

    def __init__(
        self,
        config: TrainingConfig,
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
        if self.final_line:
            self._write(f"{self.config.name}: {describe_stop(self.result, self.config)}", end="\n")
        else:  # the caller writes the last line over this one
            self._write("")

    @property
    def result(self) -> TrainingResult:
        """What the finished run produced: its history, epochs run, whether it stopped early,
        the best epoch of the monitored quantity (`extras["best_epoch"]`) and its time."""
        epochs_run = len(self._history.get("loss", []))
        result = TrainingResult(
            dict(self._history), epochs_run, epochs_run < self.config.epochs, self.seconds
        )
        result.extras["best_epoch"] = best_epoch(result, self.config)
        return result


def early_stopping(config: TrainingConfig) -> keras.callbacks.EarlyStopping:
    """The config's early stopping rule (the original notebook's: monitor accuracy, patience 30)."""
    mode = "max" if "accuracy" in config.early_stopping_monitor else "min"
    return keras.callbacks.EarlyStopping(
        monitor=config.early_stopping_monitor,
        patience=config.early_stopping_patience,
        mode=mode,
        restore_best_weights=config.restore_best_weights,
    )


def train_model(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    config: TrainingConfig,
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
    model.fit(
        x,
        y,
        epochs=config.epochs,
        batch_size=config.batch_size,
        validation_data=validation_data,
        callbacks=[early_stopping(config), log],
        verbose=0,
    )
    return log.result


def best_epoch(result: TrainingResult, config: TrainingConfig) -> int:
    """The 1-based epoch with the best value of the monitored quantity."""
    monitor = config.early_stopping_monitor
    values = result.history[monitor]
    return int(np.argmax(values) if "accuracy" in monitor else np.argmin(values)) + 1


def _epochs(n: int) -> str:
    return f"{n} epoch" if n == 1 else f"{n} epochs"


def describe_stop(result: TrainingResult, config: TrainingConfig) -> str:
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
