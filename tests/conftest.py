"""Shared fixtures: a tiny fake MNIST with its own digests, and the real one (from the cache)."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # before anything imports Keras

import numpy as np
import pytest

from mnist_tutorial.data import ARRAY_NAMES, MnistArrays, array_digest


@pytest.fixture
def tiny_mnist() -> MnistArrays:
    """Twenty 28x28 'images' and labels, small enough to write in every test."""
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, size=(12, 28, 28), dtype=np.uint8)
    y_train = (np.arange(12) % 10).astype(np.uint8)
    x_test = rng.integers(0, 256, size=(8, 28, 28), dtype=np.uint8)
    y_test = (np.arange(8) % 10).astype(np.uint8)
    return (x_train, y_train), (x_test, y_test)


@pytest.fixture
def tiny_digests(tiny_mnist: MnistArrays) -> dict[str, str]:
    (x_train, y_train), (x_test, y_test) = tiny_mnist
    arrays = (x_train, y_train, x_test, y_test)
    return {name: array_digest(a) for name, a in zip(ARRAY_NAMES, arrays, strict=True)}


@pytest.fixture(scope="session")
def mnist() -> MnistArrays:
    """The real, verified MNIST (`make test` fetches it first with `make data`)."""
    from mnist_tutorial.data import load_mnist

    return load_mnist(verbose=False)
