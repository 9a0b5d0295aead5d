"""Tests of `mnist_tutorial.plots`: every figure is returned, not shown, and draws what it
says (notebook 3's weights as pictures and its loss step by step among them). How a
notebook's figures are compared is tested in test_figure_compare.py."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from mnist_tutorial.plots import (
    plot_class_probabilities,
    plot_confusion_matrix,
    plot_feature_map,
    plot_history,
    plot_image,
    plot_image_grid,
    plot_loss_steps,
    plot_weight_images,
    plot_wrong_predictions,
)


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
    assert [line.get_label() for line in loss_panel.lines] == [
        "training", "validation", "last epoch: 2", "lowest validation loss: epoch 2"
    ]  # fmt: skip
    legend = loss_panel.get_legend()  # under the panel: it covers no curve
    assert legend is not None and legend.get_bbox_to_anchor().y0 < loss_panel.bbox.y0
    assert [line.get_label() for line in accuracy_panel.lines] == ["training", "last epoch: 2"]
    # The same colour for the same data in both panels: training blue, validation orange.
    assert [line.get_color() for line in loss_panel.lines[:2]] == ["C0", "C1"]
    assert accuracy_panel.lines[0].get_color() == "C0"
    assert loss_panel.get_yscale() == "log" and accuracy_panel.get_yscale() == "linear"
    # The epoch whose weights were kept: its own line, or one line when it is the last epoch.
    kept = plot_history({"loss": [1.0, 0.5, 0.6], "val_loss": [1.1, 0.7, 0.8]}, kept_epoch=2)
    assert [line.get_label() for line in kept.axes[0].lines][2:] == [
        "last epoch: 3", "kept: epoch 2", "lowest validation loss: epoch 2"
    ]  # fmt: skip
    last = plot_history({"loss": [1.0, 0.5, 0.6]}, kept_epoch=3)
    assert [line.get_label() for line in last.axes[0].lines][1:] == ["last and kept: epoch 3"]

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
    with_threshold = plot_class_probabilities(np.array([0.05] * 9 + [0.55]), threshold=0.8)
    legend = [t.get_text() for t in with_threshold.axes[0].get_legend().get_texts()]
    assert legend == ["the most likely", "threshold (0.80)"]
    assert with_threshold.axes[0].lines[0].get_ydata()[0] == 0.8
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


def test_weight_images_share_one_scale_centred_on_zero() -> None:
    weights = np.zeros((784, 10))
    weights[0, 3] = 2.0  # the largest weight: digit 3, top-left pixel
    weights[500, 7] = -0.5
    fig = plot_weight_images(weights.T, [f"digit {d}" for d in range(10)], title="W")
    assert isinstance(fig, Figure)
    pictures = [ax for ax in fig.axes if ax.images]
    assert len(pictures) == 10
    assert [ax.get_title() for ax in pictures] == [f"digit {d}" for d in range(10)]
    for ax in pictures:
        image = ax.images[0]
        assert image.get_array().shape == (28, 28)
        assert image.get_clim() == (-2.0, 2.0)  # symmetric: 0 is the middle of the map
    assert pictures[3].images[0].get_array()[0, 0] == 2.0
    colour_bars = [ax for ax in fig.axes if ax not in pictures and ax.get_ylabel()]
    assert len(colour_bars) == 1 and "Weight" in colour_bars[0].get_ylabel()
    assert fig.get_suptitle() == "W"


def test_feature_map_sits_under_the_pixels_it_came_from() -> None:
    image = np.zeros((28, 28))
    image[10:14, 5:20] = 1.0
    feature_map = np.zeros((26, 26))
    feature_map[3, 4], feature_map[5, 6] = 1.5, -3.0
    fig = plot_feature_map(image, feature_map, ("digit", "map"))
    digit_ax, map_ax = (ax for ax in fig.axes if ax.images)
    assert [digit_ax.get_title(), map_ax.get_title()] == ["digit", "map"]
    # A 3x3 filter's response at (r, c) belongs to the patch centred on pixel (r + 1, c + 1).
    assert map_ax.images[0].get_extent() == [0.5, 26.5, 26.5, 0.5]
    assert map_ax.get_xlim() == digit_ax.get_xlim() and map_ax.get_ylim() == digit_ax.get_ylim()
    assert map_ax.images[0].get_clim() == (-3.0, 3.0)  # symmetric: 0 is white


def test_unsigned_maps_run_from_zero_to_their_largest_value() -> None:
    maps = np.zeros((2, 13, 13))
    maps[1, 4, 4] = 3.0
    fig = plot_weight_images(maps, ["a", "b"], signed=False, value_label="Response")
    image = next(ax for ax in fig.axes if ax.images).images[0]
    assert image.get_clim() == (0.0, 3.0)
    assert image.get_cmap().name == "RdBu_r_upper"
    # 0 looks as it does on the signed maps: the white middle of "RdBu_r".
    signed = plot_weight_images(maps, ["a", "b"]).axes[0].images[0].get_cmap()
    assert np.allclose(image.get_cmap()(0.0), signed(0.5), atol=0.01)


def test_weight_images_take_28x28_pictures_and_check_titles() -> None:
    fig = plot_weight_images(np.zeros((4, 28, 28)), list("abcd"), cols=2)
    assert len([ax for ax in fig.axes if ax.images]) == 4
    assert fig.axes[0].images[0].get_clim() == (-1.0, 1.0)  # all zero: still centred on 0
    with pytest.raises(ValueError, match="one title per picture"):
        plot_weight_images(np.zeros((4, 784)), ["a"])
    with pytest.raises(ValueError, match="expected images"):
        plot_weight_images(np.zeros((784, 10)), [str(d) for d in range(784)])


def test_loss_steps_one_curve_with_reference() -> None:
    fig = plot_loss_steps([2.3, 1.0, 0.5], reference=float(np.log(10)))
    (ax,) = fig.axes
    curve, reference = ax.lines
    assert curve.get_xdata().tolist() == [0, 1, 2]  # step 0: before the first step
    assert curve.get_ydata().tolist() == [2.3, 1.0, 0.5]
    assert reference.get_ydata()[0] == pytest.approx(np.log(10))
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["ln 10 (an even guess)"]
    assert ax.get_xlabel() == "Step" and "cross-entropy" in ax.get_ylabel()
    assert ax.get_yscale() == "linear"


def test_loss_steps_several_curves() -> None:
    fig = plot_loss_steps({"rate 0.5": [2.3, 1.0], "rate 5": [2.3, 9.0, 3.0]}, log_scale=True)
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == ["rate 0.5", "rate 5"]
    assert ax.get_yscale() == "log" and "log scale" in ax.get_ylabel()
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() + ax.get_yticklabels(minor=True)]
    assert "1" in labels and "2" in labels and "3" in labels  # plain numbers, not 2 x 10^0
    assert not any("10^" in label or "times" in label for label in labels)
    assert "4" not in labels and "0.9" not in labels  # only 1, 2, 3, 5: not crowded
    assert ax.get_legend() is not None
    assert plot_loss_steps([1.0, 0.5]).axes[0].get_legend() is None  # one curve: no legend
