"""The course's networks as plain Keras: the original notebook's MLP and notebook 7's CNN.

Model layer: above the data layer, below training.

`build_mlp(config)` is the original notebook's Sequential MLP 784-128(relu)-64(relu)-10(softmax);
`build_cnn(config)` the small convnet; `build_model(config)` whichever the config's kind
is. Each seeds Keras first (`keras.utils.set_random_seed(config.seed)`), so two builds with
the same config start from the same weights whatever else ran in the process before, and
returns the model compiled as the notebooks compile it: `compile(optimizer, loss, metrics)`.
`model_inputs` (defined in `mnist_tutorial.datasets`, which assembles the training arrays
with it) reshapes images for either kind.
"""

from __future__ import annotations

from mnist_tutorial._keras import keras
from mnist_tutorial.augmentation import augmentation_layers
from mnist_tutorial.config import CNNConfig, MLPConfig, TrainingConfig
from mnist_tutorial.datasets import model_inputs

__all__ = [
    "build_cnn",
    "build_mlp",
    "build_model",
    "compile_model",
    "learning_rate",
    "make_optimizer",
    "model_inputs",
]


def learning_rate(config: TrainingConfig) -> float | keras.optimizers.schedules.CosineDecay:
    """The config's learning rate: a number, or a schedule that changes it at every batch.

    "warmup_cosine" rises in a straight line from 0 to `learning_rate` over `warmup_epochs`,
    then falls to 0 along half a cosine by the end of the last epoch (a "one-cycle" shape:
    small steps while the weights are random, big ones in the middle, small ones to settle).
    """
    if config.lr_schedule == "constant":
        return config.learning_rate
    warmup_steps = round(config.warmup_epochs * config.steps_per_epoch)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0,
        warmup_target=config.learning_rate,
        warmup_steps=warmup_steps,
        decay_steps=config.epochs * config.steps_per_epoch - warmup_steps,
        alpha=0.0,
    )


def make_optimizer(config: TrainingConfig) -> keras.optimizers.Optimizer:
    """The config's optimizer (by Keras name, e.g. "adam") at its learning rate (schedule)."""
    try:
        return keras.optimizers.get(
            {"class_name": config.optimizer, "config": {"learning_rate": learning_rate(config)}}
        )
    except ValueError as exc:
        raise ValueError(f"unknown optimizer {config.optimizer!r}") from exc


def compile_model(model: keras.Model, config: TrainingConfig) -> keras.Model:
    """Compile with the config's optimizer (at its learning rate), loss and metrics, as the
    notebooks do in view."""
    model.compile(
        optimizer=make_optimizer(config),
        loss=config.loss,
        metrics=list(config.metrics),
    )
    return model


def build_mlp(config: MLPConfig | None = None) -> keras.Sequential:
    """The compiled first MLP (109,386 parameters with the default config).

    Notebook 4 writes these same lines out; a test checks both build the same network with
    the same starting weights. Seeding first makes the weights the same on every build.
    """
    config = config or MLPConfig()
    keras.utils.set_random_seed(config.seed)
    model = keras.Sequential(name=config.name)
    model.add(keras.Input(shape=(config.input_dim,)))
    for units in config.hidden_units:
        model.add(keras.layers.Dense(units, activation=config.hidden_activation))
    model.add(keras.layers.Dense(config.output_units, activation=config.output_activation))
    compile_model(model, config)
    return model


def build_cnn(config: CNNConfig | None = None) -> keras.Sequential:
    """A small convnet: the config's augmentation layers (none by default), then (conv 3x3 +
    relu, max-pool 2x2) per entry of `conv_filters`, then flatten, a dense layer per entry
    of `hidden_units`, dropout and the softmax layer — the shape of Keras' "Simple MNIST
    convnet", plus the hidden layer. Compiled.

    Notebook 7 writes these same lines out; seeding first makes the weights (and the
    dropout) the same on every build.
    """
    config = config or CNNConfig()
    keras.utils.set_random_seed(config.seed)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            *augmentation_layers(config),  # active only while training
            *(
                layer
                for filters in config.conv_filters
                for layer in (
                    keras.layers.Conv2D(filters, kernel_size=3, activation="relu"),
                    keras.layers.MaxPooling2D(pool_size=2),
                )
            ),
            keras.layers.Flatten(),
            *(
                keras.layers.Dense(units, activation=config.hidden_activation)
                for units in config.hidden_units
            ),
            keras.layers.Dropout(config.dropout),
            keras.layers.Dense(config.output_units, activation=config.output_activation),
        ],
        name=config.name,
    )
    compile_model(model, config)
    return model


def build_model(config: TrainingConfig) -> keras.Model:
    """The compiled model the config describes (`build_mlp` or `build_cnn`)."""
    builders = {"mlp": build_mlp, "cnn": build_cnn}
    return builders[config.kind](config)
