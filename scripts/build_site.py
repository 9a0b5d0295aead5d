"""Build the course's static site (what `make site` runs): notebooks as pages, draw-a-digit.

1. Stages the sources in build/site-src: site/ (conf.py, home page, draw page, its scripts),
   the committed notebooks as they are (never executed), notebooks/glossary.md when present,
   and the README's results section as results.md.
2. Exports the seed MLP for the draw page: `load_or_train(seed_experiment())` (reuses
   models/seed_mlp.keras when it was trained with that config), the rejection settings stored
   beside it or chosen now on the validation split, then `export_weights` to
   _static/seed_mlp.js.
3. Runs Sphinx (MyST-NB, sphinx-book-theme) into build/site.
4. Checks that no page or stylesheet loads anything from the network.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REMOTE = re.compile(
    r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import\s+["'](?:https?:)?//""",
    re.IGNORECASE,
)


def results_section(readme: str) -> str | None:
    """The README's section whose `## ` heading mentions results, or None."""
    lines = readme.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if re.match(r"##\s+.*\bresults?\b", line, re.I)), None
    )
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), None)
    body = lines[start + 1 : end]
    return "\n".join(["# " + lines[start][3:].strip(), *body]).strip() + "\n"


def stage(src: Path) -> list[str]:
    """Copy the site's sources to `src`; returns the page names, in reading order."""
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(ROOT / "site", src)
    notebooks = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for notebook in notebooks:
        shutil.copy2(notebook, src / notebook.name)
    more = ["draw"]
    glossary = ROOT / "notebooks" / "glossary.md"
    if glossary.exists():
        shutil.copy2(glossary, src / "glossary.md")
        more.append("glossary")
    results = results_section((ROOT / "README.md").read_text())
    if results is not None:
        (src / "results.md").write_text(results)
        more.append("results")
    toctree = (
        "```{toctree}\n:maxdepth: 1\n:caption: Notebooks\n\n"
        + "\n".join(n.stem for n in notebooks)
        + "\n```\n\n```{toctree}\n:maxdepth: 1\n:caption: More\n\n"
        + "\n".join(more)
        + "\n```\n"
    )
    index = src / "index.md"
    index.write_text(index.read_text().replace("<!-- toctree -->", toctree))
    return [n.stem for n in notebooks] + more


def export_model(static: Path, models_dir: Path) -> None:
    """The seed MLP and its rejection settings -> static/seed_mlp.js."""
    from mnist_tutorial.config import seed_experiment
    from mnist_tutorial.data import load_mnist
    from mnist_tutorial.export import export_weights
    from mnist_tutorial.preprocess import split_validation
    from mnist_tutorial.rejection import choose_rejection, load_rejection, store_rejection
    from mnist_tutorial.train import load_or_train, model_path

    config = seed_experiment()
    model, _ = load_or_train(config, models_dir, progress=False)
    path = model_path(config, models_dir)
    settings = load_rejection(path)
    if settings is None:
        (x_train, y_train), _ = load_mnist(verbose=False)
        _, (x_val, y_val) = split_validation(
            x_train, y_train, config.validation_size or 5000, config.seed
        )
        settings = choose_rejection(model, x_val, y_val)
        if not config.validation_size:  # the model saw these images while training
            settings = dataclasses.replace(settings, chosen_on="training (not held out)")
        store_rejection(path, settings)
    export_weights(model, static / "seed_mlp.js", rejection=settings)
    print(
        f"exported {path} (temperature {settings.temperature:.4f}, "
        f"threshold {settings.threshold:.4f}, chosen on {settings.chosen_on})"
    )


MATHJAX = "mathjax/tex-svg-full.js"  # as conf.py's mathjax_path


def vendor_mathjax(site: Path, cache: Path) -> bool:
    """Copy MathJax 3 into the site when a page uses it (from npm's `mathjax@3`, cached)."""
    if not any(MATHJAX in page.read_text() for page in site.glob("*.html")):
        return False
    script = cache / "tex-svg-full.js"
    if not script.exists():
        cache.mkdir(parents=True, exist_ok=True)
        if shutil.which("npm") is None:
            raise SystemExit("a page has math: MathJax is needed, from npm (install Node.js)")
        npm_pack = ["npm", "pack", "mathjax@3", "--silent"]
        subprocess.run(npm_pack, cwd=cache, check=True, stdout=subprocess.DEVNULL)
        tarball = next(cache.glob("mathjax-*.tgz"))
        with tarfile.open(tarball) as archive:
            member = archive.getmember("package/es5/tex-svg-full.js")
            data = archive.extractfile(member).read()
        tmp = script.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, script)
        tarball.unlink()
    (site / "_static" / "mathjax").mkdir(exist_ok=True)
    shutil.copy2(script, site / "_static" / MATHJAX)
    return True


def remote_references(site: Path) -> list[str]:
    """Every place in the built site that would load something from the network."""
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".css") or not path.is_file():
            continue
        for match in REMOTE.finditer(path.read_text(errors="replace")):
            found.append(f"{path.relative_to(site)}: {match.group(0)[:80]}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    src = args.out.parent / "site-src"
    pages = stage(src)
    export_model(src / "_static", args.models)
    shutil.rmtree(args.out, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-E"]
        + [str(src), str(args.out), "-d", str(args.out.parent / "site-doctrees")],
        check=True,
    )
    if vendor_mathjax(args.out, args.out.parent / "vendor" / "mathjax-3"):
        print("math: MathJax 3 copied into the site")
    remote = remote_references(args.out)
    if remote:
        print("the site would load these from the network:\n  " + "\n  ".join(remote))
        return 1
    took = time.perf_counter() - start
    print(f"site: {args.out / 'index.html'} ({len(pages)} pages + home, {took:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
