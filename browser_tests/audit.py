"""What the browser tests measure on every page: axe-core's violations and the page's weight.

axe-core comes from the npm registry (package.json at the repository root; `make site-test`
runs `npm ci`) and is injected by Playwright into the page under test: the site itself never
loads it. Also a script: `python -m browser_tests.audit [SITE]` prints both for every page,
light and dark (what the issue's "before" and "after" numbers were measured with).
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


def axe_source() -> str | None:
    return AXE.read_text() if AXE.is_file() else None


def set_mode(page, mode: str) -> None:
    """Light or dark: the system's preference, which the site follows ("auto"); where a mode
    was saved by the theme's switch, the saved mode is set instead and the page reloaded."""
    page.emulate_media(color_scheme=mode)
    check = f"document.documentElement.dataset.theme === '{mode}'"
    try:
        page.wait_for_function(check, timeout=5000)
        settle(page)
        return
    except Exception:  # noqa: BLE001 - a saved choice wins over the system's: set it
        pass
    page.evaluate(
        "(mode) => { localStorage.setItem('mode', mode); localStorage.setItem('theme', mode); }",
        mode,
    )
    page.reload(wait_until="load")
    page.wait_for_function(check)
    settle(page)


def settle(page) -> None:
    """Wait until the colours' transitions to the new mode are over."""
    page.wait_for_function(
        "document.getAnimations().filter(a => a instanceof CSSTransition"
        " && a.playState === 'running').length === 0"
    )


def run_axe(page, source: str) -> list[dict]:
    """axe-core's violations on the page as it is now: [{id, impact, nodes: [...]}]."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    return page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                        resultTypes: ['violations'], preload: false})
            .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' +
                                         (n.failureSummary || '').slice(0, 160))})))""",
        AXE_TAGS,
    )


def count_by_impact(violations: list[dict]) -> dict[str, int]:
    """Nodes per impact (minor, moderate, serious, critical)."""
    counts = {"critical": 0, "serious": 0, "moderate": 0, "minor": 0}
    for violation in violations:
        counts[violation["impact"] or "minor"] += len(violation["nodes"])
    return counts


class WeightMeter:
    """Bytes a page loads, from the files on disk behind each request (file:// or http)."""

    def __init__(self, page, site: Path, base: str) -> None:
        self.site, self.base, self.files = site.resolve(), base, set()
        page.on("request", self._seen)

    def _seen(self, request) -> None:
        url = request.url.split("#")[0].split("?")[0]
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path))
        elif url.startswith(self.base):
            path = self.site / unquote(url[len(self.base) :])
        else:
            return
        if path.is_file():
            self.files.add(path)

    def weights(self) -> tuple[int, int]:
        """(bytes of everything but images, bytes of images)."""
        images = sum(p.stat().st_size for p in self.files if p.suffix.lower() in IMAGE_SUFFIXES)
        total = sum(p.stat().st_size for p in self.files)
        return total - images, images


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    from browser_tests.conftest import CHROMIUM_FLAGS, chromium_path

    site = Path(argv[0] if argv else ROOT / "build" / "site").resolve()
    source = axe_source()
    base = site.as_uri() + "/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        pages = (p.relative_to(site).as_posix() for p in site.glob("**/*.html"))
        for name in sorted(p for p in pages if not p.startswith("_")):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            meter = WeightMeter(page, site, base)
            page.goto(base + name, wait_until="load")
            page.wait_for_timeout(300)
            rest, images = meter.weights()
            row = [f"{name:40s} {rest / 1e6:5.2f} MB + images {images / 1e6:5.2f} MB"]
            for mode in ("light", "dark"):
                set_mode(page, mode)
                counts = count_by_impact(run_axe(page, source))
                row.append(f"{mode}: " + " ".join(f"{k[:4]} {v}" for k, v in counts.items()))
            print(" | ".join(row), flush=True)
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
