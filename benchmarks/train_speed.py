"""Training speed: the original notebook's own code against this library, on the same data.

Each run trains, each in a fresh process on the same data: (a) the original notebook's code as
written (plain `model.fit`, batch 75, no extras, on Keras' default backend, TensorFlow;
`verbose=0` so that no progress bar is timed), and (b) the library's `build_mlp` +
`train_model` — same model, optimizer, batch size and number of steps — with the library's
defaults (JAX backend, the notebooks' plain `compile`; the levers that change `compile`,
such as `steps_per_execution`, recompile the model here, in the benchmark only). (a) and (b)
alternate over `--repeats` rounds, so both see the same load on a shared machine. Each runs a
fixed number of epochs (early stopping cannot end them). The script prints seconds per epoch
(median over the epochs after the first, then over the rounds), their ratio, test accuracy
and the achieved GFLOP/s. `--levers` (all) or `--levers NAME...` also times levers alone in
the same rounds (see LEVERS), including two plain-JAX references without Keras. A backend is
fixed per process, hence the processes. Results go to stdout and to
`benchmarks/results/train_speed.json`.

    .venv/bin/python benchmarks/train_speed.py [--epochs 5] [--repeats 2] [--levers [NAME...]]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fresh_process import print_result, run_in_fresh_process

RESULTS = Path(__file__).resolve().parent / "results" / "train_speed.json"
LAYERS = (784, 128, 64, 10)

#: name -> (backend, description, options); options change only how fast, not what is
#: learned (same model, optimizer, batches and number of updates), except where noted.
MAIN: dict[str, tuple[str, str, dict[str, Any]]] = {
    "original": ("tensorflow", "(a) original code: plain model.fit", {}),
    "library": ("jax", "(b) library: train_model (defaults)", {}),
}
_NO_EIGEN_THREADS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
LEVERS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "jax-spe32": ("jax", "JAX, steps_per_execution=32", {"spe": 32}),
    "jax-spe10": ("jax", "JAX, steps_per_execution=10", {"spe": 10}),
    "jax-spe800": ("jax", "JAX, steps_per_execution=800", {"spe": 800}),
    "jax-one-thread": ("jax", "JAX, XLA one thread per op", {"xla_flags": _NO_EIGEN_THREADS}),
    "jax-device-arrays": ("jax", "JAX, data passed as jax arrays", {"jax_arrays": True}),
    "jax-no-shuffle": ("jax", "JAX, shuffle=False (changes batches)", {"shuffle": False}),
    "jax-no-metrics": ("jax", "JAX, no accuracy metric (loss only)", {"metrics": ()}),
    "jax-val": ("jax", "JAX, 55000 + 5000 validation (batch 75)", {"validation": 75}),
    "jax-val1000": ("jax", "JAX, 55000 + 5000 validation (batch 1000)", {"validation": 1000}),
    "jax-val5000": ("jax", "JAX, 55000 + 5000 validation (batch 5000)", {"validation": 5000}),
    "bare-jax-scan": ("jax", "reference: bare JAX, lax.scan per epoch", {"bare": "scan"}),
    "bare-jax-steps": ("jax", "reference: bare JAX, one jit call per batch", {"bare": "steps"}),
    "tf-spe100": ("tensorflow", "TensorFlow, steps_per_execution=100", {"spe": 100}),
    "tf-spe800": ("tensorflow", "TensorFlow, steps_per_execution=800", {"spe": 800}),
    "tf-spe100-xla": ("tensorflow", "TensorFlow, spe=100 + XLA", {"jit_compile": True, "spe": 100}),
    "tf-data": (
        "tensorflow",
        "TensorFlow, tf.data pipeline, spe=100",
        {"tf_data": True, "spe": 100},
    ),
}


def flops_per_epoch(n_images: int) -> float:
    """Multiply-adds of forward (2 per weight) and backward (4 per weight) passes."""
    weights = sum(a * b for a, b in zip(LAYERS[:-1], LAYERS[1:], strict=True))
    return 6.0 * weights * n_images


def run_variant(name: str, options: dict[str, Any], epochs: int) -> dict[str, Any]:
    """Train one variant in this process (its backend already chosen) and time it."""
    import numpy as np

    from mnist_tutorial._keras import keras

    # for the tf.data lever and the version line; Keras imports it anyway when it is installed
    tf = importlib.import_module("tensorflow") if importlib.util.find_spec("tensorflow") else None
    from mnist_tutorial.config import MLPConfig
    from mnist_tutorial.data import load_mnist
    from mnist_tutorial.model import build_mlp, make_optimizer
    from mnist_tutorial.preprocess import one_hot, prepare_images, split_validation
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

    if options.get("bare"):  # no Keras in the loop: where fit's time goes
        return bare_jax(options["bare"], x, y, x_test, y_test, epochs)
    if name == "original":  # its cells, verbatim but for verbose=0 and the timer
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
        defaults = MLPConfig()
        config = MLPConfig(
            epochs=epochs,
            metrics=tuple(options.get("metrics", defaults.metrics)),
            early_stopping_monitor="accuracy" if "metrics" not in options else "loss",
        )
        model = build_mlp(config)
        if options.get("jit_compile") or "spe" in options:
            model.compile(
                optimizer=make_optimizer(config),
                loss=config.loss,
                metrics=list(config.metrics),
                steps_per_execution=options.get("spe", 1),
                jit_compile=True if options.get("jit_compile") else "auto",
            )
        validation_data = None
        if options.get("validation"):
            (x_fit, y_fit), (x_val, y_val) = split_validation(
                x_train, y_train, config.validation_size, config.data_seed
            )
            x, y = prepare_images(x_fit), one_hot(y_fit)
            validation_data = (prepare_images(x_val), one_hot(y_val))
        if options.get("jax_arrays"):
            import jax.numpy as jnp

            x, y = jnp.asarray(x), jnp.asarray(y)
        if options.get("tf_data"):
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
                if "shuffle" in options:
                    kwargs["shuffle"] = options["shuffle"]
                if options.get("validation"):
                    kwargs["validation_batch_size"] = options["validation"]
                return original_fit(*args, **kwargs)

            model.fit = fit_with_timer  # type: ignore[method-assign]
            train_model(model, x, y, config, validation_data=validation_data, progress=False)

    predictions = model.predict(prepare_images(x_test), verbose=0, batch_size=1000)
    scores = {"accuracy": float(np.mean(predictions.argmax(axis=1) == y_test))}
    per_epoch = statistics.median(timer.seconds[1:] or timer.seconds)
    return {
        "variant": name,
        "backend": keras.backend.backend(),
        "seconds_per_epoch": per_epoch,
        "epoch_seconds": timer.seconds,
        "test_accuracy": float(scores["accuracy"]),
        "gflops_per_second": flops_per_epoch(len(x)) / per_epoch / 1e9,
        "options": options,
        "tensorflow": tf.__version__ if tf is not None else None,
        "keras": keras.__version__,
    }


def bare_jax(
    kind: str,
    x: Any,
    y: Any,
    x_test: Any,
    y_test: Any,
    epochs: int,
    batch_size: int = 75,
    learning_rate: float = 1e-3,
) -> dict[str, Any]:
    """The same MLP, batches and Adam updates written in plain JAX (a reference, not a lever:
    the course teaches `fit`). "scan": one compiled call per epoch; "steps": one per batch."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from mnist_tutorial.preprocess import prepare_images

    key = jax.random.PRNGKey(42)
    params = []
    for fan_in, fan_out in zip(LAYERS[:-1], LAYERS[1:], strict=True):
        key, sub = jax.random.split(key)
        limit = (6 / (fan_in + fan_out)) ** 0.5
        params.append(
            (
                jax.random.uniform(sub, (fan_in, fan_out), minval=-limit, maxval=limit),
                jnp.zeros(fan_out),
            )
        )
    moments = [jax.tree.map(jnp.zeros_like, params) for _ in range(2)]
    state = (params, *moments, jnp.zeros((), jnp.int32))

    def forward(params: Any, xb: Any) -> Any:
        for w, b in params[:-1]:
            xb = jax.nn.relu(xb @ w + b)
        return xb @ params[-1][0] + params[-1][1]

    def loss_fn(params: Any, xb: Any, yb: Any) -> Any:
        return -jnp.mean(jnp.sum(yb * jax.nn.log_softmax(forward(params, xb)), axis=-1))

    def step(state: Any, batch: Any) -> Any:
        params, m, v, t = state
        loss, grads = jax.value_and_grad(loss_fn)(params, *batch)
        t = t + 1
        m = jax.tree.map(lambda m, g: 0.9 * m + 0.1 * g, m, grads)
        v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
        lr = learning_rate * jnp.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        params = jax.tree.map(lambda p, m, v: p - lr * m / (jnp.sqrt(v) + 1e-7), params, m, v)
        return (params, m, v, t), loss

    steps = len(x) // batch_size
    rng = np.random.default_rng(42)
    if kind == "scan":
        xd, yd = jnp.asarray(x), jnp.asarray(y)

        @jax.jit
        def epoch_fn(state: Any, order: Any) -> Any:
            batches = (
                xd[order].reshape(steps, batch_size, -1),
                yd[order].reshape(steps, batch_size, -1),
            )
            return jax.lax.scan(step, state, batches)

        def run_epoch(state: Any) -> Any:
            order = rng.permutation(len(x))[: steps * batch_size]
            state, losses = epoch_fn(state, order)
            losses.block_until_ready()
            return state
    else:
        step_fn = jax.jit(step, donate_argnums=0)

        def run_epoch(state: Any) -> Any:
            order = rng.permutation(len(x))
            for i in range(steps):
                idx = order[i * batch_size : (i + 1) * batch_size]
                state, loss = step_fn(state, (x[idx], y[idx]))
            loss.block_until_ready()
            return state

    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        state = run_epoch(state)
        seconds.append(time.perf_counter() - start)
    accuracy = float(
        np.mean(np.argmax(forward(state[0], prepare_images(x_test)), -1) == np.asarray(y_test))
    )
    per_epoch = statistics.median(seconds[1:] or seconds)
    return {
        "variant": f"bare-jax-{kind}",
        "backend": "jax (no keras)",
        "seconds_per_epoch": per_epoch,
        "epoch_seconds": seconds,
        "test_accuracy": accuracy,
        "gflops_per_second": flops_per_epoch(len(x)) / per_epoch / 1e9,
        "tensorflow": "",
        "keras": "",
        "options": {"bare": kind},
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


def spawn(name: str, epochs: int) -> dict[str, Any]:
    backend, _, options = {**MAIN, **LEVERS}[name]
    env = {**os.environ, "KERAS_BACKEND": backend}
    if options.get("xla_flags"):
        env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {options['xla_flags']}".strip()
    command = [sys.executable, __file__, "--variant", name, "--epochs", str(epochs)]
    return run_in_fresh_process(command, env, f"variant {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2, help="interleaved rounds")
    parser.add_argument(
        "--levers",
        nargs="*",
        metavar="NAME",
        help=f"also time levers ({', '.join(LEVERS)}; none named: all)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        options = {**MAIN, **LEVERS}[args.variant][2]
        print_result(run_variant(args.variant, options, args.epochs))
        return

    info = machine()
    print(f"machine: {info}")
    print(
        f"{args.epochs} epochs per run, 60000 images (55000 + 5000 where said), batch 75; "
        f"{args.repeats} interleaved rounds, each run a fresh process; median s/epoch of the "
        "epochs after the first\n"
    )
    levers = list(LEVERS) if args.levers == [] else (args.levers or [])
    unknown = set(levers) - set(LEVERS)
    if unknown:
        raise SystemExit(f"unknown levers: {', '.join(sorted(unknown))}")
    names = [*MAIN, *levers]
    if importlib.util.find_spec("tensorflow") is None:
        skipped = [n for n in names if {**MAIN, **LEVERS}[n][0] == "tensorflow"]
        print(
            f"TensorFlow is not installed for Python {platform.python_version()} (no wheel yet): "
            f"skipping {', '.join(skipped)}, which run on it\n",
            flush=True,
        )
        names = [n for n in names if n not in skipped]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for round_ in range(args.repeats):
        for name in names if round_ % 2 == 0 else reversed(names):
            try:
                run = spawn(name, args.epochs)
            except SystemExit as exc:  # a lever that fails is reported, not fatal
                print(f"  round {round_ + 1}: {name} failed: {str(exc)[-500:]}", flush=True)
                continue
            runs[name].append(run)
            print(
                f"  round {round_ + 1}: {name:<20} {run['seconds_per_epoch']:.3f} s/epoch",
                flush=True,
            )
    rows = []
    for name in [n for n in names if runs[n]]:
        per_epoch = statistics.median(r["seconds_per_epoch"] for r in runs[name])
        row = {
            "variant": name,
            "label": {**MAIN, **LEVERS}[name][1],
            "backend": runs[name][0]["backend"],
            "options": {**MAIN, **LEVERS}[name][2],
            "seconds_per_epoch": per_epoch,
            "seconds_per_epoch_each_run": [r["seconds_per_epoch"] for r in runs[name]],
            "test_accuracy": runs[name][0]["test_accuracy"],
            "gflops_per_second": runs[name][0]["gflops_per_second"]
            * runs[name][0]["seconds_per_epoch"]
            / per_epoch,
            "runs": runs[name],
        }
        rows.append(row)
        each = " ".join(f"{v:.3f}" for v in row["seconds_per_epoch_each_run"])
        print(
            f"{row['label']:<44} {per_epoch:6.3f} s/epoch ({each})  "
            f"{row['gflops_per_second']:5.1f} GFLOP/s  test accuracy {row['test_accuracy']:.4f}",
            flush=True,
        )
    ratio = None
    if runs.get("original") and runs.get("library"):
        info["tensorflow"] = runs["original"][0]["tensorflow"]
        info["keras"] = runs["original"][0]["keras"]
        per_epoch = {row["variant"]: row["seconds_per_epoch"] for row in rows}
        ratio = per_epoch["original"] / per_epoch["library"]
        print(f"\nspeed-up of (b) over (a): {ratio:.2f}x per epoch")
    payload = {
        "machine": info,
        "epochs": args.epochs,
        "repeats": args.repeats,
        "speedup": ratio,
        "runs": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=args.out.parent, delete=False, suffix=".tmp") as fh:
        json.dump(payload, fh, indent=2)
    os.replace(fh.name, args.out)
    print(f"results written to {args.out}")


if __name__ == "__main__":
    main()
