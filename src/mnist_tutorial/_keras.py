"""Import Keras, on the JAX backend unless told otherwise, without TensorFlow's log lines.

Bottom layer (with `config`, `reproducibility`, `tables`, `source`): every module that needs
Keras imports it from here.

Backend: `KERAS_BACKEND` wins when set and its package is installed (`tensorflow`, `jax`);
otherwise this sets `jax`, which trains the tutorial's MLP about twice as fast as TensorFlow
on a CPU (see docs/speed.md and `benchmarks/train_speed.py`). TensorFlow is installed wherever
PyPI has a wheel for the Python in use (not yet for Python 3.14): where it is missing,
`KERAS_BACKEND=tensorflow` (notebook 7 sets it) falls back to JAX, and the environment line
that ends every notebook names the backend that ran.

TensorFlow 2.19+ writes a few C++ log lines to file descriptor 2 while it is imported
("oneDNN custom operations are on", "Could not find cuda drivers"), and
`TF_CPP_MIN_LOG_LEVEL` no longer hides them (tensorflow/tensorflow#100442). In a notebook
they become stderr output that nbval compares, so descriptor 2 points at /dev/null for the
duration of the import only.

One warning of Keras' own is silenced here, for the notebooks (whose kernels import this
module before the first cell, see scripts/install_kernels.py), as pyproject.toml silences it
for the tests: Keras' `KerasVariable.__array__` lacks the `copy` keyword that NumPy 2 passes,
so Keras' own `np.array(variable)` calls (in `get_weights`, `predict`, `save` on the JAX
backend) raise a DeprecationWarning about it that no user code can avoid; upstream:
https://github.com/keras-team/keras/pull/21288.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import warnings
from collections.abc import Iterator
from types import ModuleType

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

#: Whether TensorFlow is installed (no wheel exists for some Pythons, e.g. 3.14 for now).
HAS_TENSORFLOW = importlib.util.find_spec("tensorflow") is not None

if not os.environ.get("KERAS_BACKEND") or (
    os.environ["KERAS_BACKEND"] == "tensorflow" and not HAS_TENSORFLOW
):
    os.environ["KERAS_BACKEND"] = "jax"


@contextlib.contextmanager
def _fd2_silenced() -> Iterator[None]:
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real descriptor 2: nothing to hide
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


# Imported here even on the JAX backend: Keras may import it later for data handling, and
# its log lines must not appear in the middle of a notebook then.
tf: ModuleType | None = None
if HAS_TENSORFLOW:
    if "tensorflow" not in sys.modules:
        with _fd2_silenced():
            import tensorflow  # noqa: F401
    import tensorflow as tf

    # TensorFlow's Python logger warns when a compiled function is traced again (a model
    # asked about inputs of a new size, as the course does on purpose); that is expected
    # here, and in a notebook it would be output that changes with the order of the calls.
    tf.get_logger().setLevel("ERROR")

import keras  # noqa: E402

#: The NumPy 2 `copy` keyword warning Keras raises from its own code (see the docstring).
warnings.filterwarnings(
    "ignore",
    message="__array__ implementation doesn't accept a copy keyword",
    category=DeprecationWarning,
    module="keras",
)

__all__ = ["HAS_TENSORFLOW", "keras", "tf"]
