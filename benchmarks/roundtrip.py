"""How faithful is the MNIST-style preprocessing? A round trip of MNIST test digits.

Each of N test digits is drawn large (x3 to x11, bicubic), off-centre, dark on light or light
on dark, blurred or not (`mnist_tutorial.roundtrip`), then made MNIST-style again by
`mnist_tutorial.images.to_mnist_style` and, with `--js`, by the draw-a-digit page's
JavaScript in headless Chromium (the built site: `make site` first). For each, prints how
often the first MLP's answer on the round-tripped image agrees with its answer on the
original, its accuracy on both, and the mean absolute pixel difference (grey levels of 255).

    .venv/bin/python benchmarks/roundtrip.py [--count 1000] [--js]
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # before anything imports Keras

import argparse
import base64
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def js_preprocess(grays: list[np.ndarray], site: Path) -> np.ndarray:
    """The page's own `MnistDigit.preprocess` on each picture, in headless Chromium."""
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from browser_tests.conftest import CHROMIUM_FLAGS, chromium_path

    out = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto((site / "draw.html").resolve().as_uri())
        for i in range(0, len(grays), 50):
            items = [[base64.b64encode(g.tobytes()).decode(), *g.shape] for g in grays[i : i + 50]]
            out += page.evaluate(
                """(items) => items.map(([b64, h, w]) => {
                    const bin = atob(b64);
                    const gray = new Uint8Array(bin.length);
                    for (let i = 0; i < bin.length; i++) gray[i] = bin.charCodeAt(i);
                    const c = window.MNIST_DRAW_MODEL.constants;
                    return Array.from(MnistDigit.preprocess(gray, w, h, c).pixels);
                })""",
                items,
            )
        browser.close()
    return np.asarray(out, dtype=np.uint8).reshape(-1, 28, 28)


def report(name: str, originals, labels, round_tripped, variants, model) -> None:
    from mnist_tutorial.rejection import as_model_input

    before = model.predict(as_model_input(originals, model), verbose=0).argmax(axis=1)
    after = model.predict(as_model_input(round_tripped, model), verbose=0).argmax(axis=1)
    diff = np.abs(round_tripped.astype(float) - originals).mean(axis=(1, 2))
    blur = np.array([v.blur for v in variants])
    print(
        f"{name}: {len(originals)} digits, answers agree {np.mean(before == after):.2%} "
        f"(blurred {np.mean((before == after)[blur]):.2%}, sharp "
        f"{np.mean((before == after)[~blur]):.2%}); accuracy {np.mean(before == labels):.2%} "
        f"on the originals, {np.mean(after == labels):.2%} round-tripped; mean absolute pixel "
        f"difference {diff.mean():.2f} grey levels (blurred {diff[blur].mean():.2f}, "
        f"sharp {diff[~blur].mean():.2f})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--js", action="store_true", help="also the page's JavaScript")
    parser.add_argument("--site", type=Path, default=ROOT / "build" / "site")
    args = parser.parse_args()

    from mnist_tutorial.config import first_mlp_experiment
    from mnist_tutorial.data import load_mnist
    from mnist_tutorial.images import to_mnist_style
    from mnist_tutorial.roundtrip import BLUR_SIGMA, render_digit, round_trip_variants
    from mnist_tutorial.trained import load_or_train

    model, _ = load_or_train(first_mlp_experiment(), ROOT / "models")
    _, (x_test, y_test) = load_mnist(verbose=False)
    originals, labels = x_test[: args.count], y_test[: args.count]
    variants = round_trip_variants(len(originals), seed=0)
    grays = [render_digit(d, v) for d, v in zip(originals, variants, strict=True)]
    print(f"renderings: x3 to x11, off-centre, both polarities, blur sigma {BLUR_SIGMA} px")
    python = np.stack([to_mnist_style(g) for g in grays])
    report("python", originals, labels, python, variants, model)
    if args.js:
        js = js_preprocess(grays, args.site)
        report("javascript", originals, labels, js, variants, model)
        print(
            f"javascript vs python: {int((js != python).sum())} pixels differ, by at most "
            f"{int(np.abs(js.astype(int) - python).max())} grey level(s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
