"""The project's own files agree with each other: dependencies, lock, CI entry, README."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
#: The Python versions the README says are tested.
SUPPORTED_PYTHONS = ["3.11", "3.12", "3.13", "3.14"]
LOCK_ENTRY = re.compile(
    r"^(?P<name>[A-Za-z0-9_.\-]+)==(?P<version>[^\s;\\]+)(?: ;(?P<marker>[^\\]+))?"
)


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _declared_requirements() -> list[Requirement]:
    """Every requirement pyproject.toml declares: dependencies, every extra, the build system."""
    data = _pyproject()
    project = data["project"]
    texts = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        texts += extra
    texts += data["build-system"]["requires"]
    return [Requirement(text) for text in texts]


def _lock_entries(name: str = "requirements.lock") -> dict[str, list[tuple[Version, str]]]:
    """`{canonical name: [(version, marker), ...]}`; a universal lock may fork by marker."""
    entries: dict[str, list[tuple[Version, str]]] = {}
    blocks = re.split(r"\n(?=\S)", (ROOT / name).read_text())
    for block in blocks:
        match = LOCK_ENTRY.match(block)
        if match is None:
            assert block.startswith("#"), f"unexpected line in {name}: {block[:60]!r}"
            continue
        assert "--hash=sha256:" in block, f"{match['name']} has no hash in {name}"
        entries.setdefault(canonicalize_name(match["name"]), []).append(
            (Version(match["version"]), (match["marker"] or "").strip())
        )
    return entries


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _environment_names() -> set[str]:
    names = set()
    text = (ROOT / "environment.yml").read_text()
    for line in text[text.index("dependencies:") :].splitlines():
        item = re.match(r"^\s+- ([A-Za-z0-9_.\-]+)", line)
        if item and not line.strip().startswith("- -e"):
            names.add(_name(item.group(1)))
    return names - {"python", "wasmtime"}


def _environment_pins() -> dict[str, str]:
    text = (ROOT / "environment.yml").read_text()
    pins = {}
    for line in text[text.index("dependencies:") :].splitlines():
        item = re.match(r"^\s+- ([A-Za-z0-9_.\-]+)(==?)([^\s#]+)", line)
        if item:
            pins[canonicalize_name(item.group(1))] = item.group(3)
    return pins


def test_environment_yml_names_the_pyproject_dependencies() -> None:
    project = _pyproject()["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    assert _environment_names() == wanted
    assert "python=3.11" in (ROOT / "environment.yml").read_text()
    assert "-e .[dev]" in (ROOT / "environment.yml").read_text()


#: The Pythons the project supports (requires-python), as marker environments.
PYTHONS = [{"python_version": v, "python_full_version": f"{v}.0"} for v in SUPPORTED_PYTHONS]


def _applies_together(requirement: Requirement, lock_marker: str) -> bool:
    """Whether some supported Python takes both the requirement and this lock entry."""
    for python in PYTHONS:
        wanted = requirement.marker is None or requirement.marker.evaluate(python)
        if wanted and (not lock_marker or Marker(lock_marker).evaluate(python)):
            return True
    return False


def test_lock_pins_every_declared_requirement_within_its_specifier() -> None:
    lock = _lock_entries()
    for requirement in _declared_requirements():
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{requirement} is not in requirements.lock: run `make lock`"
        for version, marker in lock[name]:
            if not _applies_together(requirement, marker):
                continue  # e.g. TensorFlow's h5py cap, and h5py>=3.15 where it is absent
            assert requirement.specifier.contains(version, prereleases=True), (
                f"requirements.lock pins {name}=={version}, outside pyproject's {requirement}: "
                "run `make lock`"
            )


def test_lock_holds_each_package_once_per_environment() -> None:
    for name, entries in _lock_entries().items():
        if len(entries) > 1:  # a universal lock forks only by environment markers
            assert all(marker for _, marker in entries), f"{name} is pinned twice: {entries}"


def test_environment_yml_pins_the_locked_versions() -> None:
    lock = _lock_entries()
    pins = _environment_pins()
    assert set(pins) >= {canonicalize_name(n) for n in _environment_names()}, pins
    for name, version in pins.items():
        if name == "python":
            continue
        assert Version(version) in {v for v, _ in lock[name]}, (
            f"environment.yml pins {name} {version}; the lock has {lock[name]}"
        )


def test_uv_is_bootstrapped_at_the_version_the_makefile_names() -> None:
    makefile = (ROOT / "Makefile").read_text()
    version = re.search(r"^UV_VERSION\s*:?=\s*(\S+)", makefile, re.MULTILINE).group(1)
    assert [v for v, _ in _lock_entries("requirements-uv.lock")["uv"]] == [Version(version)]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.MULTILINE)
    assert "make test" in (ROOT / "README.md").read_text()


def test_readme_lists_every_notebook() -> None:
    readme = (ROOT / "README.md").read_text()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert notebook.name in readme, notebook.name


def test_requires_python_admits_exactly_the_supported_pythons() -> None:
    allowed = SpecifierSet(_pyproject()["project"]["requires-python"])
    assert all(f"{v}.0" in allowed for v in SUPPORTED_PYTHONS)
    assert "3.10.0" not in allowed and "3.15.0" not in allowed


def test_tensorflow_is_locked_only_where_it_has_wheels() -> None:
    for _version, marker in _lock_entries()["tensorflow"]:
        assert marker and not Marker(marker).evaluate(PYTHONS[-1]), marker
