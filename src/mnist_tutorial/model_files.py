"""Model files on disk, checked without importing Keras (which takes seconds).

The command line checks a model path with `check_model_file` before it imports Keras, so a
mistyped path fails at once, in one line; `mnist_tutorial.storage.load_model` runs the same
check before it loads.

Storage layer, yet free of Keras: imports nothing of the package.
"""

from __future__ import annotations

import os
from pathlib import Path


class ModelFileError(RuntimeError):
    """A model file is missing, or is not a Keras model."""


def check_model_file(path: str | os.PathLike[str]) -> Path:
    """`path` as a Path when a file is there; else a `ModelFileError` that says what to do."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(
            f"no model file at {path}: train one first (`mnist-tutorial train --out {path}`)"
        )
    if path.is_dir():
        raise ModelFileError(f"{path} is a directory, not a .keras model file")
    return path
