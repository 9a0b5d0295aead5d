"""Prediction latency: `mnist-tutorial predict` on one picture, and per image once loaded.

First the whole command as a user runs it: `mnist-tutorial predict digit_3.png --model M`,
each run a new process (cold: Python, Keras and the model loaded anew) after one run that is
not counted (warm disk: files in the page cache). Prints the median, min and max wall
seconds and the median CPU seconds (user + system, which load from other processes moves
less than wall time) over `--cli-runs` runs.

Then, in this process, `predict_or_reject` on one 28x28 image (the CLI's and notebooks'
path: it runs the network through `predict_on_batch`, compiled once per input size) against
`model.predict` on the same image, a direct call `model(x)` (which runs layer by layer,
uncompiled: the path `predict_or_reject` took before), and the MNIST-style preprocessing of
a sample PNG: median milliseconds over many repeats.

Writes both to `benchmarks/results/predict_latency.json`.

    .venv/bin/python benchmarks/predict_latency.py [--model models/first_mlp.keras]
        [--cli-runs 5] [--repeats 300]

Without `--model`, an untrained first MLP (saved to a temporary file for the command).
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # before anything imports Keras

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from mnist_tutorial._keras import keras
from mnist_tutorial.config import MLPConfig
from mnist_tutorial.files import write_text_atomic
from mnist_tutorial.images import to_mnist_style
from mnist_tutorial.model import build_mlp
from mnist_tutorial.rejection import predict_or_reject
from mnist_tutorial.storage import load_model, save_model

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


def cli_one_picture(model: Path, runs: int) -> dict[str, float]:
    """`mnist-tutorial predict SAMPLE --model model`, each run a new process, after one
    that is not counted: wall and CPU seconds (median, and the wall's min and max)."""
    script = shutil.which("mnist-tutorial", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "mnist_tutorial.cli"]
    command += ["predict", str(SAMPLE), "--model", str(model)]
    walls, cpus = [], []
    for run in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)  # on this process's backend
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if run:  # the first run warms the disk cache
            walls.append(wall)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {
        "median_wall_s": statistics.median(walls),
        "min_wall_s": min(walls),
        "max_wall_s": max(walls),
        "median_cpu_s": statistics.median(cpus),
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a .keras model (default: an untrained MLP)")
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--cli-runs", type=int, default=5, help="runs of the command (0: none)")
    args = parser.parse_args()
    model = load_model(args.model) if args.model else build_mlp(MLPConfig())
    cli = {}
    if args.cli_runs > 0:
        with tempfile.TemporaryDirectory() as tmp:
            path = args.model or save_model(model, Path(tmp) / "untrained_mlp.keras")
            cli = cli_one_picture(path, args.cli_runs)
        print(
            f"mnist-tutorial predict, one picture, new process ({cli['runs']} runs): "
            f"{cli['median_wall_s']:.2f} s wall (median; {cli['min_wall_s']:.2f} to "
            f"{cli['max_wall_s']:.2f}), {cli['median_cpu_s']:.2f} s CPU"
        )
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
    if cli:
        payload["cli_one_picture"] = cli
    write_text_atomic(RESULTS, json.dumps(payload, indent=2))


if __name__ == "__main__":
    main()
