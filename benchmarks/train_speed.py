"""Training speed: the seed notebook's own code against this library, on the same data.

One run trains, in this order, each in a fresh process on the same data: (a) the seed's
code exactly as written (plain `model.fit`, batch 75, no extras, on Keras' default backend,
TensorFlow; `verbose=0` so that no progress bar is timed), then (b) the library's
`build_mlp` + `train_model` — same model, optimizer, batch size and number of steps — with
the library's defaults (JAX backend, `steps_per_execution=100`). Each runs a fixed number of
epochs (early stopping cannot end them). The script prints seconds per epoch (median over
the epochs after the first), their ratio, test accuracy, the machine, and the achieved
GFLOP/s. `--levers` also times each lever alone: the backend, `steps_per_execution`, XLA on
TensorFlow and a tf.data pipeline. A backend is fixed per process, hence the processes.
Results go to stdout and to `benchmarks/results/train_speed.json`.

    .venv/bin/python benchmarks/train_speed.py [--epochs 5] [--levers]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "train_speed.json"
LAYERS = (784, 128, 64, 10)

#: name -> (backend, description); run in this order.
MAIN = {
    "seed": ("tensorflow", "(a) seed code: plain model.fit"),
    "library": ("jax", "(b) library: train_model (defaults)"),
}
LEVERS = {
    "jax-spe1": ("jax", "JAX, steps_per_execution=1"),
    "jax-spe10": ("jax", "JAX, steps_per_execution=10"),
    "jax-spe800": ("jax", "JAX, steps_per_execution=800"),
    "tf-spe100": ("tensorflow", "TensorFlow, steps_per_execution=100"),
    "tf-spe800": ("tensorflow", "TensorFlow, steps_per_execution=800"),
    "tf-spe100-xla": ("tensorflow", "TensorFlow, steps_per_execution=100 + XLA"),
    "tf-data": ("tensorflow", "TensorFlow, tf.data pipeline, spe=100"),
}


def flops_per_epoch(n_images: int) -> float:
    """Multiply-adds of forward (2 per weight) and backward (4 per weight) passes."""
    weights = sum(a * b for a, b in zip(LAYERS[:-1], LAYERS[1:], strict=True))
    return 6.0 * weights * n_images


def run_variant(name: str, epochs: int) -> dict[str, Any]:
    """Train one variant in this process (its backend already chosen) and time it."""
    from mnist_tutorial._keras import keras, tf
    from mnist_tutorial.config import ExperimentConfig
    from mnist_tutorial.data import load_mnist
    from mnist_tutorial.model import build_mlp, make_optimizer
    from mnist_tutorial.preprocess import one_hot, prepare_images
    from mnist_tutorial.reproducibility import set_reproducible
    from mnist_tutorial.train import train_model

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            self.seconds.append(time.perf_counter() - self._start)

    (x_train, y_train), (x_test, y_test) = load_mnist(verbose=False)
    x, y = prepare_images(x_train), one_hot(y_train)
    timer = EpochTimer()
    set_reproducible(42)

    if name == "seed":  # the seed notebook's cells, verbatim but for verbose=0 and the timer
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
    else:
        spe = {"jax-spe1": 1, "jax-spe10": 10, "jax-spe800": 800, "tf-spe800": 800}.get(name, 100)
        config = ExperimentConfig(epochs=epochs, steps_per_execution=spe)
        model = build_mlp(config)
        if name == "tf-spe100-xla":
            model.compile(
                optimizer=make_optimizer(config),
                loss=config.loss,
                metrics=list(config.metrics),
                steps_per_execution=spe,
                jit_compile=True,
            )
        if name == "tf-data":
            xs, ys = tf.constant(x), tf.constant(y)
            dataset = (
                tf.data.Dataset.range(len(x))
                .shuffle(len(x), seed=config.seed)
                .batch(config.batch_size)
                .map(lambda idx: (tf.gather(xs, idx), tf.gather(ys, idx)))
                .prefetch(tf.data.AUTOTUNE)
            )
            model.fit(dataset, epochs=epochs, callbacks=[timer], verbose=0)
        else:
            original_fit = model.fit

            def fit_with_timer(*args: Any, **kwargs: Any) -> Any:
                kwargs["callbacks"] = [*kwargs.get("callbacks", []), timer]
                return original_fit(*args, **kwargs)

            model.fit = fit_with_timer  # type: ignore[method-assign]
            train_model(model, x, y, config, progress=False)

    scores = model.evaluate(
        prepare_images(x_test), one_hot(y_test), verbose=0, return_dict=True, batch_size=1000
    )
    per_epoch = statistics.median(timer.seconds[1:] or timer.seconds)
    return {
        "variant": name,
        "backend": keras.backend.backend(),
        "seconds_per_epoch": per_epoch,
        "epoch_seconds": timer.seconds,
        "test_accuracy": float(scores["accuracy"]),
        "gflops_per_second": flops_per_epoch(len(x)) / per_epoch / 1e9,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
    }


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import jax

    return {
        "cpu": cpu or "unknown",
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "jax": jax.__version__,
    }


def spawn(name: str, backend: str, epochs: int) -> dict[str, Any]:
    env = {**os.environ, "KERAS_BACKEND": backend}
    result = subprocess.run(
        [sys.executable, __file__, "--variant", name, "--epochs", str(epochs)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("RESULT ")]
    if result.returncode != 0 or not lines:
        raise SystemExit(f"variant {name} failed:\n{result.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT ") :])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--levers", action="store_true", help="also time each lever alone")
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print("RESULT " + json.dumps(run_variant(args.variant, args.epochs)))
        return

    info = machine()
    print(f"machine: {info}")
    print(f"{args.epochs} epochs each, 60000 images, batch 75 (800 steps per epoch)\n")
    variants = {**MAIN, **(LEVERS if args.levers else {})}
    rows = []
    for name, (backend, label) in variants.items():
        row = spawn(name, backend, args.epochs)
        row["label"] = label
        rows.append(row)
        print(
            f"{label:<42} {row['seconds_per_epoch']:7.3f} s/epoch "
            f"{row['gflops_per_second']:6.1f} GFLOP/s  test accuracy {row['test_accuracy']:.4f}",
            flush=True,
        )
    info["tensorflow"], info["keras"] = rows[0]["tensorflow"], rows[0]["keras"]
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
