"""The installed `mnist-tutorial` console script, run as a user would."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = shutil.which("mnist-tutorial", path=str(Path(sys.executable).parent))


def run(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    assert SCRIPT, "the console script is not installed (pip install -e .)"
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=300, **kwargs)


def test_data_command_reports_the_verified_cache(mnist) -> None:
    result = run("data")
    assert result.returncode == 0, result.stderr
    assert "MNIST ready: 60000 training and 10000 test images, verified" in result.stdout


def test_data_command_without_any_source_fails_in_one_line(tmp_path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "KERAS_HOME": str(tmp_path / "kh"),
        "MNIST_TUTORIAL_DATA": str(tmp_path / "nothing.npz"),
        "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": "",
        "PIP_CONFIG_FILE": "/dev/null",
    }
    result = run("data", env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mnist-tutorial: error: Could not load MNIST")
    assert "PyPI mirror" in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [[], ["frobnicate"], ["train", "--epochs", "0"]])
def test_usage_errors_exit_2(args) -> None:
    assert run(*args).returncode == 2


def test_missing_model_is_one_line(tmp_path) -> None:
    model = tmp_path / "none.keras"
    # A real process: the check comes before Keras is imported, so this takes well under
    # a second (seconds with the import).
    result = run("evaluate", "--model", str(model))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"mnist-tutorial: error: no model file at {model}: "
        f"train one first (`mnist-tutorial train --out {model}`)"
    )


def test_predict_evaluate_and_train_default_to_the_courses_best_network() -> None:
    from mnist_tutorial.cli import build_parser

    parser = build_parser()
    best = Path("models/cnn_augmented.keras")
    assert parser.parse_args(["predict", "my_digit.png"]).model == best
    assert parser.parse_args(["evaluate"]).model == best
    assert parser.parse_args(["train"]).network == "cnn_augmented"
    assert parser.parse_args(["train", "--network", "first_mlp"]).network == "first_mlp"
