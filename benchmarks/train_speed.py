"""Training speed: the seed notebook's own code against this library, on the same data.

One run trains, in this order and in this process: (a) the seed's code exactly as written
(plain `model.fit`, batch 75, no extras; `verbose=0` so that no progress bar is timed), then
(b) the library's `build_mlp` + `train_model` with the same model, optimizer, batch size and
number of steps. Each runs a fixed number of epochs (early stopping cannot end them), and
the script prints seconds per epoch (median over the epochs after the first), their ratio,
test accuracy, the machine, and the achieved GFLOP/s. `--levers` also times the single
levers one by one (steps_per_execution values, XLA, a tf.data pipeline); thread counts and
oneDNN are process-wide, so time them by re-running with TF_NUM_INTRAOP_THREADS,
TF_NUM_INTEROP_THREADS or TF_ENABLE_ONEDNN_OPTS=0 set.
Results go to stdout and to `benchmarks/results/train_speed.json`.

    .venv/bin/python benchmarks/train_speed.py [--epochs 5] [--levers]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from mnist_tutorial._keras import keras, tf
from mnist_tutorial.config import ExperimentConfig
from mnist_tutorial.data import load_mnist
from mnist_tutorial.model import build_mlp, make_optimizer
from mnist_tutorial.preprocess import one_hot, prepare_images
from mnist_tutorial.reproducibility import set_reproducible
from mnist_tutorial.train import train_model

RESULTS = Path(__file__).resolve().parent / "results" / "train_speed.json"
LAYERS = (784, 128, 64, 10)


class EpochTimer(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._start)


def flops_per_epoch(n_images: int) -> float:
    """Multiply-adds of forward (2 per weight) and backward (4 per weight) passes."""
    weights = sum(a * b for a, b in zip(LAYERS[:-1], LAYERS[1:], strict=True))
    return 6.0 * weights * n_images


def seed_code(x, y, epochs: int, timer: EpochTimer) -> keras.Model:
    """The seed notebook's cells, verbatim but for verbose=0 and the timer."""
    from keras.layers import Dense, Input
    from keras.models import Sequential

    model = Sequential()
    model.add(Input(shape=(784,)))
    model.add(Dense(128, activation="relu"))
    model.add(Dense(64, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    early_stop = keras.callbacks.EarlyStopping(monitor="accuracy", patience=30)
    model.fit(x, y, epochs=epochs, batch_size=75, callbacks=[early_stop, timer], verbose=0)
    return model


def library_code(
    x, y, epochs: int, timer: EpochTimer, jit_compile: bool = False, **changes: Any
) -> keras.Model:
    """The library's training; `changes` override the config, `jit_compile` adds XLA."""
    config = ExperimentConfig(epochs=epochs, **changes)
    model = build_mlp(config)
    if jit_compile:
        model.compile(
            optimizer=make_optimizer(config),
            loss=config.loss,
            metrics=list(config.metrics),
            steps_per_execution=config.steps_per_execution,
            jit_compile=True,
        )
    original_fit = model.fit

    def fit_with_timer(*args, **kwargs):
        kwargs["callbacks"] = [*kwargs.get("callbacks", []), timer]
        return original_fit(*args, **kwargs)

    model.fit = fit_with_timer  # type: ignore[method-assign]
    train_model(model, x, y, config, progress=False)
    return model


def summarize(name: str, timer: EpochTimer, model, x_test, y_test, n_images: int) -> dict:
    per_epoch = statistics.median(timer.seconds[1:] or timer.seconds)
    accuracy = model.evaluate(x_test, y_test, verbose=0, return_dict=True)["accuracy"]
    row = {
        "name": name,
        "seconds_per_epoch": per_epoch,
        "epoch_seconds": timer.seconds,
        "test_accuracy": float(accuracy),
        "gflops_per_second": flops_per_epoch(n_images) / per_epoch / 1e9,
    }
    print(
        f"{name:<44} {per_epoch:7.3f} s/epoch  {row['gflops_per_second']:6.1f} GFLOP/s  "
        f"test accuracy {accuracy:.4f}",
        flush=True,
    )
    return row


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu or "unknown",
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"),
    }


def tf_data_variant(x, y, epochs: int, timer: EpochTimer) -> keras.Model:
    """The library's model fed by a tf.data pipeline (shuffle indices, gather, prefetch)."""
    config = ExperimentConfig(epochs=epochs)
    model = build_mlp(config)
    set_reproducible(config.seed)
    xs, ys = tf.constant(x), tf.constant(y)
    dataset = (
        tf.data.Dataset.range(len(x))
        .shuffle(len(x), seed=config.seed, reshuffle_each_iteration=True)
        .batch(config.batch_size)
        .map(lambda idx: (tf.gather(xs, idx), tf.gather(ys, idx)))
        .prefetch(tf.data.AUTOTUNE)
    )
    model.fit(dataset, epochs=epochs, callbacks=[timer], verbose=0)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--levers", action="store_true", help="also time each lever alone")
    args = parser.parse_args()

    (x_train, y_train), (x_test, y_test) = load_mnist(verbose=False)
    x, y = prepare_images(x_train), one_hot(y_train)
    xt, yt = prepare_images(x_test), one_hot(y_test)
    info = machine()
    print(f"machine: {info}")
    print(f"{args.epochs} epochs each, 60000 images, batch 75 (800 steps per epoch)\n")

    rows = []

    def measure(name: str, train) -> None:
        timer = EpochTimer()
        model = train(timer)
        rows.append(summarize(name, timer, model, xt, yt, len(x)))

    set_reproducible(42)
    measure("(a) seed code: plain model.fit", lambda t: seed_code(x, y, args.epochs, t))
    measure("(b) library: train_model", lambda t: library_code(x, y, args.epochs, t))

    if args.levers:
        print("\nlevers, one at a time (the library's model and seed):")
        for spe in (1, 10, 100, 800):
            measure(
                f"steps_per_execution={spe}",
                lambda t, spe=spe: library_code(x, y, args.epochs, t, steps_per_execution=spe),
            )
        measure(
            "steps_per_execution=100 + XLA jit_compile",
            lambda t: library_code(x, y, args.epochs, t, jit_compile=True),
        )
        measure("tf.data pipeline (spe=1)", lambda t: tf_data_variant(x, y, args.epochs, t))

    ratio = rows[0]["seconds_per_epoch"] / rows[1]["seconds_per_epoch"]
    print(f"\nspeed-up of (b) over (a): {ratio:.2f}x per epoch")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {"machine": info, "epochs": args.epochs, "speedup": ratio, "runs": rows}
    with tempfile.NamedTemporaryFile("w", dir=RESULTS.parent, delete=False, suffix=".tmp") as fh:
        json.dump(payload, fh, indent=2)
    os.replace(fh.name, RESULTS)
    print(f"results written to {RESULTS}")


if __name__ == "__main__":
    main()
