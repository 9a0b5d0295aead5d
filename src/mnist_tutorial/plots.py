"""The tutorial's figures. Each function returns a matplotlib `Figure` and shows nothing.

Figures are built with `matplotlib.figure.Figure` rather than pyplot, so the library keeps
no global figure state; in a notebook, a returned Figure as the cell's last expression is
displayed once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import seaborn as sns
from matplotlib.figure import Figure


def _as_images(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim == 2 and images.shape[1] == 784:
        return images.reshape(-1, 28, 28)
    if images.ndim == 3:
        return images
    raise ValueError(f"expected images (n, 28, 28) or (n, 784), got shape {images.shape}")


def plot_image_grid(
    images: np.ndarray, labels: Sequence[object], rows: int = 6, cols: int = 10
) -> Figure:
    """The seed's `show_images`: the first rows x cols images, each titled with its label."""
    images = _as_images(images)
    if len(images) < rows * cols or len(labels) < rows * cols:
        raise ValueError(f"need {rows * cols} images and labels, got {len(images)}")
    fig = Figure(figsize=(cols, rows * 1.1), layout="constrained")
    axes = np.atleast_2d(fig.subplots(rows, cols, squeeze=False))
    for idx, ax in enumerate(axes.flat):
        ax.axis("off")
        ax.imshow(images[idx], cmap="gray_r")
        ax.set_title(f"{labels[idx]}")
    return fig


def plot_image(image: np.ndarray, title: str | None = None) -> Figure:
    """One 28x28 image (or 784 vector) in the tutorial's colours (ink dark on white)."""
    image = np.asarray(image).reshape(28, 28)
    fig = Figure(figsize=(3, 3), layout="constrained")
    ax = fig.subplots()
    ax.imshow(image, cmap="gray_r")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return fig


def plot_history(history: Mapping[str, Sequence[float]], title: str = "Loss, accuracy") -> Figure:
    """Loss and accuracy per epoch (and validation curves when present), one axis."""
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    names = {
        "loss": "Train loss",
        "accuracy": "Train accuracy",
        "val_loss": "Validation loss",
        "val_accuracy": "Validation accuracy",
    }
    for key, label in names.items():
        if key in history:
            epochs = np.arange(1, len(history[key]) + 1)
            ax.plot(epochs, history[key], label=label)
    ax.legend(loc="right")
    ax.set_title(title)
    ax.set_ylabel("Loss, accuracy")
    ax.set_xlabel("Epoch")
    return fig


def plot_confusion_matrix(
    matrix: np.ndarray, normalize: bool = False, title: str = "Confusion matrix"
) -> Figure:
    """An annotated seaborn heatmap: rows are true digits, columns predicted ones.

    With `normalize=True` each row is divided by its total (the share of each true digit).
    """
    matrix = np.asarray(matrix)
    fig = Figure(figsize=(8, 6.5), layout="constrained")
    ax = fig.subplots()
    if normalize:
        totals = matrix.sum(axis=1, keepdims=True)
        shown = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
        sns.heatmap(shown, annot=True, fmt=".2f", cmap="Blues", ax=ax, vmin=0, vmax=1)
    else:
        sns.heatmap(matrix, annot=True, fmt="d", cmap="Blues", ax=ax)
    ax.set_xlabel("Predicted digit")
    ax.set_ylabel("True digit")
    ax.set_title(title)
    return fig


def plot_wrong_predictions(
    images: np.ndarray,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    rows: int = 5,
    cols: int = 5,
    title: str | None = None,
) -> Figure:
    """The first rows x cols misclassified images, titled "true != predicted"."""
    images = _as_images(images)
    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))[: rows * cols]
    fig = Figure(figsize=(cols, rows * 1.15), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong, strict=False):
        ax.imshow(images[i], cmap="gray_r")
        ax.set_title(f"{y_true[i]} != {y_pred[i]}")
    if title:
        fig.suptitle(title)
    return fig


def plot_class_probabilities(probabilities: np.ndarray, title: str | None = None) -> Figure:
    """The probability of each digit for one input, as a bar chart (the top one highlighted)."""
    p = np.asarray(probabilities).reshape(-1)
    fig = Figure(figsize=(6, 3), layout="constrained")
    ax = fig.subplots()
    colors = ["tab:orange" if i == int(np.argmax(p)) else "tab:blue" for i in range(len(p))]
    ax.bar(np.arange(len(p)), p, color=colors)
    ax.set_xticks(np.arange(len(p)))
    ax.set_xlabel("Digit")
    ax.set_ylabel("Probability")
    ax.set_ylim(0, 1)
    if title:
        ax.set_title(title)
    return fig
