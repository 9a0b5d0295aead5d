"""The experiment's defining constants, in one frozen object.

`ExperimentConfig()` is the seed notebook's experiment (plus a seed, which the seed notebook
does not set). Override by keyword — `ExperimentConfig(epochs=3)` or
`config.replace(epochs=3)` — never by editing globals.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

#: Fields that play no part in a model of each architecture (hidden from its repr).
_FIELDS_NOT_USED_BY = {
    "mlp": {"conv_filters", "dropout"},
    "cnn": {"hidden_units", "input_dim", "hidden_activation"},
}


@dataclass(frozen=True, repr=False)
class ExperimentConfig:
    """Everything that defines one training run of the tutorial's MLP."""

    name: str = "seed_mlp"
    #: "mlp" (the seed's dense network) or "cnn" (a small convolutional network).
    architecture: str = "mlp"
    seed: int = 42
    input_dim: int = 784
    hidden_units: tuple[int, ...] = (128, 64)
    #: Filters of the CNN's convolution blocks (used when architecture == "cnn").
    conv_filters: tuple[int, ...] = (32, 64)
    dropout: float = 0.5
    hidden_activation: str = "relu"
    num_classes: int = 10
    output_activation: str = "softmax"
    optimizer: str = "adam"
    learning_rate: float = 0.001
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
    #: Batches run per call into the compiled graph: the same updates, far less overhead.
    steps_per_execution: int = 100

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "steps_per_execution", "num_classes", "input_dim"):
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
        if self.architecture not in ("mlp", "cnn"):
            raise ValueError(f"architecture must be 'mlp' or 'cnn', got {self.architecture!r}")

    def __repr__(self) -> str:
        """Only the fields that shape this config's model: an MLP's config shows no conv
        filters or dropout, a CNN's no hidden units."""
        hidden = _FIELDS_NOT_USED_BY[self.architecture]
        shown = ", ".join(
            f"{f.name}={getattr(self, f.name)!r}"
            for f in dataclasses.fields(self)
            if f.name not in hidden
            and not (f.name == "not_a_digit_examples" and not self.not_a_digit_examples)
        )
        return f"{type(self).__name__}({shown})"

    @property
    def output_units(self) -> int:
        """Digits, plus one "not a digit" class when the config trains one."""
        return self.num_classes + (1 if self.not_a_digit_examples else 0)

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
    """A small convnet in the spirit of Keras' "Simple MNIST convnet" example, stopped on
    validation loss with the best weights kept."""
    return ExperimentConfig(
        name="cnn",
        architecture="cnn",
        batch_size=128,
        epochs=30,
        validation_size=5000,
        early_stopping_monitor="val_loss",
        early_stopping_patience=4,
        restore_best_weights=True,
        steps_per_execution=43,
    )
