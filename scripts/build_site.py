"""Build the course's static site (what `make site` runs): notebooks as pages, draw-a-digit.

1. Stages the sources in build/site-src: site/ (conf.py, home page, draw page, its scripts),
   the committed notebooks with their outputs (never executed; each figure gets the alt text
   of each figure in its cell's metadata, checked), notebooks/glossary.md when present
   (one anchor per term), the instructors' pages docs/*.md (under docs/, links into the
   repository rewritten), and the results: docs/results.md, else the README's section.
2. Exports the draw page's networks: the first MLP (`load_or_train(first_mlp_experiment())`, which
   reuses models/first_mlp.keras when it was trained with that config), notebook 11's
   11-class network (`ensure_rejection(not_a_digit_experiment())`) and notebook 8's augmented
   CNN (`ensure_rejection(augmented_cnn_experiment())`; each trained first if not saved),
   each with its temperature and threshold chosen on its validation split, to
   _static/models/<name>.js;
   and its sample pictures (site/sample_digits, examples/digits) as _static/sample_digits.js.
3. Runs Sphinx (MyST-NB, sphinx-book-theme) into build/site.
4. Puts in what comes from npm (package.json): MathJax 3 where a page has math, and Font
   Awesome's core with only the icons the pages use, in place of the theme's 1.5 MB bundle
   of all of them; writes the search excerpts that a page opened from disk cannot fetch.
5. Checks that no page or stylesheet loads anything from the network.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # before anything imports Keras

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from make_handout import is_solution  # noqa: E402  (what a student edition leaves out)

from mnist_tutorial.files import atomic_path  # noqa: E402

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


IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


class FigureAltError(ValueError):
    """A figure of a notebook has no alt text in its cell's metadata."""


def check_figure_alt(notebook: dict, name: str) -> int:
    """Every figure's alt text, written where the figure is made: the plotting cell's metadata
    `mystnb.image.alt`, which MyST-NB renders as the <img>'s alt (one text per cell). Returns
    the number of figures; a figure without one fails the build."""
    figures = 0
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        images = [o for o in cell.get("outputs", []) if set(o.get("data", {})) & set(IMAGE_MIMES)]
        if not images:
            continue
        alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
        if not alt.strip():
            raise FigureAltError(
                f"{name}, cell {cell.get('id')}: a figure without alt text (set the cell's "
                'metadata {"mystnb": {"image": {"alt": "what the figure shows"}}})'
            )
        figures += len(images)
    return figures


GLOSSARY_TERM = re.compile(r"^\*\*(?P<term>[^*]+)\*\*")


def term_anchor(term: str) -> str:
    return "term-" + re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")


def glossary_with_anchors(text: str) -> tuple[str, dict[str, str]]:
    """The glossary with a target (`(term-loss)=`) before each `**Term** ...` entry, and
    {term: target}."""
    lines, terms = [], {}
    for line in text.splitlines():
        match = GLOSSARY_TERM.match(line)
        if match:
            term = match["term"].strip()
            if term_anchor(term) not in terms.values():
                terms[term] = term_anchor(term)
                lines.append(f"({terms[term]})=")
        lines.append(line)
    return "\n".join(lines) + "\n", terms


def link_glossary_terms(notebook: dict, terms: dict[str, str]) -> int:
    """Bold glossary terms in the notebook's text cells, the first time each appears, become
    links to their entries (`**Loss**` -> ``**{ref}`Loss <term-loss>`**``)."""
    by_lower = {term.lower(): anchor for term, anchor in terms.items()}
    done: set[str] = set()

    def link(match: re.Match) -> str:
        word = match.group(1)
        key = next((k for k in (word.lower(), word.lower().rstrip("s")) if k in by_lower), None)
        if key is None or key in done:
            return match.group(0)
        done.add(key)
        return f"**{{ref}}`{word} <{by_lower[key]}>`**"

    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        # Not inside a link already, nor a heading.
        new = re.sub(r"(?<!\[)\*\*([^*\n\[\]]+?)\*\*(?!\])", link, source)
        cell["source"] = new
    return len(done)


DOC_LINK = re.compile(r"\[([^\]]+)\]\((?!https?:|mailto:|#)([^)\s]+)\)")


def stage_doc(text: str, docs: Path, staged_docs: set[str]) -> str:
    """An instructors' page with its links made to work from build/site-src/docs: other docs
    pages and the notebooks stay links; files of the repository become their path, in code."""

    def fix(match: re.Match) -> str:
        label, target = match.groups()
        path, _, anchor = target.partition("#")
        resolved = (docs / path).resolve()
        suffix = f"#{anchor}" if anchor else ""
        if resolved.parent == docs.resolve() and resolved.name in staged_docs:
            return match.group(0)
        if resolved.parent == (ROOT / "notebooks").resolve() and resolved.suffix in (
            ".ipynb",
            ".md",
        ):
            return f"[{label}](../{resolved.name}{suffix})"
        if resolved == (ROOT / "README.md").resolve():
            return f"[{label}](../index.md)"
        try:
            shown = resolved.relative_to(ROOT).as_posix()
        except ValueError:
            shown = path
        return label if f"`{shown}`" in label or shown in label else f"{label} (`{shown}`)"

    return DOC_LINK.sub(fix, text)


#: The last notebook of the core track (data to the CNN); the advanced track follows, as the
#: README's two tables say.
CORE_TRACK_LAST = 7


def stage(src: Path, printed: bool = False, student: bool = False) -> list[str]:
    """Copy the site's sources to `src`; returns the page names, in reading order. `printed`:
    the book that `--pdf` prints, whose contents are the notebooks, the glossary and the
    results (no draw page, no other instructors' pages). `student`: the student edition,
    whose notebooks have no worked solutions (as `make handout`'s)."""
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(ROOT / "site", src)
    terms: dict[str, str] = {}
    glossary = ROOT / "notebooks" / "glossary.md"
    if glossary.exists():
        text, terms = glossary_with_anchors(glossary.read_text())
        (src / "glossary.md").write_text(text)
    notebooks = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for notebook in notebooks:
        content = json.loads(notebook.read_text())
        if student:
            content["cells"] = [c for c in content["cells"] if not is_solution(c)]
        for cell in content["cells"]:  # the site puts the instructors' pages under docs/
            if cell["cell_type"] == "markdown":
                source = "".join(cell["source"]).replace("](../docs/", "](docs/")
                cell["source"] = source.splitlines(keepends=True)
        check_figure_alt(content, notebook.name)
        link_glossary_terms(content, terms)
        (src / notebook.name).write_text(json.dumps(content, indent=1, ensure_ascii=False))
    more = ["draw"] + (["glossary"] if terms else [])
    instructors = []
    docs = ROOT / "docs"
    pages = sorted(docs.glob("*.md")) if docs.is_dir() else []
    if pages:
        (src / "docs").mkdir()
        names = {p.name for p in pages}
        for page in pages:
            (src / "docs" / page.name).write_text(stage_doc(page.read_text(), docs, names))
        # The results first, then the rest in alphabetical order.
        instructors = sorted((f"docs/{p.stem}" for p in pages), key=lambda n: n != "docs/results")
    if "docs/results" not in instructors:
        results = results_section((ROOT / "README.md").read_text())
        if results is not None:
            (src / "results.md").write_text(results)
            more.append("results")
    if printed:
        more = [p for p in more if p != "draw"] + [p for p in instructors if p == "docs/results"]
        instructors = []
    core = [n.stem for n in notebooks if int(n.stem[:2]) <= CORE_TRACK_LAST]
    advanced = [n.stem for n in notebooks if int(n.stem[:2]) > CORE_TRACK_LAST]
    toctree = (
        "```{toctree}\n:maxdepth: 1\n:caption: Core track\n\n"
        + "\n".join(core)
        + "\n```\n\n"
        + (
            "```{toctree}\n:maxdepth: 1\n:caption: Advanced track\n\n"
            + "\n".join(advanced)
            + "\n```\n\n"
            if advanced
            else ""
        )
        + "```{toctree}\n:maxdepth: 1\n:caption: More\n\n"
        + "\n".join(more)
        + "\n```\n"
    )
    if instructors:
        toctree += (
            "\n```{toctree}\n:maxdepth: 1\n:caption: For instructors\n\n"
            + "\n".join(instructors)
            + "\n```\n"
        )
    index = src / "index.md"
    index.write_text(index.read_text().replace("<!-- toctree -->", toctree))
    return [n.stem for n in notebooks] + more + instructors


#: The draw page's kernels: 8-bit with a scale per unit, a quarter of float32's size (the
#: browser tests check that the answers are the float32 model's on 99 % of their images).
PRECISION = "int8"


def export_models(static: Path, models_dir: Path) -> None:
    """The draw page's networks, each with its rejection settings -> static/models/*.js."""
    from mnist_tutorial.config import augmented_cnn_experiment, not_a_digit_experiment
    from mnist_tutorial.export import export_weights
    from mnist_tutorial.storage import load_model, model_path
    from mnist_tutorial.trained import ensure_rejection

    export_first_mlp(static / "models", models_dir)
    for config in (augmented_cnn_experiment(), not_a_digit_experiment()):
        settings = ensure_rejection(config, models_dir)  # trains it first when not saved
        path = model_path(config, models_dir)
        target = static / "models" / f"{config.name}.js"
        export_weights(load_model(path), target, rejection=settings, precision=PRECISION)
        print(
            f"exported {path} (temperature {settings.temperature:.4f}, "
            f"threshold {settings.threshold:.4f}, chosen on {settings.chosen_on})"
        )


def export_samples(static: Path) -> int:
    """The draw page's sample pictures as _static/sample_digits.js, data: URLs, which a canvas
    may read pixels from even on a page opened from disk (a file:// image would taint it): its
    sample digits, site/sample_digits/mnist_*.png (MNIST validation digits that every network
    of the page reads, chosen by `scripts/make_sample_digits.py --mnist`), and notebook 12's
    drawings, examples/digits/digit_*.png. Returns the number of pictures."""
    text = ""
    for name, folder, pattern in (
        ("MNIST_SAMPLE_DIGITS", ROOT / "site" / "sample_digits", "mnist_*.png"),
        ("MNIST_SAMPLE_DRAWINGS", ROOT / "examples" / "digits", "digit_*.png"),
    ):
        table = {
            p.stem: "data:image/png;base64," + base64.b64encode(p.read_bytes()).decode()
            for p in sorted(folder.glob(pattern))
        }
        if len(table) != 10:
            raise SystemExit(f"the draw page needs the ten {folder}/{pattern}: {len(table)}")
        text += f"window.{name} = {json.dumps(table, indent=0)};\n"
    (static / "sample_digits.js").write_text(text)
    return text.count("data:image/png")


def export_first_mlp(static: Path, models_dir: Path) -> None:
    """The first MLP and its rejection settings -> static/first_mlp.js."""
    static.mkdir(parents=True, exist_ok=True)
    from mnist_tutorial.config import first_mlp_experiment
    from mnist_tutorial.export import export_weights
    from mnist_tutorial.storage import model_path
    from mnist_tutorial.trained import ensure_rejection, load_or_train

    config = first_mlp_experiment()
    model, _ = load_or_train(config, models_dir, progress=False)
    path = model_path(config, models_dir)
    # Chosen on the validation split the model was trained without (`config.data_seed`).
    settings = ensure_rejection(config, models_dir)
    export_weights(model, static / "first_mlp.js", rejection=settings, precision=PRECISION)
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
        with atomic_path(script) as tmp:
            tmp.write_bytes(data)
        tarball.unlink()
    (site / "_static" / "mathjax").mkdir(exist_ok=True)
    shutil.copy2(script, site / "_static" / MATHJAX)
    return True


NODE_MODULES = ROOT / "node_modules"
FONTAWESOME = NODE_MODULES / "@fortawesome" / "fontawesome-free" / "js"
ICON_CLASS = re.compile(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)")


def npm_ci() -> None:
    """The npm packages of package.json at the versions of package-lock.json."""
    if (FONTAWESOME / "solid.js").is_file() and (NODE_MODULES / "axe-core").is_dir():
        return
    if shutil.which("npm") is None:
        raise SystemExit("the site needs npm packages (package.json): install Node.js and npm")
    npm = ["npm", "ci", "--no-audit", "--no-fund", "--silent"]
    subprocess.run(npm, cwd=ROOT, check=True)


def icons_used(site: Path) -> set[str]:
    """The `fa-*` names in the pages and in the theme's scripts."""
    names: set[str] = set()
    sources = [*site.glob("**/*.html"), *(site / "_static" / "scripts").glob("*.js")]
    for path in sources:
        if path.name != "fontawesome.js":
            names |= set(ICON_CLASS.findall(path.read_text(errors="replace")))
    return names


def subset_fontawesome(site: Path) -> tuple[int, list[str]]:
    """Replace the theme's fontawesome.js (Font Awesome's core with every icon) by the core
    and the solid icons the site uses, from npm's @fortawesome/fontawesome-free. The file
    keeps its name, so the pages are unchanged. Returns (bytes, icon names)."""
    core = (FONTAWESOME / "fontawesome.min.js").read_text()
    solid = (FONTAWESOME / "solid.js").read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(solid) if line.strip() == "var icons = {")
    end = next(i for i in range(start, len(solid)) if solid[i].strip() == "};")
    used = icons_used(site)
    kept = []
    for line in solid[start + 1 : end]:
        name = line.strip().split('"')[1]
        if name in used:
            kept.append(line.rstrip().rstrip(",") + ",\n")
    if kept:
        kept[-1] = kept[-1].replace("],\n", "]\n")
    body = "".join(solid[: start + 1] + kept + solid[end:])
    text = core + "\n" + body
    target = site / "_static" / "scripts" / "fontawesome.js"
    target.write_text(text)
    for stale in ("fontawesome.js.map",):
        (target.parent / stale).unlink(missing_ok=True)
    return len(text.encode()), sorted(line.strip().split('"')[1] for line in kept)


VIEWPORT = re.compile(r"\s*<meta name=\"viewport\"[^>]*>")


def tidy_pages(site: Path, home_title: str) -> None:
    """One viewport tag per page (Sphinx's basic layout, pydata-sphinx-theme and its
    extrahead each write one), and the home page's title not doubled with the site's."""
    for page in site.glob("**/*.html"):
        text = page.read_text()
        tags = VIEWPORT.findall(text)
        if len(tags) > 1:
            first = text.index(tags[0]) + len(tags[0])
            text = text[:first] + VIEWPORT.sub("", text[first:])
        if page.name == "index.html" and page.parent == site:
            text = re.sub(r"<title>.*?</title>", f"<title>{home_title}</title>", text, count=1)
        page.write_text(text)


def search_texts(site: Path) -> int:
    """_static/search_texts.js: each page's article as HTML without pictures, scripts or
    outputs' styles, for the search page's excerpts when it is opened from disk (course.js).
    The article alone: the page's [role=main] also holds the buttons above it and the page's
    contents, whose labels ("System Settings Light Dark") once began every excerpt."""
    from bs4 import BeautifulSoup

    table = {}
    for page in sorted(site.glob("**/*.html")):
        name = page.relative_to(site).as_posix()
        if name in ("search.html", "genindex.html"):
            continue
        soup = BeautifulSoup(page.read_text(), "html.parser")
        main = soup.select_one('[role="main"] .bd-article')
        if main is None:
            continue
        for junk in main.select("script, style, img, svg, .headerlink, .cell_output .output"):
            junk.decompose()
        table[name] = re.sub(r"\s+", " ", main.decode_contents())
    text = f"window.COURSE_SEARCH_TEXTS = {json.dumps(table, ensure_ascii=False)};\n"
    (site / "_static" / "search_texts.js").write_text(text)
    return len(text.encode())


def remote_references(site: Path) -> list[str]:
    """Every place in the built site that would load something from the network."""
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".css") or not path.is_file():
            continue
        for match in REMOTE.finditer(path.read_text(errors="replace")):
            found.append(f"{path.relative_to(site)}: {match.group(0)[:80]}")
    return found


#: Each chapter starts a page; its links become the PDF's table of contents (Sphinx's
#: toctree at the top, linked) and outline. Returns the number of chapters.
PAGE_BREAKS = """() => {
    let chapters = 0;
    document.querySelectorAll('span[id^="document-"]').forEach(mark => {
        const section = mark.nextElementSibling;
        if (mark.id === 'document-index' || !section) return;
        section.classList.add('course-pdf-chapter');
        // Its last paragraph (the "Next:" link) never stands alone on a page of its own.
        const last = [...section.querySelectorAll('p')].pop();
        if (last) {
            last.classList.add('course-pdf-last');
            // ...nor does it leave the paragraph or cell before it (a solution's short
            // output) split across two pages.
            if (last.previousElementSibling) {
                last.previousElementSibling.classList.add('course-pdf-keep-with-next');
            }
        }
        chapters += 1;
    });
    const tocs = document.querySelectorAll('.toctree-wrapper');
    if (tocs.length) tocs[tocs.length - 1].classList.add('course-pdf-toc-end');
    return chapters;
}"""


#: The PDF's page margins (mm), and so the width of its text: 186 mm on A4's portrait pages,
#: 273 mm on its landscape ones.
PDF_MARGINS_MM = {"top": 14, "bottom": 16, "left": 12, "right": 12}
PDF_TEXT_WIDTH_MM = 210 - PDF_MARGINS_MM["left"] - PDF_MARGINS_MM["right"]
PDF_LANDSCAPE_TEXT_WIDTH_MM = 297 - PDF_MARGINS_MM["left"] - PDF_MARGINS_MM["right"]
#: A printed figure is scaled down to the text's width, and its text with it: matplotlib's
#: 10 pt (at the figure's own size, which its PNG's dpi gives) must print at 6.5 pt or more,
#: so a figure may be at most 186 mm / 0.65 = 11.2 inches wide. The wider ones are rows of
#: panels (galleries of digits, 12 to 21 inches): each is printed in two or more rows, cut
#: at the white gaps between its panels. One with no such gap would get a landscape page.
MIN_FIGURE_SCALE = 0.65

WIDE_FIGURES = """({figures, textWidth, landscapeWidth}) => {
    let rows = 0, landscape = 0;
    document.querySelectorAll('img').forEach(img => {
        const figure = figures[img.getAttribute('src')];
        if (!figure || !figure.cuts) return;
        const box = document.createElement('div');
        img.replaceWith(box);
        if (figure.cuts.length) {
            // One copy of the picture per row, each showing its part (its intrinsic size
            // becomes the part's, so it is scaled like any figure).
            box.className = 'course-pdf-rows';
            const edges = [0, ...figure.cuts, img.naturalWidth];
            for (let i = 0; i + 1 < edges.length; i++) {
                const part = img.cloneNode();
                part.style.objectViewBox = `inset(0px ${img.naturalWidth - edges[i + 1]}px `
                    + `0px ${edges[i]}px)`;
                if (i) part.alt = '(continued)';
                box.appendChild(part);
            }
            rows += 1;
        } else {
            // As wide as a landscape page's text: Chromium lays every page out at the first
            // page's width, a landscape one too.
            box.className = 'course-pdf-wide';
            box.style.width = landscapeWidth + 'px';
            box.appendChild(img);
            landscape += 1;
        }
    });
    return [rows, landscape];
}"""


def row_cuts(pixels: np.ndarray, widest: float) -> list[int]:
    """Where to cut a row of panels (grey levels, (height, width)) into parts at most
    `widest` pixels wide: the fewest parts, each cut in the middle of a white gap between
    panels (a column with no ink at all), the gaps nearest to equal parts. [] when no such
    cuts exist."""
    width = pixels.shape[1]
    blank = np.flatnonzero((pixels >= 250).all(axis=0))
    gaps = [
        (run[0] + run[-1] + 1) // 2
        for run in np.split(blank, np.flatnonzero(np.diff(blank) > 1) + 1)
        if run.size and run[0] > 0 and run[-1] < width - 1
    ]
    for parts in range(2, len(gaps) + 2):
        cuts = sorted(
            {min(gaps, key=lambda g: abs(g - width * k / parts)) for k in range(1, parts)}
        )
        edges = [0, *cuts, width]
        if len(cuts) == parts - 1 and max(np.diff(edges)) <= widest:
            return cuts
    return []


def wide_figures(html: Path) -> dict[str, dict]:
    """{src of each PNG figure under html/_images, as the pages write it, that the portrait
    page would print at less than MIN_FIGURE_SCALE: {"cuts": where to cut it into rows, or
    [] for a landscape page}}."""
    from PIL import Image

    text_width = PDF_TEXT_WIDTH_MM / 25.4 * 96  # CSS pixels; a figure prints one per pixel
    figures = {}
    for png in sorted((html / "_images").glob("*.png")):
        with Image.open(png) as image:
            if "dpi" not in image.info:
                continue
            dpi, width = float(image.info["dpi"][0]), image.size[0]
            # Its own size: width / dpi inches, 96 CSS pixels each.
            if min(width, text_width) / (width * 96 / dpi) >= MIN_FIGURE_SCALE:
                continue
            widest = text_width / MIN_FIGURE_SCALE * dpi / 96
            cuts = row_cuts(np.asarray(image.convert("L")), widest)
            figures[f"_images/{png.name}"] = {"cuts": [int(c) for c in cuts]}
    return figures


def build_pdf(out: Path, work: Path, student: bool = False) -> tuple[int, int]:
    """The course as one PDF: Sphinx's singlehtml builder (every notebook in order, the
    glossary, the results), printed by headless Chromium with the site's print CSS: a table
    of contents with links, each chapter on a new page, the PDF's outline (bookmarks) and
    page numbers. Returns (chapters, bytes)."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from browser_tests.conftest import CHROMIUM_FLAGS, chromium_path

    src, single = work / "pdf-src", work / "pdf-html"
    stage(src, printed=True, student=student)
    shutil.rmtree(single, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "singlehtml", "-q", "-E", str(src), str(single)]
        + ["-d", str(work / "pdf-doctrees")]
        # The pages that are not printed (draw, most instructors' pages) stay out of it.
        + ["-D", "suppress_warnings=mystnb.unknown_mime_type,toc.not_included"],
        check=True,
    )
    vendor_mathjax(single, work / "vendor" / "mathjax-3")
    subset_fontawesome(single)
    executable = chromium_path()
    if executable is None:
        raise SystemExit("the PDF is printed by Chromium: `make system-packages` installs it")
    out.parent.mkdir(parents=True, exist_ok=True)
    footer = (
        '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
        'MNIST with Keras: a tutorial &middot; page <span class="pageNumber"></span> of '
        '<span class="totalPages"></span></div>'
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        page.goto((single / "index.html").as_uri(), wait_until="load")
        if page.locator("script[src*='mathjax']").count():
            page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("MathJax.startup.promise")
        chapters = page.evaluate(PAGE_BREAKS)
        rows, landscape = page.evaluate(
            WIDE_FIGURES,
            {
                "figures": wide_figures(single),
                "textWidth": PDF_TEXT_WIDTH_MM / 25.4 * 96,
                "landscapeWidth": PDF_LANDSCAPE_TEXT_WIDTH_MM / 25.4 * 96,
            },
        )
        print(f"pdf: figures too wide for the page: {rows} in rows, {landscape} on landscape pages")
        page.emulate_media(media="print")
        page.pdf(
            path=str(out),
            format="A4",
            margin={side: f"{mm}mm" for side, mm in PDF_MARGINS_MM.items()},
            print_background=True,
            display_header_footer=True,
            header_template="<div></div>",
            footer_template=footer,
            outline=True,
            tagged=True,
        )
        browser.close()
    return chapters, out.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    parser.add_argument("--pdf", type=Path, help="print the course to this PDF instead (make pdf)")
    parser.add_argument(
        "--student", action="store_true", help="the student edition: no worked solutions"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.pdf:
        npm_ci()
        chapters, size = build_pdf(args.pdf, args.out.parent, student=args.student)
        took = time.perf_counter() - start
        print(f"pdf: {args.pdf} ({chapters} chapters, {size / 1e6:.1f} MB, {took:.1f} s)")
        return 0
    src = args.out.parent / "site-src"
    pages = stage(src, student=args.student)
    npm_ci()
    export_models(src / "_static", args.models)
    export_samples(src / "_static")
    shutil.rmtree(args.out, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-E"]
        + [str(src), str(args.out), "-d", str(args.out.parent / "site-doctrees")],
        check=True,
    )
    if vendor_mathjax(args.out, args.out.parent / "vendor" / "mathjax-3"):
        print("math: MathJax 3 copied into the site")
    size, icons = subset_fontawesome(args.out)
    print(f"icons: fontawesome.js {size / 1e3:.0f} kB, {len(icons)} icons ({', '.join(icons)})")
    tidy_pages(args.out, "MNIST with Keras: a tutorial")
    print(f"search: excerpts for pages opened from disk, {search_texts(args.out) / 1e3:.0f} kB")
    remote = remote_references(args.out)
    if remote:
        print("the site would load these from the network:\n  " + "\n  ".join(remote))
        return 1
    took = time.perf_counter() - start
    print(f"site: {args.out / 'index.html'} ({len(pages)} pages + home, {took:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
