"""The office's Excel form (数据报送表): its fixed layout, and writing it.

One workbook, five sheets: ``封面`` (unit, year, template version, publication date),
``正文`` (the text of the six sections, one cell each) and one sheet per table, ``t2``,
``t3``, ``t4``.  Every sheet keeps the official labels in its first
visible columns and a hidden column A holding each data row's key (``t3.new``,
``t4.review`` …); the value columns of tables 三 and 四 carry their column codes in a hidden
key row.  Every value cell therefore has a fixed address, listed by ``value_cells`` and in
docs/xlsx-form.md, and the reader (``gongkai.read.xlsx``) checks labels and keys before it
trusts a position.  The same ``layout`` drives writing and reading, so they cannot drift.

Value cells are left unlocked and the sheets protected (without a password) so that rows are
not moved by accident; an empty value cell means "nothing written", never 0.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from gongkai import template as tpl
from gongkai.zips import fixed_zip

FORM_ID = "gongkai-xlsx-form 1"
COVER = "封面"
TEXT = "正文"
TABLE_SHEETS = ("t2", "t3", "t4")
SHEETS = (COVER, TEXT, *TABLE_SHEETS)
SECTION_FIRST_ROW = 3  # 正文: s1 … s6 in rows 3 … 8 (key in A, heading in B, text in C)
_CN = "一二三四五六"
_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])
NOTE = ("请只在白色单元格中填写数字（金额单位：万元）；没有数据的单元格请留空——留空表示“未填写”，"
        "不等于 0。请勿插入、删除或移动行和列，也不要改动工作表名称。")

T3_VALUE_COLS = "EFGHIJK"  # natural … org_other, total
T4_VALUE_COLS = "CDEFG"  # upheld … total
T2_VALUE_COLS = "CDE"
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T4_LABELS = {"review": "行政复议", "suit_direct": "行政诉讼（未经复议直接起诉）",
             "suit_after_review": "行政诉讼（复议后起诉）"}
T3_GROUP_LABELS = {"denied": "（三）不予公开", "unable": "（四）无法提供",
                   "not_processed": "（五）不予处理", "other": "（六）其他处理"}
COVER_FIELDS = (  # key, label, row
    ("unit_name", "单位名称", 3),
    ("year", "报告年度", 4),
    ("template", "模板版本（v2019 或 v2021）", 5),
    ("published", "发布日期", 6),
    ("unit_code", "单位编码（可不填）", 7),
)


@dataclass(frozen=True)
class LabelCell:
    """A fixed label the reader expects at ``address`` (its core text is compared)."""

    address: str
    text: str
    key: bool = False  # a hidden key (compared exactly) rather than a visible label


@dataclass(frozen=True)
class DataRow:
    """A data row: its key in column A, its label cell, and value cells (address → code)."""

    row: int
    key: str
    label: LabelCell
    values: tuple[tuple[str, str], ...]


@dataclass
class SheetLayout:
    """Everything fixed on one table sheet: title, headers, data rows and merged ranges."""

    name: str
    title: str
    headers: list[LabelCell] = field(default_factory=list)
    rows: list[DataRow] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    last_col: str = "E"


def _t2_layout(version: str) -> SheetLayout:
    t = tpl.get(version)
    sheet = SheetLayout("t2", "二、主动公开政府信息情况", last_col="E", merges=["B1:E1", "B2:E2"])
    r = 3
    for block in t.t2_blocks:
        sheet.headers.append(LabelCell(f"B{r}", block.item))
        sheet.merges.append(f"B{r}:E{r}")
        r += 1
        sheet.headers.append(LabelCell(f"B{r}", "信息内容"))
        for col, c in zip(T2_VALUE_COLS, block.cols, strict=False):
            sheet.headers.append(LabelCell(f"{col}{r}", c.labels[0]))
        r += 1
        for row in block.rows:
            values = tuple((f"{col}{r}", f"t2.{row.code}.{c.code}")
                           for col, c in zip(T2_VALUE_COLS, block.cols, strict=False))
            sheet.rows.append(DataRow(r, f"t2.{row.code}", LabelCell(f"B{r}", row.labels[0]),
                                      values))
            r += 1
    return sheet


def _t3_layout(version: str) -> SheetLayout:
    t = tpl.get(version)
    sheet = SheetLayout("t3", "三、收到和处理政府信息公开申请情况", last_col="K",
                        merges=["B1:K1", "B2:K2", "B4:D6", "E4:K4", "E5:E6", "F5:J5", "K5:K6"])
    for col, c in zip(T3_VALUE_COLS, tpl.T3_COLS, strict=True):
        sheet.headers.append(LabelCell(f"{col}3", c, key=True))
    sheet.headers += [LabelCell("B4", T3_NOTE), LabelCell("E4", "申请人情况"),
                      LabelCell("E5", "自然人"), LabelCell("F5", "法人或其他组织"),
                      LabelCell("K5", "总计")]
    labels = {c.code: c.labels[0] for c in t.t3_cols}
    for col, code in zip("FGHIJ", ("commercial", "research", "social", "legal", "org_other"),
                         strict=True):
        sheet.headers.append(LabelCell(f"{col}6", labels[code]))
    r = 7
    rows = list(t.t3_rows)
    outcome = [x for x in rows if x.code not in ("new", "carried_in", "carried_out")]
    first_outcome = r + 2
    groups: dict[str, list[int]] = {}
    for row in rows:
        head, _, rest = row.code.partition(".")
        if row.code in ("new", "carried_in", "carried_out"):
            label_cell = LabelCell(f"B{r}", row.labels[0])
            sheet.merges.append(f"B{r}:D{r}")
        elif rest:
            label_cell = LabelCell(f"D{r}", row.labels[0])
            groups.setdefault(head, []).append(r)
        else:
            label_cell = LabelCell(f"C{r}", row.labels[0])
            sheet.merges.append(f"C{r}:D{r}")
        values = tuple((f"{col}{r}", f"t3.{row.code}.{c}")
                       for col, c in zip(T3_VALUE_COLS, tpl.T3_COLS, strict=True))
        sheet.rows.append(DataRow(r, f"t3.{row.code}", label_cell, values))
        r += 1
    last_outcome = first_outcome + len(outcome) - 1
    sheet.headers.append(LabelCell(f"B{first_outcome}", "三、本年度办理结果"))
    sheet.merges.append(f"B{first_outcome}:B{last_outcome}")
    for head, rownums in groups.items():
        sheet.headers.append(LabelCell(f"C{rownums[0]}", T3_GROUP_LABELS[head]))
        if len(rownums) > 1:
            sheet.merges.append(f"C{rownums[0]}:C{rownums[-1]}")
    return sheet


def _t4_layout() -> SheetLayout:
    sheet = SheetLayout("t4", "四、政府信息公开行政复议、行政诉讼情况", last_col="G",
                        merges=["B1:G1", "B2:G2"])
    heads = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果",
             "pending": "尚未审结", "total": "总计"}
    for col, c in zip(T4_VALUE_COLS, tpl.T4_COLS, strict=True):
        sheet.headers.append(LabelCell(f"{col}3", c, key=True))
        sheet.headers.append(LabelCell(f"{col}4", heads[c]))
    for r, block in enumerate(tpl.T4_BLOCKS, start=5):
        values = tuple((f"{col}{r}", f"t4.{block}.{c}")
                       for col, c in zip(T4_VALUE_COLS, tpl.T4_COLS, strict=True))
        sheet.rows.append(DataRow(r, f"t4.{block}", LabelCell(f"B{r}", T4_LABELS[block]), values))
    return sheet


def section_rows(version: str) -> list[tuple[int, str, str]]:
    """(row, section code, official heading) of the 正文 sheet."""
    return [(SECTION_FIRST_ROW + i, sec.code, f"{_CN[i]}、{sec.labels[0]}")
            for i, sec in enumerate(tpl.get(version).sections)]


def layout(version: str) -> dict[str, SheetLayout]:
    """The fixed layout of the table sheets (t2, t3, t4) for a template version."""
    return {"t2": _t2_layout(version), "t3": _t3_layout(version), "t4": _t4_layout()}


def value_cells(version: str) -> dict[str, str]:
    """Cell code → ``sheet!address`` for every value cell of the form."""
    out: dict[str, str] = {}
    for name, sheet in layout(version).items():
        for row in sheet.rows:
            for address, code in row.values:
                out[code] = f"{name}!{address}"
    return out


def write_form(version: str, *, cells: dict | None = None, unit_name: str | None = None,
               year: int | None = None, published: str | None = None,
               unit_code: str | None = None, sections: dict[str, str] | None = None) -> bytes:
    """The form as .xlsx bytes: empty (to hand out) or filled with ``cells`` (code → number or
    None; None and absent codes are left empty) and ``sections`` (s1…s6 → text)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    if version not in tpl.VERSIONS:
        raise ValueError(f"unknown template version {version!r}; expected one of {tpl.VERSIONS}")
    cells = cells or {}
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    grey = PatternFill("solid", fgColor="EDEDED")
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    left = Alignment(wrap_text=True, vertical="center", horizontal="left")

    wb = Workbook()
    wb.properties.creator = "gongkai"
    wb.properties.title = "政府信息公开工作年度报告数据报送表"
    fixed = datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed

    cover = wb.active
    cover.title = COVER
    cover["A1"] = FORM_ID
    cover["B1"] = "政府信息公开工作年度报告 数据报送表"
    cover["B1"].font = Font(bold=True, size=14)
    cover.merge_cells("B1:C1")
    cover["B2"] = NOTE
    cover["B2"].alignment = left
    cover.merge_cells("B2:C2")
    cover.row_dimensions[2].height = 48
    given = {"unit_name": unit_name, "year": year, "template": version,
             "published": published, "unit_code": unit_code}
    for key, label, r in COVER_FIELDS:
        cover[f"A{r}"] = key
        cover[f"B{r}"] = label
        cover[f"B{r}"].fill = grey
        cover[f"B{r}"].border = border
        value = given[key]
        if key == "published" and value:
            value = date.fromisoformat(value)
        target = cover[f"C{r}"]
        target.value = value
        if isinstance(value, date):
            target.number_format = "yyyy-mm-dd"
        target.border = border
        target.protection = Protection(locked=False)
    cover.column_dimensions["A"].hidden = True
    cover.column_dimensions["B"].width = 28
    cover.column_dimensions["C"].width = 40
    cover.protection.sheet = True

    text = wb.create_sheet(TEXT)
    text["B1"] = "正文（每个部分的全文填在一个单元格中）"
    text["B1"].font = Font(bold=True, size=13)
    text.merge_cells("B1:C1")
    text["B2"] = "没有内容的部分请写“无”；不要改动 B 列的标题。"
    text.merge_cells("B2:C2")
    for r, code, heading in section_rows(version):
        text[f"A{r}"] = code
        text[f"B{r}"] = heading
        text[f"B{r}"].fill = grey
        text[f"B{r}"].border = border
        text[f"B{r}"].alignment = left
        body = (sections or {}).get(code)
        target = text[f"C{r}"]
        target.value = body.translate(_ILLEGAL) if body else None
        target.alignment = Alignment(wrap_text=True, vertical="top")
        target.border = border
        target.protection = Protection(locked=False)
        text.row_dimensions[r].height = 120
    text.column_dimensions["A"].hidden = True
    text.column_dimensions["B"].width = 26
    text.column_dimensions["C"].width = 90
    text.protection.sheet = True

    for name, sheet in layout(version).items():
        ws = wb.create_sheet(name)
        ws["B1"] = sheet.title
        ws["B1"].font = Font(bold=True, size=13)
        ws["B2"] = NOTE
        ws["B2"].alignment = left
        ws.row_dimensions[2].height = 36
        for cell in sheet.headers:
            ws[cell.address] = cell.text
            if not cell.key:
                ws[cell.address].font = bold
                ws[cell.address].alignment = wrap
                ws[cell.address].fill = grey
        validation = DataValidation(type="decimal", operator="between", formula1="-1000000000",
                                    formula2="1000000000", allow_blank=True, showErrorMessage=True,
                                    errorTitle="请填写数字", error="请填写数字；没有数据请留空。")
        ws.add_data_validation(validation)
        for row in sheet.rows:
            ws[f"A{row.row}"] = row.key
            ws[row.label.address] = row.label.text
            ws[row.label.address].alignment = left
            for address, code in row.values:
                target = ws[address]
                value = cells.get(code)
                if isinstance(value, float) and value.is_integer() and not tpl.get(version).is_money(code):
                    value = int(value)
                target.value = value
                target.protection = Protection(locked=False)
                target.alignment = Alignment(horizontal="center")
                validation.add(address)
        for rng in sheet.merges:
            ws.merge_cells(rng)
        first = 3
        last = max([r.row for r in sheet.rows] + [first])
        for row_cells in ws.iter_rows(min_row=first, max_row=last, min_col=2,
                                      max_col=ord(sheet.last_col) - ord("A") + 1):
            for c in row_cells:
                c.border = border
        for address in (c.address for c in sheet.headers if not c.key):
            ws[address].border = border
        for row in sheet.rows:
            ws[row.label.address].fill = grey
        ws.column_dimensions["A"].hidden = True
        if name in ("t3", "t4"):
            ws.row_dimensions[3].hidden = True
        ws.column_dimensions["B"].width = 22 if name != "t3" else 14
        if name == "t3":
            ws.column_dimensions["C"].width = 16
            ws.column_dimensions["D"].width = 40
        for col in (T3_VALUE_COLS if name == "t3" else T2_VALUE_COLS if name == "t2"
                    else T4_VALUE_COLS):
            ws.column_dimensions[col].width = 14
        ws.protection.sheet = True
        ws.freeze_panes = None
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


__all__ = ["FORM_ID", "COVER", "TEXT", "SHEETS", "section_rows", "TABLE_SHEETS", "COVER_FIELDS", "layout",
           "value_cells", "write_form", "LabelCell", "DataRow", "SheetLayout"]
