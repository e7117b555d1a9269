"""Excel (.xlsx) files: the office's own form, read strictly, or any sheet read by label.

The form (see ``gongkai.xlsx_form`` and docs/xlsx-form.md) is recognised by its sheet names
(``封面``, ``t2``, ``t3``, ``t4``) or its form mark; ``read_form`` reads it by position after
checking every label and hidden key, and says precisely what is wrong otherwise: a missing or
unexpected sheet, a row moved from its place, text in a numeric cell — each issue names the
sheet and cell (``sheet t3 cell E9``).  Values are never taken from a row whose label or key
does not match its place.

Any other workbook is read like a page: ``to_document`` turns every sheet into rows of cells
(a merged cell is kept once, at its top-left position) for the label-based table reader.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time

from gongkai import template as tpl
from gongkai import xlsx_form as form
from gongkai.model import CellSource, ParsedReport
from gongkai.read import labels as lab
from gongkai.read.archive import UnsafeArchive, open_zip
from gongkai.read.document import Cell, Document, Line
from gongkai.read.pagetext import one_line
from gongkai.read.values import is_blank_marker, parse_value, to_wan_yuan

MAX_ROWS = 3000  # rows read per sheet
MAX_COLS = 120  # columns read per sheet
MAX_SHEETS = 50
_DEFAULT_SHEET = re.compile(r"^(sheet|工作表|表)\s*\d*$", re.IGNORECASE)

_cache: tuple[bytes, object] | None = None


class _Unreadable(Exception):
    def __init__(self, code: str, zh: str, en: str):
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en


def _load(data: bytes, name: str, *, keep: bool = False):
    """The workbook (values as last calculated), opened after the archive checks.

    ``keep`` holds on to it for the next call with the same bytes (``read_form`` keeps the
    workbook it has opened for ``to_document`` when it is not the form).
    """
    global _cache
    if _cache is not None and _cache[0] is data:
        wb = _cache[1]
        if not keep:
            _cache = None
        return wb
    try:
        open_zip(data, name, "xlsx")
    except UnsafeArchive as exc:
        raise _Unreadable(exc.code, exc.message_zh, exc.message_en) from exc
    try:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except Exception as exc:  # noqa: BLE001 - a damaged workbook must become an issue
        raise _Unreadable("corrupt_file", f"Excel 文件已损坏或不是 Excel 工作簿，无法打开（{name}）",
                          f"the Excel file {name} is damaged or not a workbook: "
                          f"{type(exc).__name__}: {exc}") from exc
    if keep:
        _cache = (data, wb)
    return wb


def _text(value) -> str:
    """A cell value as the text a person sees (numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{round(value, 8):f}".rstrip("0").rstrip(".")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


# -- the form --------------------------------------------------------------------------------

def _sheet_map(wb) -> dict[str, object]:
    """Sheets by normalised name (trimmed, lower case)."""
    return {ws.title.strip().lower(): ws for ws in wb.worksheets}


def is_form(wb) -> bool:
    """True when a workbook is (or tries to be) the office form."""
    names = set(_sheet_map(wb))
    if names & {form.COVER, form.TEXT, *form.TABLE_SHEETS}:
        return True
    return any(str(ws["A1"].value or "").strip() == form.FORM_ID for ws in wb.worksheets[:5])


class _FormReader:
    def __init__(self, wb, name: str, report: ParsedReport):
        self.wb = wb
        self.name = name
        self.report = report
        self.sheets = _sheet_map(wb)

    def issue(self, code: str, severity: str, zh: str, en: str, location: str | None) -> None:
        self.report.add_issue(code, severity, zh, en, location)

    def _value(self, ws, address: str):
        return ws[address].value

    def _label_ok(self, ws, cell: form.LabelCell) -> bool:
        found = _text(self._value(ws, cell.address)).strip()
        if cell.key:
            return found == cell.text
        return lab.core_of(found) == lab.core_of(cell.text)

    def cover(self) -> str | None:
        """Read 封面; returns the template version it states (or None)."""
        ws = self.sheets.get(form.COVER.lower())
        if ws is None:
            return None
        fields = {}
        for key, label, r in form.COVER_FIELDS:
            loc = f"sheet {form.COVER} cell C{r}"
            if str(ws[f"A{r}"].value or "").strip() != key and lab.core_of(
                    _text(ws[f"B{r}"].value)) != lab.core_of(label):
                self.issue("xlsx_row_moved", "error",
                           f"封面第 {r} 行应为“{label}”，但内容不符",
                           f"sheet {form.COVER} row {r} should hold {label!r} but does not", loc)
                continue
            fields[key] = (ws[f"C{r}"].value, loc)
        value, _ = fields.get("unit_name", (None, None))
        self.report.unit_name = one_line(_text(value)) or None
        value, loc = fields.get("year", (None, None))
        if value is not None:
            m = re.search(r"(20\d{2})", _text(value))
            if m:
                self.report.year = int(m.group(1))
            else:
                self.issue("xlsx_bad_cover", "warning", f"封面“报告年度”无法识别：{_text(value)}",
                           f"sheet {form.COVER}: the report year {_text(value)!r} is not a year",
                           loc)
        value, loc = fields.get("published", (None, None))
        if isinstance(value, datetime):
            self.report.published = value.date().isoformat()
        elif isinstance(value, date):
            self.report.published = value.isoformat()
        elif value is not None:
            from gongkai.read.meta import parse_date

            d = parse_date(_text(value))
            if d:
                self.report.published = d.isoformat()
            else:
                self.issue("xlsx_bad_cover", "warning", f"封面“发布日期”无法识别：{_text(value)}",
                           f"sheet {form.COVER}: the publication date {_text(value)!r} is not a "
                           "date", loc)
        value, _ = fields.get("template", (None, None))
        m = re.search(r"(2019|2021)", _text(value))
        return f"v{m.group(1)}" if m else None

    def text(self, version: str) -> None:
        """Read 正文: the six sections' text (a missing or empty one is reported)."""
        from gongkai.read.meta import narrative_figures

        ws = self.sheets.get(form.TEXT.lower())
        if ws is None:
            return
        for r, code, heading in form.section_rows(version):
            if str(ws[f"A{r}"].value or "").strip() != code and lab.core_of(
                    _text(ws[f"B{r}"].value)) != lab.core_of(heading):
                self.issue("xlsx_row_moved", "error",
                           f"工作表 {form.TEXT} 第 {r} 行应为“{heading}”，但内容不符；该部分未读取",
                           f"sheet {form.TEXT} row {r} should hold {heading!r}; not read",
                           f"sheet {form.TEXT} cell B{r}")
                continue
            body = _text(ws[f"C{r}"].value).strip()
            table_sheet = {"s2": "t2", "s3": "t3", "s4": "t4"}.get(code)
            if body or table_sheet in self.sheets:  # parts 二–四 are their tables
                self.report.sections[code] = body
                self.report.section_order.append(code)
        missing = [c for c in ("s1", "s2", "s3", "s4", "s5", "s6") if c not in self.report.sections]
        if missing:
            self.issue("missing_section", "warning",
                       f"正文缺少以下部分：{', '.join(missing)}",
                       f"sheet {form.TEXT}: no text for section(s) {', '.join(missing)}",
                       f"sheet {form.TEXT}")
        self.report.narrative_figures = narrative_figures(self.report.sections)

    def version_from_labels(self) -> str | None:
        ws = self.sheets.get("t2")
        if ws is None:
            return None
        scores = {}
        for version in tpl.VERSIONS:
            sheet = form.layout(version)["t2"]
            scores[version] = sum(self._label_ok(ws, c) for c in sheet.headers) + sum(
                self._label_ok(ws, r.label) for r in sheet.rows)
        best = max(scores, key=lambda v: (scores[v], v))
        return best if scores[best] > 0 else None

    def table(self, sheet: form.SheetLayout, version: str) -> None:
        ws = self.sheets.get(sheet.name)
        if ws is None:
            return
        money = tpl.get(version).is_money
        value_cols = {re.match(r"[A-Z]+", a).group(0) for r in sheet.rows for a, _ in r.values}
        bad_cols: set[str] = set()  # value columns whose header or key is not in place
        for cell in sheet.headers:
            if self._label_ok(ws, cell):
                continue
            found = _text(self._value(ws, cell.address)).strip()
            loc = f"sheet {sheet.name} cell {cell.address}"
            col = re.match(r"[A-Z]+", cell.address).group(0)
            if sheet.name in ("t3", "t4") and col in value_cols:
                bad_cols.add(col)  # t2's blocks share columns: there a header is only reported
            self.issue("xlsx_header_changed", "error",
                       f"工作表 {sheet.name} 的 {cell.address} 应为“{cell.text}”，实为“{found}”",
                       f"sheet {sheet.name} cell {cell.address} should read {cell.text!r}, "
                       f"found {found!r}", loc)
        where_key = {}
        for r in range(1, min(ws.max_row, MAX_ROWS) + 1):
            key = str(ws[f"A{r}"].value or "").strip()
            if key:
                where_key.setdefault(key, r)
        moved = 0
        for row in sheet.rows:
            key_here = str(ws[f"A{row.row}"].value or "").strip()
            if key_here == row.key and self._label_ok(ws, row.label):
                self._values(ws, sheet.name, row, bad_cols, money)
                continue
            loc = f"sheet {sheet.name} cell {row.label.address}"
            elsewhere = where_key.get(row.key)
            moved += 1
            if moved > 5:
                continue
            if elsewhere is not None and elsewhere != row.row:
                self.issue("xlsx_row_moved", "error",
                           f"工作表 {sheet.name}：“{row.label.text}”一行应在第 {row.row} 行，"
                           f"却在第 {elsewhere} 行；该行数值未读取，请使用未经改动的报送表",
                           f"sheet {sheet.name}: the row {row.label.text!r} belongs at row "
                           f"{row.row} but is at row {elsewhere}; its values were not read", loc)
            else:
                found = _text(self._value(ws, row.label.address)).strip()
                self.issue("xlsx_row_moved", "error",
                           f"工作表 {sheet.name} 第 {row.row} 行应为“{row.label.text}”，"
                           f"实为“{found}”；该行数值未读取",
                           f"sheet {sheet.name} row {row.row} should be {row.label.text!r}, "
                           f"found {found!r}; its values were not read", loc)
        if moved > 5:
            self.issue("xlsx_row_moved", "error",
                       f"工作表 {sheet.name} 另有 {moved - 5} 行不在原位，均未读取",
                       f"sheet {sheet.name}: {moved - 5} more rows are not in place; not read",
                       f"sheet {sheet.name}")

    def _values(self, ws, sheet_name: str, row: form.DataRow, bad_cols: set[str], money) -> None:
        for address, code in row.values:
            col = re.match(r"[A-Z]+", address).group(0)
            if col in bad_cols:
                continue
            loc = f"sheet {sheet_name} cell {address}"
            value = self._value(ws, address)
            if value is None:
                self.report.cells[code] = None
                self.report.sources[code] = CellSource("", loc, "blank")
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                number = int(value) if isinstance(value, float) and value.is_integer() and not money(
                    code) else value
                self.report.cells[code] = number
                self.report.sources[code] = CellSource(_text(value), loc, "value")
                continue
            raw = _text(value)
            if isinstance(value, str):
                if is_blank_marker(raw):
                    self.report.cells[code] = None
                    self.report.sources[code] = CellSource(raw, loc, "blank")
                    continue
                parsed = parse_value(raw)
                if parsed.status == "value":
                    number = to_wan_yuan(parsed) if money(code) else parsed.number
                    self.report.cells[code] = number
                    self.report.sources[code] = CellSource(raw, loc, "value", parsed.note)
                    self.issue("xlsx_text_in_numeric_cell", "warning",
                               f"工作表 {sheet_name} 的 {address} 是文本“{raw}”，按数字 {number} 读取",
                               f"sheet {sheet_name} cell {address} holds the text {raw!r}; read "
                               f"as the number {number}", loc)
                    continue
            self.report.cells[code] = None
            self.report.sources[code] = CellSource(raw, loc, "unreadable")
            self.issue("xlsx_text_in_numeric_cell", "error",
                       f"工作表 {sheet_name} 的 {address} 应填数字，实为“{raw}”（{code}）",
                       f"sheet {sheet_name} cell {address} should hold a number, found {raw!r} "
                       f"({code})", loc)

    def run(self) -> None:
        for sheet in form.SHEETS:
            if sheet.lower() not in self.sheets:
                self.issue("xlsx_sheet_missing", "error",
                           f"报送表缺少工作表“{sheet}”",
                           f"the form has no sheet {sheet!r}", f"sheet {sheet}")
        known = {s.lower() for s in form.SHEETS}
        for ws in self.wb.worksheets:
            if ws.title.strip().lower() not in known:
                self.issue("xlsx_unexpected_sheet", "warning",
                           f"报送表含有多余的工作表“{ws.title}”，未读取",
                           f"the form has an unexpected sheet {ws.title!r}; not read",
                           f"sheet {ws.title}")
        stated = self.cover()
        structural = self.version_from_labels()
        version = structural or stated or tpl.version_for_year(self.report.year) or "v2021"
        if stated and structural and stated != structural:
            self.issue("template_mixed", "warning",
                       f"封面写明模板 {stated}，但表二的标签属于 {structural}，按 {structural} 读取",
                       f"the cover states {stated} but table t2's labels are {structural}; read "
                       f"as {structural}", f"sheet {form.COVER} cell C5")
        self.report.template = version
        self.text(version)
        for sheet in form.layout(version).values():
            self.table(sheet, version)


def read_form(data: bytes, name: str, report: ParsedReport) -> bool:
    """Read the office form into ``report``; False when the workbook is not the form.

    Also True (with an error issue) when the file cannot be opened at all.
    """
    global _cache
    try:
        wb = _load(data, name, keep=True)
    except _Unreadable as exc:
        report.add_issue(exc.code, "error", exc.zh, exc.en, name)
        return True
    if not is_form(wb):
        return False
    _cache = None
    _FormReader(wb, name, report).run()
    return True


# -- any workbook, by label ------------------------------------------------------------------

def _sheet_lines(ws, t: int, lines: list[Line], notes: list) -> None:
    from openpyxl.cell.cell import MergedCell
    from openpyxl.utils import get_column_letter

    max_row, max_col = ws.max_row, ws.max_column
    if max_row > MAX_ROWS or max_col > MAX_COLS:
        notes.append(("sheet_truncated", "warning",
                      f"工作表 {ws.title} 过大，只读取前 {MAX_ROWS} 行、{MAX_COLS} 列",
                      f"sheet {ws.title} is large; only its first {MAX_ROWS} rows and "
                      f"{MAX_COLS} columns were read", f"sheet {ws.title}"))
    title = ws.title.strip()
    if title and not _DEFAULT_SHEET.match(title):
        lines.append(Line([Cell(title, f"sheet {title}")], False, len(lines) + 1))
    for row in ws.iter_rows(min_row=1, max_row=min(max_row, MAX_ROWS), max_col=min(max_col, MAX_COLS)):
        cells = []
        for c in row:
            if isinstance(c, MergedCell):
                continue  # covered by a merged cell: kept once, at its top-left cell
            text = one_line(_text(c.value))
            cells.append(Cell(text, f"sheet {title} cell {get_column_letter(c.column)}{c.row}"))
        filled = [c for c in cells if c.text]
        if not filled:
            continue
        if len(filled) == 1 and (len(cells) == 1 or len(filled[0].text) > 60):
            # a row merged into one cell, or prose: a text line (a label with empty value
            # cells stays a row, so its blanks are kept)
            lines.append(Line([filled[0]], False, len(lines) + 1))
            continue
        lines.append(Line(cells, True, len(lines) + 1, table_index=t))


def to_document(data: bytes, name: str) -> Document:
    """Turn a workbook into a Document of rows (every sheet in order); the office form is
    read by ``read_form`` instead."""
    try:
        wb = _load(data, name)
    except _Unreadable as exc:
        return Document([], "xlsx", notes=[(exc.code, "error", exc.zh, exc.en, name)])
    lines: list[Line] = []
    notes: list = []
    for t, ws in enumerate(wb.worksheets[:MAX_SHEETS], start=1):
        if getattr(ws, "sheet_state", "visible") != "visible":
            continue
        _sheet_lines(ws, t, lines, notes)
    # the title: the workbook's own, else the first cell written (a title in A1)
    first_cell = next((c.text for ln in lines for c in ln.cells if " cell " in c.location
                       and c.text), None)
    title = (wb.properties.title or "").strip() or first_cell
    return Document(lines, "xlsx", title_hint=title, notes=notes)


__all__ = ["read_form", "is_form", "to_document"]
