"""mnist_tutorial.augmentation: the layers that change training digits, and only those."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_tutorial._keras import keras
from mnist_tutorial.augmentation import RandomStrokeWidth, augmentation_layers
from mnist_tutorial.config import CNNConfig, augmented_cnn_experiment
from mnist_tutorial.export import model_spec
from mnist_tutorial.model import build_cnn
from mnist_tutorial.rejection import RejectionSettings
from mnist_tutorial.storage import load_for_prediction, load_model, save_model


def _digits(n: int = 16) -> np.ndarray:
    """A bar of ink on black, as a batch of (n, 28, 28, 1) images in [0, 1]."""
    images = np.zeros((n, 28, 28, 1), dtype=np.float32)
    images[:, 8:20, 12:16, 0] = 1.0
    return images


def test_stroke_width_changes_the_ink_only_while_training() -> None:
    keras.utils.set_random_seed(0)
    layer = RandomStrokeWidth(1.0)
    images = _digits(64)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(images, training=False)), images)
    changed = keras.ops.convert_to_numpy(layer(images, training=True))
    ink = changed.sum(axis=(1, 2, 3))
    assert (ink > images[0].sum()).any() and (ink < images[0].sum()).any()  # bolder and finer
    assert changed.min() >= 0 and changed.max() <= 1
    # Bolder strokes grow by at most one pixel a side: nothing appears far from the bar.
    assert np.all(changed[:, :6] == 0) and np.all(changed[:, :, :10] == 0)


def test_stroke_width_refuses_more_than_a_pixel() -> None:
    with pytest.raises(ValueError, match="factor must be between 0 and 1"):
        RandomStrokeWidth(1.5)


def test_the_config_decides_which_augmentation_layers_there_are() -> None:
    assert augmentation_layers(CNNConfig()) == []
    kinds = [type(layer).__name__ for layer in augmentation_layers(augmented_cnn_experiment())]
    assert kinds == ["RandomTranslation", "RandomRotation", "RandomZoom", "RandomStrokeWidth"]
    with pytest.raises(ValueError, match="augment_rotation must be between 0 and 180"):
        CNNConfig(augment_rotation=-5)


def test_an_augmented_cnn_predicts_as_if_the_layers_were_not_there(tmp_path) -> None:
    """The augmentation is inactive at prediction: same answers as the same network without
    it; saved and loaded (both ways) it still is; the export leaves the layers out."""
    config = augmented_cnn_experiment().replace(epochs=1, warmup_epochs=0.0)
    augmented = build_cnn(config)
    plain = build_cnn(
        config.replace(augment_shift=0, augment_rotation=0, augment_zoom=0, augment_stroke=0)
    )
    plain.set_weights(augmented.get_weights())
    images = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)
    expected = plain.predict(images, verbose=0)
    np.testing.assert_array_equal(augmented.predict(images, verbose=0), expected)
    path = save_model(augmented, tmp_path / "augmented.keras")
    for loader in (load_model, load_for_prediction):
        np.testing.assert_array_equal(loader(path).predict(images, verbose=0), expected)
    settings = RejectionSettings(temperature=1.0, threshold=0.5, target_accuracy=0.995)
    kinds = [layer["type"] for layer in model_spec(augmented, settings)["layers"]]
    assert kinds == ["conv2d", "maxpool2d", "conv2d", "maxpool2d", "flatten", "dense", "dense"]
