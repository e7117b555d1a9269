"""Write a generated report as an Excel workbook: the office's form, or a free-form sheet.

``render_xlsx_form`` fills the office's own form (``gongkai.xlsx_form``) with the report's
numbers, unit, year and publication date.  ``render_xlsx_sheet`` writes what a township
makes by itself: the headings and tables of the report on one sheet (or one sheet per
table), with merged header cells, numbers typed as numbers and everything else as text.
"""

from __future__ import annotations

import io
import random
import re
from datetime import datetime

from gongkai import xlsx_form
from gongkai.read.meta import parse_date
from gongkai.synth.document import Document, Heading, Paragraph, Table
from gongkai.synth.layouts import Rendered
from gongkai.zips import fixed_zip

_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def report_cells(doc: Document) -> dict[str, float | int | None]:
    """Cell code → the number a careful reader takes from the report's tables."""
    return {c.code: c.value for block in doc.blocks if isinstance(block, Table)
            for row in block.rows for c in row if c.code}


def report_meta(doc: Document) -> tuple[str | None, str | None]:
    """(unit name as in the title, publication date) of a generated report."""
    m = re.search(r"\s*(?:20\d{2}|[二〇○零一三四五六七八九]{4})\s*年", doc.title)
    unit = doc.title[:m.start()].strip() if m else None
    published = None
    for block in reversed(doc.blocks):
        if isinstance(block, Paragraph) and len(block.text) <= 24:
            d = parse_date(block.text)
            if d:
                published = d.isoformat()
                break
    return unit or None, published


def report_sections(doc: Document) -> dict[str, str]:
    """s1…s6 → the section's text (subheadings and paragraphs, one per line)."""
    out: dict[str, list[str]] = {}
    current = None
    for block in doc.blocks:
        if isinstance(block, Heading):
            if block.section:
                current = block.section
                out.setdefault(current, [])
            elif current and block.level > 0:
                out[current].append(block.text)
        elif isinstance(block, Paragraph) and current:
            out[current].append(block.text)
    return {code: "\n".join(parts) for code, parts in out.items()}


def _version(doc: Document) -> str:
    codes = set(report_cells(doc))
    return "v2019" if "t2.regulation.made" in codes else "v2021"


def render_xlsx_form(doc: Document, rng: random.Random) -> Rendered:
    """The office's Excel form filled with the report's figures."""
    unit, published = report_meta(doc)
    data = xlsx_form.write_form(_version(doc), cells=report_cells(doc), unit_name=unit,
                                year=doc.year or None, published=published,
                                sections=report_sections(doc))
    return Rendered(data, "xlsx", "binary")


def _write_table(ws, table: Table, top: int) -> int:
    """Write a table with its merges from row ``top``; returns the next free row."""
    from openpyxl.styles import Alignment, Border, Side

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for placed in table.placed():
        for r, col, cell in placed:
            target = ws.cell(row=top + r, column=col + 1)
            text = cell.text.strip()
            if cell.code and _PLAIN_NUMBER.fullmatch(text):
                target.value = float(text) if "." in text else int(text)
            else:
                target.value = text or None
            target.alignment = Alignment(wrap_text=True, vertical="center")
            if cell.rowspan > 1 or cell.colspan > 1:
                ws.merge_cells(start_row=top + r, start_column=col + 1,
                               end_row=top + r + cell.rowspan - 1,
                               end_column=col + cell.colspan)
    for r in range(len(table.rows)):
        for c in range(table.width):
            ws.cell(row=top + r, column=c + 1).border = border
    return top + len(table.rows) + 1


def write_xlsx_sheet(doc: Document, *, sheet_per_table: bool = False) -> bytes:
    """The report's headings and tables as a workbook a township makes by itself."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.title = doc.title
    fixed = datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    ws = wb.active
    ws.title = "年报数据"
    ws.cell(row=1, column=1, value=doc.title)
    r = 3
    sheet_no = 0
    for block in doc.blocks:
        if isinstance(block, Heading):
            if block.level == 0:
                continue
            if sheet_per_table and block.section in ("s2", "s3", "s4"):
                sheet_no += 1
                ws = wb.create_sheet(f"表{'二三四'[sheet_no - 1]}")
                r = 1
            ws.cell(row=r, column=1, value=block.text)
            r += 1
        elif isinstance(block, Table):
            r = _write_table(ws, block, r)
        elif isinstance(block, Paragraph) and len(block.text) <= 30:
            ws.cell(row=r, column=1, value=block.text)  # the signature: unit and date
            r += 1
    for sheet in wb.worksheets:
        sheet.column_dimensions["A"].width = 30
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


def render_xlsx_sheet(doc: Document, rng: random.Random) -> Rendered:
    """A township's own workbook: one sheet, or one sheet per table."""
    return Rendered(write_xlsx_sheet(doc, sheet_per_table=rng.random() < 0.5), "xlsx", "binary")


__all__ = ["render_xlsx_form", "render_xlsx_sheet", "write_xlsx_sheet", "report_cells",
           "report_meta", "report_sections"]
