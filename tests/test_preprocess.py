"""The original notebook's data preparation steps and their input checks."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_tutorial.preprocess import (
    flatten_images,
    one_hot,
    prepare_images,
    scale_pixels,
    split_validation,
)


def test_scale_pixels_maps_bytes_to_unit_interval() -> None:
    x = np.array([[0, 51, 255]], dtype=np.uint8)
    scaled = scale_pixels(x)
    assert scaled.dtype == np.float32
    np.testing.assert_allclose(scaled, [[0.0, 0.2, 1.0]])
    assert x[0, 1] == 51  # input untouched


def test_scale_pixels_refuses_floats() -> None:
    with pytest.raises(ValueError, match="expects uint8.*got dtype float32"):
        scale_pixels(np.zeros((2, 28, 28), dtype=np.float32))


def test_flatten_keeps_row_order() -> None:
    x = np.arange(2 * 28 * 28).reshape(2, 28, 28)
    flat = flatten_images(x)
    assert flat.shape == (2, 784)
    assert flat[1, 28] == x[1, 1, 0]


@pytest.mark.parametrize("shape", [(784,), (2, 784), (2, 27, 28)])
def test_flatten_refuses_other_shapes(shape) -> None:
    with pytest.raises(ValueError, match=r"expects shape \(n, 28, 28\)"):
        flatten_images(np.zeros(shape, dtype=np.uint8))


def test_one_hot_matches_the_original_notebook() -> None:
    encoded = one_hot(np.array([5, 0, 9], dtype=np.uint8))
    assert encoded.dtype == np.float32
    assert encoded.shape == (3, 10)
    assert encoded[0].tolist() == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    assert encoded.sum(axis=1).tolist() == [1, 1, 1]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (np.array([1, 10]), r"labels in 0..9, got values from 1 to 10"),
        (np.array([-1, 3]), r"labels in 0..9"),
        (np.array([0.5, 1.0]), "integer labels"),
        (np.zeros((2, 10), dtype=int), r"vector of labels"),
    ],
)
def test_one_hot_refuses_bad_labels(labels, message) -> None:
    with pytest.raises(ValueError, match=message):
        one_hot(labels)


def test_prepare_images_is_scale_then_flatten() -> None:
    x = np.full((3, 28, 28), 255, dtype=np.uint8)
    out = prepare_images(x)
    assert out.shape == (3, 784) and out.dtype == np.float32 and out.max() == 1.0


def test_validation_split_is_stratified_seeded_and_disjoint() -> None:
    labels = np.repeat(np.arange(10), 100)
    images = np.arange(1000)
    (x_fit, y_fit), (x_val, y_val) = split_validation(images, labels, 200, seed=1)
    assert len(x_val) == 200 and len(x_fit) == 800
    assert np.bincount(y_val).tolist() == [20] * 10
    assert not set(x_fit) & set(x_val)
    (_, _), (x_val2, _) = split_validation(images, labels, 200, seed=1)
    assert np.array_equal(x_val, x_val2)
    with pytest.raises(ValueError, match="validation_size must be between 1 and 999"):
        split_validation(images, labels, 1000, seed=1)
