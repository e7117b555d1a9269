"""PDF copies of the HTML reports, printed by headless Chromium.

The office circulates PDFs; the HTML pages carry their own print CSS (A4, margins, a dense
digest), so Chromium's "print to PDF" of the page is the PDF. One browser (``browser.py``:
Debian's ``chromium`` with the bundled CJK font) prints every page of a render; where
Chromium is absent the PDFs are skipped and the log says why, once.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gongkai.render import browser
from gongkai.render.files import put

log = logging.getLogger(__name__)

_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate) ?\(D:)\d{14}")


def missing_reason() -> str | None:
    """Why PDFs cannot be printed here, or None when they can."""
    return browser.missing_reason()


def _without_dates(data: bytes) -> bytes:
    """The PDF with Chromium's creation and modification times fixed (same length), so an
    unchanged page prints to the same bytes and is not rewritten."""
    return _PDF_DATE.sub(rb"\g<1>19800101000000", data)


def _print(pages: list[Path]) -> list[Path]:
    out: list[Path] = []
    with browser.open_browser() as tab:
        for html in pages:
            try:
                tab.open(html)
                out.append(put(html.with_suffix(".pdf"), _without_dates(tab.pdf())))
            except Exception as exc:  # noqa: BLE001 - one page must not stop the others
                log.warning("render: no PDF of %s: %s", html.name, str(exc).splitlines()[0])
    return out


def print_all(pages: list[Path]) -> list[Path]:
    """Print every HTML page to a PDF beside it (written only when its bytes change);
    returns the PDFs. Without Chromium nothing is printed and one line says why."""
    reason = missing_reason()
    if reason:
        log.info("render: PDF copies not made: %s", reason)
        return []
    if not pages:
        return []
    # Playwright's synchronous API runs in a thread of its own, never inside an event loop
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print, pages).result()
