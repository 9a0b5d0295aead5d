"""The original notebook's data preparation, as functions that take arrays and return new ones.

`scale_pixels` maps uint8 0-255 to float32 0-1, `flatten_images` turns (n, 28, 28) into
(n, 784), `one_hot` encodes digit labels with `keras.utils.to_categorical`. Bad input gets a
`ValueError` saying what was expected and what came.

Data layer.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

from mnist_tutorial._keras import keras


def scale_pixels(images: np.ndarray) -> np.ndarray:
    """uint8 pixels 0-255 -> float32 in [0, 1]."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"scale_pixels expects uint8 pixels 0-255, got dtype {images.dtype}")
    return images.astype(np.float32) / 255.0


def flatten_images(images: np.ndarray) -> np.ndarray:
    """(n, 28, 28) images -> (n, 784) vectors, one row per image."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"flatten_images expects shape (n, 28, 28), got {images.shape}")
    return images.reshape(images.shape[0], 28 * 28)


def one_hot(labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Digit labels (n,) -> float32 one-hot rows (n, num_classes)."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"one_hot expects a vector of labels (n,), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"one_hot expects integer labels, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"one_hot expects labels in 0..{num_classes - 1}, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return keras.utils.to_categorical(labels, num_classes=num_classes).astype(np.float32)


def prepare_images(images: np.ndarray) -> np.ndarray:
    """uint8 (n, 28, 28) -> the MLP's input: float32 (n, 784) in [0, 1]."""
    return flatten_images(scale_pixels(images))


def split_validation(
    images: np.ndarray, labels: np.ndarray, validation_size: int, seed: int
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Hold out `validation_size` training examples, stratified by label and seeded.

    Returns `(x_fit, y_fit), (x_val, y_val)`. The test set is never involved.
    """
    if not 0 < validation_size < len(labels):
        raise ValueError(
            f"validation_size must be between 1 and {len(labels) - 1}, got {validation_size}"
        )
    x_fit, x_val, y_fit, y_val = train_test_split(
        images, labels, test_size=validation_size, stratify=labels, random_state=seed
    )
    return (x_fit, y_fit), (x_val, y_val)
