"""Per-image prediction latency once the model is loaded (the CLI's `predict` path).

Compares `predict_or_reject` on one 28x28 image (the CLI's and notebooks' path: it runs the
network through `predict_on_batch`, compiled once per input size) with `model.predict` on
the same image, with a direct call `model(x)` (which runs layer by layer, uncompiled: the
path `predict_or_reject` took before), and the MNIST-style preprocessing of a sample PNG.
Prints median milliseconds over many repeats and writes them to
`benchmarks/results/predict_latency.json`.

    .venv/bin/python benchmarks/predict_latency.py [--model models/seed_mlp.keras]
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # before anything imports Keras

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from mnist_tutorial._keras import keras
from mnist_tutorial.config import MLPConfig
from mnist_tutorial.images import to_mnist_style
from mnist_tutorial.model import build_mlp
from mnist_tutorial.rejection import predict_or_reject
from mnist_tutorial.storage import load_model

RESULTS = Path(__file__).resolve().parent / "results" / "predict_latency.json"
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
    model = load_model(args.model) if args.model else build_mlp(MLPConfig())
    pixels = to_mnist_style(SAMPLE)[np.newaxis]
    batch = pixels.reshape(1, 784).astype(np.float32) / 255

    preprocess = median_ms(lambda: to_mnist_style(SAMPLE), args.repeats)
    ours = median_ms(lambda: predict_or_reject(model, pixels, 0.0), args.repeats)
    direct = median_ms(
        lambda: keras.ops.convert_to_numpy(model(batch, training=False)), args.repeats
    )
    keras_predict = median_ms(lambda: model.predict(batch, verbose=0), args.repeats // 3)
    rows = {
        "preprocess one PNG (to_mnist_style)": preprocess,
        "predict_or_reject, one image": ours,
        "direct call model(x), one image": direct,
        "model.predict, one image": keras_predict,
    }
    print(f"backend: {keras.backend.backend()}")
    for label, ms in rows.items():
        print(f"{label + ':':<45}{ms:7.2f} ms")
    print(f"{'speed-up of predict_or_reject over predict:':<45}{keras_predict / ours:7.1f}x")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {"backend": keras.backend.backend(), "median_ms": rows}
    with tempfile.NamedTemporaryFile("w", dir=RESULTS.parent, delete=False, suffix=".tmp") as fh:
        json.dump(payload, fh, indent=2)
    os.replace(fh.name, RESULTS)


if __name__ == "__main__":
    main()
