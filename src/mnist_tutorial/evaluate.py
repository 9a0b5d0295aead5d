"""Evaluation helpers: from predicted probabilities to classes, mistakes and scores (the
confusion matrix, R2 and the per-digit report are scikit-learn's own, called in the notebooks).

Functions take arrays and return arrays or numbers (scikit-learn style); the figures live
in `plots`.

Uses-trained-models layer.

SciPy is imported inside the function that uses it: `predict_logits` is on the path of
`mnist-tutorial predict`, which has no use for it.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import numpy as np

from mnist_tutorial._keras import keras

if TYPE_CHECKING:  # a type only: importing the suite's module would load SciPy and the data
    from mnist_tutorial.corruptions import Suite


def predict_probabilities(model: keras.Model, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Class probabilities for each row of `x`, shape (n, classes)."""
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0))


def to_classes(probabilities_or_one_hot: np.ndarray) -> np.ndarray:
    """The index of the largest value in each row (argmax): probabilities -> digits."""
    values = np.asarray(probabilities_or_one_hot)
    if values.ndim != 2:
        raise ValueError(f"expected one row per example (n, classes), got shape {values.shape}")
    return np.argmax(values, axis=-1)


def cross_entropy(model: keras.Model, x: np.ndarray, y_true: np.ndarray) -> float:
    """The exact mean categorical cross-entropy of `model` on `(x, y_true)`.

    Computed in float64 from the exact logits (`predict_logits`), so it is the same number
    whichever way Keras runs. `model.evaluate` may clip each probability at 1e-7 first,
    which caps the loss of a confident mistake at about 16 and lowers the mean.
    """
    from scipy.special import log_softmax

    y_true = np.asarray(y_true)
    if y_true.ndim == 2:
        y_true = y_true.argmax(axis=1)
    log_p = log_softmax(predict_logits(model, x), axis=1)
    return float(-np.mean(log_p[np.arange(len(y_true)), y_true]))


def loss_and_accuracy(model: keras.Model, x: np.ndarray, y_one_hot: np.ndarray) -> dict[str, float]:
    """Exact cross-entropy (`cross_entropy`) and accuracy (`model.evaluate`), as a dict."""
    scores = model.evaluate(x, y_one_hot, batch_size=1000, verbose=0, return_dict=True)
    return {"loss": cross_entropy(model, x, y_one_hot), "accuracy": float(scores["accuracy"])}


def wrong_predictions(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Indices of the examples whose prediction differs from the truth, in order."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"label shapes differ: {y_true.shape} vs {y_pred.shape}")
    return np.flatnonzero(y_true != y_pred)


def predict_logits(model: keras.Model, x: np.ndarray, batch_size: int = 2000) -> np.ndarray:
    """The output layer's scores before softmax, computed exactly (no log of probabilities).

    Runs the model up to its last hidden representation with `predict_on_batch` (compiled
    once per input size, no per-call set-up: about 0.1 ms for one image on JAX, against
    about 1.2 ms for a direct call that runs layer by layer and 0.6 ms for `predict`) and
    applies the output layer's kernel and bias in float64, so no probability underflows to 0
    on the way.
    """
    output = model.layers[-1]
    features_of = _feature_extractor(model)
    x = np.asarray(x, dtype=np.float32)
    features = (
        np.concatenate(
            [
                np.asarray(features_of.predict_on_batch(x[i : i + batch_size]))
                for i in range(0, len(x), batch_size)
            ]
        )
        if len(x)
        else np.zeros((0, output.input.shape[-1]), dtype=np.float32)
    )
    kernel, bias = (np.asarray(w, dtype=np.float64) for w in output.get_weights())
    return features.astype(np.float64) @ kernel + bias


_EXTRACTORS: weakref.WeakKeyDictionary[keras.Model, keras.Model] = weakref.WeakKeyDictionary()


def _feature_extractor(model: keras.Model) -> keras.Model:
    if model not in _EXTRACTORS:
        _EXTRACTORS[model] = keras.Model(model.inputs[0], model.layers[-1].input)
    return _EXTRACTORS[model]


def most_confused_pairs(matrix: np.ndarray, top: int = 10) -> list[tuple[int, int, int]]:
    """The off-diagonal cells with the largest counts: `(true, predicted, count)`, largest first.

    Ties are broken by (true, predicted) so the order is stable.
    """
    matrix = np.asarray(matrix)
    pairs = [
        (int(i), int(j), int(matrix[i, j]))
        for i in range(matrix.shape[0])
        for j in range(matrix.shape[1])
        if i != j and matrix[i, j] > 0
    ]
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))[:top]


def suite_accuracy(model: keras.Model, suite: Suite) -> dict[str, float]:
    """The share of right answers on each variant of a robustness suite
    (`mnist_tutorial.corruptions`), by variant name. A model with an 11th "not a digit" class
    is scored on all its outputs: that answer counts as wrong."""
    answers = {
        name: to_classes(predict_probabilities(model, as_model_input(x, model)))
        for name, (x, _) in suite.items()
    }
    return {name: float(np.mean(answers[name] == y)) for name, (_, y) in suite.items()}


def as_model_input(images: np.ndarray, model: keras.Model) -> np.ndarray:
    """Images as the model takes them: uint8 is scaled to [0, 1]; any layout is reshaped."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        images = images.astype(np.float32) / 255.0
    shape = tuple(model.input_shape[1:])
    size = int(np.prod(shape))
    if images.size % size:
        raise ValueError(f"images of {images.shape} do not reshape to the model's input {shape}")
    return images.astype(np.float32).reshape((-1, *shape))
