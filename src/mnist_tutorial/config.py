"""The experiments' defining constants, as frozen objects: one class per kind of model.

Bottom layer: imports nothing of the package.

`TrainingConfig` holds what every training run shares (seeds, optimizer, loss, epochs,
early stopping, the validation split); `MLPConfig` adds the dense network's layers and
`CNNConfig` the convolutional network's. `MLPConfig()` is the original notebook's
experiment (plus a training seed, which the original notebook does not set). Override by keyword —
`MLPConfig(epochs=3)` or `config.replace(epochs=3)` — never by editing globals. The
printed form (`repr`) shows every field, one per line.

Two seeds: `seed` is the training seed (initial weights, batch order, dropout); `data_seed`
fixes the data (the validation split, generated images), which stays the same when only the
training changes, as on another CPU. Both default to 42 (`DEFAULT_SEED`): a config is a
plain value, and `MLPConfig()` is the same whatever the environment.

The course's named experiments (`first_mlp_experiment`, `validation_stopped_experiment`,
`not_a_digit_experiment`, `cnn_experiment`: what the notebooks, `mnist_tutorial.trained`'s
defaults and the site use) are the one exception, and it is explicit: each passes its config
through `with_training_seed_from_environment`, which takes the training seed from the
environment variable `MNIST_TUTORIAL_SEED` when it is set. `make envelope` retrains the whole
course with other seeds that way, to measure how far a result moves from one training run to
the next.

`to_dict()` records the kind of model (`"kind"`) with the fields; `config_from_dict` reads
it back.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

#: The environment variable that overrides the named experiments' training seed
#: (`with_training_seed_from_environment`).
SEED_VARIABLE = "MNIST_TUTORIAL_SEED"
DEFAULT_SEED = 42
#: The non-digits the 11th class learns from: noises and shuffled digits, and shapes drawn as
#: on the draw page and prepared as its drawings are (`datasets.not_a_digit_images`).
NOT_A_DIGIT_RECIPE = "noise and drawings"


@dataclass(frozen=True, repr=False)
class TrainingConfig:
    """What every training run shares, whatever the network: use `MLPConfig` or `CNNConfig`."""

    #: The kind of model, for file names, sidecars and time estimates ("mlp" or "cnn").
    KIND: ClassVar[str] = ""

    name: str = "model"
    #: The training seed: initial weights, order of the batches, dropout.
    seed: int = DEFAULT_SEED
    #: The data seed: which images form the validation split, the generated images.
    data_seed: int = DEFAULT_SEED
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
    #: all 60000. The original notebook trains on all of them; we hold out 5000 to watch.
    validation_size: int = 5000
    #: Generated non-digit images added to training as an 11th class, "not a digit".
    not_a_digit_examples: int = 0
    #: Which non-digits those are (`NOT_A_DIGIT_RECIPE`, made by
    #: `mnist_tutorial.datasets.not_a_digit_images`). Recorded with the model like every
    #: field, so a model saved before the recipe changed is not taken for this one.
    not_a_digit_recipe: str = ""

    def __post_init__(self) -> None:
        if not self.KIND:
            raise TypeError("TrainingConfig is the shared part: use MLPConfig or CNNConfig")
        for name in ("epochs", "batch_size", "num_classes"):
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
        object.__setattr__(self, "metrics", tuple(self.metrics))
        if self.lr_schedule not in ("constant", "warmup_cosine"):
            raise ValueError(
                f"lr_schedule must be 'constant' or 'warmup_cosine', got {self.lr_schedule!r}"
            )
        if not 0 <= self.warmup_epochs < self.epochs:
            raise ValueError("warmup_epochs must be >= 0 and fewer than epochs")

    @property
    def kind(self) -> str:
        """ "mlp" or "cnn": the kind of model this config trains."""
        return self.KIND

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

    def __repr__(self) -> str:
        """Every field of the config, one per line."""
        values = "".join(
            f"    {f.name}={getattr(self, f.name)!r},\n" for f in dataclasses.fields(self)
        )
        return f"{type(self).__name__}(\n{values})"

    def replace(self, **changes: Any) -> TrainingConfig:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: `"kind"`, then the fields (tuples become lists)."""
        values = {
            k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()
        }
        return {"kind": self.kind, **values}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainingConfig:
        """This class's config from `values` (without `"kind"`); unknown keys are an error."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown config fields: {', '.join(sorted(unknown))}")
        return cls(**values)


@dataclass(frozen=True, repr=False)
class MLPConfig(TrainingConfig):
    """One training run of the tutorial's dense network (the original notebook's MLP)."""

    KIND: ClassVar[str] = "mlp"

    name: str = "first_mlp"
    input_dim: int = 784
    hidden_units: tuple[int, ...] = (128, 64)
    hidden_activation: str = "relu"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.input_dim < 1:
            raise ValueError(f"input_dim must be a positive integer, got {self.input_dim}")
        object.__setattr__(self, "hidden_units", tuple(self.hidden_units))


@dataclass(frozen=True, repr=False)
class CNNConfig(TrainingConfig):
    """One training run of the small convolutional network (notebook 7): (conv 3x3 + relu,
    max-pool 2x2) per entry of `conv_filters`, a dense layer per entry of `hidden_units`,
    dropout, the softmax layer."""

    KIND: ClassVar[str] = "cnn"

    name: str = "cnn"
    conv_filters: tuple[int, ...] = (16, 32)
    #: Dense layers between the convolutions and the output layer.
    hidden_units: tuple[int, ...] = (128,)
    hidden_activation: str = "relu"
    dropout: float = 0.25
    #: Data augmentation while training (`mnist_tutorial.augmentation`), 0 for none: a random
    #: shift of up to this many pixels each way, a turn of up to this many degrees, a zoom in
    #: or out by up to this share, strokes thicker or thinner by up to this share of a pixel.
    augment_shift: float = 0.0
    augment_rotation: float = 0.0
    augment_zoom: float = 0.0
    augment_stroke: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "conv_filters", tuple(self.conv_filters))
        object.__setattr__(self, "hidden_units", tuple(self.hidden_units))
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        limits = {"augment_shift": 14, "augment_rotation": 180, "augment_zoom": 1}
        for name, largest in {**limits, "augment_stroke": 1}.items():
            value = getattr(self, name)
            if not 0 <= value <= largest:
                raise ValueError(f"{name} must be between 0 and {largest}, got {value}")


#: The config class of each kind of model.
CONFIG_CLASSES: dict[str, type[TrainingConfig]] = {"mlp": MLPConfig, "cnn": CNNConfig}

C = TypeVar("C", bound=TrainingConfig)


def config_from_dict(values: dict[str, Any]) -> TrainingConfig:
    """The config a `to_dict()` dict describes, of the class its `"kind"` names.

    A dict without a `"kind"`, or with an unknown key, is an error (a sidecar that holds one
    is not recognised, and its model is trained again).
    """
    values = dict(values)
    kind = values.pop("kind", None)
    if kind not in CONFIG_CLASSES:
        raise ValueError(f"kind must be one of {', '.join(CONFIG_CLASSES)}, got {kind!r}")
    return CONFIG_CLASSES[kind].from_dict(values)


def training_seed_from_environment() -> int | None:
    """The integer in `$MNIST_TUTORIAL_SEED`, or None when the variable is unset or empty (one
    clear error when it is not an integer)."""
    value = os.environ.get(SEED_VARIABLE, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{SEED_VARIABLE} must be an integer, got {value!r}") from None


def with_training_seed_from_environment(config: C) -> C:
    """`config` with the training seed `$MNIST_TUTORIAL_SEED` names, or `config` itself when
    the variable is unset or empty.

    The one place the environment reaches a config: every named experiment below ends with
    it, so a kernel started with `MNIST_TUTORIAL_SEED=7` (as `make envelope` starts them)
    trains the whole course with training seed 7. Only the training seed changes; the data
    seed, and so the validation split and the generated images, stay as they are. A config
    built directly (`MLPConfig()`, `CNNConfig(...)`) never reads the environment.
    """
    seed = training_seed_from_environment()
    return config if seed is None else dataclasses.replace(config, seed=seed)


def first_mlp_experiment() -> MLPConfig:
    """The original notebook's experiment (stop on training accuracy, patience 30), trained on
    55000 images with 5000 held out as a validation split that is watched, never used.
    Its training seed is 42, or `$MNIST_TUTORIAL_SEED` (`with_training_seed_from_environment`)."""
    return with_training_seed_from_environment(MLPConfig())


def validation_stopped_experiment() -> MLPConfig:
    """Stop on validation loss and keep the best weights (the honest rule). Training seed as
    in `first_mlp_experiment`."""
    return with_training_seed_from_environment(
        MLPConfig(
            name="mlp_val_loss",
            validation_size=5000,
            early_stopping_monitor="val_loss",
            early_stopping_patience=10,
            restore_best_weights=True,
        )
    )


def not_a_digit_experiment() -> MLPConfig:
    """The validation-stopped MLP with an 11th class trained on 6000 non-digits, noises and
    drawings (`mnist_tutorial.datasets.not_a_digit_images`; its training seed, from
    `validation_stopped_experiment`, as in `first_mlp_experiment`)."""
    return validation_stopped_experiment().replace(
        name="mlp_not_a_digit", not_a_digit_examples=6000, not_a_digit_recipe=NOT_A_DIGIT_RECIPE
    )


def cnn_experiment() -> CNNConfig:
    """A small convnet in the spirit of Keras' "Simple MNIST convnet" example (narrower, with
    one hidden dense layer), trained for a short fixed schedule of 6 epochs: the learning rate
    warms up for one epoch, then decays along a cosine to 0. The weights of the epoch with the
    lowest validation loss are kept.

    The filters (16 and 32) and the 6 epochs were chosen on the validation split, by a small
    sweep stated before it ran (`benchmarks/cnn_sweep.py`: 16, 24 or 32 first filters, 4 or 6
    epochs, two learning rates, two seeds each): the cheapest network whose mean validation
    accuracy was within 5 of the 5000 validation images of the best one's. The test set had
    no part in it. Training seed as in `first_mlp_experiment`."""
    config = CNNConfig(
        name="cnn",
        conv_filters=(16, 32),
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
    )
    return with_training_seed_from_environment(config)


def augmented_cnn_experiment() -> CNNConfig:
    """The course's best network (notebook 8): notebook 7's kind of CNN trained on variants
    of the digits made afresh at every epoch (shifted, turned, zoomed, strokes thicker or
    thinner: `mnist_tutorial.augmentation`), with an 11th "not a digit" class learned from
    the same 6000 non-digits as `not_a_digit_experiment`'s.

    Its recipe (filters, epochs, augmentation strengths) was chosen on MNIST's validation split
    and its corrupted variants, by a rule written before the sweep ran, which also turned down
    variants that read one of the sample drawings in `examples/digits/` as a wrong digit
    (`benchmarks/augmented_cnn_sweep.py`, docs/robustness.md). Training seed as in
    `first_mlp_experiment`."""
    return cnn_experiment().replace(  # notebook 7's CNN (its training seed too), with:
        name="cnn_augmented",
        conv_filters=(24, 48),
        epochs=10,
        early_stopping_patience=10,
        not_a_digit_examples=6000,
        not_a_digit_recipe=NOT_A_DIGIT_RECIPE,
        augment_shift=2.0,
        augment_rotation=10.0,
        augment_zoom=0.1,
        augment_stroke=0.25,
    )
