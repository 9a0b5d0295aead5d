"""The project's own files agree with each other: dependencies, CI entry, README."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _environment_names() -> set[str]:
    names = set()
    text = (ROOT / "environment.yml").read_text()
    for line in text[text.index("dependencies:") :].splitlines():
        item = re.match(r"^\s+- ([A-Za-z0-9_.\-]+)", line)
        if item and not line.strip().startswith("- -e"):
            names.add(_name(item.group(1)))
    return names - {"python", "pip", "graphviz"}


def test_environment_yml_names_the_pyproject_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    assert _environment_names() == wanted
    assert "python=3.11" in (ROOT / "environment.yml").read_text()
    assert "-e .[dev]" in (ROOT / "environment.yml").read_text()


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.MULTILINE)
    assert "make test" in (ROOT / "README.md").read_text()


def test_readme_lists_every_notebook() -> None:
    readme = (ROOT / "README.md").read_text()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert notebook.name in readme, notebook.name
