"""`make pdf`: the whole course as one PDF, printed by the Chromium of the browser tests.

A few pages are turned into PNG (poppler's pdftoppm) and must not be blank; the words of
those pages (pdftotext -bbox) must lie inside the printable area: no line runs past the margin.
The outline (bookmarks) reads like the headings it comes from.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from browser_tests.conftest import ROOT, SHOTS, report

PDF = ROOT / "build" / "mnist-tutorial.pdf"
MARGIN_PT = 12 / 25.4 * 72  # the 12 mm side margins of build_site.build_pdf


@pytest.fixture(scope="module")
def pdf(site: Path, browser) -> Path:
    for tool in ("pdftoppm", "pdftotext", "pdfinfo", "pdfimages"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} missing: `make system-packages` installs poppler-utils (as root)")
    if not PDF.exists() or PDF.stat().st_mtime < (site / "index.html").stat().st_mtime:
        script = ROOT / "scripts" / "build_site.py"
        subprocess.run([sys.executable, str(script), "--pdf", str(PDF)], check=True)
    return PDF


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def test_the_pdf_has_every_notebook_in_order_the_glossary_and_the_results(pdf: Path) -> None:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.replace("\u2019", "'")  # the site prints a title's ' as a typographic ’
    titles = []
    for notebook in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        source = "".join(next(c for c in cells if c["cell_type"] == "markdown")["source"])
        title = next(line[2:] for line in source.splitlines() if line.startswith("# "))
        titles.append(" ".join(title.split()[:4]))
    start = text.index(titles[0], text.index(titles[-1]))  # after the table of contents
    body = " ".join(text[start:].split())
    positions = [body.find(t) for t in titles]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), (titles, positions)
    assert "Glossary" in body and "Results" in body
    pages = _pages(pdf)
    assert pages >= 30
    assert f"page 5 of {pages}" in text  # page numbers
    report("make pdf", f"{pdf.relative_to(ROOT)}: {pages} pages, {pdf.stat().st_size / 1e6:.1f} MB")


def test_no_printed_page_is_nearly_empty(pdf: Path, tmp_path) -> None:
    """Every page, not a sample: a chapter's last line (its "Next:" link) once stood alone
    on a page, and a page once held two lines."""
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(pdf), str(tmp_path / "p")], check=True)
    inks = {
        png.name: (np.asarray(Image.open(png).convert("L")) < 200).mean()
        for png in sorted(tmp_path.glob("p-*.png"))
    }
    assert len(inks) == _pages(pdf)
    nearly_empty = {name: round(float(ink), 4) for name, ink in inks.items() if ink <= 0.005}
    assert nearly_empty == {}, nearly_empty


def test_printed_pages_are_not_blank_and_no_line_runs_past_the_margin(pdf: Path, tmp_path):
    pages = _pages(pdf)
    chosen = sorted({1, 2, 5, pages // 3, pages // 2, (2 * pages) // 3, pages - 1})
    for number in chosen:
        prefix = tmp_path / f"page{number}"
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", "-f", str(number), "-l", str(number)]
            + [str(pdf), str(prefix)],
            check=True,
        )
        png = next(tmp_path.glob(f"page{number}-*.png"))
        ink = (np.asarray(Image.open(png).convert("L")) < 200).mean()
        assert ink > 0.005, f"page {number} is blank"
        shutil.copy(png, SHOTS / f"pdf_page_{number}.png")
        boxes = subprocess.run(
            ["pdftotext", "-bbox", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
        words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', boxes)
        assert words, f"page {number} has no text"
        outside = [
            (float(a), float(b))
            for a, b in words
            if float(a) < MARGIN_PT - 2 or float(b) > width - MARGIN_PT + 2
        ]
        assert outside == [], f"page {number}: words past the margin at {outside[:5]}"


def test_long_code_lines_print_whole_on_one_line(pdf: Path) -> None:
    """Code keeps its indentation: a long line of a notebook's code is printed on one line
    (it once wrapped back to column 0, and 325 of 1,260 lines lost their indentation)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    printed = {" ".join(line.split()) for line in text.splitlines()}
    printed_text = "\n".join(printed)
    long_lines = [
        " ".join(line.split())
        for notebook in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
        for cell in json.loads(notebook.read_text())["cells"]
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if len(line) >= 80 and line.isascii()
    ]
    assert len(long_lines) >= 20
    broken = [line for line in long_lines if line not in printed_text]
    assert broken == [], f"{len(broken)} of {len(long_lines)} long code lines wrap: {broken[:3]}"


#: An outline entry of Chromium's PDF: its title, a literal or a hex (UTF-16) string.
OUTLINE_TITLE = re.compile(rb"<</Title (\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]*>)\s*/Dest ")


def outline_titles(pdf: Path) -> list[str]:
    """The titles of the PDF's outline, in order (Chromium writes its objects uncompressed)."""
    titles = []
    for match in OUTLINE_TITLE.finditer(pdf.read_bytes()):
        raw = match.group(1)
        if raw.startswith(b"<"):
            data = bytes.fromhex(raw[1:-1].decode())
            bom = data.startswith(b"\xfe\xff")
            titles.append(data[2:].decode("utf-16-be") if bom else data.decode("latin-1"))
        else:
            titles.append(re.sub(rb"\\([()\\])", rb"\1", raw[1:-1]).decode("latin-1"))
    return titles


def printed_headings(html: Path) -> set[str]:
    """The text of every heading of the printed HTML (Sphinx's singlehtml, beside the PDF),
    without its "#" link, its white space as a reader sees it."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html.read_text(), "html.parser")
    headings = set()
    for heading in soup.select("h1, h2, h3, h4, h5, h6, [role=heading]"):
        for link in heading.select(".headerlink"):
            link.decompose()
        headings.add(" ".join(heading.get_text().split()))
    return headings


def test_the_outline_reads_like_the_headings(pdf: Path) -> None:
    """Every bookmark is its heading's text: none doubled ("Key takeawaysKey takeaways", a
    heading at the top of a page) and no words run together ("a vector of784", a heading
    that wraps), as they were."""
    titles = outline_titles(pdf)
    assert len(titles) >= 60, titles  # every chapter and its sections
    doubled = [t for t in titles if len(t) % 2 == 0 and t[: len(t) // 2] == t[len(t) // 2 :]]
    assert doubled == []
    # Each is a heading's text, spaces included ("of 784", not "of784"): a word run into the
    # next, a letter into a number, would make it unlike every heading.
    headings = printed_headings(ROOT / "build" / "pdf-html" / "index.html")
    unlike = [t for t in titles if " ".join(t.split()) not in headings]
    assert unlike == [], f"{len(unlike)} bookmarks unlike any heading: {unlike[:6]}"
    report("make pdf", f"outline: {len(titles)} bookmarks, each a heading's own text")


#: Matplotlib's text is 10 pt (its default font size) at the figure's own size, which its
#: PNG's dpi gives (`savefig` writes it); printed, that text must be at least 6.5 pt.
FIGURE_TEXT_PT = 10
SMALLEST_PRINTED_PT = 6.5


def test_figures_print_large_enough_to_read_their_labels(pdf: Path) -> None:
    """Every figure of the printed HTML, found in the PDF by its pixel size (pdfimages):
    printed at x-ppi pixels per inch, a PNG of d dpi is scaled by d / x-ppi, and so is its
    text. A figure printed in rows (build_site.wide_figures) is in the PDF as its parts: as
    high as it, narrower. The widest figures, rows of panels 12 to 21 inches wide, once
    printed their 10-pt labels at 4.1 to 5.5 pt, squeezed into the portrait column."""
    dpis: dict[tuple[int, int], float] = {}
    for png in sorted((ROOT / "build" / "pdf-html" / "_images").glob("*.png")):
        with Image.open(png) as image:
            dpi = image.info.get("dpi", (96, 96))[0]
            dpis[image.size] = min(dpi, dpis.get(image.size, dpi))
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    printed: dict[tuple[int, int], float] = {}
    for row in listing:
        fields = row.split()
        if fields[2] != "image":
            continue
        (width, height), x_ppi = (int(fields[3]), int(fields[4])), float(fields[12])
        whole = [(width, height)] if (width, height) in dpis else []
        parts = [(w, h) for w, h in dpis if h == height and width < w]
        for size in whole or parts:
            points = FIGURE_TEXT_PT * dpis[size] / x_ppi
            printed[size] = min(points, printed.get(size, points))
    assert set(printed) == set(dpis), f"figures not in the PDF: {sorted(set(dpis) - set(printed))}"
    small = {f"{w}x{h}": round(pt, 2) for (w, h), pt in printed.items() if pt < SMALLEST_PRINTED_PT}
    report(
        "make pdf",
        f"figures: {len(printed)}, {FIGURE_TEXT_PT}-pt text printed at "
        f"{min(printed.values()):.2f} to {max(printed.values()):.2f} pt",
    )
    assert small == {}, f"10-pt text printed smaller than {SMALLEST_PRINTED_PT} pt: {small}"
