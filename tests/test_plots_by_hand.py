"""The figures of notebook 3 (learning by hand): weights as pictures, the loss step by step."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from mnist_tutorial.plots import plot_loss_steps, plot_weight_images


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
