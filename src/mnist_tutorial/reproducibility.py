"""One call that makes Keras training repeatable bit for bit on one machine.

Seeds Python's `random`, NumPy and the backend (`keras.utils.set_random_seed`) and, where
Keras runs on TensorFlow, turns on TensorFlow's op determinism (JAX's CPU kernels are
deterministic as they are). Same config + same machine + same software = same weights.
Across CPU models, backends or library versions the last digits may still differ (oneDNN
and XLA take different paths on different CPUs).

Bottom layer.
"""

from __future__ import annotations

from mnist_tutorial._keras import keras


def set_reproducible(seed: int) -> None:
    """Seed every random generator Keras training uses (and make TensorFlow's ops
    deterministic where TensorFlow is the backend)."""
    keras.utils.set_random_seed(seed)
    if keras.config.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
