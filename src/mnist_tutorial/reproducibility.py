"""One call that makes Keras training repeatable bit for bit on one machine.

Seeds Python's `random`, NumPy and the backend (`keras.utils.set_random_seed`) and turns on
TensorFlow's op determinism (which also covers Keras' tf.data input pipeline on any
backend). Same config + same machine + same software = same weights. Across CPU models,
backends or library versions the last digits may still differ (oneDNN and XLA take
different paths on different CPUs).

Bottom layer (with `_keras` and `config`).
"""

from __future__ import annotations

import platform
from importlib import metadata

import numpy as np

from mnist_tutorial._keras import keras, tf


def set_reproducible(seed: int) -> None:
    """Seed every random generator Keras training uses and make TensorFlow ops deterministic."""
    keras.utils.set_random_seed(seed)
    # TensorFlow needs telling; JAX's CPU kernels are deterministic as they are.
    if tf is not None:
        tf.config.experimental.enable_op_determinism()


def environment_line() -> str:
    """One line naming the software a notebook ran with (Python, Keras and its backend,
    JAX, TensorFlow, NumPy), printed at the end of every notebook."""
    versions = [f"Python {platform.python_version()}"]
    versions.append(f"Keras {keras.__version__} ({keras.config.backend()})")
    for package, name in (("jax", "JAX"), ("tensorflow", "TensorFlow")):
        try:
            versions.append(f"{name} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    versions.append(f"NumPy {np.__version__}")
    return "environment: " + ", ".join(versions)
