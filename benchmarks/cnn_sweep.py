"""Choose the CNN's settings on the validation split: a small sweep, stated before it runs.

Every variant is the course's CNN (`cnn_experiment()`: two 3x3 convolution blocks, a dense
layer, dropout, Adam with one epoch of warm-up then a cosine decay, batch 128, the weights of
the epoch with the lowest validation loss kept) with one or two settings changed. Each trains
in a fresh process on TensorFlow (notebook 7's backend) on the 55,000 training images left
after the 5,000-image validation split, for two training seeds. The test set is not touched.

The rule, fixed before the sweep: the variant with the fewest training CPU seconds among
those whose mean validation accuracy (of the kept epoch, over the seeds) is within 0.1
percentage point (5 of the 5000 validation images) of the best variant's. The course runs
its notebooks on every CI run, so among networks that validate alike the cheaper one wins.

`--report-test` then measures the chosen variant's test accuracy, once, for the record
(the course's bar is 99.2 %).

**The rest of the recipe** (`--rest`), a second stage: the batch size (128), dropout (0.25)
and learning-rate schedule (one epoch of warm-up, then a cosine decay from 0.003), which the
sweep above took from an earlier benchmark that compared recipes by test accuracy, each
changed alone on the chosen network (16 and 32 filters, 6 epochs: `REST_OF_RECIPE`), seeds 0
and 1, all in one go on one machine. Its rule, fixed before it ran: the recipe stays unless
a variant's mean validation accuracy is more than 0.1 percentage point (5 of the 5000 images)
above the recipe's; then the best such variant. A change costs a new measurement of
everything notebook 7's CNN touches, so it has to win clearly.

    .venv/bin/python benchmarks/cnn_sweep.py [--seeds 0 1] [--only NAME ...]
    .venv/bin/python benchmarks/cnn_sweep.py --report-test
    .venv/bin/python benchmarks/cnn_sweep.py --rest [--seeds 0 1]

Results go to `benchmarks/results/cnn_sweep.json`; CPU seconds are the training process's
user + system time (both threads), steadier than wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from fresh_process import run_in_fresh_process
from sweep_rules import cheapest_alike, keep_unless_clearly_better

from mnist_tutorial.files import write_text_atomic

RESULTS = Path(__file__).resolve().parent / "results" / "cnn_sweep.json"
#: Variants: changes to `cnn_experiment()`. "chosen before" is the network notebook 7 used.
VARIANTS: dict[str, dict[str, Any]] = {
    "16/32, 4 epochs": {"conv_filters": [16, 32], "epochs": 4},
    "16/32, 6 epochs": {"conv_filters": [16, 32], "epochs": 6},
    "24/48, 4 epochs": {"conv_filters": [24, 48], "epochs": 4},
    "24/48, 6 epochs (chosen before)": {},
    "24/48, 6 epochs, rate 0.001": {"learning_rate": 0.001},
    "32/64, 4 epochs": {"conv_filters": [32, 64], "epochs": 4},
    "32/64, 6 epochs": {"conv_filters": [32, 64], "epochs": 6},
}
#: The second stage (`--rest`): changes to today's `cnn_experiment()` (16/32, 6 epochs).
REST_OF_RECIPE: dict[str, dict[str, Any]] = {
    "recipe (batch 128, dropout 0.25, warm-up and cosine)": {},
    "batch 64": {"batch_size": 64},
    "dropout 0.5": {"dropout": 0.5},
    "a constant rate of 0.001": {
        "lr_schedule": "constant",
        "learning_rate": 0.001,
        "warmup_epochs": 0.0,
    },
}
#: Mean validation accuracies closer than this to the best count as alike (5 of 5000 images).
WITHIN = 0.001

_TRAIN = """
import json, resource, sys, tempfile
from mnist_tutorial.config import cnn_experiment
from mnist_tutorial.trained import train_and_save
changes, seed, test = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
config = cnn_experiment().replace(**changes, seed=seed)
if "epochs" in changes:
    config = config.replace(early_stopping_patience=config.epochs)
before = resource.getrusage(resource.RUSAGE_SELF)
with tempfile.TemporaryDirectory() as models:
    model, result = train_and_save(config, models, progress=False)
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
kept = result.extras["best_epoch"]
record = {
    "seed": seed, "epochs": config.epochs, "kept_epoch": kept, "cpu_seconds": round(cpu, 1),
    "wall_seconds": round(result.seconds, 1),
    "val_accuracy": result.history["val_accuracy"][kept - 1],
    "val_loss": result.history["val_loss"][kept - 1],
    "parameters": model.count_params(),
}
if test:
    import numpy as np
    from mnist_tutorial.data import load_mnist
    from mnist_tutorial.model import model_inputs
    _, (x_test, y_test) = load_mnist(verbose=False)
    predicted = model.predict(model_inputs(x_test, config), verbose=0).argmax(axis=1)
    record["test_accuracy"] = float(np.mean(predicted == y_test))
print("RESULT " + json.dumps(record))
"""


def run(changes: dict[str, Any], seed: int, test: bool = False) -> dict[str, Any]:
    """Train one variant for one seed in a fresh TensorFlow process; its record."""
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, "-c", _TRAIN, json.dumps(changes), str(seed), "1" if test else "0"]
    return run_in_fresh_process(command, env, f"training {changes} seed {seed}")


def mean_accuracy(results: dict[str, list[dict[str, Any]]]) -> dict[str, float]:
    """Each variant's validation accuracy of its kept epoch, averaged over the seeds."""
    return {name: sum(r["val_accuracy"] for r in rs) / len(rs) for name, rs in results.items()}


def choose(results: dict[str, list[dict[str, Any]]]) -> str:
    """The rule of the module docstring: the cheapest variant that validates like the best."""
    cost = {name: sum(r["cpu_seconds"] for r in rs) / len(rs) for name, rs in results.items()}
    return cheapest_alike(mean_accuracy(results), cost, WITHIN)


def keep_recipe_unless_clearly_better(results: dict[str, list[dict[str, Any]]]) -> str:
    """The second stage's rule: the recipe (the first variant) stays unless another's mean
    validation accuracy is more than `WITHIN` above it; then the best of those."""
    return keep_unless_clearly_better(mean_accuracy(results), next(iter(REST_OF_RECIPE)), WITHIN)


def summary(results: dict[str, list[dict[str, Any]]]) -> None:
    print(f"{'variant':34} {'val accuracy (mean)':>20} {'per seed':>18} {'CPU s':>7} {'params':>7}")
    for name, rs in results.items():
        accs = [r["val_accuracy"] for r in rs]
        cpu = sum(r["cpu_seconds"] for r in rs) / len(rs)
        per_seed = " ".join(f"{a:.4f}" for a in accs)
        print(f"{name:34} {sum(accs) / len(accs):20.4f} {per_seed:>18} {cpu:7.0f} "
              f"{rs[0]['parameters']:7d}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--only", nargs="+", help="variant names to (re)run")
    parser.add_argument("--rest", action="store_true",
                        help="the second stage: batch size, dropout, schedule")  # fmt: skip
    parser.add_argument("--report-test", action="store_true",
                        help="measure the chosen variant's test accuracy, once")  # fmt: skip
    args = parser.parse_args()
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results: dict[str, list[dict[str, Any]]] = saved.get("validation", {})
    if args.rest:
        rest: dict[str, list[dict[str, Any]]] = {}
        saved["rest_of_recipe"] = {"variants": REST_OF_RECIPE, "within": WITHIN,
                                   "validation": rest}  # fmt: skip
        for name, changes in REST_OF_RECIPE.items():
            rest[name] = [run(changes, seed) for seed in args.seeds]
            for record in rest[name]:
                accuracy, cpu = record["val_accuracy"], record["cpu_seconds"]
                print(
                    f"{name}, seed {record['seed']}: val accuracy {accuracy:.4f}, {cpu:.0f} CPU s"
                )
            write_text_atomic(RESULTS, json.dumps(saved, indent=1) + "\n")  # kept if cut off
        summary(rest)
        saved["rest_of_recipe"]["kept"] = keep_recipe_unless_clearly_better(rest)
        print("kept on validation:", saved["rest_of_recipe"]["kept"])
        write_text_atomic(RESULTS, json.dumps(saved, indent=1) + "\n")
        return
    if args.report_test:
        chosen = saved["chosen"]
        records = [run(VARIANTS[chosen], seed, test=True) for seed in args.seeds]
        saved["test_of_chosen"] = {"variant": chosen, "runs": records}
        for r in records:
            print(f"{chosen}, seed {r['seed']}: test accuracy {r['test_accuracy']:.4f}")
    else:
        for name, changes in VARIANTS.items():
            if args.only and name not in args.only:
                continue
            results[name] = []
            for seed in args.seeds:
                record = run(changes, seed)
                results[name].append(record)
                print(f"{name}, seed {seed}: val accuracy {record['val_accuracy']:.4f}, "
                      f"{record['cpu_seconds']:.0f} CPU s", flush=True)  # fmt: skip
        saved = {"about": __doc__, "variants": VARIANTS, "within": WITHIN,
                 "validation": results, "chosen": choose(results)}  # fmt: skip
    summary(results)
    print("chosen on validation:", saved["chosen"])
    write_text_atomic(RESULTS, json.dumps(saved, indent=1) + "\n")


if __name__ == "__main__":
    main()
