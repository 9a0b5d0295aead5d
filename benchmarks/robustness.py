"""How the course's trained models fare on the robustness suite and on the sample drawings.

For each model saved in models/ (a `.keras` file with its sidecar), prints its accuracy on
the clean digits and on every corruption of `mnist_tutorial.corruptions` at each strength,
then on the sample drawings in examples/digits (made MNIST-style by
`mnist_tutorial.images.to_mnist_style`, as `mnist-tutorial predict` reads them).

By default the suite is the **validation** variants: the validation split each model's
training held out, corrupted; look at them as often as needed, choose with them. `--test`
uses the **test** variants, MNIST's test set corrupted: for reporting, once, after every
choice is made. A model with an 11th "not a digit" class is scored on all its outputs: an
answer "not a digit" counts as wrong. Prints figures only; asserts nothing.

    .venv/bin/python benchmarks/robustness.py [--test] [--models-dir models] [--count N]
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # before anything imports Keras

import argparse
import time
from pathlib import Path

import numpy as np

from mnist_tutorial.config import TrainingConfig, config_from_dict
from mnist_tutorial.corruptions import (
    CLEAN,
    CORRUPTIONS,
    LEVELS,
    Suite,
    heldout_test_suite,
    validation_suite,
)
from mnist_tutorial.data import load_mnist
from mnist_tutorial.evaluate import suite_accuracy
from mnist_tutorial.images import ImageInputError, to_mnist_style
from mnist_tutorial.storage import load_model, read_metadata
from mnist_tutorial.tables import format_table

ROOT = Path(__file__).resolve().parents[1]
DRAWINGS = ROOT / "examples" / "digits"
#: The course's models in the order the notebooks train them; others follow by name.
COURSE_ORDER = ("first_mlp", "mlp_val_loss", "mlp_not_a_digit", "cnn", "cnn_augmented")


def saved_models(models_dir: Path) -> list[tuple[str, Path, TrainingConfig]]:
    """Every `.keras` file in `models_dir` whose sidecar names its config."""
    found = []
    for path in sorted(models_dir.glob("*.keras")):
        metadata = read_metadata(path)
        if not metadata or "config" not in metadata:
            print(f"skipped {path}: no sidecar with its config")
            continue
        found.append((path.stem, path, config_from_dict(metadata["config"])))
    rank = {name: i for i, name in enumerate(COURSE_ORDER)}
    return sorted(found, key=lambda m: (rank.get(m[0], len(rank)), m[0]))


def drawings() -> tuple[np.ndarray, np.ndarray]:
    """The sample drawings, MNIST-style, and their digits (the last character of the name)."""
    images, labels = [], []
    for path in sorted(DRAWINGS.glob("*.png")):
        try:
            images.append(to_mnist_style(path))
        except ImageInputError as exc:
            print(f"skipped {path.relative_to(ROOT)}: {exc}")
            continue
        labels.append(int(path.stem[-1]))
    return np.array(images, dtype=np.uint8).reshape(-1, 28, 28), np.array(labels)


def pct(value: float) -> str:
    return f"{100 * value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--test",
        action="store_true",
        help="the test variants (report once), not the validation variants (choose)",
    )
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--count", type=int, default=None, help="only the first COUNT images")
    args = parser.parse_args()

    models = saved_models(args.models_dir)
    if not models:
        print(f"no trained models in {args.models_dir}: run the notebooks (or make execute)")
        return
    mnist = load_mnist(verbose=False)
    drawn = drawings()
    started = time.perf_counter()
    # One suite per validation split (size, data seed) among the models; one test suite.
    suites: dict[tuple[int, int] | None, Suite] = {}
    results: dict[str, dict[str, float]] = {}
    for name, path, config in models:
        if args.test:
            key = None
            if key not in suites:
                suites[key] = heldout_test_suite(count=args.count, mnist=mnist)
        elif not config.validation_size:
            print(f"skipped {name}: trained on every training image, no validation split")
            continue
        else:
            key = (config.validation_size, config.data_seed)
            if key not in suites:
                suites[key] = validation_suite(config, count=args.count, mnist=mnist)
        model = load_model(path)
        results[name] = suite_accuracy(model, {**suites[key], "drawings": drawn})
    seconds = time.perf_counter() - started
    if not results:
        return

    columns = list(results)
    digits = len(next(iter(suites.values()))[CLEAN][1])
    if args.test:
        source = "MNIST's test set: for reporting, once"
    else:
        splits = ", ".join(f"{size} (data seed {seed})" for size, seed in suites)
        source = f"the validation split of {splits}: for choosing"
    print(f"\nRobustness suite, {'test' if args.test else 'validation'} variants: ", end="")
    print(f"{digits} digits each, from {source}. Accuracy, % right:\n")

    def row(label: str, strength: str, values: list[float] | None = None, *, of: str = "") -> list:
        figures = values or [results[m][of] for m in columns]
        return [label, strength, *map(pct, figures)]

    rows = [row("clean", "-", of=CLEAN)]
    corrupted = []
    for corruption in CORRUPTIONS:
        for variant, strength in zip(corruption.variants(), corruption.strengths, strict=True):
            rows.append(row(variant, f"{strength:g} {corruption.unit}", of=variant))
            corrupted.append(variant)
    for level in LEVELS:
        chosen = [v for v in corrupted if v.endswith(f"/{level}")]
        means = [float(np.mean([results[m][v] for v in chosen])) for m in columns]
        rows.append(row(f"mean, {level}", f"{len(chosen)} variants", means))
    means = [float(np.mean([results[m][v] for v in corrupted])) for m in columns]
    rows.append(row("mean, all", f"{len(corrupted)} variants", means))
    rows.append(row("examples/digits", f"{len(drawn[1])} drawings", of="drawings"))
    print(format_table(["variant", "strength", *columns], rows))
    print(f"\n{len(columns)} models, {len(corrupted)} corrupted variants: {seconds:.0f} s")


if __name__ == "__main__":
    main()
