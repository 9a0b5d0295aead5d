"""Keras, for the library's modules: imported on the backend the caller chose, quietly.

Bottom layer: every module of the library that needs Keras imports it from here.

The backend is the caller's choice, made before Keras is first imported, exactly as in any
Keras code: each notebook's first cell sets `os.environ["KERAS_BACKEND"] = "jax"`, the
`mnist-tutorial` command sets it in `cli.main` (unless it is already set), the tests in
`tests/conftest.py`. Importing this module changes no environment variable and no warning
filter.

Only where the chosen backend is TensorFlow is TensorFlow imported, and then with file
descriptor 2 pointed at /dev/null for the duration of the import: TensorFlow 2.19+ writes a
few C++ log lines there while it loads ("Could not find cuda drivers", which CPU
instructions it uses), and `TF_CPP_MIN_LOG_LEVEL` no longer hides them
(tensorflow/tensorflow#100442). (A notebook that chooses TensorFlow imports it itself and
shows them: see `mnist_tutorial.tensorflow_log`.)
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


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


if "keras" not in sys.modules and os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
    with _fd2_silenced():
        import keras  # noqa: F401  (imports TensorFlow, the chosen backend)

import keras  # noqa: E402

__all__ = ["keras"]
