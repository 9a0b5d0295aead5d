"""The pieces of `scripts/build_site.py` that need no Sphinx: results section, offline check."""

from __future__ import annotations

import importlib.util
from pathlib import Path

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
