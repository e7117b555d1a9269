"""Renderers: one per layout family of ``spec/layouts.md``, each chosen by name.

Every renderer turns a ``Document`` into the bytes of one file, the way a real portal page
copied as text, a PDF run through a text extractor, or a saved HTML page looks.  All of them
keep every value cell recoverable by a careful reader: the numbers a person would read off
the file are exactly the truth recorded by the generator.
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable
from dataclasses import dataclass

from gongkai.synth.document import Cell, Document, Heading, Paragraph, Table


@dataclass(frozen=True)
class Rendered:
    """A rendered file: its bytes, extension and text encoding (with BOM/declaration notes)."""

    data: bytes
    ext: str
    encoding: str
    traps: tuple[str, ...] = ()


def _grid_positions(table: Table) -> list[list[tuple[int, Cell | None]]]:
    """Each row as (column position, cell) pairs; None where a rowspan from above covers it."""
    covered: dict[tuple[int, int], bool] = {}
    out = []
    for r, row in enumerate(table.rows):
        col = 0
        placed: list[tuple[int, Cell | None]] = []
        for cell in row:
            while covered.get((r, col)):
                placed.append((col, None))
                col += 1
            placed.append((col, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if dr:
                        covered[(r + dr, col + dc)] = True
            col += cell.colspan
        while covered.get((r, col)):
            placed.append((col, None))
            col += 1
        out.append(placed)
    return out


def _missing(table: Table, row: list[Cell]) -> int:
    return max(0, table.width - sum(c.colspan for c in row))


def _heading_text(block: Heading, markdown: bool) -> str:
    if markdown:
        return "#" * max(1, block.level + 1) + " " + block.text
    return block.text


# --- page text: one cell per line, blank lines between cells ---------------------------------
def render_cell_per_line(doc: Document, rng: random.Random) -> Rendered:
    """Browser text copy: every cell on its own line, cells separated by blank lines.

    An empty cell is an empty line between two separators (so one empty cell shows as three
    blank lines in a row); a header word broken over two lines shows as two lines.
    """
    parts: list[str] = []
    stray_space = rng.random() < 0.3
    for block in doc.blocks:
        if isinstance(block, Heading):
            parts.append(block.text)
        elif isinstance(block, Paragraph):
            parts.append(block.text)
        else:
            cells = []
            for row in block.rows:
                for cell in row:
                    text = cell.text.strip()
                    if cell.code and text and stray_space and rng.random() < 0.3:
                        text = " " + text  # a stray space kept from the page source
                    cells.append("\n\n".join(text.split("\n")) if text else "")
            parts.append("\n\n".join(cells))
    text = "\n\n".join(parts) + "\n"
    return Rendered(text.encode("utf-8"), "txt", "utf-8", ("stray_space",) if stray_space else ())


# --- page text: one cell per line ending " |", bare pipes between rows ----------------------
def render_cell_pipe(doc: Document, rng: random.Random) -> Rendered:
    """Browser text copy of a bordered table: ``cell |`` lines, ``||…`` after each row.

    An empty cell is a line holding a single ``|``; a row ends with a line of two or more
    bare pipes (one more than the grid positions the row leaves unfilled).
    """
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, (Heading, Paragraph)):
            lines.append(block.text)
            continue
        for row in block.rows:
            for cell in row:
                text = " ".join(cell.text.split("\n")).strip()
                lines.append(f"{text} |" if text else "|")
            lines.append("|" * max(2, 1 + _missing(block, row)))
    return Rendered(("\n".join(lines) + "\n").encode("utf-8"), "txt", "utf-8")


# --- page text: a row per line, " | " between cells ------------------------------------------
def render_pipe_rows(doc: Document, rng: random.Random) -> Rendered:
    """A row per line, cells joined by `` | `` with a trailing `` |``.

    Some pages pad cells so that two spaces stand before a pipe; rows shorter than the grid
    are padded with bare pipes, as copied from bordered tables.
    """
    pad = rng.random() < 0.4
    lines: list[str] = []
    traps = ("two_spaces_before_pipe",) if pad else ()
    for block in doc.blocks:
        if isinstance(block, (Heading, Paragraph)):
            lines.append(block.text)
            continue
        for row in block.rows:
            texts = [" ".join(c.text.split("\n")).strip() for c in row]
            sep = "  | " if pad else " | "
            line = sep.join(texts) + (" |" if not pad else "  |")
            missing = _missing(block, row)
            if missing:
                line += " " + "|" * missing
            lines.append(line)
    return Rendered(("\n".join(lines) + "\n").encode("utf-8"), "txt", "utf-8", traps)


# --- Markdown ----------------------------------------------------------------------------------
def render_markdown(doc: Document, rng: random.Random) -> Rendered:
    """Markdown: ``#`` headings and pipe rows, with or without ``|---|`` rules."""
    rules = rng.random() < 0.6
    hashes = rng.random() < 0.8
    parts: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            parts.append(_heading_text(block, hashes))
        elif isinstance(block, Paragraph):
            parts.append(block.text)
        else:
            lines = []
            for i, row in enumerate(block.rows):
                texts = [" ".join(c.text.split("\n")).strip() for c in row]
                lines.append("| " + " | ".join(texts) + " |")
                if rules and i == 0:
                    lines.append("|" + "---|" * max(1, len(row)))
            parts.append("\n".join(lines))
    traps = ("rule_lines",) if rules else ("no_rule_lines",)
    return Rendered(("\n\n".join(parts) + "\n").encode("utf-8"), "md", "utf-8", traps)


# --- PDF turned into text: tab-separated rows --------------------------------------------------
def _footer(page: int, rng_style: int) -> str:
    return f"— {page} —" if rng_style == 0 else f"- {page} -"


def render_tabs(doc: Document, rng: random.Random) -> Rendered:
    """PDF-to-text: tab-separated rows with empty positions, page footers inside tables,
    a row broken by a page break, vertical group labels one character per line, and table
    四's fifteen numbers on one line."""
    footer_style = rng.randint(0, 1)
    hashes = rng.random() < 0.5
    vertical = rng.random() < 0.6
    page = rng.randint(2, 3)
    out: list[str] = []
    traps: set[str] = {"vertical_labels"} if vertical else set()
    paragraphs_since_footer = 0
    for block in doc.blocks:
        if isinstance(block, Heading):
            out.append(_heading_text(block, hashes))
            continue
        if isinstance(block, Paragraph):
            text = block.text
            if paragraphs_since_footer > 5 and len(text) > 60 and rng.random() < 0.5:
                cut = rng.randint(20, len(text) - 20)
                out.append(text[:cut])
                out.append(_footer(page, footer_style))
                page += 1
                text = text[cut:]
                paragraphs_since_footer = 0
            out.append(text)
            paragraphs_since_footer += 1
            continue
        out.extend(_tabs_table(block, rng, vertical, footer_style, page, traps))
        if block.kind == "t3":
            page += 1
    text = "\n\n".join(out) + "\n"
    return Rendered(text.encode("utf-8"), "txt", "utf-8", tuple(sorted(traps)))


def _tabs_table(table: Table, rng: random.Random, vertical: bool, footer_style: int,
                page: int, traps: set[str]) -> list[str]:
    grid = _grid_positions(table)
    lines: list[str] = []
    if table.kind == "t4":
        for placed in grid[:-1]:
            lines.append("\t".join(t for t, _ in _tab_cells(placed)).rstrip("\t"))
        sep = rng.choice(["\t", " ", "  "])
        lines.append(sep.join(c.text for c in table.rows[-1]))
        return ["\n".join(lines)]
    footer_at = break_at = None
    header_rows = 3 if table.kind == "t3" else 0
    if table.kind == "t3":
        footer_at = rng.randint(header_rows + 4, len(grid) - 4)
        if rng.random() < 0.6:
            break_at = footer_at
    repeat_header = table.kind == "t3" and rng.random() < 0.3
    header_lines: list[str] = []
    for r, placed in enumerate(grid):
        before: list[str] = []
        if vertical and table.kind == "t3":
            for i, (col, cell) in enumerate(placed):
                if cell is not None and cell.rowspan > 3 and cell.code is None:
                    before.extend(cell.text)  # a tall merged label: one character per line
                    placed = placed[:i] + [(col, None)] + placed[i + 1:]
        cells = _tab_cells(placed)
        if before:
            lines.append("\n".join(before))
        if r == footer_at:
            footer = "\n" + _footer(page, footer_style) + "\n"
            traps.add("page_footer_in_table")
            if repeat_header:  # the next page repeats the table's header rows
                footer += "\n" + "\n".join(header_lines)
                traps.add("repeated_header")
            if r == break_at and any(is_value for _, is_value in cells):
                traps.add("row_broken_by_page")
                first_value = next(i for i, (_, is_value) in enumerate(cells) if is_value)
                lines.append("\t".join(t for t, _ in cells[:first_value]).rstrip("\t"))
                lines.append(footer)
                lines.append("\t".join(t for t, _ in cells[first_value:]))
                continue
            lines.append(footer)
        text = "\t".join(t for t, _ in cells)
        lines.append(text.rstrip("\t") if r < header_rows else text)
        if r < header_rows:
            header_lines.append(lines[-1])
    return ["\n".join(lines)]


def _tab_cells(placed: list[tuple[int, Cell | None]]) -> list[tuple[str, bool]]:
    """Texts of the grid positions of a row (empty for covered/spanned ones), flagging values."""
    cells: list[tuple[str, bool]] = []
    for _, cell in placed:
        if cell is None:
            cells.append(("", False))
            continue
        cells.append((" ".join(cell.text.split("\n")).strip(), cell.code is not None))
        cells.extend([("", False)] * (cell.colspan - 1))
    return cells


# --- HTML ---------------------------------------------------------------------------------------
def _html_cell(cell: Cell, wrap: str) -> str:
    attrs = ""
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    text = cell.text.strip()
    if not text:
        inner = "&nbsp;" if wrap != "plain" or cell.code else ""
    else:
        pieces = [html.escape(p, quote=False) for p in text.split("\n")]
        if wrap == "p":
            inner = "".join(f"<p>{p}</p>" for p in pieces)
        elif wrap == "span":
            inner = "<p style=\"text-align:center\"><span style=\"font-family:宋体;font-size:14px\">" \
                    + "<br/>".join(pieces) + "</span></p>"
        else:
            inner = "<br>".join(pieces)
    return f"<td{attrs}>{inner}</td>"


def render_html(doc: Document, rng: random.Random) -> Rendered:
    """A portal page: ``<p>`` paragraphs and ``<table>`` with rowspan/colspan.

    Cells wrap their text in ``<p>``/``<span>``/``<br>``; empty cells hold ``&nbsp;``.  The
    page is UTF-8 (with or without BOM) or GBK, declared in a meta tag or not at all.
    """
    wrap = rng.choice(["plain", "p", "span"])
    encoding = rng.choices(["utf-8", "utf-8-sig", "gbk-declared", "gbk-bare"], [45, 15, 25, 15])[0]
    charset = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "gbk-declared": rng.choice(["gbk", "gb2312"]),
               "gbk-bare": None}[encoding]
    body: list[str] = []
    title_done = False
    for block in doc.blocks:
        if isinstance(block, Heading):
            text = html.escape(block.text, quote=False)
            if block.level == 0 and not title_done:
                body.append(f'<h1 class="title" style="text-align:center">{text}</h1>')
                title_done = True
            elif block.section and rng.random() < 0.5:
                body.append(f"<p><strong>{text}</strong></p>")
            else:
                body.append(f"<p>{text}</p>")
        elif isinstance(block, Paragraph):
            body.append(f'<p style="text-indent:2em">{html.escape(block.text, quote=False)}</p>')
        else:
            rows = []
            for row in block.rows:
                rows.append("<tr>" + "".join(_html_cell(c, wrap) for c in row) + "</tr>")
            body.append('<table border="1" cellspacing="0" cellpadding="0" width="100%">\n'
                        + "\n".join(rows) + "\n</table>")
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' \
        if charset else ""
    page = ("<!DOCTYPE html>\n<html>\n<head>\n" + meta + "\n<title>"
            + html.escape(doc.title, quote=False) + "</title>\n</head>\n<body>\n"
            '<div class="article-content" id="zoom">\n' + "\n".join(body)
            + "\n</div>\n</body>\n</html>\n")
    if encoding.startswith("gbk"):
        data = page.encode("gbk")
        label = f"gbk ({'declared ' + charset if charset else 'undeclared'})"
    elif encoding == "utf-8-sig":
        data, label = page.encode("utf-8-sig"), "utf-8 with BOM"
    else:
        data, label = page.encode("utf-8"), "utf-8"
    return Rendered(data, "html", label, (f"cells_{wrap}",))


RENDERERS: dict[str, Callable[[Document, random.Random], Rendered]] = {
    "cell_per_line": render_cell_per_line,
    "cell_pipe": render_cell_pipe,
    "pipe_rows": render_pipe_rows,
    "markdown": render_markdown,
    "tabs": render_tabs,
    "html": render_html,
}
LAYOUTS = tuple(RENDERERS)
LAYOUT_FORMAT = {"cell_per_line": "txt", "cell_pipe": "txt", "pipe_rows": "txt",
                 "markdown": "md", "tabs": "txt", "html": "html"}
