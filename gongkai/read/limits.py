"""The bounds on the work one submitted file may cost, checked where its bytes become a Document.

A submission is untrusted: a 20 MB line of tab-separated cells, two million lines, a table
row of a million cells or a PDF whose content stream inflates to 400 MB would each cost the
table reader minutes and gigabytes. Every file is held to the caps below, each with its own
issue code and a Chinese and English message (docs/parse-json.md, "Limits"):

- ``open_submitted``: only a regular file is opened (a FIFO, a device or a socket is refused
  by its type, never read; a folder is named as one), and at most ``MAX_BYTES`` are read
  whatever ``st_size`` says;
- ``check_text``: text and Markdown before they are split into lines (line length, lines,
  cells per row, rows per table);
- ``check_html``: an HTML page's markup before it is parsed (cells per row, rows per table);
- ``check_pdf``: a PDF's streams inflated, counted and thrown away, before a PDF library
  parses them (``MAX_PDF_INFLATED_BYTES``);
- ``check_document``: every Document, whatever its format, before its tables are read.

The real reports these caps were set against have at most 361 lines, 15 cells in a row, 33
rows in a table and lines of 1,419 characters; each cap is more than twenty times that.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path

from gongkai.model import Refusal

# entries in each of the reader's caches of label and line texts (labels repeat within a
# report and across a corpus, most lines of prose do not): with 65,536 a cache the eleven of
# them held 0.3–0.4 GB in a reader process after 20,000 reports, and a country's run failed
# files as over the reader's memory limit
TEXT_CACHE = 8192

MAX_BYTES = 50 * 1024 * 1024
MAX_LINE_CHARS = 20_000
MAX_LINES = 20_000
MAX_CELLS_PER_ROW = 200
MAX_ROWS_PER_TABLE = 2_000
MAX_PDF_PAGES = 200
MAX_PDF_INFLATED_BYTES = 128 * 1024 * 1024

_INFLATE_CHUNK = 1 << 20


@dataclass
class LimitExceeded(Refusal):
    """A file over one of the caps: a stable issue code and a bilingual message."""

    location: str | None = None


# ---------------------------------------------------------------------------------------------
# opening: a regular file only, and no more than MAX_BYTES of it
# ---------------------------------------------------------------------------------------------

_KINDS = (
    (stat.S_ISFIFO, "named_pipe", "命名管道（FIFO）", "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "socket", "套接字（socket）", "a socket"),
    (stat.S_ISCHR, "device", "字符设备", "a character device"),
    (stat.S_ISBLK, "device", "块设备", "a block device"),
)


def entry_kind(mode: int) -> tuple[str, str, str]:
    """What an entry that is not a regular file is: (kind, Chinese, English)."""
    if stat.S_ISDIR(mode):
        return "folder", "文件夹", "a folder"
    for test, kind, zh, en in _KINDS:
        if test(mode):
            return kind, zh, en
    return "other", "特殊文件", "a special file"


def refuse_mode(mode: int) -> LimitExceeded | None:
    """Why an entry of this ``st_mode`` is not read (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    kind, zh, en = entry_kind(mode)
    if kind == "folder":
        return LimitExceeded("is_folder", "这是一个文件夹，不是报告文件",
                             "this is a folder, not a report file")
    return LimitExceeded("not_regular_file",
                         f"这不是普通文件，而是{zh}；未读取",
                         f"this is not a regular file but {en}; it was not read")


def too_large(size: int) -> LimitExceeded:
    """The issue of a file over ``MAX_BYTES``."""
    return LimitExceeded("file_too_large", f"文件过大（{size} 字节，上限 {MAX_BYTES}）",
                         f"file too large ({size} bytes; limit {MAX_BYTES})")


def open_regular(path: str | Path) -> tuple[int, os.stat_result]:
    """An open descriptor on a submitted entry and its ``fstat``, when it is a regular file of
    at most ``MAX_BYTES`` as it says; raises ``LimitExceeded`` (or ``OSError`` when it cannot be
    opened). The caller closes the descriptor.

    The file is opened without blocking (a FIFO opened for reading would wait for a writer)
    and its type is checked on the open descriptor, so an entry swapped after a check is
    still refused.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise refuse_mode(stat.S_IFDIR) from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket, or a FIFO no one writes to
            raise refuse_mode(os.stat(path).st_mode) from None
        raise
    try:
        info = os.fstat(fd)
        refused = refuse_mode(info.st_mode)
        if refused is not None:
            raise refused
        if info.st_size > MAX_BYTES:
            raise too_large(info.st_size)
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def open_submitted(path: str | Path) -> bytes:
    """The bytes of a submitted file, read only when it is a regular file of at most
    ``MAX_BYTES`` (``open_regular``); raises ``LimitExceeded`` (or ``OSError`` when it cannot
    be opened). ``st_size`` is not trusted: reading stops one byte past the cap.
    """
    fd, _ = open_regular(path)
    try:
        chunks = []
        got = 0
        while got <= MAX_BYTES:
            chunk = os.read(fd, min(_INFLATE_CHUNK, MAX_BYTES + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > MAX_BYTES:
            raise too_large(got)
        return b"".join(chunks)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------
# text and HTML: checked before they are split into lines or parsed
# ---------------------------------------------------------------------------------------------

_LONG_LINE = re.compile(rf"[^\n]{{{MAX_LINE_CHARS + 1}}}")


def _line_too_long(lineno: int | None, length: int | None = None) -> LimitExceeded:
    how = f"（至少 {length} 个字符）" if length else ""
    how_en = f" ({length}+ characters)" if length else ""
    where = f"line {lineno}" if lineno else None
    return LimitExceeded("line_too_long",
                         f"第 {lineno} 行过长{how}，超过 {MAX_LINE_CHARS} 个字符的上限；未读取",
                         f"line {lineno} is longer than the {MAX_LINE_CHARS}-character limit"
                         f"{how_en}; not read", where)


def _too_many_lines(count: int) -> LimitExceeded:
    return LimitExceeded("too_many_lines",
                         f"文件有 {count} 行，超过 {MAX_LINES} 行的上限；未读取",
                         f"the file has {count} lines, over the {MAX_LINES}-line limit; not read")


def _too_many_cells(cells: int, where: str | None, *, at_least: bool = False) -> LimitExceeded:
    # at_least: counting stopped at the first cell over the cap (HTML), not the row's count
    more, more_zh = ("+", "个以上") if at_least else ("", "个")
    return LimitExceeded("too_many_cells_in_row",
                         f"一行有 {cells} {more_zh}单元格，超过 {MAX_CELLS_PER_ROW} 个的上限；未读取",
                         f"a row has {cells}{more} cells, over the {MAX_CELLS_PER_ROW}-cell limit; "
                         "not read", where)


def _too_many_rows(rows: int, where: str | None) -> LimitExceeded:
    return LimitExceeded("too_many_rows_in_table",
                         f"一个表格有 {rows} 行以上，超过 {MAX_ROWS_PER_TABLE} 行的上限；未读取",
                         f"a table has {rows}+ rows, over the {MAX_ROWS_PER_TABLE}-row limit; "
                         "not read", where)


def check_text(text: str) -> None:
    """Raise ``LimitExceeded`` when decoded text or Markdown is over a cap.

    A row here is a line with a tab or two pipes (the text reader's rows); a table is a run
    of such lines. The long-line and line-count tests run in C before any line is split.
    """
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise _too_many_lines(lines)
    long = _LONG_LINE.search(text)
    if long:
        raise _line_too_long(text.count("\n", 0, long.start()) + 1)
    # the lines of more than one cell: a tab, or two pipes (a line is what lies between two
    # "\n", as for the pattern ^[^\n]*(?:\t|\|[^\n]*\|)[^\n]* read before, which cost more
    # than this loop: a line without a pipe or a tab is passed over with two string searches)
    if "|" not in text and "\t" not in text:
        return  # no line with a pipe or a tab: no row
    run = previous = 0
    for lineno, line in enumerate(text.split("\n"), start=1):
        if "|" not in line and "\t" not in line:
            continue
        tabs = line.count("\t")
        pipes = line.count("|")
        if not tabs and pipes < 2:
            continue
        cells = max(tabs, pipes - 1) + 1
        if cells > MAX_CELLS_PER_ROW:
            raise _too_many_cells(cells, f"line {lineno}")
        run = run + 1 if previous == lineno - 1 else 1
        previous = lineno
        if run > MAX_ROWS_PER_TABLE:
            raise _too_many_rows(run, f"line {lineno}")


# an opening tag of a table, a row, a cell (closing tags do not match), looked for in the
# page's bytes with ASCII letters lowered: the same matches as these patterns with
# re.IGNORECASE in the page as it is (which folds ASCII letters only, as bytes.lower does),
# without folding each byte in the search
_HTML_TABLE = re.compile(rb"<table\b")
_HTML_ROW = re.compile(rb"<tr\b")
_HTML_CELL = re.compile(rb"<t[dh]\b")


def check_html(data: bytes) -> None:
    """Raise ``LimitExceeded`` when an HTML page's tables are over a cap, from its markup.

    Counts ``<td>``/``<th>`` since the last ``<tr>`` and ``<tr>`` since the last ``<table>``
    (a nested table restarts the count: the counts never exceed the real ones).

    The markup is cut at each ``<table`` and each piece at each ``<tr``: a row's cells are
    the matches in its piece, and the pieces are looked at in the page's order, so the
    first cap passed is the one a count tag by tag meets first (tests/test_read_html_equivalents.py).
    A piece with no more ``<t`` than a row may have cells is not searched: every cell tag
    starts so.
    """
    for table in _HTML_TABLE.split(data.lower()):
        for rows, row in enumerate(_HTML_ROW.split(table)):
            if rows > MAX_ROWS_PER_TABLE:
                raise _too_many_rows(rows, None)
            if row.count(b"<t") > MAX_CELLS_PER_ROW and \
                    len(_HTML_CELL.findall(row)) > MAX_CELLS_PER_ROW:
                raise _too_many_cells(MAX_CELLS_PER_ROW + 1, None, at_least=True)


# ---------------------------------------------------------------------------------------------
# PDF: what its streams inflate to, before a PDF library inflates them
# ---------------------------------------------------------------------------------------------

_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")


def pdf_inflated_bytes(data: bytes, cap: int = MAX_PDF_INFLATED_BYTES) -> int:
    """What the Flate (zlib) streams of a PDF inflate to in all, counted up to ``cap``.

    Each ``stream`` keyword is tried as the start of a zlib stream; the output is counted in
    1 MB pieces and thrown away, so a bomb costs time up to the cap and no memory. A stream
    that is not Flate fails on its first bytes. Returns a figure over ``cap`` as soon as the
    cap is passed.
    """
    total = 0
    for m in _STREAM.finditer(data):
        start = m.end()
        if data[start:start + 1] not in (b"x", b"X", b"h", b"H", b"\x08", b"\x18", b"\x28",
                                          b"\x38", b"\x48", b"\x58", b"\x68", b"\x78"):
            continue  # not a zlib header (0x78 'x' is the usual one)
        inflater = zlib.decompressobj()
        pos = start
        try:
            pending = b""
            while not inflater.eof:
                if inflater.unconsumed_tail:
                    pending = inflater.unconsumed_tail
                elif pos < len(data):
                    pending = data[pos:pos + _INFLATE_CHUNK]
                    pos += _INFLATE_CHUNK
                else:
                    break
                total += len(inflater.decompress(pending, _INFLATE_CHUNK))
                if total > cap:
                    return total
        except zlib.error:
            continue
    return total


def check_pdf(data: bytes) -> None:
    """Raise ``LimitExceeded`` when a PDF's streams inflate past ``MAX_PDF_INFLATED_BYTES``."""
    inflated = pdf_inflated_bytes(data)
    if inflated > MAX_PDF_INFLATED_BYTES:
        raise LimitExceeded(
            "pdf_inflates_too_much",
            f"PDF 的压缩内容解压后超过 {MAX_PDF_INFLATED_BYTES} 字节的上限（疑似解压炸弹）；未读取",
            f"the PDF's compressed streams inflate past the {MAX_PDF_INFLATED_BYTES}-byte limit "
            "(a suspected decompression bomb); not read")


def too_many_pages(pages: int) -> LimitExceeded:
    """The issue of a PDF of more than ``MAX_PDF_PAGES`` pages."""
    return LimitExceeded("pdf_too_many_pages",
                         f"PDF 有 {pages} 页，超过 {MAX_PDF_PAGES} 页的上限；未读取",
                         f"the PDF has {pages} pages, over the {MAX_PDF_PAGES}-page limit; "
                         "not read")


# ---------------------------------------------------------------------------------------------
# every Document, before its tables are read
# ---------------------------------------------------------------------------------------------

def check_document(doc) -> None:
    """Raise ``LimitExceeded`` when a Document is over a cap (lines, line length, cells per
    row, rows per table); a table is the rows of one ``table_index``, or a run of rows."""
    if len(doc.lines) > MAX_LINES:
        raise _too_many_lines(len(doc.lines))
    rows: dict[object, int] = {}
    run_key = None
    # a table has no more rows than the document has lines: rows are counted only in a
    # document of more lines than a table may have rows
    count_rows = len(doc.lines) > MAX_ROWS_PER_TABLE
    for i, line in enumerate(doc.lines):
        cells = line.cells
        n = len(cells)
        if n > MAX_CELLS_PER_ROW:
            raise _too_many_cells(n, cells[0].location)
        if (len(cells[0].text) if n == 1 else sum(map(len, [c.text for c in cells])) if n
                else 0) > MAX_LINE_CHARS:
            raise _line_too_long(line.lineno or i + 1)
        if not count_rows:
            continue
        if not line.is_row:
            run_key = None
            continue
        if line.table_index is not None:
            key = ("table", line.table_index)
        else:
            run_key = run_key or ("run", i)
            key = run_key
        rows[key] = rows.get(key, 0) + 1
        if rows[key] > MAX_ROWS_PER_TABLE:
            raise _too_many_rows(rows[key], cells[0].location if cells else None)


__all__ = [
    "MAX_BYTES", "MAX_CELLS_PER_ROW", "MAX_LINES", "MAX_LINE_CHARS", "MAX_PDF_INFLATED_BYTES",
    "MAX_PDF_PAGES", "MAX_ROWS_PER_TABLE", "LimitExceeded", "check_document", "check_html",
    "check_pdf", "check_text", "entry_kind", "open_submitted", "pdf_inflated_bytes",
    "refuse_mode", "too_large", "too_many_pages",
]
