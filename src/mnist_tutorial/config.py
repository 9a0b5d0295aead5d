"""The experiment's defining constants, in one frozen object.

`ExperimentConfig()` is the seed notebook's experiment (plus a seed, which the seed notebook
does not set). Override by keyword — `ExperimentConfig(epochs=3)` or
`config.replace(epochs=3)` — never by editing globals.

Two seeds: `seed` is the training seed (initial weights, batch order, dropout); `data_seed`
fixes the data (the validation split, generated images), which stays the same when only the
training changes, as on another CPU. The training seed is 42 unless the environment variable
`MNIST_TUTORIAL_SEED` names another: `make envelope` retrains the whole course with other
seeds that way, to measure how far a result moves from one training run to the next.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any

#: The environment variable that sets the default training seed (see the module docstring).
SEED_VARIABLE = "MNIST_TUTORIAL_SEED"
DEFAULT_SEED = 42


def default_training_seed() -> int:
    """42, or the integer in `$MNIST_TUTORIAL_SEED` (one clear error when it is not one)."""
    value = os.environ.get(SEED_VARIABLE, "").strip()
    if not value:
        return DEFAULT_SEED
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{SEED_VARIABLE} must be an integer, got {value!r}") from None


@dataclass(frozen=True, repr=False)
class ExperimentConfig:
    """Everything that defines one training run of the tutorial's MLP."""

    name: str = "seed_mlp"
    #: "mlp" (the seed's dense network) or "cnn" (a small convolutional network).
    architecture: str = "mlp"
    #: The training seed: initial weights, order of the batches, dropout.
    seed: int = field(default_factory=default_training_seed)
    #: The data seed: which images form the validation split, the generated images.
    data_seed: int = DEFAULT_SEED
    input_dim: int = 784
    hidden_units: tuple[int, ...] = (128, 64)
    #: Filters of the CNN's convolution blocks (used when architecture == "cnn"); the CNN's
    #: `hidden_units` are dense layers between its convolutions and its output layer.
    conv_filters: tuple[int, ...] = (32, 64)
    dropout: float = 0.5
    hidden_activation: str = "relu"
    num_classes: int = 10
    output_activation: str = "softmax"
    optimizer: str = "adam"
    learning_rate: float = 0.001
    #: "constant", or "warmup_cosine": the learning rate rises in a straight line from 0 to
    #: `learning_rate` over `warmup_epochs`, then falls to 0 along a cosine by the last epoch.
    lr_schedule: str = "constant"
    warmup_epochs: float = 0.0
    loss: str = "categorical_crossentropy"
    metrics: tuple[str, ...] = ("accuracy",)
    epochs: int = 200
    batch_size: int = 75
    early_stopping_monitor: str = "accuracy"
    early_stopping_patience: int = 30
    restore_best_weights: bool = False
    #: Training images held out (stratified, seeded) as the validation split; 0 trains on
    #: all 60000. The seed notebook trains on all of them; we hold out 5000 to watch.
    validation_size: int = 5000
    #: Generated non-digit images added to training as an 11th class, "not a digit".
    not_a_digit_examples: int = 0
    #: Batches run before Keras comes back to its Python bookkeeping (callbacks, logs): the same
    #: updates, less overhead. (TensorFlow runs them in one compiled loop; Keras 3.15 on JAX
    #: still calls the compiled step once per batch, see the README's Speed section.)
    steps_per_execution: int = 100
    #: Batch size for the validation images after each epoch: speed only, nothing learned
    #: changes (at 75, the 5000 validation images took 67 small calls per epoch).
    validation_batch_size: int = 1000

    def __post_init__(self) -> None:
        for name in (
            "epochs",
            "batch_size",
            "steps_per_execution",
            "validation_batch_size",
            "num_classes",
            "input_dim",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)}")
        if self.not_a_digit_examples < 0:
            raise ValueError("not_a_digit_examples must be >= 0")
        if self.validation_size < 0:
            raise ValueError("validation_size must be >= 0")
        if self.early_stopping_monitor.startswith("val_") and not self.validation_size:
            raise ValueError(f"monitoring {self.early_stopping_monitor} needs a validation_size")
        if self.early_stopping_patience < 0:
            raise ValueError("early_stopping_patience must be >= 0")
        # JSON round trips turn tuples into lists; keep the dataclass hashable and comparable.
        object.__setattr__(self, "hidden_units", tuple(self.hidden_units))
        object.__setattr__(self, "metrics", tuple(self.metrics))
        object.__setattr__(self, "conv_filters", tuple(self.conv_filters))
        if self.lr_schedule not in ("constant", "warmup_cosine"):
            raise ValueError(
                f"lr_schedule must be 'constant' or 'warmup_cosine', got {self.lr_schedule!r}"
            )
        if not 0 <= self.warmup_epochs < self.epochs:
            raise ValueError("warmup_epochs must be >= 0 and fewer than epochs")
        if self.architecture not in ("mlp", "cnn"):
            raise ValueError(f"architecture must be 'mlp' or 'cnn', got {self.architecture!r}")

    @property
    def output_units(self) -> int:
        """Digits, plus one "not a digit" class when the config trains one."""
        return self.num_classes + (1 if self.not_a_digit_examples else 0)

    @property
    def steps_per_epoch(self) -> int:
        """Batches per epoch on MNIST's 60,000 training images, less the validation split,
        plus any generated "not a digit" images (what the learning-rate schedule spans)."""
        images = 60_000 - self.validation_size + self.not_a_digit_examples
        return -(-images // self.batch_size)

    def relevant_fields(self) -> list[str]:
        """The fields that change this config's training: the MLP's layers are left out of a
        CNN's config and the CNN's out of an MLP's, and the schedule's when the rate is constant."""
        skip = {"input_dim", "validation_batch_size"}
        if self.architecture == "mlp":
            skip = {"conv_filters", "dropout", "validation_batch_size"}
        if self.lr_schedule == "constant":
            skip |= {"lr_schedule", "warmup_epochs"}
        if not self.not_a_digit_examples:
            skip |= {"not_a_digit_examples"}
        return [f.name for f in dataclasses.fields(self) if f.name not in skip]

    def __repr__(self) -> str:
        """Only the fields that shape this config's model (`relevant_fields`), one per line."""
        values = "".join(
            f"    {name}={getattr(self, name)!r},\n" for name in self.relevant_fields()
        )
        return f"{type(self).__name__}(\n{values})"

    def replace(self, **changes: Any) -> ExperimentConfig:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        return {
            k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ExperimentConfig:
        """Inverse of `to_dict`; unknown keys are an error."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown config fields: {', '.join(sorted(unknown))}")
        return cls(**values)


def seed_experiment() -> ExperimentConfig:
    """The seed notebook's experiment (stop on training accuracy, patience 30), trained on
    55000 images with 5000 held out as a validation split that is watched, never used."""
    return ExperimentConfig()


def validation_stopped_experiment() -> ExperimentConfig:
    """Stop on validation loss and keep the best weights (the honest rule)."""
    return ExperimentConfig(
        name="mlp_val_loss",
        validation_size=5000,
        early_stopping_monitor="val_loss",
        early_stopping_patience=10,
        restore_best_weights=True,
    )


def not_a_digit_experiment() -> ExperimentConfig:
    """The validation-stopped MLP with an 11th class trained on generated non-digits."""
    return validation_stopped_experiment().replace(
        name="mlp_not_a_digit", not_a_digit_examples=6000
    )


def cnn_experiment() -> ExperimentConfig:
    """A small convnet in the spirit of Keras' "Simple MNIST convnet" example (narrower, with
    one hidden dense layer), trained for a short fixed schedule of 6 epochs: the learning rate
    warms up for one epoch, then decays along a cosine to 0. The weights of the epoch with the
    lowest validation loss are kept.

    Six epochs rather than seven cut the training time by about a seventh and kept the test
    accuracy at or above 99.2 % on every seed tried; narrower networks (16/32 or 24/32
    filters) trained faster but fell below it on some seeds (benchmarks/results/cnn_levers.json)."""
    return ExperimentConfig(
        name="cnn",
        architecture="cnn",
        conv_filters=(24, 48),
        hidden_units=(128,),
        dropout=0.25,
        batch_size=128,
        epochs=6,
        learning_rate=0.003,
        lr_schedule="warmup_cosine",
        warmup_epochs=1.0,
        validation_size=5000,
        early_stopping_monitor="val_loss",
        early_stopping_patience=6,
        restore_best_weights=True,
        steps_per_execution=20,
    )
