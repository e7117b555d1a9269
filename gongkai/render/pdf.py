"""PDF copies of the HTML reports, printed by headless Chromium.

The office circulates PDFs; the HTML pages carry their own print CSS (A4, margins, a dense
digest), so Chromium's "print to PDF" of the page is the PDF. Chromium is a system package
(Debian ``chromium``, installed by ``.ci/run``); where it is absent the PDFs are skipped and
the log says why. Each page is printed by its own short-lived browser with a fresh empty
profile, without network, in at most ``PDF_WORKERS`` at a time.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from gongkai.render.files import put

log = logging.getLogger(__name__)

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-pdf-header-footer")
PDF_WORKERS = 2
TIMEOUT_SECONDS = 120


@cache
def chromium() -> str | None:
    """The Chromium executable, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def missing_reason() -> str | None:
    """Why PDFs cannot be printed here, or None when they can."""
    if chromium() is None:
        return "chromium is not installed (Debian: apt-get install chromium)"
    return None


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print one HTML file to PDF (written only when its bytes change); returns the PDF.

    Raises ``RuntimeError`` when Chromium fails or writes nothing.
    """
    with tempfile.TemporaryDirectory(prefix="gongkai-pdf-") as tmp:
        target = Path(tmp) / "out.pdf"
        done = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}",
             f"--print-to-pdf={target}", html.resolve().as_uri()],
            capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
        if done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            raise RuntimeError(f"chromium could not print {html.name} "
                               f"(exit {done.returncode}): {done.stderr.strip()[-300:]}")
        return put(pdf, _without_dates(target.read_bytes()))


_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate) ?\(D:)\d{14}")


def _without_dates(data: bytes) -> bytes:
    """The PDF with Chromium's creation and modification times fixed (same length), so an
    unchanged page prints to the same bytes and is not rewritten."""
    return _PDF_DATE.sub(rb"\g<1>19800101000000", data)


def print_all(pages: list[Path]) -> list[Path]:
    """Print every HTML page to a PDF beside it; returns the PDFs. Without Chromium nothing
    is printed and a warning says why; a page Chromium fails on is logged and skipped."""
    reason = missing_reason()
    if reason:
        log.warning("render: PDF copies skipped: %s", reason)
        return []
    out: list[Path] = []

    def one(html: Path) -> Path | None:
        try:
            return print_pdf(html, html.with_suffix(".pdf"))
        except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
            log.warning("render: no PDF of %s: %s", html.name, exc)
            return None

    with ThreadPoolExecutor(max_workers=PDF_WORKERS) as pool:
        out = [p for p in pool.map(one, pages) if p is not None]
    return out
