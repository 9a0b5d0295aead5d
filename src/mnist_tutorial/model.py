"""The seed notebook's network: a Sequential MLP 784-128(relu)-64(relu)-10(softmax).

`build_mlp(config)` returns it compiled with Adam, categorical cross-entropy and accuracy,
as the seed does; it seeds Keras first, so two builds with the same config start from the
same weights whatever else ran in the process before.
"""

from __future__ import annotations

import numpy as np

from mnist_tutorial._keras import keras
from mnist_tutorial.config import ExperimentConfig
from mnist_tutorial.preprocess import prepare_images


def learning_rate(config: ExperimentConfig) -> float | keras.optimizers.schedules.CosineDecay:
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


def make_optimizer(config: ExperimentConfig) -> keras.optimizers.Optimizer:
    """The config's optimizer (by Keras name, e.g. "adam") at its learning rate (schedule)."""
    try:
        return keras.optimizers.get(
            {"class_name": config.optimizer, "config": {"learning_rate": learning_rate(config)}}
        )
    except ValueError as exc:
        raise ValueError(f"unknown optimizer {config.optimizer!r}") from exc


def build_mlp(config: ExperimentConfig | None = None) -> keras.Sequential:
    """The compiled seed MLP (109,386 parameters with the default config).

    Notebook 4 writes these same lines out; a test checks both build the same network with
    the same starting weights. Seeding first makes the weights the same on every build.
    """
    config = config or ExperimentConfig()
    keras.utils.set_random_seed(config.seed)
    model = keras.Sequential(name=config.name)
    model.add(keras.Input(shape=(config.input_dim,)))
    for units in config.hidden_units:
        model.add(keras.layers.Dense(units, activation=config.hidden_activation))
    model.add(keras.layers.Dense(config.output_units, activation=config.output_activation))
    compile_model(model, config)
    return model


def output_layer(config: ExperimentConfig) -> keras.layers.Dense:
    """The CNN's softmax layer: one unit per class (11 with "not a digit")."""
    return keras.layers.Dense(
        config.output_units,
        activation=config.output_activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=config.seed),
        name="output",
    )


def compile_model(model: keras.Model, config: ExperimentConfig) -> keras.Model:
    """Compile with the config's optimizer, loss, metrics and steps per execution."""
    model.compile(
        optimizer=make_optimizer(config),
        loss=config.loss,
        metrics=list(config.metrics),
        steps_per_execution=config.steps_per_execution,
    )
    return model


def build_cnn(config: ExperimentConfig) -> keras.Sequential:
    """A small convnet: (conv 3x3 + relu, max-pool 2x2) per entry of `conv_filters`, then
    flatten, a dense relu layer per entry of `hidden_units`, dropout and the softmax layer —
    the shape of Keras' "Simple MNIST convnet", plus the hidden layer."""
    model = keras.Sequential(name=config.name)
    model.add(keras.Input(shape=(28, 28, 1), name="pixels"))
    for i, filters in enumerate(config.conv_filters, start=1):
        model.add(
            keras.layers.Conv2D(
                filters,
                kernel_size=3,
                activation="relu",
                kernel_initializer=keras.initializers.GlorotUniform(seed=config.seed + i),
                name=f"conv_{i}",
            )
        )
        model.add(keras.layers.MaxPooling2D(pool_size=2, name=f"pool_{i}"))
    model.add(keras.layers.Flatten(name="flatten"))
    for i, units in enumerate(config.hidden_units, start=1):
        model.add(
            keras.layers.Dense(
                units,
                activation=config.hidden_activation,
                kernel_initializer=keras.initializers.GlorotUniform(seed=config.seed + 10 + i),
                name=f"hidden_{i}",
            )
        )
    model.add(keras.layers.Dropout(config.dropout, seed=config.seed, name="dropout"))
    model.add(output_layer(config))
    compile_model(model, config)
    return model


def build_model(config: ExperimentConfig) -> keras.Model:
    """The compiled model the config describes (`build_mlp` or `build_cnn`)."""
    return build_cnn(config) if config.architecture == "cnn" else build_mlp(config)


def model_inputs(images: np.ndarray, config: ExperimentConfig) -> np.ndarray:
    """Images -> what the config's model takes: float32 in [0, 1], (n, 784) for the MLP and
    (n, 28, 28, 1) for the CNN.

    uint8 images are scaled first; float images are taken as already scaled.
    """
    images = np.asarray(images)
    scaled = prepare_images(images) if images.dtype == np.uint8 else images.astype(np.float32)
    if config.architecture == "cnn":
        return scaled.reshape(len(images), 28, 28, 1)
    return scaled.reshape(len(images), config.input_dim)
