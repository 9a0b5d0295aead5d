"""`mnist-tutorial predict` as a user runs it: the installed console script, real images.

What only a real process shows (exit status, nothing on stderr but the one error line) runs
the console script; output formats are checked by calling the same `main` in this process,
since every new process spends seconds importing Keras and TensorFlow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mnist_tutorial.cli import main
from mnist_tutorial.config import MLPConfig
from mnist_tutorial.model import build_mlp
from mnist_tutorial.preprocess import one_hot, prepare_images
from mnist_tutorial.storage import save_trained
from mnist_tutorial.train import train_model

from .test_cli import run

SAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples" / "digits").glob("*.png"))


def run_in_process(capsys, *args: str) -> tuple[int, str]:
    """`main(args)` in this process: its exit status and what it printed on stdout."""
    capsys.readouterr()
    status = main(list(args))
    return status, capsys.readouterr().out


@pytest.fixture(scope="module")
def model_file(mnist, tmp_path_factory) -> Path:
    """The first MLP after 3 epochs (about 97 % on MNIST's test set)."""
    (x_train, y_train), _ = mnist
    config = MLPConfig(name="cli_test", epochs=3)
    model = build_mlp(config)
    result = train_model(model, prepare_images(x_train), one_hot(y_train), config, progress=False)
    return save_trained(model, config, result, tmp_path_factory.mktemp("models"))


def test_predicts_the_sample_digits(model_file) -> None:
    result = run("predict", *map(str, SAMPLES), "--model", str(model_file))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 10
    answers = [line.split(": ", 1)[1].split()[0] for line in lines]
    expected = [path.stem[-1] for path in SAMPLES]
    assert sum(a == e for a, e in zip(answers, expected, strict=True)) >= 8, lines
    assert lines[0].startswith(f"{SAMPLES[0]}: ") and lines[0].count(": ") == 4  # top 3 shown


def test_json_output_and_threshold(model_file, capsys) -> None:
    status, out = run_in_process(
        capsys, "predict", str(SAMPLES[7]), "--model", str(model_file), "--json"
    )
    record = json.loads(out)
    assert status == 0
    assert record["image"] == str(SAMPLES[7]) and record["threshold"] == 0.0
    assert len(record["top3"]) == 3 and record["digit"] == record["top3"][0]["class"]
    probabilities = [entry["probability"] for entry in record["top3"]]
    assert probabilities == sorted(probabilities, reverse=True)
    status, out = run_in_process(
        capsys, "predict", str(SAMPLES[7]), "--model", str(model_file), "--threshold", "1"
    )
    assert status == 0 and ": don't know  (" in out


def test_bad_inputs_give_one_line_and_exit_1(model_file, tmp_path) -> None:
    not_image = tmp_path / "notes.txt"
    not_image.write_text("hello")
    bad_inputs = [
        (not_image, "not a readable image"),
        (tmp_path, "is a directory"),
        (tmp_path / "missing.png", "no such file"),
    ]
    # One run for the three (each process start costs seconds): one line each, in order.
    result = run("predict", *(str(bad) for bad, _ in bad_inputs), "--model", str(model_file))
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == len(bad_inputs) and result.stderr.endswith("\n")
    for line, (bad, message) in zip(lines, bad_inputs, strict=True):
        assert line.startswith("mnist-tutorial: error: ") and message in line, line
        assert str(bad) in line, line
    assert "Traceback" not in result.stderr


def test_a_good_image_beside_a_bad_one_is_answered_and_the_status_says_failure(
    model_file, tmp_path, capsys
) -> None:
    not_image = tmp_path / "notes.txt"
    not_image.write_text("hello")
    status, out = run_in_process(
        capsys, "predict", str(SAMPLES[0]), str(not_image), "--model", str(model_file)
    )
    assert status == 1 and out.startswith(str(SAMPLES[0]))


def test_model_problems_and_usage(tmp_path, capsys) -> None:
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"PK\x03\x04 broken")
    capsys.readouterr()
    assert main(["predict", str(SAMPLES[0]), "--model", str(corrupt)]) == 1
    error = capsys.readouterr().err
    assert "is not a readable Keras model" in error and error.count("\n") == 1
    for args in (["predict", str(SAMPLES[0]), "--threshold", "1.5"], ["predict"]):
        with pytest.raises(SystemExit) as usage:
            main(args)
        assert usage.value.code == 2
    # With --debug the failure is raised (a traceback), not reported in one line.
    with pytest.raises(Exception, match="is not a readable Keras model"):
        main(["--debug", "predict", str(SAMPLES[0]), "--model", str(corrupt)])


def test_evaluate_reports_scores_for_an_eleven_class_model(tmp_path, mnist, capsys) -> None:
    from mnist_tutorial.config import not_a_digit_experiment
    from mnist_tutorial.storage import save_model

    path = save_model(build_mlp(not_a_digit_experiment()), tmp_path / "eleven.keras")
    status, out = run_in_process(capsys, "evaluate", "--model", str(path))
    assert status == 0
    assert out.startswith("Test loss: ") and "Test accuracy: " in out
    assert "precision" in out and "macro avg" in out


def test_predict_uses_the_rejection_settings_stored_with_the_model(
    model_file, tmp_path, capsys
) -> None:
    import shutil

    from mnist_tutorial.rejection import RejectionSettings, store_rejection

    copy = tmp_path / "stored.keras"
    shutil.copyfile(model_file, copy)
    shutil.copyfile(model_file.with_suffix(".json"), copy.with_suffix(".json"))
    store_rejection(copy, RejectionSettings(temperature=2.0, threshold=1.0, target_accuracy=0.995))
    status, out = run_in_process(capsys, "predict", str(SAMPLES[7]), "--model", str(copy), "--json")
    record = json.loads(out)
    assert status == 0 and record["threshold"] == 1.0 and record["temperature"] == 2.0
    assert record["digit"] is None  # no temperature-scaled probability reaches 1.0
    status, out = run_in_process(
        capsys, "predict", str(SAMPLES[7]), "--model", str(copy), "--threshold", "0", "--json"
    )
    assert json.loads(out)["digit"] == 7


def test_a_dot_a_blob_and_a_hairline_get_the_ink_rules_message_not_a_digit(model_file, tmp_path):
    """The library's ink rule (`mnist_tutorial.images.ink_problem`), in its own words, which
    the draw page shows too: a click of the page's pen (a dot), a scribbled blob, a hairline.
    A digit beside them is still answered."""
    from PIL import Image, ImageDraw

    from mnist_tutorial.images import TOO_LITTLE_INK, TOO_MUCH_INK

    drawings = {
        "dot.png": lambda d: d.ellipse([130, 130, 150, 150], fill=0),
        "blob.png": lambda d: [
            d.line([(60, y), (220, y)], fill=0, width=20) for y in range(60, 230, 14)
        ],
        "hairline.png": lambda d: d.line([(20, 20), (260, 260)], fill=0, width=1),
    }
    paths = []
    for name, drawing in drawings.items():
        image = Image.new("L", (280, 280), 255)
        drawing(ImageDraw.Draw(image))
        image.save(tmp_path / name)
        paths.append(tmp_path / name)
    result = run("predict", str(SAMPLES[7]), *map(str, paths), "--model", str(model_file))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{SAMPLES[7]}: ") and len(result.stdout.splitlines()) == 1
    messages = [TOO_MUCH_INK, TOO_MUCH_INK, TOO_LITTLE_INK]
    assert result.stderr.splitlines() == [
        f"mnist-tutorial: error: {path}: {message}"
        for path, message in zip(paths, messages, strict=True)
    ]


#: Modules `predict` has no use for: TensorFlow (on JAX), what Keras imports only when it is
#: installed (scikit-learn, Matplotlib, pandas, IPython), the SciPy that fits temperatures
#: and the MNIST loader.
NOT_FOR_PREDICT = (
    "tensorflow",
    "sklearn",
    "matplotlib",
    "pandas",
    "IPython",
    "scipy.optimize",
    "scipy.special",
    "scipy.stats",
    "mnist_tutorial.data",
)


def test_predict_imports_nothing_it_does_not_use(tmp_path) -> None:
    """A new process, as the console script starts: after one prediction on JAX, none of
    `NOT_FOR_PREDICT` has been imported (each costs tenths of a second to seconds)."""
    from mnist_tutorial.storage import save_model

    model = save_model(build_mlp(), tmp_path / "m.keras")
    code = (
        "import json, sys\n"
        "from mnist_tutorial.cli import main\n"
        f"status = main(['predict', {str(SAMPLES[3])!r}, '--model', {str(model)!r}])\n"
        "print(json.dumps({'status': status, 'modules': sorted(sys.modules)}))\n"
    )
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr
    answer, report = result.stdout.strip().splitlines()
    assert answer.startswith(f"{SAMPLES[3]}: ")
    report = json.loads(report)
    assert report["status"] == 0 and "keras" in report["modules"] and "jax" in report["modules"]
    imported = [name for name in NOT_FOR_PREDICT if name in report["modules"]]
    assert not imported, f"predict imported {imported}"
