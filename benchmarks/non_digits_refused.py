"""How often each saved network refuses notebook 11's non-digits, with its own rejection.

For every model saved in models/ with its sidecar and stored rejection settings (temperature
and threshold, chosen on its validation split), prints the share of each kind of notebook
11's test non-digits (`mnist_tutorial.ood.ood_datasets` from MNIST's test images, data seed
42, as notebook 11 builds them: noise, blank, all ink, turned and inverted digits) that it
refuses: "I don't know", or "not a digit" for a network that has that answer. Prints
figures only; asserts nothing.

    .venv/bin/python benchmarks/non_digits_refused.py [--models-dir models] [--count 1000]
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # before anything imports Keras

import argparse
from pathlib import Path

import numpy as np
from robustness import saved_models

from mnist_tutorial.data import load_mnist
from mnist_tutorial.ood import ood_datasets
from mnist_tutorial.preprocess import prepare_images
from mnist_tutorial.rejection import load_rejection, predict_or_reject
from mnist_tutorial.storage import load_model
from mnist_tutorial.tables import format_table

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--count", type=int, default=1000, help="images of each kind")
    args = parser.parse_args()
    _, (x_test, _) = load_mnist(verbose=False)
    kinds = ood_datasets(prepare_images(x_test).reshape(-1, 28, 28), n=args.count, seed=42)
    rows = []
    for name, path, _config in saved_models(args.models_dir):
        settings = load_rejection(path)
        if settings is None:
            print(f"skipped {name}: no rejection settings stored (run notebooks 8, 10, 11)")
            continue
        model = load_model(path)
        shares = []
        for images in kinds.values():
            decisions = predict_or_reject(model, images, settings.threshold, settings.temperature)
            shares.append(np.mean([answer is None for answer in decisions.classes]))
        rows.append([name, *(f"{100 * s:.1f}" for s in shares), f"{100 * np.mean(shares):.1f}"])
    print(f"Refused, % of {args.count} images of each kind (notebook 11's test non-digits):\n")
    print(format_table(["network", *kinds, "mean"], rows))


if __name__ == "__main__":
    main()
