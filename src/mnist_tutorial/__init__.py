"""mnist-tutorial: handwritten-digit recognition on MNIST with Keras, as a small library behind
the tutorial's notebooks.

`from mnist_tutorial import keras` gives Keras itself, imported the way the tutorial runs it
(on the JAX backend unless `KERAS_BACKEND` says otherwise, without TensorFlow's start-up log
lines: see `mnist_tutorial._keras`). Nothing heavy is imported until it is asked for.

The modules form layers; each imports only from its own layer or those below
(tests/test_layers.py checks, and docs/layout.md lists them):

    applications      cli, export                       (and scripts/, benchmarks/)
    on demand         trained: ensure_trained, load_or_train, ensure_rejection
    trained models    evaluate, calibration, rejection, ood, plots
    storage           storage, model_files (trained models on disk)
    training          train
    model             model, architecture, augmentation
    data              data, datasets, preprocess, images, drawings, roundtrip, corruptions
    bottom            _keras, tensorflow_log, files, config, reproducibility, tables,
                      measured_runs
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "keras":
        from mnist_tutorial._keras import keras

        return keras
    raise AttributeError(f"module 'mnist_tutorial' has no attribute {name!r}")
