"""The arrays a model is trained on, assembled from MNIST: `training_arrays(config)`.

Data layer: above `config`,
below the model and training.

`training_arrays` splits MNIST's training images into the part trained on and the
validation split (stratified, by `config.data_seed`), prepares both for the config's kind
of model (`model_inputs`) with one-hot labels, and appends "not a digit" images
(`not_a_digit_images`, `not_a_digit_kinds`: noises, and drawings prepared as the draw page
prepares them, `mnist_tutorial.drawings`) as an 11th class when the config asks for them.
"""

from __future__ import annotations

import numpy as np

from mnist_tutorial.config import NOT_A_DIGIT_RECIPE, TrainingConfig
from mnist_tutorial.data import load_mnist
from mnist_tutorial.drawings import DRAWN_KINDS, drawn_non_digits
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


#: The generated kinds of non-digit (arrays made up directly, not drawn).
GENERATED_KINDS: tuple[str, ...] = (
    "uniform noise",
    "Gaussian noise",
    "flat grey",
    "shuffled digit",
)


def not_a_digit_kinds(n: int) -> list[str]:
    """The kind of each of `not_a_digit_images(..., n, ...)`: the mix, decided here only.

    Every other one (the even places) is one of `GENERATED_KINDS` in turn; between them, a
    drawing, `mnist_tutorial.drawings.DRAWN_KINDS` in turn. Half and half: the noises teach
    "no pen strokes at all", the drawings "strokes, but no digit", as the draw page and
    `mnist-tutorial predict` present them."""
    return [
        GENERATED_KINDS[(i // 2) % len(GENERATED_KINDS)] if i % 2 == 0
        else DRAWN_KINDS[(i // 2) % len(DRAWN_KINDS)]
        for i in range(n)
    ]  # fmt: skip


def not_a_digit_images(digits: np.ndarray, n: int, seed: int) -> np.ndarray:
    """`n` non-digits, float32 (n, 28, 28) in [0, 1] (uniform noise may go below 0), to teach
    an 11th class; the kind of each is `not_a_digit_kinds(n)`'s.

    The generated kinds: uniform noise over a random range inside [-1, 1], Gaussian noise of
    random mean and spread, flat images of a random grey level, and training digits with
    their pixels shuffled (the same ink, no shape). The drawn kinds
    (`mnist_tutorial.drawings.drawn_non_digits`): shapes, scribbles and letters drawn with
    the draw page's pen and prepared as the page prepares a drawing (`to_mnist_style`).
    Rotated and inverted digits are deliberately not among them: they stay an honest test.
    """
    rng = np.random.default_rng(seed)
    digits = np.asarray(digits)
    if digits.dtype == np.uint8:
        digits = digits.astype(np.float32) / 255.0
    digits = digits.reshape(-1, 784)
    kinds = not_a_digit_kinds(n)
    drawn_at = [i for i, kind in enumerate(kinds) if kind in DRAWN_KINDS]
    drawn = drawn_non_digits(len(drawn_at), seed=int(rng.integers(2**31)))
    out = np.empty((n, 784), dtype=np.float32)
    out[drawn_at] = drawn.reshape(-1, 784).astype(np.float32) / 255.0
    for i, kind in enumerate(kinds):
        if kind == "uniform noise":
            low = rng.uniform(-1.0, 0.5)
            out[i] = rng.uniform(low, rng.uniform(low + 0.1, 1.0), 784)
        elif kind == "Gaussian noise":
            out[i] = np.clip(rng.normal(rng.uniform(0, 1), rng.uniform(0.05, 0.5), 784), 0, 1)
        elif kind == "flat grey":
            out[i] = rng.uniform(0, 1)
        elif kind == "shuffled digit":
            out[i] = rng.permutation(digits[rng.integers(len(digits))])
    return out.reshape(n, 28, 28)


def training_arrays(config: TrainingConfig) -> tuple[Arrays, Arrays | None]:
    """`(x_fit, y_fit), (x_val, y_val)`: what `config`'s model trains on and is validated
    on, prepared for its kind of model, with one-hot labels (`config.output_units` wide).

    With `config.validation_size`, that many training images (stratified, seeded by
    `config.data_seed`) are held out; with 0, the validation part is None. With
    `config.not_a_digit_examples`, that many non-digits (`not_a_digit_images`: half
    generated, some from the images trained on, half drawn) are appended to the training
    part, labelled `config.num_classes`.
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
        if config.not_a_digit_recipe != NOT_A_DIGIT_RECIPE:
            raise ValueError(
                f"{config.name}: unknown non-digit recipe {config.not_a_digit_recipe!r} "
                f"(this version makes {NOT_A_DIGIT_RECIPE!r})"
            )
        extra = not_a_digit_images(x_train, config.not_a_digit_examples, config.data_seed)
        x_fit = np.concatenate([x_fit, model_inputs(extra, config)])
        extra_labels = np.full(len(extra), config.num_classes)
        y_fit = np.concatenate([y_fit, one_hot(extra_labels, config.output_units)])
    return (x_fit, y_fit), validation
