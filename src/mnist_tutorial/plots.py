"""The tutorial's figures. Each function returns a matplotlib `Figure` and shows nothing.

Figures are built with `matplotlib.figure.Figure` rather than pyplot, so the library keeps
no global figure state; in a notebook, a returned Figure as the cell's last expression is
displayed once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import seaborn as sns
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter


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
    """The original notebook's `show_images`: the first rows x cols images, each titled with its
    label."""
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
    """One 28x28 image (or 784 vector) in the tutorial's colours (ink dark on white).

    An image whose values leave MNIST's range [0, 1] (such as noise in [-1, 1]) is drawn
    with its grey levels stretched from its own lowest to its highest value, and a colour bar
    says which grey is which value."""
    image = np.asarray(image, dtype=np.float64).reshape(28, 28)
    outside = image.min() < 0 or image.max() > 1
    fig = Figure(figsize=(3.9 if outside else 3, 3), layout="constrained")
    ax = fig.subplots()
    shown = ax.imshow(
        image, cmap="gray_r", vmin=None if outside else 0, vmax=None if outside else 1
    )
    ax.axis("off")
    if outside:
        fig.colorbar(shown, ax=ax, shrink=0.85, label="Pixel value (digits: 0 to 1)")
    if title:
        ax.set_title(title)
    return fig


def plot_flattening(image: np.ndarray, lines: int = 4) -> Figure:
    """One image and the same image flattened: its 784 values drawn as a strip, cut into
    `lines` pieces laid one under the other (ink dark on white, as in `plot_image`).

    Each image row becomes 28 consecutive values of the strip, so a stroke that crosses many
    rows becomes a short dash repeated every 28 positions."""
    image = np.asarray(image, dtype=np.float64)
    if image.shape not in ((28, 28), (784,)):
        raise ValueError(f"expected one image (28, 28) or (784,), got shape {image.shape}")
    vector = image.reshape(784)
    if 784 % lines:
        raise ValueError(f"lines must divide 784 into equal pieces, got {lines}")
    width = 784 // lines
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    grid = fig.add_gridspec(lines, 2, width_ratios=[1, 3.4])
    ax = fig.add_subplot(grid[:, 0])
    ax.imshow(vector.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title("the image: 28 rows of 28")
    ax.set_xticks([0, 27])
    ax.set_yticks([0, 27])
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    for line in range(lines):
        start = line * width
        strip = fig.add_subplot(grid[line, 1])
        strip.imshow(
            vector[start : start + width][np.newaxis, :],
            cmap="gray_r",
            vmin=0,
            vmax=1,
            aspect="auto",
            extent=(start - 0.5, start + width - 0.5, 0, 1),
        )
        strip.set_yticks([])
        strip.set_xticks(range(start, start + width + 1, 28))
        strip.set_ylabel(f"{start}-{start + width - 1}", rotation=0, ha="right", va="center")
        if line == 0:
            strip.set_title(f"the vector: 784 values, in {lines} pieces (ticks every 28: a row)")
        if line == lines - 1:
            strip.set_xlabel("position in the vector")
    return fig


def plot_history(
    history: Mapping[str, Sequence[float]],
    kept_epoch: int | None = None,
    title: str | None = None,
) -> Figure:
    """Two panels per epoch: the loss (log scale, so late small changes stay visible) and the
    accuracy; training curves solid and blue, validation curves dashed and orange (when the
    history has them), in both panels.

    Each panel marks the last epoch trained (a dotted line) and, given `kept_epoch`, the epoch
    whose weights the model kept (a dash-dot line; one line when the two are the same epoch).
    Both are black, so that runs that stop and keep at other epochs draw the same colours. The
    loss panel marks the lowest validation loss with a circle. Each legend sits under its
    panel, where it covers no curve."""
    fig = Figure(figsize=(10, 4), layout="constrained")
    loss_ax, acc_ax = fig.subplots(1, 2)
    panels = ((loss_ax, "loss", "Loss (log scale)"), (acc_ax, "accuracy", "Accuracy"))
    last = max((len(values) for values in history.values()), default=0)
    for ax, metric, label in panels:
        curves = ((metric, "training", "-", "C0"), (f"val_{metric}", "validation", "--", "C1"))
        for key, name, style, colour in curves:
            if key in history:
                epochs = np.arange(1, len(history[key]) + 1)
                ax.plot(epochs, history[key], style, color=colour, label=name)
        if not ax.get_legend_handles_labels()[0]:  # a history without this metric
            ax.set_title(label.split(" (")[0])
            continue
        if kept_epoch is not None and kept_epoch != last:
            ax.axvline(last, color="k", linestyle=":", label=f"last epoch: {last}")
            ax.axvline(kept_epoch, color="k", linestyle="-.", label=f"kept: epoch {kept_epoch}")
        elif kept_epoch is not None:
            ax.axvline(last, color="k", linestyle="-.", label=f"last and kept: epoch {last}")
        else:
            ax.axvline(last, color="k", linestyle=":", label=f"last epoch: {last}")
        ax.set_xlabel("Epoch")
        ax.set_ylabel(label)
        ax.set_title(label.split(" (")[0])
    if history.get("val_loss"):
        lowest = int(np.argmin(history["val_loss"])) + 1
        loss_ax.plot(
            lowest, history["val_loss"][lowest - 1], "o", color="C1", markeredgecolor="k",
            ms=8, label=f"lowest validation loss: epoch {lowest}",
        )  # fmt: skip
    loss_ax.set_yscale("log")
    for ax in (loss_ax, acc_ax):  # under its panel, where it covers no curve
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2)
    if title:
        fig.suptitle(title)
    return fig


def plot_confusion_matrix(
    matrix: np.ndarray,
    normalize: bool = False,
    errors_only: bool = False,
    title: str = "Confusion matrix",
) -> Figure:
    """An annotated seaborn heatmap: rows are true digits, columns predicted ones.

    With `normalize=True` each row is divided by its total (the share of each true digit).
    With `errors_only=True` the diagonal (the correct answers) is masked, so the colour
    scale spans the mistakes alone and the few large confusions stand out.
    """
    matrix = np.asarray(matrix)
    fig = Figure(figsize=(8, 6.5), layout="constrained")
    ax = fig.subplots()
    mask = np.eye(len(matrix), dtype=bool) if errors_only else None
    if normalize:
        totals = matrix.sum(axis=1, keepdims=True)
        shown = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
        vmax = None if errors_only else 1
        # Percent with one decimal: shares of mistakes are a few tenths of a percent.
        sns.heatmap(
            shown,
            annot=True,
            fmt=".1%",
            cmap="Blues",
            ax=ax,
            vmin=0,
            vmax=vmax,
            mask=mask,
            cbar_kws={"format": PercentFormatter(1.0)},
        )
    else:
        # Blue for every confusion matrix of the course, counts or shares, all or mistakes only.
        sns.heatmap(matrix, annot=True, fmt="d", cmap="Blues", ax=ax, mask=mask)
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
    """The first rows x cols misclassified images, each titled "true -> predicted"."""
    images = _as_images(images)
    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))[: rows * cols]
    fig = Figure(figsize=(cols, rows * 1.15), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong, strict=False):
        ax.imshow(images[i], cmap="gray_r")
        ax.set_title(f"{y_true[i]} -> {y_pred[i]}")
    fig.suptitle(f"{title + ': ' if title else ''}true digit -> predicted digit")
    return fig


def plot_class_probabilities(
    probabilities: np.ndarray,
    title: str | None = None,
    threshold: float | None = None,
    true_class: int | None = None,
) -> Figure:
    """The probability of each class for one input, as a bar chart: the most likely one in
    orange (the legend says so), the others in blue; given `true_class`, that bar hatched with
    a black edge (the right answer, whose probability sets the loss); given `threshold`, a
    dashed black line at that probability (the network answers only when its top bar reaches
    it)."""
    p = np.asarray(probabilities).reshape(-1)
    fig = Figure(figsize=(6, 3), layout="constrained")
    ax = fig.subplots()
    best = int(np.argmax(p))
    colors = ["tab:orange" if i == best else "tab:blue" for i in range(len(p))]
    bars = ax.bar(np.arange(len(p)), p, color=colors)
    handles, labels = [bars[best]], ["the most likely"]
    if true_class is not None:
        bars[true_class].set_hatch("//")
        bars[true_class].set_edgecolor("black")
        handles.append(bars[true_class])
        labels.append("the right answer")
    if threshold is not None:
        handles.append(ax.axhline(threshold, color="k", linestyle="--", linewidth=1))
        labels.append(f"threshold ({threshold:.2f})")
    ax.legend(handles, labels, loc="upper left" if best > len(p) / 2 else "upper right")
    ax.set_xticks(np.arange(len(p)))
    if len(p) == 11:
        ax.set_xticklabels([*map(str, range(10)), "not a\ndigit"])
    ax.set_xlabel("Digit" if len(p) == 10 else "Class")
    ax.set_ylabel("Probability")
    ax.set_ylim(0, 1)
    if title:
        ax.set_title(title)
    return fig


def plot_loss_curves(
    histories: Mapping[str, Mapping[str, Sequence[float]]],
    kept_epochs: Mapping[str, int] | None = None,
) -> Figure:
    """Training (solid) and validation (dashed) loss of several runs on one axis, as
    `plot_history` draws them; each run in its own colour, neither blue nor orange, which
    `plot_history` gives to training and validation (green, purple, pink, olive).

    Each run's last epoch is marked with a cross on its validation curve (where it stopped);
    `kept_epochs` ({name: 1-based epoch}) marks the epoch whose weights a run kept with a
    filled circle. The legend sits beside the axes, off the curves."""
    kept_epochs = kept_epochs or {}
    fig = Figure(figsize=(10, 5), layout="constrained")
    ax = fig.subplots()
    for index, (name, history) in enumerate(histories.items()):
        colour = _RUN_COLOURS[index % len(_RUN_COLOURS)]
        epochs = np.arange(1, len(history["loss"]) + 1)
        ax.plot(epochs, history["loss"], color=colour, label=f"{name}: training loss")
        if "val_loss" not in history:
            continue
        val_loss = history["val_loss"]
        ax.plot(epochs, val_loss, color=colour, ls="--", label=f"{name}: validation loss")
        ax.plot(
            epochs[-1], val_loss[-1], marker="X", ms=10, color=colour, ls="none",
            markeredgecolor="black", label=f"{name}: stopped after epoch {epochs[-1]}",
        )  # fmt: skip
        if name in kept_epochs:
            kept = kept_epochs[name]
            ax.plot(
                kept, val_loss[kept - 1], marker="o", ms=9, color=colour, ls="none",
                markeredgecolor="black", label=f"{name}: weights of epoch {kept} kept",
            )  # fmt: skip
    ax.set_yscale("log")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Loss (log scale)")
    ax.set_title("Training vs validation loss")
    fig.legend(loc="outside right upper", fontsize="small")
    return fig


#: The colour of each run of `plot_loss_curves` (Matplotlib's C2, C4, C6, C8).
_RUN_COLOURS = ("C2", "C4", "C6", "C8")


def plot_images_row(
    images: Sequence[np.ndarray],
    titles: Sequence[str],
    size: float = 2,
    cmaps: Sequence[str] | None = None,
    per_row: int | None = None,
) -> Figure:
    """A row of images with titles (or rows of `per_row`). Grey images use `gray_r` (ink dark
    on white, as the tutorial draws MNIST) unless `cmaps` says otherwise; RGB images are
    drawn as they are."""
    cmaps = cmaps or ["gray_r"] * len(images)
    if not len(images) == len(titles) == len(cmaps):
        raise ValueError(f"got {len(images)} images, {len(titles)} titles, {len(cmaps)} cmaps")
    cols = min(per_row or len(images), len(images))
    rows = -(-len(images) // cols)
    fig = Figure(figsize=(size * cols, size * 1.15 * rows), layout="constrained")
    axes = list(fig.subplots(rows, cols, squeeze=False).flat)
    for ax in axes[len(images) :]:  # the last row's empty places
        ax.set_axis_off()
    for ax, image, title, cmap in zip(axes[: len(images)], images, titles, cmaps, strict=True):
        image = np.asarray(image)
        image = image.reshape(28, 28) if image.size == 784 else image
        # Fixed grey range (not stretched per image): all 0 and all 1 must look different.
        if image.dtype == np.uint8:
            low, high = 0, 255
        else:
            low, high = min(0.0, float(image.min())), max(1.0, float(image.max()))
        ax.imshow(image, cmap=cmap, vmin=low, vmax=high)
        ax.set_title(title, fontsize=9)
        # A thin frame instead of no axes: an all-white image must still show as a panel.
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_color("0.8")
    return fig


def plot_confused_pairs(
    pairs: Sequence[tuple[int, int, int]],
    images: np.ndarray,
    y_true: np.ndarray,
    y_pred: np.ndarray,
) -> Figure:
    """One example image for each (true, predicted, count) pair, titled "true -> predicted"."""
    images = _as_images(images)
    examples, titles = [], []
    for true, pred, count in pairs:
        index = int(np.flatnonzero((np.asarray(y_true) == true) & (np.asarray(y_pred) == pred))[0])
        examples.append(images[index])
        titles.append(f"{true} -> {pred} ({count}x)")
    fig = plot_images_row(examples, titles, size=1.6)
    fig.suptitle("true digit -> predicted digit (times)")
    return fig


def plot_reliability_diagram(bins: Mapping[str, object]) -> Figure:
    """Accuracy against confidence per bin, one column per model (`ReliabilityBins` values),
    with the number of predictions in each bin underneath (log scale): most predictions sit
    in the last bin, so a gap in a nearly empty bin matters little."""
    fig = Figure(figsize=(5 * len(bins), 6), layout="constrained")
    grid = fig.subplots(2, len(bins), squeeze=False, height_ratios=[3, 1], sharex=True)
    for column, (name, b) in enumerate(bins.items()):
        ax, count_ax = grid[0, column], grid[1, column]
        centers = (b.edges[:-1] + b.edges[1:]) / 2
        width = b.edges[1] - b.edges[0]
        used = b.count > 0
        ax.bar(centers[used], b.accuracy[used], width=width, edgecolor="k", label="accuracy")
        # The gap from accuracy to confidence, hatched: above the bar when over-confident,
        # inside it when under-confident.
        ax.bar(
            centers[used],
            b.confidence[used] - b.accuracy[used],
            bottom=b.accuracy[used],
            width=width,
            facecolor="none",
            edgecolor="tab:red",
            hatch="///",
            label="gap to confidence",
        )
        ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect calibration")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_ylabel("Accuracy")
        ax.set_title(name)
        ax.legend(loc="upper left")
        count_ax.bar(centers[used], b.count[used], width=width, color="gray", edgecolor="k")
        for x, n in zip(centers[used], b.count[used], strict=True):
            count_ax.annotate(str(int(n)), (x, n), ha="center", va="bottom", fontsize=7)
        count_ax.set_yscale("log")
        count_ax.set_ylim(0.5, b.count.max() * 8)  # a bin of one still shows a bar
        count_ax.set_ylabel("Predictions")
        count_ax.set_xlabel("Confidence (top probability)")
    return fig


def plot_risk_coverage(curves: Mapping[str, object], target_accuracy: float) -> Figure:
    """Error rate among answered digits against the share answered (`RiskCoverage` values)."""
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    for name, curve in curves.items():
        ax.plot(curve.coverage, curve.risk, label=name)
    ax.axhline(
        1 - target_accuracy, color="k", ls="--", lw=1, label=f"{1 - target_accuracy:.1%} risk"
    )
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))  # both axes in %, as the legend
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.set_xlabel("Coverage (share of digits answered)")
    ax.set_ylabel("Risk (error rate among answered)")
    ax.set_title("Risk-coverage")
    ax.set_ylim(0, max(0.03, 2 * (1 - target_accuracy)))
    ax.legend()
    return fig


def plot_image_files(paths: Sequence[object], size: float = 1.5) -> Figure:
    """Image files as they look in an image viewer: transparent parts shown on white."""
    from PIL import Image

    pictures, titles = [], []
    for path in paths:
        with Image.open(path) as picture:
            rgba = picture.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        pictures.append(np.asarray(Image.alpha_composite(white, rgba).convert("RGB")))
        titles.append(getattr(path, "name", str(path)))
    return plot_images_row(pictures, titles, size=size)


def _value_scale(values: np.ndarray, signed: bool = True) -> tuple[str, float, float]:
    """(colour map, lowest, highest) for a map of values: signed ones red above 0 and blue
    below on a scale symmetric about 0, so that 0 is white; others on the red half of the
    same map, from 0 (the same white) to their largest value."""
    limit = float(np.abs(values).max()) or 1.0
    if signed:
        return "RdBu_r", -limit, limit
    return _RED_HALF, 0.0, limit


#: The red half of "RdBu_r", from its white middle up: for values that cannot be negative.
_RED_HALF = ListedColormap(colormaps["RdBu_r"](np.linspace(0.5, 1.0, 128)), name="RdBu_r_upper")


def plot_weight_images(
    weights: np.ndarray,
    titles: Sequence[str],
    title: str | None = None,
    cols: int = 5,
    value_label: str = "Weight (red > 0, blue < 0)",
    signed: bool = True,
) -> Figure:
    """Weights drawn as pictures, one per row of `weights` ((n, 784) or (n, height, width);
    pass `W.T` for a (784, n) weight matrix). Red where ink on a pixel raises the score, blue
    where it lowers it, white for 0: all pictures share one colour scale, centred on 0, shown
    by the colour bar (labelled `value_label`: any signed map, such as a convolution's
    response, is drawn the same way). With `signed=False` (values that cannot be negative,
    such as feature maps after ReLU) the scale runs from 0 (white) to the largest value (red)."""
    images = _as_images(weights)
    if len(titles) != len(images):
        raise ValueError(
            f"need one title per picture: {len(images)} pictures, {len(titles)} titles"
        )
    rows = -(-len(images) // cols)
    cmap, low, limit = _value_scale(images, signed)
    fig = Figure(figsize=(1.8 * cols + 1.2, 1.9 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, name in zip(axes.flat, images, titles, strict=False):
        shown = ax.imshow(image, cmap=cmap, vmin=low, vmax=limit)
        ax.set_title(name)
    fig.colorbar(shown, ax=axes, shrink=0.9, label=value_label)
    if title:
        fig.suptitle(title)
    return fig


def plot_feature_map(
    image: np.ndarray, feature_map: np.ndarray, titles: Sequence[str] = ("the digit", "")
) -> Figure:
    """An image (ink dark on white) and a filter's feature map of it side by side, drawn at
    the same scale per pixel, so that each response sits beside the pixels it came from; the
    map red above 0, blue below, white at 0, with its colour bar."""
    image, feature_map = np.asarray(image), np.asarray(feature_map)
    fig = Figure(figsize=(6.4, 3.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.imshow(image, cmap="gray_r", vmin=0, vmax=max(1.0, float(image.max())))
    cmap, low, limit = _value_scale(feature_map)
    # The map is smaller (no padding): centred under the digit's pixels it was computed from.
    margin = (image.shape[0] - feature_map.shape[0]) / 2
    extent = (margin - 0.5, image.shape[1] - margin - 0.5, image.shape[0] - margin - 0.5,
              margin - 0.5)  # fmt: skip
    shown = right.imshow(feature_map, cmap=cmap, vmin=low, vmax=limit, extent=extent)
    for ax, title in zip((left, right), titles, strict=True):
        ax.set_xlim(-0.5, image.shape[1] - 0.5)
        ax.set_ylim(image.shape[0] - 0.5, -0.5)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title)
    fig.colorbar(shown, ax=right, shrink=0.9, label="Response (red > 0, blue < 0)")
    return fig


def plot_loss_steps(
    losses: Sequence[float] | Mapping[str, Sequence[float]],
    reference: float | None = None,
    reference_label: str = "ln 10 (an even guess)",
    title: str = "Loss during gradient descent",
    log_scale: bool = False,
) -> Figure:
    """The loss at each step of gradient descent (step 0 is before the first step): one curve,
    or one per entry of a mapping {name: losses}; `reference` adds a dashed horizontal line."""
    curves = dict(losses) if isinstance(losses, Mapping) else {"": losses}
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    for index, (name, values) in enumerate(curves.items()):
        ax.plot(np.arange(len(values)), values, marker=".", color=f"C{index}", label=name or None)
    if reference is not None:
        ax.axhline(reference, color="0.4", ls="--", lw=1, label=reference_label)
    if log_scale:
        from matplotlib.ticker import FuncFormatter

        def plain(value: float, _position: object, keep: tuple[int, ...] = (1, 2, 3, 5)) -> str:
            """0.2, 0.5, 1, 2 rather than 2 x 10^-1 ...; only these leading digits, not crowded."""
            if value <= 0:
                return ""
            leading = round(value / 10 ** np.floor(np.log10(value)))
            return f"{value:g}" if leading in keep else ""

        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(plain))
        ax.yaxis.set_minor_formatter(FuncFormatter(plain))
    ax.set_xlabel("Step")
    ax.set_ylabel("Loss (mean cross-entropy)" + (", log scale" if log_scale else ""))
    ax.set_title(title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend()
    return fig


def plot_temperature_losses(
    temperatures: Sequence[float],
    losses: Mapping[str, Sequence[float]],
    chosen: Mapping[str, float],
    chosen_losses: Mapping[str, float],
) -> Figure:
    """The validation loss of temperature-scaled probabilities against the temperature T, one
    curve per model (T on a log scale, 1 = no scaling, marked), each model's chosen T a dot."""
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    for index, (name, values) in enumerate(losses.items()):
        ax.plot(temperatures, values, color=f"C{index}", label=name)
        ax.plot(
            chosen[name],
            chosen_losses[name],
            "o",
            color=f"C{index}",
            markeredgecolor="black",
            label=f"{name}: lowest loss, T = {chosen[name]:.2f}",
        )
    ax.axvline(1.0, color="0.4", ls=":", lw=1, label="T = 1: no scaling")
    ax.set_xscale("log")
    ticks = [t for t in (0.5, 1, 2, 3, 5, 10, 20) if min(temperatures) <= t <= max(temperatures)]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xticks([], minor=True)
    ax.set_xlabel("Temperature T (log scale)")
    ax.set_ylabel("Validation loss (mean cross-entropy)")
    ax.set_title("Choosing T: the validation loss of the scaled probabilities")
    ax.legend()
    return fig
