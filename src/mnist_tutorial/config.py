"""The experiment's defining constants, in one frozen object.

`ExperimentConfig()` is the seed notebook's experiment (plus a seed, which the seed notebook
does not set). Override by keyword — `ExperimentConfig(epochs=3)` or
`config.replace(epochs=3)` — never by editing globals.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ExperimentConfig:
    """Everything that defines one training run of the tutorial's MLP."""

    name: str = "seed_mlp"
    seed: int = 42
    input_dim: int = 784
    hidden_units: tuple[int, ...] = (128, 64)
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
    #: Batches run per call into the compiled graph: the same updates, far less overhead.
    steps_per_execution: int = 100

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "steps_per_execution", "num_classes", "input_dim"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)}")
        if self.early_stopping_patience < 0:
            raise ValueError("early_stopping_patience must be >= 0")
        # JSON round trips turn tuples into lists; keep the dataclass hashable and comparable.
        object.__setattr__(self, "hidden_units", tuple(self.hidden_units))
        object.__setattr__(self, "metrics", tuple(self.metrics))

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
