"""The `mnist-tutorial` command: fetch data, train, evaluate, predict digits in images.

Exit codes: 0 success, 2 usage error, 1 any other failure, reported as one line on stderr
(the full traceback only with `--debug`).

Application layer, on top of the library. Importing Keras takes seconds, so each command
imports what it needs inside its function, after the checks that need no Keras (a model
path, the image files): a mistyped path fails at once, and a command imports nothing
another command needs (`predict` neither the MNIST loader nor scikit-learn). That is the
only reason for the imports inside functions here; no import cycle is dodged
(tests/test_layers.py checks).

`predict` also keeps out what Keras itself would import only because it is installed
(`_import_keras_without_extras`): scikit-learn (for Keras' scikit-learn wrappers), Matplotlib
(its image-gallery plot), pandas (to slice DataFrames) and IPython, about half the time of
importing Keras. Keras imports each in a `try`, and goes without it when the import fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from mnist_tutorial.images import ImageInputError, to_mnist_style
from mnist_tutorial.model_files import check_model_file

#: What Keras imports when it is installed, for features `predict` does not use.
KERAS_EXTRAS = ("sklearn", "matplotlib", "pandas", "IPython")


class CliError(Exception):
    """A failure to report to the user as one line."""


def _cmd_data(args: argparse.Namespace) -> int:
    from mnist_tutorial.data import default_cache_path, load_mnist

    (x_train, _), (x_test, _) = load_mnist(args.path)
    print(
        f"MNIST ready: {len(x_train)} training and {len(x_test)} test images, "
        f"verified, cached at {default_cache_path()}"
    )
    return 0


#: What `train --network` trains: the course's best network (notebook 8), or the original
#: notebook's MLP (notebook 4). The CNN trains on TensorFlow unless KERAS_BACKEND says
#: otherwise (TensorFlow's convolutions are several times faster on a CPU than JAX's).
TRAINABLE = ("cnn_augmented", "first_mlp")
#: The model `predict` and `evaluate` use unless `--model` names another.
DEFAULT_MODEL = Path("models/cnn_augmented.keras")


def _cmd_train(args: argparse.Namespace) -> int:
    from mnist_tutorial.config import MLPConfig, augmented_cnn_experiment, config_from_dict
    from mnist_tutorial.data import load_mnist
    from mnist_tutorial.evaluate import loss_and_accuracy
    from mnist_tutorial.model import model_inputs
    from mnist_tutorial.preprocess import one_hot
    from mnist_tutorial.storage import model_path
    from mnist_tutorial.trained import ensure_rejection, train_and_save

    out = args.out or Path("models") / f"{args.network}.keras"
    if out.suffix != ".keras":
        raise CliError(f"model files end in .keras, got {out.name!r}")
    given = {"epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed}
    changes = {k: v for k, v in given.items() if v is not None}
    if args.network == "first_mlp":
        config = MLPConfig(name=out.stem, **changes)
    else:  # the named experiment's values, without its environment variable
        values = augmented_cnn_experiment().to_dict()
        config = config_from_dict({**values, "seed": 42, "name": out.stem, **changes})
        if "epochs" in changes:
            config = config.replace(early_stopping_patience=config.epochs)
        if config.warmup_epochs >= config.epochs:
            config = config.replace(warmup_epochs=0.0)
    model, result = train_and_save(config, out.parent)
    path = model_path(config, out.parent)
    settings = ensure_rejection(config, out.parent)
    _, (x_test, y_test) = load_mnist()
    scores = loss_and_accuracy(model, model_inputs(x_test, config), one_hot(y_test))
    print(f"Saved {path} ({result.epochs_run} epochs, {result.seconds:.1f} s)")
    print(
        f"Chosen on the validation split: temperature {settings.temperature:.4f}, "
        f"threshold {settings.threshold:.4f} (for {settings.target_accuracy:.1%} right answers)"
    )
    print(f"Test loss: {scores['loss']:.4f}")
    print(f"Test accuracy: {scores['accuracy']:.4f}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    check_model_file(args.model)  # a wrong path fails at once, before Keras is imported
    from sklearn.metrics import classification_report

    from mnist_tutorial.data import load_mnist
    from mnist_tutorial.evaluate import loss_and_accuracy, predict_probabilities, to_classes
    from mnist_tutorial.preprocess import one_hot
    from mnist_tutorial.rejection import as_model_input
    from mnist_tutorial.storage import load_model

    model = load_model(args.model)
    _, (x_test, y_test) = load_mnist()
    x = as_model_input(x_test, model)
    # A model with an 11th "not a digit" output is scored against 11-wide labels.
    scores = loss_and_accuracy(model, x, one_hot(y_test, model.output_shape[-1]))
    y_pred = to_classes(predict_probabilities(model, x))
    print(f"Test loss: {scores['loss']:.4f}")
    print(f"Test accuracy: {scores['accuracy']:.4f}")
    # An 11-class model's "not a digit" answers form a class with no test image: its recall
    # is 0 by definition, not a warning.
    print(classification_report(y_test, y_pred, digits=4, zero_division=0))
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    # Read every image first, so a bad path fails before Keras is imported and the model
    # is loaded (seconds).
    images, failures = [], 0
    for path in args.images:
        try:
            images.append((path, to_mnist_style(path)))
        except ImageInputError as exc:
            print(f"mnist-tutorial: error: {exc}", file=sys.stderr)
            failures += 1
    if not images:
        return 1
    check_model_file(args.model)  # a wrong path fails at once, before Keras is imported
    _import_keras_without_extras()
    from mnist_tutorial.rejection import load_rejection, predict_or_reject
    from mnist_tutorial.storage import load_for_prediction

    model = load_for_prediction(args.model)  # load_model's weights, without its set-up
    # The temperature and threshold chosen on the validation split and stored with the
    # model (notebook 10, `mnist-tutorial train`); --threshold overrides the threshold.
    stored = load_rejection(args.model)
    temperature = stored.temperature if stored else 1.0
    threshold = (
        args.threshold if args.threshold is not None else stored.threshold if stored else 0.0
    )
    for path, pixels in images:
        decision = predict_or_reject(model, pixels[np.newaxis], threshold, temperature)
        answer = decision.classes[0]
        probabilities = decision.probabilities[0]
        top3 = [int(i) for i in np.argsort(-probabilities, kind="stable")[:3]]
        if args.json:
            record = {
                "image": str(path),
                "digit": answer,
                "threshold": threshold,
                "temperature": temperature,
                "top3": [
                    {"class": _class_name(i), "probability": round(float(probabilities[i]), 6)}
                    for i in top3
                ],
            }
            print(json.dumps(record))
        else:
            said = "don't know" if answer is None else str(answer)
            others = ", ".join(f"{_class_name(i)}: {probabilities[i]:.3f}" for i in top3)
            print(f"{path}: {said}  ({others})")
    return 1 if failures else 0


@contextlib.contextmanager
def _unimportable(names: Sequence[str]) -> Iterator[None]:
    """While inside, `import name` (and any `name.sub`) raises ImportError, for each of
    `names` not yet imported; afterwards they import as usual."""
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # None there: "import name" raises ImportError
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def _import_keras_without_extras() -> None:
    """Import Keras (on the chosen backend, via `mnist_tutorial._keras`) without the
    `KERAS_EXTRAS` it would import for features this process will not use; in a process
    that has imported Keras already, nothing changes."""
    with _unimportable(KERAS_EXTRAS):
        import mnist_tutorial._keras  # noqa: F401


def _class_name(index: int) -> str | int:
    from mnist_tutorial.rejection import NOT_A_DIGIT  # imported once Keras is (predict)

    return "not a digit" if index == NOT_A_DIGIT else index


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a probability, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a probability in [0, 1], got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(
        prog="mnist-tutorial", description="Handwritten-digit recognition on MNIST with Keras."
    )
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("data", help="fetch and verify MNIST into the cache")
    p.add_argument("--path", type=Path, help="an .npz file to take MNIST from")
    p.set_defaults(func=_cmd_data)

    p = sub.add_parser("train", help="train one of the course's networks and save it")
    p.add_argument(
        "--network",
        choices=TRAINABLE,
        default=TRAINABLE[0],
        help="the augmented CNN of notebook 8 (default) or the first MLP of notebook 4",
    )
    p.add_argument("--epochs", type=_positive_int, help="epochs (default: the network's)")
    p.add_argument("--batch-size", type=_positive_int, help="batch size (default: the network's)")
    p.add_argument("--seed", type=int, help="random seed (default 42)")
    p.add_argument("--out", type=Path, help="model file (default models/NETWORK.keras)")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("predict", help="predict the digit in image files (PNG, JPEG, BMP...)")
    p.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="image files")
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="model file")
    p.add_argument("--json", action="store_true", help="one JSON object per image")
    p.add_argument(
        "--threshold",
        type=_probability,
        default=None,
        help='answer "don\'t know" when the top probability is below this (default: the '
        "threshold stored with the model, chosen on the validation split; else 0)",
    )
    p.set_defaults(func=_cmd_predict)

    p = sub.add_parser("evaluate", help="test loss, accuracy and per-class report of a model")
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="model file")
    p.set_defaults(func=_cmd_evaluate)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `mnist-tutorial` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # Keras' backend, chosen before any command imports Keras (parsing imports none): JAX,
    # the course's, or TensorFlow to train a CNN, unless the user has chosen another.
    cnn = getattr(args, "network", "") == "cnn_augmented"
    os.environ.setdefault("KERAS_BACKEND", "tensorflow" if cnn else "jax")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("mnist-tutorial: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"mnist-tutorial: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
