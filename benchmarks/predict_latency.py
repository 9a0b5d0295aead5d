"""Per-image prediction latency once the model is loaded (the CLI's `predict` path).

Compares `predict_or_reject` on one 28x28 image (a direct call into the model, no
per-call set-up) with `model.predict` on the same image, and the MNIST-style preprocessing
of a sample PNG. Prints median milliseconds over many repeats.

    .venv/bin/python benchmarks/predict_latency.py [--model models/seed_mlp.keras]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from mnist_tutorial.config import ExperimentConfig
from mnist_tutorial.images import to_mnist_style
from mnist_tutorial.model import build_mlp
from mnist_tutorial.rejection import predict_or_reject
from mnist_tutorial.train import load_model

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "digits" / "digit_3.png"


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    for _ in range(5):  # warm-up (first calls build graphs)
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a .keras model (default: an untrained MLP)")
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    model = load_model(args.model) if args.model else build_mlp(ExperimentConfig())
    pixels = to_mnist_style(SAMPLE)[np.newaxis]
    batch = pixels.reshape(1, 784).astype(np.float32) / 255

    preprocess = median_ms(lambda: to_mnist_style(SAMPLE), args.repeats)
    ours = median_ms(lambda: predict_or_reject(model, pixels, 0.0), args.repeats)
    keras_predict = median_ms(lambda: model.predict(batch, verbose=0), args.repeats // 3)
    print(f"preprocess one PNG (to_mnist_style):         {preprocess:7.2f} ms")
    print(f"predict_or_reject, one image:                {ours:7.2f} ms")
    print(f"model.predict, one image:                    {keras_predict:7.2f} ms")
    print(f"speed-up of predict_or_reject over predict:  {keras_predict / ours:7.1f}x")


if __name__ == "__main__":
    main()
