"""A format-neutral model of a report (headings, paragraphs, tables with spans) and the
choices that make one report look different from another.

The layout renderers (``gongkai.synth.layouts``) and, later, the DOCX/XLSX/PDF writers turn a
``Document`` into bytes.  Tables are grids of ``Cell`` with ``colspan``/``rowspan`` like an
HTML table; each value cell remembers its cell code and the number a careful reader takes
from it, which is what the truth file records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from gongkai import template
from gongkai.template import T3_COLS, T4_BLOCKS

CN_NUM = "一二三四五六七八九十"
BLANK_TOKENS = ("", "/", "-", "—", "无")
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# Group labels of table 三: printed once, spanning the rows below them.
T3_GROUPS = {
    "result": "三、本年度办理结果",
    "denied": "（三）不予公开",
    "unable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}


@dataclass
class Cell:
    """One grid cell: its text (``\\n`` marks a line break inside it) and spans.

    ``code`` and ``value`` are set on value cells: the template cell code and the number a
    careful reader takes from ``text`` (None when the cell is blank).
    """

    text: str
    colspan: int = 1
    rowspan: int = 1
    code: str | None = None
    value: float | int | None = None
    header: bool = False


@dataclass
class Table:
    """A table: which template table it is (``t2``, ``t3``, ``t4``) and its grid of rows."""

    kind: str
    rows: list[list[Cell]]
    width: int
    block: str | None = None  # for table 二 split into blocks: the 第二十条 item

    def placed(self) -> list[list[tuple[int, int, Cell]]]:
        """Each row as (row index, first column, cell) placements, honouring the spans of
        the cells above and to the left (what every writer needs to put a cell in a grid)."""
        covered: set[tuple[int, int]] = set()
        out = []
        for r, row in enumerate(self.rows):
            col = 0
            placed = []
            for cell in row:
                while (r, col) in covered:
                    col += 1
                placed.append((r, col, cell))
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        covered.add((r + dr, col + dc))
                col += cell.colspan
            out.append(placed)
        return out


@dataclass
class Heading:
    """A heading; ``section`` is s1…s6 for the six parts, None for titles and subheadings."""

    text: str
    level: int
    section: str | None = None


@dataclass
class Paragraph:
    """A paragraph of prose."""

    text: str


@dataclass
class Document:
    """A whole report: its blocks in reading order, plus metadata for the writers."""

    title: str
    blocks: list = field(default_factory=list)
    year: int = 0


@dataclass
class Style:
    """How one report writes its numbers and labels (the traps of spec/layouts.md)."""

    section_numbers: str = "一、"
    sub_numbers: str = "（一）"
    paren_full: bool = True
    item_dot: str = "．"
    colon_full: bool = True
    normative_label: str | None = None
    delta_label: str = "本年增/减"
    fee_label: str = "行政事业性收费"
    note_typo: bool = False
    split_headers: bool = False
    total_first: bool = False
    group_inline: bool = True
    blank_token: str = "/"
    thousands: bool = False
    signed_delta: bool = False
    money: str = "plain"  # plain, wan, wan_space, yuan
    note_in_cell: bool = False
    fullwidth_digits: bool = False
    blank_t2_zero: bool = False
    regulation_blank: bool = False
    t2_one_table: bool = True

    @classmethod
    def draw(cls, rng: random.Random, layout: str) -> Style:
        """A random but plausible style for a report of the given layout family."""
        section = rng.choices(["一、", "（一）", "(一)", "1、", "1.", "1．"],
                              [70, 6, 6, 6, 6, 6])[0]
        sub = {"一、": rng.choice(["（一）", "(一)"]), "（一）": "1．", "(一)": "1.",
               "1、": "（1）", "1.": "(1)", "1．": "（1）"}[section]
        return cls(
            section_numbers=section,
            sub_numbers=sub,
            paren_full=rng.random() < 0.55,
            item_dot=rng.choice(["．", ".", "、", ". "]),
            colon_full=rng.random() < 0.5,
            normative_label=rng.choice([None, None, None, "alt"]),
            delta_label=rng.choices(["本年增/减", "本年增\\减", "本年增/"], [80, 12, 8])[0],
            fee_label=rng.choices(["行政事业性收费", "行政事业型收费"], [90, 10])[0],
            note_typo=rng.random() < 0.1,
            split_headers=rng.random() < 0.35,
            total_first=rng.random() < 0.12,
            group_inline=rng.random() < 0.6,
            blank_token=rng.choice(BLANK_TOKENS),
            thousands=rng.random() < 0.3,
            signed_delta=rng.random() < 0.3,
            money=rng.choices(["plain", "wan", "wan_space", "yuan"], [45, 20, 20, 15])[0],
            note_in_cell=rng.random() < 0.3,
            fullwidth_digits=layout in ("cell_per_line", "pipe_rows") and rng.random() < 0.06,
            blank_t2_zero=rng.random() < 0.35,
            regulation_blank=rng.random() < 0.08,
            t2_one_table=rng.random() < 0.5,
        )

    def traps(self) -> list[str]:
        """The traps of spec/layouts.md this style puts in a report (for the truth file)."""
        flags = {
            "split_headers": self.split_headers, "total_first": self.total_first,
            "group_labels_on_own_row": not self.group_inline, "thousands": self.thousands,
            "signed_delta": self.signed_delta, "note_in_cell": self.note_in_cell,
            "fullwidth_digits": self.fullwidth_digits, "half_width_parens": not self.paren_full,
            "typo_delta_label": self.delta_label != "本年增/减",
            "typo_fee_label": self.fee_label != "行政事业性收费", "typo_note": self.note_typo,
        }
        out = [name for name, on in flags.items() if on]
        if self.money != "plain":
            out.append(f"money_{self.money}")
        return out

    # --- small text helpers -----------------------------------------------------------------
    def paren(self, inner: str) -> str:
        """``（一）`` or ``(一)`` by the report's habit."""
        return f"（{inner}）" if self.paren_full else f"({inner})"

    def item(self, n: int, text: str) -> str:
        """An item label ``1．属于国家秘密`` in the report's numbering habit."""
        return f"{n}{self.item_dot}{text}"

    def section_heading(self, index: int, label: str) -> str:
        """A section heading such as ``一、总体情况`` or ``(三)收到和处理…``."""
        cn, ar = CN_NUM[index - 1], str(index)
        number = {"一、": f"{cn}、", "（一）": f"（{cn}）", "(一)": f"({cn})", "1、": f"{ar}、",
                  "1.": f"{ar}.", "1．": f"{ar}．"}[self.section_numbers]
        return number + label

    def sub_heading(self, index: int, label: str) -> str:
        """A subheading one level below the sections."""
        cn, ar = CN_NUM[index - 1], str(index)
        number = {"（一）": f"（{cn}）", "(一)": f"({cn})", "1．": f"{ar}．", "1.": f"{ar}.",
                  "（1）": f"（{ar}）", "(1)": f"({ar})"}[self.sub_numbers]
        return number + label


def _plain_number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def display(code: str, value, style: Style, rng: random.Random) -> tuple[str, float | int | None]:
    """The text written in a value cell and the number a careful reader takes from it."""
    if value is None:
        return style.blank_token, None
    if code in ("t2.procurement.amount", "t2.fee.amount"):
        if style.money == "yuan" and value:
            yuan = round(value * 10000)
            return (f"{yuan:,}元" if style.thousands and yuan >= 10000 else f"{yuan}元"), \
                yuan / 10000
        text = f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
        if style.money == "wan":
            text += "万元"
        elif style.money == "wan_space":
            text += " 万元"
        return text, value
    text = _plain_number(value)
    if isinstance(value, int) and abs(value) >= 1000 and style.thousands:
        text = f"{value:,}"
    if code.endswith(".delta") and style.signed_delta and isinstance(value, int) and value > 0:
        text = "+" + text
    if (style.note_in_cell and code in ("t2.normative_doc.made", "t2.normative_doc.issued")
            and isinstance(value, int) and value > 1):
        text += f"（其中修订{rng.randint(1, value - 1)}件）"
    if style.fullwidth_digits and rng.random() < 0.15:
        text = text.translate(_FULLWIDTH)
    return text, value


class CellWriter:
    """Turns published cells into value ``Cell`` objects, recording the truth as it goes."""

    def __init__(self, cells: dict, style: Style, rng: random.Random,
                 forced: dict[str, str] | None = None):
        self.cells = cells
        self.style = style
        self.rng = rng
        self.forced = forced or {}
        self.truth: dict[str, float | int | None] = {}
        self.blank: list[str] = []

    def _left_blank(self, code: str, value) -> bool:
        """Cells some units leave blank instead of writing 0 (never chained or summed cells)."""
        if value != 0 or code in self.forced:
            return False
        if self.style.regulation_blank and code.startswith("t2.regulation."):
            return True
        if not self.style.blank_t2_zero:
            return False
        if code == "t2.procurement.amount":
            return self.cells.get("t2.procurement.projects") == 0
        return code == "t2.fee.amount"

    def cell(self, code: str) -> Cell:
        """The value cell of a code (its display text chosen by the report's style)."""
        value = self.cells.get(code)
        if self._left_blank(code, value):
            value = None
        if code in self.forced:
            text, read = self.forced[code], value
        else:
            text, read = display(code, value, self.style, self.rng)
        self.truth[code] = read
        if read is None:
            self.blank.append(code)
        return Cell(text, code=code, value=read)


def _h(text: str, colspan: int = 1, rowspan: int = 1) -> Cell:
    return Cell(text, colspan=colspan, rowspan=rowspan, header=True)


def _split_word(text: str, style: Style) -> str:
    """Break a header word over two lines (``本年新`` / ``公开数量``) when the style says so."""
    if not style.split_headers or len(text) < 4:
        return text
    cut = 3 if text.startswith(("本年新", "上一年", "对外公")) else len(text) // 2
    return text[:cut] + "\n" + text[cut:]


def t2_tables(version: str, writer: CellWriter) -> list[Table]:
    """Table 二 as one table of blocks, or one table per 第二十条 block."""
    style = writer.style
    tpl = template.get(version)
    width = 4
    blocks: list[tuple[str, list[list[Cell]]]] = []
    for block in tpl.t2_blocks:
        rows: list[list[Cell]] = []
        item = block.item if style.paren_full else block.item.replace("（", "(").replace("）", ")")
        rows.append([_h(item, colspan=width)])
        heads = []
        for col in block.cols:
            label = col.labels[0]
            if col.code == "delta":
                label = style.delta_label
            if col.code == "amount" and version == "v2021" and not style.colon_full:
                label = label.replace("（", "(").replace("）", ")").replace("：", ":")
            heads.append(_split_word(label, style))
        if len(heads) == 1:
            header = [_h("信息内容"), _h(heads[0], colspan=width - 1)]
        else:
            header = [_h("信息内容")] + [_h(h) for h in heads]
            if len(heads) < width - 1:
                header.append(_h(""))
        rows.append(header)
        for row in block.rows:
            label = row.labels[0]
            if row.code == "normative_doc" and style.normative_label == "alt":
                label = row.labels[1]
            if row.code == "fee":
                label = style.fee_label
            cells = [Cell(label)]
            for col in block.cols:
                code = f"t2.{row.code}.{col.code}"
                c = writer.cell(code)
                if len(block.cols) == 1:
                    c.colspan = width - 1
                cells.append(c)
            if 1 < len(block.cols) < width - 1:
                cells.append(Cell(""))
            rows.append(cells)
        blocks.append((block.item, rows))
    if style.t2_one_table:
        return [Table("t2", [r for _, rows in blocks for r in rows], width)]
    return [Table("t2", rows, width, block=item) for item, rows in blocks]


def _t3_row_label(code: str, version: str, style: Style) -> tuple[str | None, str]:
    """(group, label) of a table 三 row in the report's numbering habit."""
    tpl = template.get(version)
    label = next(r.labels[0] for r in tpl.t3_rows if r.code == code)
    head, _, rest = code.partition(".")
    if rest:  # numbered sub-row: 1．属于国家秘密
        n, text = label[0], label[2:]
        return head, style.item(int(n), text)
    if label.startswith("（"):
        label = style.paren(label[1:label.index("）")]) + label[label.index("）") + 1:]
    return ("result" if code in ("granted", "partial", "other", "total") else None), label


def t3_table(version: str, writer: CellWriter) -> Table:
    """Table 三 with its three header rows and rowspan group labels (or group rows)."""
    style = writer.style
    tpl = template.get(version)
    cols = list(T3_COLS)
    if style.total_first:
        cols = ["total"] + cols[:-1]
    col_label = {c.code: c.labels[0] for c in tpl.t3_cols}
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    if style.note_typo:
        note = "(本列)数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"
    if not style.colon_full:
        note = note.replace("（", "(").replace("）", ")").replace("：", ":").replace("，", ",")
    rows: list[list[Cell]] = []
    lead = 3 if style.group_inline else 2
    rows.append([_h(note, colspan=lead, rowspan=3), _h("申请人情况", colspan=7)])
    org = [c for c in cols if c not in ("natural", "total")]
    second, third = [], []
    for c in cols:
        if c == "natural":
            second.append(_h(col_label[c], rowspan=2))
        elif c == "total":
            second.append(_h(col_label[c], rowspan=2))
        elif c == org[0]:
            second.append(_h("法人或其他组织", colspan=5))
    for c in org:
        third.append(_h(_split_word(col_label[c], style)))
    rows.append(second)
    rows.append(third)

    def values(row_code: str) -> list[Cell]:
        return [writer.cell(f"t3.{row_code}.{c}") for c in cols]

    row_codes = [r.code for r in tpl.t3_rows]
    outcome = [r for r in row_codes if r not in ("new", "carried_in", "carried_out")]
    sub_groups: dict[str, list[str]] = {}
    for r in outcome:
        head, _, rest = r.partition(".")
        if rest:
            sub_groups.setdefault(head, []).append(r)
    for r in ("new", "carried_in"):
        rows.append([Cell(_t3_row_label(r, version, style)[1], colspan=lead)] + values(r))
    group_label = T3_GROUPS["result"]
    if not style.group_inline:
        rows.append([Cell(group_label, colspan=lead + 7)])
    first_in_result = True
    seen_groups: set[str] = set()
    for r in outcome:
        head, _, rest = r.partition(".")
        label = _t3_row_label(r, version, style)[1]
        cells: list[Cell] = []
        if style.group_inline and first_in_result:
            cells.append(Cell(group_label, rowspan=len(outcome)))
        first_in_result = False
        if rest and head not in seen_groups:
            seen_groups.add(head)
            glabel = T3_GROUPS[head]
            glabel = style.paren(glabel[1:glabel.index("）")]) + glabel[glabel.index("）") + 1:]
            if style.group_inline:
                cells.append(Cell(glabel, rowspan=len(sub_groups[head])))
            else:
                rows.append([Cell(glabel, colspan=lead + 7)])
        if rest and style.group_inline:
            cells.append(Cell(label))
        else:
            cells.append(Cell(label, colspan=2))
        rows.append(cells + values(r))
    rows.append([Cell(_t3_row_label("carried_out", version, style)[1], colspan=lead)]
                + values("carried_out"))
    return Table("t3", rows, lead + 7)


def t4_table(writer: CellWriter) -> Table:
    """Table 四: two header rows (three with placeholders) and one row of 15 values."""
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rows = [
        [_h("行政复议", colspan=5), _h("行政诉讼", colspan=10)],
        [_h(h, rowspan=2) for h in heads]
        + [_h("未经复议直接起诉", colspan=5), _h("复议后起诉", colspan=5)],
        [_h(h) for h in heads] + [_h(h) for h in heads],
        [writer.cell(f"t4.{b}.{c}") for b in T4_BLOCKS for c in
         ("upheld", "corrected", "other", "pending", "total")],
    ]
    return Table("t4", rows, 15)
