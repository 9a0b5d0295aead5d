"""Evaluation helpers: from predicted probabilities to classes, confusion and scores.

Functions take arrays and return arrays or numbers (scikit-learn style); the figures live
in `plots`.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix as _sk_confusion_matrix
from sklearn.metrics import r2_score

from mnist_tutorial._keras import keras


def predict_probabilities(model: keras.Model, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Class probabilities for each row of `x`, shape (n, classes)."""
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0))


def to_classes(probabilities_or_one_hot: np.ndarray) -> np.ndarray:
    """The index of the largest value in each row (argmax): probabilities -> digits."""
    values = np.asarray(probabilities_or_one_hot)
    if values.ndim != 2:
        raise ValueError(f"expected one row per example (n, classes), got shape {values.shape}")
    return np.argmax(values, axis=-1)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Counts[i, j] = how many digits `i` were predicted as `j` (all classes, even unseen)."""
    return _sk_confusion_matrix(y_true, y_pred, labels=list(range(num_classes)))


def r2_of_labels(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """The seed's R2 score of class indices (a regression score: see the notebook for why
    it is a poor measure for class labels)."""
    return float(r2_score(y_true, y_pred))


def loss_and_accuracy(model: keras.Model, x: np.ndarray, y_one_hot: np.ndarray) -> dict[str, float]:
    """Test loss and accuracy via `model.evaluate`, as a dict."""
    scores = model.evaluate(x, y_one_hot, batch_size=1000, verbose=0, return_dict=True)
    return {"loss": float(scores["loss"]), "accuracy": float(scores["accuracy"])}


def wrong_predictions(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Indices of the examples whose prediction differs from the truth, in order."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"label shapes differ: {y_true.shape} vs {y_pred.shape}")
    return np.flatnonzero(y_true != y_pred)
