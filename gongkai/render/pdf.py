"""PDF copies of the HTML reports, printed by headless Chromium.

The office circulates PDFs; the HTML pages carry their own print CSS (A4, margins, the
density of a digest), so Chromium's "print to PDF" of the page is the PDF. One browser
(``browser.py``: Debian's ``chromium`` with the bundled CJK font) prints every page of a
render, in a few tabs at once (``PRINT_TABS``; each tab's page is laid out and printed by a
renderer process of its own, so two tabs keep two cores busy). Where Chromium is absent
the PDFs are skipped and the log says why, once.

A digest must print on one A4 page. The page count of its PDF is measured as it is
printed; when it is more than one, the caller's ``fit`` hook writes the page again, denser,
and it is printed again, so the PDF and the HTML always agree.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import tempfile
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gongkai.render import browser
from gongkai.render.files import put

log = logging.getLogger(__name__)

_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate) ?\(D:)\d{14}")
# tabs printing at once: one per CPU, at most 4 (measured in bench/README.md#pdf-copies)
PRINT_TABS = max(1, min(4, os.cpu_count() or 1))


def missing_reason() -> str | None:
    """Why PDFs cannot be printed here, or None when they can."""
    return browser.missing_reason()


def _without_dates(data: bytes) -> bytes:
    """The PDF with Chromium's creation and modification times fixed (same length), so an
    unchanged page prints to the same bytes and is not rewritten."""
    return _PDF_DATE.sub(rb"\g<1>19800101000000", data)


def page_count(data: bytes) -> int:
    """The number of pages of a PDF."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


async def _print_pages(pages: list[Path], fit: Callable[[Path], bool] | None,
                       tabs: int) -> dict[Path, Path]:
    """Print the pages in ``tabs`` tabs of one browser; returns HTML page → its PDF."""
    from playwright.async_api import async_playwright

    done: dict[Path, Path] = {}
    queue = deque(pages)
    with tempfile.TemporaryDirectory(prefix="gongkai-browser-") as tmp:
        async with async_playwright() as pw:
            chromium = await pw.chromium.launch(
                executable_path=browser.executable(), args=list(browser.ARGS),
                env=browser.environment(Path(tmp)), timeout=browser.TIMEOUT_MS)
            try:
                context = await chromium.new_context(offline=True)

                async def work() -> None:
                    tab = await context.new_page()
                    while queue:
                        html = queue.popleft()
                        try:
                            done[html] = await _print_one(tab, html, fit)
                        except Exception as exc:  # noqa: BLE001 - one page must not stop the rest
                            log.warning("render: no PDF of %s: %s", html.name,
                                        str(exc).splitlines()[0])
                    await tab.close()

                await asyncio.gather(*(work() for _ in range(min(tabs, len(pages)))))
            finally:
                await chromium.close()
    return done


async def _print_one(tab, html: Path, fit: Callable[[Path], bool] | None) -> Path:
    """Print one page; while it takes more than one sheet and ``fit`` rewrites it denser,
    print it again. Writes the PDF beside the page (only when its bytes change)."""
    while True:
        await tab.goto(html.resolve().as_uri(), wait_until="load", timeout=browser.TIMEOUT_MS)
        data = await tab.pdf(prefer_css_page_size=True, print_background=True)
        if fit is None or page_count(data) <= 1 or not fit(html):
            return put(html.with_suffix(".pdf"), _without_dates(data))


def print_all(pages: list[Path], fit: Callable[[Path], bool] | None = None,
              tabs: int | None = None) -> list[Path]:
    """Print every HTML page to a PDF beside it (written only when its bytes change);
    returns the PDFs, in the order of ``pages``. ``fit(page)`` is called when a page
    prints on more than one sheet: it returns True after writing the page again in a
    denser form (then it is printed again), False to keep it as it is. ``tabs`` pages are
    printed at once (default ``PRINT_TABS``). Without Chromium nothing is printed and one
    line says why."""
    reason = missing_reason()
    if reason:
        log.info("render: PDF copies not made: %s", reason)
        return []
    if not pages:
        return []
    # Playwright runs in a thread of its own, never inside the caller's event loop
    with ThreadPoolExecutor(max_workers=1) as pool:
        done = pool.submit(asyncio.run, _print_pages(pages, fit, tabs or PRINT_TABS)).result()
    return [done[p] for p in pages if p in done]
