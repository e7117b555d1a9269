"""PDF files with a text layer → Document (pdfplumber).

Each page is read top to bottom.  Ruled tables (found by pdfplumber from their lines) become
rows of their cells — a cell spanning columns or rows is kept once, where it starts, as in
the HTML reader — located ``page P table T row R col C``.  The rest of the page becomes text
lines (``page P line L``); a line of a label followed by numbers (``规章 0 0 0``, an unruled
table) becomes a row, as in PDF-to-text.  Page footers (``— 4 —``, ``第 4 页``) and lines
repeated at the top or foot of every page are dropped (but the first page's header, which may
be the only place the report's title stands).

A table that runs on at the top of the next page continues the same table (its rows keep
counting), and header rows the PDF repeats there are dropped.

A PDF without a text layer (a scan) is not read as empty: it is reported as needing OCR
(issue ``needs_ocr``).  Encrypted and damaged files are reported likewise.

A page's characters and rules come from PDFium where it reproduces pdfminer's exactly
(``pdffast``: a plain page of embedded or described fonts; a Word-like report in about half
the time); pdfplumber's own interpretation reads every other page, its content streams read
by ``pdfcontent`` where plain.  Either way the same pdfplumber code finds the
tables and lines.  ``GONGKAI_PDF_CAREFUL=1`` reads every page the careful way.
"""

from __future__ import annotations

import io
import logging
import os
import re
from dataclasses import dataclass, field

from gongkai.read import limits, pdfcontent, pdffast
from gongkai.read.document import Cell, Document, Line
from gongkai.read.pagetext import is_page_footer, one_line, split_trailing_numbers
from gongkai.read.values import looks_numeric

MAX_PAGES = limits.MAX_PDF_PAGES
# pages PDFium can read exactly are read through it (pdffast), the others by pdfplumber alone;
# GONGKAI_PDF_CAREFUL=1 reads every page by pdfplumber alone
FAST = os.environ.get("GONGKAI_PDF_CAREFUL", "") in ("", "0")
# pdfminer logs a warning for every damaged object it steps over; a damaged file is reported
# as an issue instead, so its log stays quiet
logging.getLogger("pdfminer").setLevel(logging.ERROR)
_MARGIN_SHARE = 0.07  # top/bottom share of a page where running headers and footers live
_CID = re.compile(r"\(cid:\d+\)")


@dataclass
class _Item:
    """One thing on a page, in reading order: a table row or a text line."""

    top: float
    cells: list[tuple[int, str]]  # (grid column, text) for rows; [(0, text)] for text lines
    table: int | None = None  # page-local table number for rows
    is_row: bool = False
    numbers: bool = False


@dataclass
class _Page:
    number: int
    height: float
    items: list[_Item] = field(default_factory=list)
    chars: int = 0
    images: int = 0


def _read_page(page, number: int) -> _Page:
    out = _Page(number, float(page.height or 0), chars=len(page.chars), images=len(page.images))
    if not out.chars:
        return out
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    for t_index, table in enumerate(tables, start=1):
        texts = table.extract()
        for row, row_texts in zip(table.rows, texts, strict=False):
            cells = [(col, one_line(text)) for col, text in enumerate(row_texts, start=1)
                     if text is not None]
            if not cells:
                continue
            top = row.bbox[1] if row.bbox else table.bbox[1]
            numbers = any(looks_numeric(text) for _, text in cells if text)
            out.items.append(_Item(top, cells, t_index, True, numbers))

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    rest = page.filter(outside) if boxes else page
    for line in rest.extract_text_lines(strip=True, return_chars=False):
        text = one_line(line.get("text"))
        if text:
            out.items.append(_Item(float(line["top"]), [(0, text)]))
    out.items.sort(key=lambda item: item.top)
    return out


def _running_lines(pages: list[_Page]) -> set[str]:
    """Text repeated in the top or bottom margin of several pages (digits ignored)."""
    seen: dict[str, set[int]] = {}
    for page in pages:
        for item in page.items:
            if item.is_row or not page.height:
                continue
            if _MARGIN_SHARE * page.height < item.top < (1 - _MARGIN_SHARE) * page.height:
                continue
            key = re.sub(r"\d+", "#", item.cells[0][1])
            seen.setdefault(key, set()).add(page.number)
    return {k for k, where in seen.items() if len(where) >= 2 and len(pages) >= 2}


def _row_key(item: _Item) -> str:
    return "|".join(text for _, text in item.cells)


def _is_encrypted_error(exc: BaseException) -> bool:
    """True when an exception (or one it wraps) says the PDF needs a password."""
    seen = 0
    stack: list = [exc]
    while stack and seen < 10:
        e = stack.pop()
        seen += 1
        if not isinstance(e, BaseException):
            continue
        if type(e).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError",
                                "PDFEncryptionWarning"):
            return True
        stack.extend([e.__cause__, e.__context__, *e.args])
    return False


def _encrypted(name: str) -> Document:
    return Document([], "pdf", notes=[("file_encrypted", "error",
                                       f"PDF 文件已加密，无法读取（{name}）",
                                       f"the PDF {name} is encrypted and cannot be read", name)])


def _unreadable(exc: BaseException, name: str, verb_zh: str, what_en: str) -> Document:
    """An empty Document saying why the PDF could not be opened or read (encrypted, damaged)."""
    if _is_encrypted_error(exc):
        return _encrypted(name)
    return Document([], "pdf", notes=[("corrupt_file", "error",
                                       f"PDF 文件已损坏，无法{verb_zh}（{name}）",
                                       f"the PDF {name} {what_en}: {type(exc).__name__}: {exc}",
                                       name)])


def _page_count(pdf) -> int:
    """The page count the PDF's page tree declares (read before any page object is made)."""
    from pdfminer.pdftypes import resolve1

    try:
        count = resolve1(resolve1(pdf.doc.catalog.get("Pages")).get("Count"))
    except Exception:  # noqa: BLE001 - a damaged tree: the pages are counted when read
        return 0
    return count if isinstance(count, int) else 0


def to_document(data: bytes, name: str) -> Document:
    """Turn a PDF into a Document; problems (no text layer, encryption) go to ``doc.notes``."""
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        return Document([], "pdf", notes=[("unsupported_format", "error", "缺少 PDF 读取组件",
                                           f"the PDF reader is not installed: {exc}", name)])
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - a damaged file must become an issue
        return _unreadable(exc, name, "打开", "is damaged")
    notes: list = []
    pages: list[_Page] = []
    title = None
    try:
        # the declared count first (cheap), then the pages found (a tree may understate)
        for count in (_page_count(pdf), len(pdf.pages)):
            if count > MAX_PAGES:
                exc = limits.too_many_pages(count)
                return Document([], "pdf", notes=[(exc.code, "error", exc.message_zh,
                                                   exc.message_en, None)])
        meta_title = (pdf.metadata or {}).get("Title")
        title = one_line(meta_title if isinstance(meta_title, str) else None) or None
        fast = pdffast.open_document(data, len(pdf.pages)) if FAST else None
        try:
            with pdfcontent.reading():  # content streams read by one regex where plain
                for number, page in enumerate(pdf.pages, start=1):
                    objects = pdffast.page_objects(fast, number - 1, page) if fast else None
                    if objects is not None:
                        page._objects = objects  # pdfplumber's own cache of the page's objects
                    pages.append(_read_page(page, number))
                    page.close()
        finally:
            if fast is not None:
                pdffast.close_document(fast)
    except Exception as exc:  # noqa: BLE001 - a damaged file must become an issue
        return _unreadable(exc, name, "读取", "cannot be read")
    finally:
        try:
            pdf.close()
        except Exception:  # noqa: BLE001, S110 - closing a damaged file may fail again
            pass
    if not any(p.chars for p in pages):
        notes.append(("needs_ocr", "error",
                      f"PDF 没有文字层（扫描件或图片），需要先做文字识别（OCR）才能读取（{name}）",
                      f"the PDF {name} has no text layer (a scan or images); it needs OCR "
                      "before it can be read", name))
        return Document([], "pdf", title_hint=title, notes=notes)
    blank = [p.number for p in pages if not p.chars and p.images]
    if blank:
        notes.append(("page_needs_ocr", "warning",
                      f"第 {', '.join(map(str, blank))} 页没有文字层（扫描页），其内容未读取",
                      f"page(s) {', '.join(map(str, blank))} have no text layer (scanned); "
                      "their content was not read", f"page {blank[0]}"))
    all_text = " ".join(text for p in pages for item in p.items for _, text in item.cells)
    if all_text and len(_CID.findall(all_text)) * 6 > len(all_text) * 0.3:
        notes.append(("needs_ocr", "error",
                      f"PDF 的文字层无法解码（字体缺少编码表），需要文字识别（OCR）（{name}）",
                      f"the PDF {name}'s text layer cannot be decoded (fonts without a "
                      "Unicode map); it needs OCR", name))
        return Document([], "pdf", title_hint=title, notes=notes)
    return Document(_lines(pages), "pdf", title_hint=title, notes=notes)


def _lines(pages: list[_Page]) -> list[Line]:
    running = _running_lines(pages)
    lines: list[Line] = []
    table_count = 0
    current: int | None = None  # document table number of the last row written
    last_was_row = False
    header_rows: dict[int, list[str]] = {}  # table → its leading rows without numbers
    rows_in: dict[int, int] = {}
    for page in pages:
        page_tables: dict[int, int] = {}  # page-local table → document table
        repeating: set[int] = set()  # continued tables still in their repeated header
        line_no = 0
        first_on_page = True
        for item in page.items:
            if not item.is_row:
                text = item.cells[0][1]
                if is_page_footer(text):
                    continue
                if re.sub(r"\d+", "#", text) in running and not (
                        page.number == 1 and item.top < _MARGIN_SHARE * page.height):
                    continue  # a running line; the first page's header may be the only title
                line_no += 1
                first_on_page = False
                last_was_row = False
                split = split_trailing_numbers(text)
                loc = f"page {page.number} line {line_no}"
                if split is not None:
                    cells = [Cell(c, f"{loc} col {i}") for i, c in enumerate(split, start=1)]
                    lines.append(Line(cells, True, len(lines) + 1))
                else:
                    lines.append(Line([Cell(text, loc)], False, len(lines) + 1))
                continue
            if item.table not in page_tables:
                if first_on_page and last_was_row and current is not None:
                    page_tables[item.table] = current  # the table runs on from the last page
                    repeating.add(item.table)
                else:
                    table_count += 1
                    page_tables[item.table] = table_count
                    header_rows[table_count] = []
                    rows_in[table_count] = 0
            first_on_page = False
            t = page_tables[item.table]
            key = _row_key(item)
            if item.table in repeating:
                if not item.numbers and key in header_rows[t]:
                    continue  # a header row repeated at the top of the next page
                repeating.discard(item.table)
            if not item.numbers and rows_in[t] == len(header_rows[t]):
                header_rows[t].append(key)  # still in the table's own header
            rows_in[t] += 1
            cells = [Cell(text, f"page {page.number} table {t} row {rows_in[t]} col {col}")
                     for col, text in item.cells]
            lines.append(Line(cells, True, len(lines) + 1, table_index=t))
            current = t
            last_was_row = True
    return lines


__all__ = ["to_document"]
