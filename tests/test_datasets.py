"""Tests of `mnist_tutorial.datasets` (its `training_arrays` is checked against the notebooks'
own code in test_notebook_code.py; the drawings it mixes in, in test_drawings.py)."""

from __future__ import annotations

import numpy as np

from mnist_tutorial.datasets import GENERATED_KINDS, not_a_digit_images, not_a_digit_kinds
from mnist_tutorial.drawings import drawn_kinds
from mnist_tutorial.images import ink_problem


def test_generated_non_digits() -> None:
    digits = np.random.default_rng(0).random((30, 28, 28)).astype(np.float32)
    fake = not_a_digit_images((digits * 255).astype(np.uint8), 8, seed=3)
    assert fake.shape == (8, 28, 28) and fake.dtype == np.float32
    assert not_a_digit_kinds(8)[4] == "flat grey"
    assert np.all(fake[4] == fake[4, 0, 0])  # a flat grey image
    np.testing.assert_array_equal(fake, not_a_digit_images((digits * 255).astype(np.uint8), 8, 3))


def test_not_a_digit_images_mix_noises_and_drawings() -> None:
    """Half and half, decided in one place (`not_a_digit_kinds`); the drawn half is the
    drawings, prepared as the draw page prepares them, scaled to [0, 1]."""
    kinds = not_a_digit_kinds(30)
    assert kinds[0::2] == [GENERATED_KINDS[i % 4] for i in range(15)]
    assert kinds[1::2] == drawn_kinds(15)
    digits = (np.random.default_rng(0).random((30, 28, 28)) * 255).astype(np.uint8)
    images = not_a_digit_images(digits, 30, seed=3)
    drawn = images[1::2]
    assert np.all((drawn >= 0) & (drawn <= 1))
    assert all(ink_problem(np.rint(image * 255)) is None for image in drawn)
