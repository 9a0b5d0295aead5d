"""Tests of `mnist_tutorial.datasets` (its `training_arrays` is checked against the notebooks'
own code in test_notebook_code.py)."""

from __future__ import annotations

import numpy as np

from mnist_tutorial.datasets import not_a_digit_images


def test_generated_non_digits() -> None:
    digits = np.random.default_rng(0).random((30, 28, 28)).astype(np.float32)
    fake = not_a_digit_images((digits * 255).astype(np.uint8), 8, seed=3)
    assert fake.shape == (8, 28, 28) and fake.dtype == np.float32
    assert np.all(fake[2] == fake[2, 0, 0])  # a flat grey image
    np.testing.assert_array_equal(fake, not_a_digit_images((digits * 255).astype(np.uint8), 8, 3))
