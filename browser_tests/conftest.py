"""Fixtures of the browser tests: the built site, served and opened in headless Chromium.

The site must be built first (`make site`; `make site-test` does both). The browser is the
system's Chromium (Debian's `chromium`, which `make system-packages` installs as root),
driven by Playwright's Python package: no browser is downloaded. Without a Chromium the
tests are skipped, saying so.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # before anything imports Keras

import base64
import functools
import json
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("MNIST_SITE_DIR", ROOT / "build" / "site"))
SHOTS = SITE.parent / "site-screenshots"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """The system Chromium: $CHROMIUM, else chromium / chromium-browser on the PATH."""
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").exists():
        pytest.fail(f"no built site at {SITE}: run `make site` first")
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SITE


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """`python -m http.server` in a thread, on a free port of localhost."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser(site: Path) -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "no Chromium on this machine (`make system-packages` installs Debian's as root: "
            "apt-get install chromium); browser tests skipped"
        )
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright missing: `make site-test` installs it"
    )
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    """A 390x844 page (a phone's width), with touch."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, device_scale_factor=1
    )
    page = context.new_page()
    yield page
    context.close()


#: What the tests measured, printed at the end of `make site-test`: one JSON line per
#: measurement, in a file per test process (the tests run in parallel processes, and only
#: the main one prints the summary).
REPORT_DIR = ROOT / "build" / "site-test-report"


def report(section: str, line: str) -> None:
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    with open(REPORT_DIR / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps([section, line]) + "\n")


def pytest_sessionstart(session) -> None:
    if not hasattr(session.config, "workerinput"):  # the main process, before any worker
        shutil.rmtree(REPORT_DIR, ignore_errors=True)


def pytest_terminal_summary(terminalreporter) -> None:
    sections: dict[str, list[str]] = {}
    for path in sorted(REPORT_DIR.glob("*.jsonl")) if REPORT_DIR.is_dir() else []:
        for raw in path.read_text(encoding="utf-8").splitlines():
            section, line = json.loads(raw)
            sections.setdefault(section, []).append(line)
    for section, lines in sections.items():
        terminalreporter.section(section, sep="-")
        for line in lines:
            terminalreporter.write_line(line)


# ------------------------------------------------------------------ the draw page

NETWORKS = ("first_mlp", "mlp_not_a_digit", "cnn_augmented")


def reference_for(site: Path, name: str):
    """The Python side: (the network as the page runs it, its exported settings, the Keras
    model the site was built from). The page's weights may be 8-bit: the first is a copy of
    the model with exactly those weights, so that parity is checked on the same arithmetic."""
    from mnist_tutorial._keras import keras
    from mnist_tutorial.export import exported_weights, read_spec
    from mnist_tutorial.storage import load_model

    spec = read_spec(site / "_static" / "models" / f"{name}.js")
    model = load_model(ROOT / "models" / f"{name}.keras")
    weights = exported_weights(spec)
    original = model.get_weights()
    weighted = [layer for layer in spec["layers"] if "kernel" in layer]
    for ours, theirs, layer in zip(weights[::2], original[::2], weighted, strict=True):
        scale = np.frombuffer(base64.b64decode(layer.get("kernel_scale", "")), dtype="<f4")
        tolerance = scale.max() / 2 * 1.001 if scale.size else 0.0
        assert np.abs(ours - theirs).max() <= tolerance, "the site is older than the model"
    exported = keras.models.clone_model(model)
    exported.set_weights(weights)
    return exported, spec, model


@pytest.fixture(scope="session")
def networks(site: Path):
    return {name: reference_for(site, name) for name in NETWORKS}


@pytest.fixture(scope="session")
def references(networks):
    """{name: (the network as the page runs it, its exported spec)}."""
    return {name: (exported, spec) for name, (exported, spec, _) in networks.items()}


@pytest.fixture(scope="session")
def reference(references):
    return references["first_mlp"]


def choose_network(page, name: str) -> None:
    """Pick the draw page's network and wait until it is loaded."""
    page.wait_for_selector("#draw-app[data-ready='true']")
    page.select_option("#draw-network", name)
    page.wait_for_function(f"document.getElementById('draw-app').dataset.network === '{name}'")
