"""Evaluation helpers and figures, on inputs whose answers are known by hand."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from mnist_tutorial.evaluate import confusion_matrix, r2_of_labels, to_classes, wrong_predictions
from mnist_tutorial.plots import (
    plot_class_probabilities,
    plot_confusion_matrix,
    plot_history,
    plot_image,
    plot_image_grid,
    plot_wrong_predictions,
)


def test_to_classes_is_argmax_per_row() -> None:
    probs = np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])
    assert to_classes(probs).tolist() == [1, 0]
    with pytest.raises(ValueError, match="one row per example"):
        to_classes(np.array([0.1, 0.9]))


def test_confusion_matrix_counts_all_classes() -> None:
    cm = confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 2]), num_classes=4)
    assert cm.shape == (4, 4)
    assert cm[0].tolist() == [1, 1, 0, 0] and cm[3].sum() == 0 and np.trace(cm) == 3


def test_r2_of_labels_hand_computed() -> None:
    # truth [0, 2], predicted [0, 1]: SS_res = 1, SS_tot = 2, R2 = 0.5
    assert r2_of_labels(np.array([0, 2]), np.array([0, 1])) == pytest.approx(0.5)


def test_wrong_predictions() -> None:
    assert wrong_predictions(np.array([1, 2, 3]), np.array([1, 0, 0])).tolist() == [1, 2]
    with pytest.raises(ValueError, match="shapes differ"):
        wrong_predictions(np.array([1]), np.array([1, 2]))


def test_figures_are_returned_not_shown() -> None:
    images = np.zeros((20, 28, 28), dtype=np.uint8)
    labels = list(range(10)) * 2
    grid = plot_image_grid(images, labels, rows=2, cols=10)
    assert isinstance(grid, Figure) and len(grid.axes) == 20
    assert grid.axes[3].get_title() == "3"
    with pytest.raises(ValueError, match="need 20 images"):
        plot_image_grid(images[:5], labels, rows=2, cols=10)

    history = plot_history({"loss": [1.0, 0.5], "accuracy": [0.5, 0.9], "val_loss": [1.1, 0.7]})
    loss_panel, accuracy_panel = history.axes
    assert [line.get_label() for line in loss_panel.lines] == ["training", "validation"]
    assert [line.get_label() for line in accuracy_panel.lines] == ["training"]
    assert loss_panel.get_yscale() == "log" and accuracy_panel.get_yscale() == "linear"

    errors = plot_confusion_matrix(np.array([[5, 2], [0, 7]]), errors_only=True)
    assert [t.get_text() for t in errors.axes[0].texts] == ["2", "0"]  # diagonal masked

    heat = plot_confusion_matrix(np.eye(10, dtype=int) * 5)
    assert heat.axes[0].get_xlabel() == "Predicted digit"
    norm = plot_confusion_matrix(np.eye(10, dtype=int) * 5, normalize=True)
    assert "100.0%" in [t.get_text() for t in norm.axes[0].texts]

    wrong = plot_wrong_predictions(
        images.reshape(20, 784), np.array([1] * 20), np.array([1, 7] * 10), 2, 3
    )
    titles = [ax.get_title() for ax in wrong.axes if ax.get_title()]
    assert titles == ["1 -> 7"] * 6
    assert wrong.get_suptitle() == "true digit -> predicted digit"

    bars = plot_class_probabilities(np.array([0.05] * 9 + [0.55]))
    assert len(bars.axes[0].patches) == 10
    assert isinstance(plot_image(np.zeros(784)), Figure)
    assert len(plot_image(np.zeros(784)).axes) == 1  # a digit's range: no colour bar
    noise = np.linspace(-1, 1, 784)
    assert len(plot_image(noise).axes) == 2  # outside [0, 1]: a colour bar says which grey is which


def test_image_rows_keep_one_grey_range_and_files_show_as_viewed(tmp_path) -> None:
    from PIL import Image

    from mnist_tutorial.plots import plot_image_files, plot_images_row

    blank, ink = np.zeros((28, 28), np.float32), np.ones((28, 28), np.float32)
    row = plot_images_row([blank, ink], ["blank", "ink"])
    assert [ax.images[0].get_clim() for ax in row.axes] == [(0.0, 1.0), (0.0, 1.0)]
    # A transparent PNG whose ink lives only in the alpha channel (black where opaque).
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[3:7, 3:7, 3] = 255
    Image.fromarray(rgba, "RGBA").save(tmp_path / "d.png")
    shown = np.asarray(plot_image_files([tmp_path / "d.png"]).axes[0].images[0].get_array())
    assert shown[0, 0].tolist() == [255, 255, 255] and shown[5, 5].tolist() == [0, 0, 0]
