"""Headless Chromium for the reports: PDF copies, and the browser tests' screenshots.

One browser (Debian's ``chromium``, driven through Playwright's Python API; no browser is
downloaded) prints every page of a render, instead of one browser start per page. It gets a
fontconfig set-up of its own that carries the project's bundled CJK font (the collection the
charts use, see ``charts.bundled_font_path``), so the PDFs show Chinese on a machine without
any system CJK font; ``system_fonts=False`` leaves the system fonts out altogether (the tests
use it to prove the PDFs need none). Pages are opened from files only: no network.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from gongkai.render.charts import bundled_font_path

ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars")
TIMEOUT_MS = 120_000


@cache
def executable() -> str | None:
    """The Chromium executable, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def missing_reason() -> str | None:
    """Why the browser cannot run here, or None when it can."""
    if executable() is None:
        return "chromium is not installed (Debian: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (reinstall gongkai)"
    return None


def fontconfig_file(folder: Path, *, system_fonts: bool = True) -> Path:
    """Write a fontconfig file into ``folder`` that adds the bundled CJK font (and, with
    ``system_fonts``, includes the system's own configuration); returns its path."""
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">', "<fontconfig>"]
    font = bundled_font_path()
    if font is not None:
        lines.append(f"  <dir>{escape(str(font.parent))}</dir>")
    if system_fonts:
        lines.append('  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>')
    lines.append(f"  <cachedir>{escape(str(folder / 'cache'))}</cachedir>")
    lines.append("</fontconfig>")
    path = folder / "fonts.conf"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Page:
    """One browser tab; ``console`` collects the page's console messages and errors."""

    page: object
    console: list[str] = field(default_factory=list)

    def open(self, path_or_url: str | Path) -> None:
        """Load a file (or a file URL) and wait until it has loaded."""
        url = path_or_url if isinstance(path_or_url, str) else Path(path_or_url).resolve().as_uri()
        self.console.clear()
        self.page.goto(url, wait_until="load", timeout=TIMEOUT_MS)

    def pdf(self) -> bytes:
        """Print the loaded page as the page's own print CSS lays it out (A4 pages)."""
        return self.page.pdf(prefer_css_page_size=True, print_background=True)

    def screenshot(self, target: Path, width: int, height: int) -> None:
        """A screenshot of the whole page at the given window size."""
        self.page.set_viewport_size({"width": width, "height": height})
        self.page.screenshot(path=str(target), full_page=True)

    def text(self) -> str:
        """The page's visible text."""
        return self.page.inner_text("body")


@contextmanager
def open_browser(*, system_fonts: bool = True) -> Iterator[Page]:
    """A headless Chromium with the bundled font, and one page in it (closed on exit).

    Raises ``RuntimeError`` with the reason when the browser cannot run here.
    """
    reason = missing_reason()
    if reason:
        raise RuntimeError(reason)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="gongkai-browser-") as tmp:
        env = {**os.environ,
               "FONTCONFIG_FILE": str(fontconfig_file(Path(tmp), system_fonts=system_fonts))}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable(), args=list(ARGS),
                                         env=env, timeout=TIMEOUT_MS)
            try:
                context = browser.new_context(offline=True, java_script_enabled=True)
                tab = Page(context.new_page())
                tab.page.on("console", lambda msg: tab.console.append(f"{msg.type}: {msg.text}"))
                tab.page.on("pageerror", lambda exc: tab.console.append(f"error: {exc}"))
                tab.page.on("requestfailed",
                            lambda req: tab.console.append(f"failed: {req.url}"))
                yield tab
            finally:
                browser.close()
