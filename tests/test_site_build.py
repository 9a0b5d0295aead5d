"""The pieces of `scripts/build_site.py` that need no Sphinx: results section, offline check."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
build_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_site)


def test_results_section_is_taken_from_the_readme() -> None:
    table = "| a | b |\n| - | - |\n| 1 | 2 |\n"
    readme = f"# Title\n\nintro\n\n## Results\n\n{table}\n## Next\n\nmore\n"
    assert build_site.results_section(readme) == f"# Results\n\n{table}"
    assert build_site.results_section("# Title\n\n## Speed\n") is None


def test_remote_references_are_found(tmp_path) -> None:
    (tmp_path / "ok.html").write_text(
        '<a href="https://example.org/">a link is fine</a><script src="_static/x.js"></script>'
    )
    (tmp_path / "bad.html").write_text('<script src="https://cdn.example/mathjax.js"></script>')
    (tmp_path / "bad.css").write_text("@font-face { src: url(//fonts.example/f.woff2); }")
    found = build_site.remote_references(tmp_path)
    assert [f.split(":")[0] for f in found] == ["bad.css", "bad.html"]


def _notebook(*cells: dict) -> dict:
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _figure_cell(cell_id: str, images: int = 1) -> dict:
    outputs = [{"output_type": "display_data", "data": {"image/png": "iVBOR"}, "metadata": {}}]
    return {
        "cell_type": "code",
        "id": cell_id,
        "source": "plot()",
        "metadata": {},
        "outputs": outputs * images,
    }


def test_a_figure_without_alt_text_in_its_cell_metadata_fails_the_build() -> None:
    cell = _figure_cell("a")
    with pytest.raises(build_site.FigureAltError, match="cell a: a figure without alt text"):
        build_site.check_figure_alt(_notebook(cell), "n.ipynb")
    cell["metadata"] = {"mystnb": {"image": {"alt": "Loss per epoch."}}}
    assert build_site.check_figure_alt(_notebook(cell), "n.ipynb") == 1


def test_every_figure_of_the_committed_notebooks_has_alt_text_that_is_not_a_file_name() -> None:
    figures = 0
    for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        notebook = json.loads(path.read_text())
        figures += build_site.check_figure_alt(notebook, path.name)
        for cell in notebook["cells"]:
            text = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt")
            if text is None:
                continue
            assert len(text) > 30 and not re.search(r"\.(png|jpe?g|svg)$|^[0-9a-f]{12,}", text)
            assert not re.search(r"\d+\.\d+ ?%|epoch \d", text), text  # true for any run
    assert figures >= 20


def test_glossary_entries_get_targets_and_bold_terms_link_to_them() -> None:
    text, terms = build_site.glossary_with_anchors(
        "# Glossary\n\n**Loss** (3): how wrong.\n\n**Softmax** (3): turns scores into odds.\n"
    )
    assert terms == {"Loss": "term-loss", "Softmax": "term-softmax"}
    assert "(term-loss)=\n**Loss** (3)" in text
    cell = {"cell_type": "markdown", "source": "The **loss** falls; **losses** and **Loss** again."}
    build_site.link_glossary_terms(_notebook(cell), terms)
    assert cell["source"] == "The **{ref}`loss <term-loss>`** falls; **losses** and **Loss** again."


def test_instructors_pages_keep_their_links_working(tmp_path) -> None:
    docs = ROOT / "docs"
    text = (
        "[Speed](speed.md), [notebook 4](../notebooks/04_model_and_training.ipynb), "
        "[the Makefile](../Makefile), [README](../README.md#x), [web](https://example.org/)"
    )
    staged = build_site.stage_doc(text, docs, {"speed.md"})
    assert staged == (
        "[Speed](speed.md), [notebook 4](../04_model_and_training.ipynb), "
        "the Makefile, [README](../index.md), [web](https://example.org/)"
    )


def test_duplicate_viewport_tags_and_the_home_title(tmp_path) -> None:
    head = '<meta name="viewport" content="a" /><meta name="viewport" content="b" />'
    (tmp_path / "index.html").write_text(
        f'<head>{head}<title>T &#8212; T</title></head><meta name="viewport" content="c"/>'
    )
    build_site.tidy_pages(tmp_path, "T")
    html = (tmp_path / "index.html").read_text()
    assert html.count('name="viewport"') == 1 and "<title>T</title>" in html


def test_the_student_edition_has_no_worked_solution(tmp_path) -> None:
    """`make site EDITION=student` (and `make pdf EDITION=student`) stage the notebooks without
    the cells tagged "solution"; the full edition keeps them."""
    import json

    def solutions(src) -> tuple[int, int]:
        cells = [
            cell
            for page in sorted(src.glob("[0-9]*.ipynb"))
            for cell in json.loads(page.read_text())["cells"]
        ]
        tagged = [c for c in cells if "solution" in c.get("metadata", {}).get("tags", [])]
        return len(tagged), len(cells)

    build_site.stage(tmp_path / "full")
    build_site.stage(tmp_path / "student", student=True)
    full, _ = solutions(tmp_path / "full")
    student, cells = solutions(tmp_path / "student")
    assert full >= 22 and student == 0 and cells > 200
    staged = (tmp_path / "student" / "07_convolutional_network.ipynb").read_text()
    assert "](docs/speed.md#the-cnn)" in staged and "](../docs/" not in staged


def _row_of_panels(panels: int, line: bool = False):
    """A row of black 90-px panels with 10-px white gaps (a gallery), or with a line drawn
    across all of them (a plot with no gap)."""
    import numpy as np

    row = np.full((50, 100 * panels), 255, dtype=np.uint8)
    for k in range(panels):
        row[5:45, 100 * k + 5 : 100 * k + 95] = 0
    if line:
        row[2, :] = 0
    return row


def test_a_row_of_panels_too_wide_to_print_is_cut_between_its_panels(tmp_path) -> None:
    from PIL import Image

    assert build_site.row_cuts(_row_of_panels(16), widest=1126) == [800]
    assert build_site.row_cuts(_row_of_panels(16), widest=700) == [500, 1100]
    assert build_site.row_cuts(_row_of_panels(16, line=True), widest=1126) == []
    (tmp_path / "_images").mkdir()
    for name, pixels in {
        "gallery": _row_of_panels(16),  # 16 inches at 100 dpi
        "plot": _row_of_panels(16, line=True),
        "narrow": _row_of_panels(11),  # 11 inches: prints at 0.67
    }.items():
        Image.fromarray(pixels).save(tmp_path / "_images" / f"{name}.png", dpi=(100, 100))
    assert build_site.wide_figures(tmp_path) == {
        "_images/gallery.png": {"cuts": [800]},  # in two rows
        "_images/plot.png": {"cuts": []},  # on a landscape page
    }
