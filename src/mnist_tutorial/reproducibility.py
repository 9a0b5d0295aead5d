"""One call that makes Keras training repeatable bit for bit on one machine.

Seeds Python's `random`, NumPy and the backend (`keras.utils.set_random_seed`) and turns on
TensorFlow's op determinism. Same config + same machine + same software = same weights.
Across CPU models or TensorFlow versions the last digits may still differ (oneDNN takes
different paths on different CPUs).
"""

from __future__ import annotations


def set_reproducible(seed: int) -> None:
    """Seed every random generator Keras training uses and make TensorFlow ops deterministic."""
    import tensorflow as tf  # noqa: I001

    from mnist_tutorial._keras import keras  # first: imports TensorFlow quietly

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
