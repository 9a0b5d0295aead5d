"""Relative cost of one training epoch for CNN variants, measured so that load from other
processes hits every variant alike.

Each variant's model is built (`cnn_experiment()` with the changes) and warmed up, then the
variants train one epoch each in turn, round after round (the order reversed every other
round), on TensorFlow like notebook 7. The script prints each variant's median and fastest
epoch (wall seconds, with the validation pass) and their ratio to the first variant, and the
median process CPU seconds. On a shared machine the fastest epoch is the nearest to an idle
one; full runs (`cnn_speed.py`) are still needed for accuracy and for the first epoch's
tracing. Nothing is written.

    .venv/bin/python benchmarks/cnn_cost.py [--rounds 4] [--images 55000] \\
        '{}' '{"conv_filters": [16, 32]}' '{"batch_size": 256}' ...
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", help="JSON dicts of config changes; first = base")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--images", type=int, default=55_000, help="training images per epoch")
    args = parser.parse_args()

    from mnist_tutorial.config import cnn_experiment
    from mnist_tutorial.data import load_mnist
    from mnist_tutorial.model import build_cnn, model_inputs
    from mnist_tutorial.preprocess import one_hot

    base = cnn_experiment()
    (x_all, y_all), _ = load_mnist(verbose=False)
    if not 0 < args.images <= len(x_all) - 5000:
        raise SystemExit(f"--images must be between 1 and {len(x_all) - 5000}")
    x, y = model_inputs(x_all[: args.images], base), one_hot(y_all[: args.images])
    tail = slice(len(x_all) - 5000, None)
    x_val, y_val = model_inputs(x_all[tail], base), one_hot(y_all[tail])
    variants = [json.loads(v) for v in args.variants]
    models = []
    for changes in variants:
        config = base.replace(**changes)
        model = build_cnn(config)
        model.fit(x[:2560], y[:2560], batch_size=config.batch_size, epochs=1, verbose=0)
        models.append((config, model))
    wall: list[list[float]] = [[] for _ in variants]
    cpu: list[list[float]] = [[] for _ in variants]
    for r in range(args.rounds):
        order = list(range(len(models)))
        for i in order if r % 2 == 0 else order[::-1]:
            config, model = models[i]
            t0, c0 = time.perf_counter(), time.process_time()
            model.fit(
                x,
                y,
                batch_size=config.batch_size,
                epochs=1,
                validation_data=(x_val, y_val),
                verbose=0,
            )
            wall[i].append(time.perf_counter() - t0)
            cpu[i].append(time.process_time() - c0)
    base_med, base_min = statistics.median(wall[0]), min(wall[0])
    base_cpu = statistics.median(cpu[0])
    print(f"one epoch of {args.images} images + 5000 validated, {args.rounds} rounds")
    for changes, w, c in zip(variants, wall, cpu, strict=True):
        print(
            f"{json.dumps(changes):44} wall median {statistics.median(w):5.2f} s "
            f"({statistics.median(w) / base_med:.2f}x), fastest {min(w):5.2f} s "
            f"({min(w) / base_min:.2f}x); cpu median {statistics.median(c):5.2f} s "
            f"({statistics.median(c) / base_cpu:.2f}x)"
        )


if __name__ == "__main__":
    main()
