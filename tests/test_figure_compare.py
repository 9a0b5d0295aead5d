"""Both sides of the figure comparison, on figures drawn by the library's own plot functions.

A figure re-drawn with slightly different numbers (another CPU) must pass; a figure that
changed materially (other images in a grid, a missing or extra curve, an empty panel,
another layout) must fail.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from mnist_tutorial.plots import (
    plot_confusion_matrix,
    plot_history,
    plot_image_grid,
    plot_images_row,
    plot_loss_curves,
    plot_wrong_predictions,
)
from rig.nbval_tolerance import compare_png, figure_kind


def png(fig: Figure) -> bytes:
    """The PNG a notebook stores for `fig` (IPython's inline backend: tight box, 100 dpi)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", dpi=100)
    return buffer.getvalue()


def history(epochs: int, seed: int = 0, noise: float = 0.0) -> dict[str, list[float]]:
    """A training history shaped like the original notebook's: loss falls, accuracy rises to ~1."""
    rng = np.random.default_rng(seed)
    e = np.arange(1, epochs + 1)
    loss = 0.25 * np.exp(-e / 8) + 0.003 + 0.002 * rng.random(epochs)
    accuracy = 1 - 0.9 * loss
    jitter = 1 + noise * rng.standard_normal((2, epochs))
    return {"loss": list(loss * jitter[0]), "accuracy": list(accuracy * jitter[1])}


# --------------------------------------------------------------------------- image grids


def test_grid_redrawn_passes(mnist) -> None:
    (x, y), _ = mnist
    assert compare_png(png(plot_image_grid(x, y, 2, 10)), png(plot_image_grid(x, y, 2, 10))) == []


def test_grid_with_wrong_images_fails(mnist) -> None:
    """The broken helper of issue 9: the last images drawn under the first labels."""
    (x, y), _ = mnist
    right = png(plot_image_grid(x, y, 2, 10))
    wrong = png(plot_image_grid(x[-20:], y, 2, 10))
    assert compare_png(right, wrong) != []


def test_grid_with_one_image_swapped_fails(mnist) -> None:
    (x, y), _ = mnist
    swapped = x[:20].copy()
    swapped[13] = x[100]
    right = png(plot_image_grid(x, y, 2, 10))
    problems = compare_png(right, png(plot_image_grid(swapped, y, 2, 10)))
    assert problems and "region" in problems[0]


def test_grid_of_another_layout_fails(mnist) -> None:
    (x, y), _ = mnist
    problems = compare_png(png(plot_image_grid(x, y, 2, 10)), png(plot_image_grid(x, y, 2, 9)))
    assert problems and "size" in problems[0]


def test_empty_panel_fails_even_for_training_figures(mnist) -> None:
    (x, y), _ = mnist
    images = list(x[:6])
    titles = [str(label) for label in y[:6]]
    blank = images.copy()
    blank[2] = np.zeros_like(blank[2])
    full, empty = png(plot_images_row(images, titles)), png(plot_images_row(blank, titles))
    assert compare_png(full, empty, "training") != []
    assert compare_png(full, png(plot_images_row(images, titles)), "training") == []


def test_other_wrong_digits_pass_as_a_training_figure(mnist) -> None:
    """Another CPU's model errs on other images: allowed in the misclassified-digits grid."""
    _, (x, y) = mnist
    rng = np.random.default_rng(1)
    predicted_a, predicted_b = y.copy(), y.copy()
    predicted_a[rng.choice(len(y), 180, replace=False)] += 1
    predicted_b[rng.choice(len(y), 223, replace=False)] += 1
    a = png(plot_wrong_predictions(x, y, predicted_a % 10, rows=2, cols=10))
    b = png(plot_wrong_predictions(x, y, predicted_b % 10, rows=2, cols=10))
    assert compare_png(a, b, "training") == []
    assert compare_png(a, b, "exact") != []  # but they are different pictures


# --------------------------------------------------------------------------- curves


def test_history_with_tiny_noise_passes() -> None:
    committed = png(plot_history(history(120)))
    redrawn = png(plot_history(history(120, noise=1e-3)))
    # A history is a figure of training results: compared with the "training" thresholds.
    assert compare_png(committed, redrawn, "training") == []


def test_history_stopped_at_another_epoch_passes_as_training_figure() -> None:
    """The accuracy rule stopped at 79 instead of 149 epochs on an AVX2 CPU."""
    committed = png(plot_history(history(149, seed=0)))
    other_cpu = png(plot_history(history(79, seed=1)))
    assert compare_png(committed, other_cpu, "training") == []


def test_history_with_a_curve_missing_fails() -> None:
    full = history(120)
    committed = png(plot_history(full))
    without_loss = png(plot_history({"accuracy": full["accuracy"]}))
    without_accuracy = png(plot_history({"loss": full["loss"]}))
    assert compare_png(committed, without_loss, "training") != []
    assert compare_png(committed, without_accuracy, "training") != []


def test_loss_curves_with_an_extra_run_fail() -> None:
    runs = {"accuracy rule": history(120), "validation rule": history(17, seed=2)}
    runs["validation rule"]["val_loss"] = runs["validation rule"]["loss"]
    committed = png(plot_loss_curves(runs))
    extra = png(plot_loss_curves({**runs, "third": history(40, seed=3)}))
    assert compare_png(committed, extra, "training") != []


def test_confusion_matrix_of_a_similar_model_passes_an_empty_one_fails() -> None:
    rng = np.random.default_rng(0)
    matrix = np.diag(rng.integers(950, 1100, 10)) + rng.integers(0, 8, (10, 10))
    other = matrix + rng.integers(-2, 3, (10, 10)).clip(-matrix.min(), None)
    committed = png(plot_confusion_matrix(matrix))
    assert compare_png(committed, png(plot_confusion_matrix(other)), "heatmap") == []
    assert compare_png(committed, png(Figure(figsize=(8, 6.5))), "heatmap") != []
    assert figure_kind("plot_confusion_matrix(matrix)") == "heatmap"


# --------------------------------------------------------------------------- kinds


def test_a_graphviz_picture_may_move_but_not_lose_a_layer() -> None:
    """The architecture picture as another Graphviz draws it: nodes moved a little, the picture
    a little larger; with its last column of nodes blanked it fails."""
    fig = Figure(figsize=(8, 3.6), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    for column, x in enumerate((0.1, 0.35, 0.6, 0.85)):
        for y in np.linspace(0.1, 0.9, 6):
            ax.add_patch(
                Circle(
                    (x, y), 0.03, color=["tab:red", "tab:blue", "tab:green", "tab:orange"][column]
                )
            )
    ax.set_axis_off()
    committed = png(fig)
    moved = Figure(figsize=(8.06, 3.68), dpi=100)
    ax = moved.add_axes((0, 0, 1, 1))
    for column, x in enumerate((0.12, 0.36, 0.61, 0.84)):
        for y in np.linspace(0.12, 0.88, 6):
            ax.add_patch(
                Circle(
                    (x, y), 0.03, color=["tab:red", "tab:blue", "tab:green", "tab:orange"][column]
                )
            )
    ax.set_axis_off()
    assert compare_png(committed, png(moved), "graphviz") == []
    assert compare_png(committed, png(moved), "exact") != []
    ax.patches[-1].remove()
    for patch in list(ax.patches)[-5:]:
        patch.remove()
    assert compare_png(committed, png(moved), "graphviz") != []
    assert figure_kind('Image(filename=draw_architecture(model, "a.png"))') == "graphviz"


def test_figure_kind_from_function_and_tag() -> None:
    assert figure_kind("plot_image_grid(x_train, y_train)") == "exact"
    assert figure_kind("plot_history(result.history)") == "training"
    assert figure_kind("plot_history(h)", ["nbval-figure-unstable"]) == "unstable"
    with pytest.raises(ValueError, match="unknown figure kind"):
        figure_kind("plot_history(h)", ["nbval-figure-loose"])
