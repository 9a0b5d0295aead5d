"""The arrays a model is trained on, assembled from MNIST: `training_arrays(config)`.

Data layer (with `data`, `preprocess`, `images`, `roundtrip`): above `config`, below the
model and training.

`training_arrays` splits MNIST's training images into the part trained on and the
validation split (stratified, by `config.data_seed`), prepares both for the config's kind
of model (`model_inputs`) with one-hot labels, and appends the generated "not a digit"
images (`not_a_digit_images`) as an 11th class when the config asks for them.
"""

from __future__ import annotations

import numpy as np

from mnist_tutorial.config import TrainingConfig
from mnist_tutorial.data import load_mnist
from mnist_tutorial.preprocess import one_hot, prepare_images, split_validation

Arrays = tuple[np.ndarray, np.ndarray]


def model_inputs(images: np.ndarray, config: TrainingConfig) -> np.ndarray:
    """Images -> what the config's model takes: float32 in [0, 1], (n, 784) for the MLP and
    (n, 28, 28, 1) for the CNN (also `mnist_tutorial.model.model_inputs`).

    uint8 images are scaled first; float images are taken as already scaled.
    """
    images = np.asarray(images)
    scaled = prepare_images(images) if images.dtype == np.uint8 else images.astype(np.float32)
    if config.kind == "cnn":
        return scaled.reshape(len(images), 28, 28, 1)
    return scaled.reshape(len(images), config.input_dim)


def not_a_digit_images(digits: np.ndarray, n: int, seed: int) -> np.ndarray:
    """`n` generated non-digits, float32 (n, 28, 28), to teach an 11th class.

    Four kinds in equal shares: uniform noise over a random range inside [-1, 1], Gaussian
    noise of random mean and spread, flat images of a random grey level, and training
    digits with their pixels shuffled (the same ink, no shape). Rotated and inverted digits
    are deliberately not among them: they stay an honest test.
    """
    rng = np.random.default_rng(seed)
    digits = np.asarray(digits)
    if digits.dtype == np.uint8:
        digits = digits.astype(np.float32) / 255.0
    digits = digits.reshape(-1, 784)
    kinds = np.arange(n) % 4
    out = np.empty((n, 784), dtype=np.float32)
    for i, kind in enumerate(kinds):
        if kind == 0:
            low = rng.uniform(-1.0, 0.5)
            out[i] = rng.uniform(low, rng.uniform(low + 0.1, 1.0), 784)
        elif kind == 1:
            out[i] = np.clip(rng.normal(rng.uniform(0, 1), rng.uniform(0.05, 0.5), 784), 0, 1)
        elif kind == 2:
            out[i] = rng.uniform(0, 1)
        else:
            out[i] = rng.permutation(digits[rng.integers(len(digits))])
    return out.reshape(n, 28, 28)


def training_arrays(config: TrainingConfig) -> tuple[Arrays, Arrays | None]:
    """`(x_fit, y_fit), (x_val, y_val)`: what `config`'s model trains on and is validated
    on, prepared for its kind of model, with one-hot labels (`config.output_units` wide).

    With `config.validation_size`, that many training images (stratified, seeded by
    `config.data_seed`) are held out; with 0, the validation part is None. With
    `config.not_a_digit_examples`, that many generated non-digits (made from the images
    trained on) are appended to the training part, labelled `config.num_classes`.
    """
    (x_train, y_train), _ = load_mnist(verbose=False)
    validation = None
    if config.validation_size:
        (x_train, y_train), (x_val, y_val) = split_validation(
            x_train, y_train, config.validation_size, config.data_seed
        )
        validation = (model_inputs(x_val, config), one_hot(y_val, config.output_units))
    x_fit, y_fit = model_inputs(x_train, config), one_hot(y_train, config.output_units)
    if config.not_a_digit_examples:
        extra = not_a_digit_images(x_train, config.not_a_digit_examples, config.data_seed)
        x_fit = np.concatenate([x_fit, model_inputs(extra, config)])
        extra_labels = np.full(len(extra), config.num_classes)
        y_fit = np.concatenate([y_fit, one_hot(extra_labels, config.output_units)])
    return (x_fit, y_fit), validation
