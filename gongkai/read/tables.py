"""Reading the three statistical tables out of a Document, by label.

The reader walks the document's lines once.  A row label (matched by meaning, see
``labels``) opens a row; the values after it — on the same line, or on the following lines
for pages that print one cell per line — are aligned to the row's columns and stored under
the cell codes.  Column order comes from the template, corrected by the table's own header
where it differs (the 总计 column printed first).  Table 四 is read as runs of numbers,
each run placed by the block label before it or, for one run of fifteen, by position.

Nothing is invented: cells that are not in the text stay unseen (None, no source), and a
table that stops part-way is reported.  Totals are never recomputed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from gongkai import template as tpl
from gongkai.model import CellSource, ParsedReport
from gongkai.read import labels as lab
from gongkai.read.document import Cell, Document, Line
from gongkai.read.values import Value, parse_value, to_wan_yuan

_T3_STD = ("natural", "commercial", "research", "social", "legal", "org_other", "total")
_T3_TOTAL_FIRST = ("total", "natural", "commercial", "research", "social", "legal", "org_other")
_WEAK_CORES = {"总计", "其他", "合计"}


@dataclass
class Slot:
    """One value position of a row: the cell it came from (None for a gap-inferred blank)."""

    cell: Cell | None
    value: Value

    @property
    def is_bare_empty(self) -> bool:
        """An empty string cell (droppable padding), not an explicit marker like '/'."""
        return self.value.status == "blank" and (self.cell is None or not self.cell.text.strip())


@dataclass
class OpenRow:
    """A row label waiting for (or holding) its values."""

    table: str
    row: str
    label_cell: Cell
    slots: list[Slot] = field(default_factory=list)
    from_text_lines: bool = True  # values arrive one per line
    held: list[Slot] = field(default_factory=list)  # empty cells on the label's own line


@lru_cache(maxsize=65536)
def _classify_row_label(text: str, version: str, group: str | None,
                        same_line_values: bool) -> lab.RowLabel | None:
    """The data row a label names; also '（三）不予公开 1．属于国家秘密' (group and row on one
    line), read as the row of that group."""
    found = _classify_one(text, version, group, same_line_values)
    if found is not None:
        return found
    parts = text.split()
    for k in range(1, len(parts)):
        head, tail = " ".join(parts[:k]), " ".join(parts[k:])
        head_group = _t3_group(head)
        if head_group is None and lab.split_label(head).core != "本年度办理结果":
            # pieces of a wrapped, vertically centred group label ('年度办 （三）不予') may
            # share the line: a numbered row label after them is still that row
            tail_label = lab.split_label(tail)
            if not tail_label.numbering or len(tail_label.core) < 4:
                continue
        found = _classify_one(tail, version, head_group or group, same_line_values)
        if found is not None:
            return found
    return None


def _classify_one(text: str, version: str, group: str | None,
                  same_line_values: bool) -> lab.RowLabel | None:
    parsed = lab.split_label(text)
    core = parsed.core
    if not core or len(core) > 60:
        return None
    best: lab.RowLabel | None = None
    for rl in lab.row_labels():
        if version not in rl.versions:
            continue
        hit = False
        for c in rl.cores:
            if core == c or lab.near(core, c) or (len(core) >= 4 and c.startswith(core)) or (
                    len(c) >= 4 and core.startswith(c) and len(core) - len(c) <= 3):
                hit = True
                break
        if not hit:
            continue
        if core == "其他处理" and rl.row == "other.other" and parsed.number != 3:
            continue  # （六）其他处理 is the group's own label in v2021; only 3．其他处理 is the row
        if core in _WEAK_CORES:
            # 总计 / 其他 are also column headers: a data row only with numbering or values
            if rl.row == "total" and not (parsed.numbering or same_line_values):
                continue
            if rl.row in ("other.other", "other"):
                if rl.row == "other.other" and not (
                        parsed.number == 3 or group == "other" and same_line_values):
                    continue
                if rl.row == "other" and not (parsed.numbering and parsed.number == 6):
                    continue
        if rl.group and group and rl.group != group and parsed.number is not None:
            # numbered sub-rows: prefer the one of the current group
            if best is None:
                best = rl
            continue
        return rl
    return best


_FUZZY_VALUE = re.compile(
    r"^[约近逾超共计]*\s*[+\-]?\d[\d,，.]*\s*(?:余|多)?\s*"
    r"(?:件|个|项|条|次|宗|起|人|家|万元|元)?\s*(?:左右|以上|以下|余)?$")


def _is_label_text(text: str) -> bool:
    """True for text that reads as a label; False for a value that could not be read
    ('约5', '5件左右', '3.5.1'): such a cell keeps its place among the row's values."""
    t = lab.fold(text).strip()
    if _FUZZY_VALUE.match(t):
        return False
    cjk = sum(1 for ch in t if "\u4e00" <= ch <= "\u9fff")
    return cjk >= 2 or not any(ch.isdigit() for ch in t)


def _label_tail(text: str) -> bool:
    """True for the second half of a label broken across lines (no numbering, not a known label)."""
    parsed = lab.split_label(text)
    if parsed.numbering or not parsed.core or len(parsed.core) > 30:
        return False
    if parsed.core in lab.T3_COL_CORES or parsed.core in lab.T4_COL_CORES:
        return False
    return True


def _t3_group(text: str) -> str | None:
    parsed = lab.split_label(text)
    g = lab.T3_GROUPS.get(parsed.core)
    if g is None:
        return None
    code, number = g
    if parsed.core == "其他" and parsed.number != 6:
        return None
    if parsed.numbering and parsed.number is not None and parsed.number != number:
        return None
    return code


def _col(slot: Slot) -> int | None:
    return _column_of(slot.cell) if slot.cell is not None else None


def _column_of(cell: Cell) -> int | None:
    """The column number in a cell's location (``… col 3``, or ``sheet t3 cell C7``)."""
    m = re.search(r"col (\d+)$", cell.location)
    if m:
        return int(m.group(1))
    m = re.search(r"cell ([A-Z]{1,3})\d+$", cell.location)
    if m:
        n = 0
        for ch in m.group(1):
            n = n * 26 + ord(ch) - 64
        return n
    return None


class TableReader:
    """Reads t2, t3 and t4 from a Document into a ParsedReport's cells and sources."""

    def __init__(self, doc: Document, report: ParsedReport, version: str):
        self.doc = doc
        self.report = report
        self.version = version
        self.template = tpl.get(version)
        self.t2_cols = {r.code: tuple(c.code for c in b.cols)
                        for b in self.template.t2_blocks for r in b.rows}
        self.group: str | None = None
        self.open: OpenRow | None = None
        self.t3_order = _T3_STD
        self.t3_header: list[str] = []
        self.t3_seen_row = False
        self.t2_header: list[str] = []
        self.in_t4 = False
        self.t4_done = False
        self.t4_tokens: list[tuple[Slot, str | None, bool]] = []  # slot, block hint, run break
        self.t4_hint: str | None = None
        self.t4_rows: dict[str, list[Slot]] = {}
        self.last_index = max((i for i, ln in enumerate(doc.lines) if ln.text), default=-1)
        self.consumed: set[int] = set()  # indexes of lines used as table content
        self.prev_text_line = False
        self.first_col: dict[str, Counter] = {}  # table → column where its values start
        self.pending_label: Cell | None = None  # an unmatched short label (maybe half a label)
        self.correcting = False  # after a 更正说明: later tables replace earlier values
        self.t4_at_eof = False

    # -- assignment -----------------------------------------------------------------

    def _store(self, code: str, slot: Slot) -> None:
        if code not in self.template.cell_codes:
            return
        v = slot.value
        number = to_wan_yuan(v) if self.template.is_money(code) else v.number
        loc = slot.cell.location if slot.cell else "(blank line)"
        raw = slot.cell.text if slot.cell else ""
        prev = self.report.sources.get(code)
        if prev is not None and self.correcting:
            old = self.report.cells.get(code)
            if v.status == "value" and (prev.status != "value" or old != number):
                self.report.add_issue(
                    "corrected_cell", "info",
                    f"单元格 {code} 按报告所附更正说明取 {number}（原表为 {old}）",
                    f"cell {code}: {number} from the report's own correction (the table said {old})",
                    loc)
                prev = None
        if prev is not None:
            old = self.report.cells.get(code)
            if prev.status == "value" or v.status != "value":
                if prev.status == "value" and v.status == "value" and old != number:
                    self.report.add_issue(
                        "duplicate_cell", "warning",
                        f"单元格 {code} 出现两次且数值不同（{old} 与 {number}），保留第一次读到的值",
                        f"cell {code} appears twice with different values ({old} vs {number});"
                        " the first is kept", loc)
                return
        self.report.cells[code] = number
        note = v.note
        if v.unit == "元" and self.template.is_money(code):
            note = (note + "; " if note else "") + f"converted from 元: {v.number}元"
        self.report.sources[code] = CellSource(raw, loc, v.status, note)
        if v.status == "unreadable":
            self.report.add_issue("unreadable_value", "warning",
                                  f"单元格 {code} 的内容“{raw}”不是数字",
                                  f"cell {code}: {raw!r} is not a number", loc)

    def _align(self, slots: list[Slot], n: int, at_eof: bool, where: str,
               table: str | None = None) -> list[Slot | None]:
        slots = list(slots)
        lead = next((i for i, s in enumerate(slots) if not s.is_bare_empty), len(slots))
        trail = next((i for i, s in enumerate(reversed(slots)) if not s.is_bare_empty), len(slots))
        surplus = len(slots) - n
        if surplus > 0 and lead and trail and lead + trail >= surplus and table in self.first_col:
            # padding at both ends: keep the columns where this table's values usually start
            want = self.first_col[table].most_common(1)[0][0]
            for drop_front in range(min(lead, surplus) + 1):
                if surplus - drop_front <= trail and _col(slots[drop_front]) == want:
                    slots = slots[drop_front:len(slots) - (surplus - drop_front)]
                    break
        while len(slots) > n and slots[-1].is_bare_empty:
            slots.pop()
        while len(slots) > n and slots[0].is_bare_empty:
            slots.pop(0)
        if len(slots) == n and table and _col(slots[0]) is not None:
            self.first_col.setdefault(table, Counter())[_col(slots[0])] += 1
        if len(slots) > n:
            self.report.add_issue("extra_values", "warning",
                                  f"{where} 的数值多于模板列数（{len(slots)} > {n}），多出的未读取",
                                  f"{where}: more values than columns ({len(slots)} > {n});"
                                  " the extra ones were not read",
                                  slots[n].cell.location if slots[n].cell else None)
            return list(slots[:n])
        if len(slots) == n or at_eof:
            return list(slots) + [None] * (n - len(slots))
        loc = slots[0].cell.location if slots and slots[0].cell else None
        if len(slots) == 1 and n == 7:
            self.report.add_issue("short_row", "warning",
                                  f"{where} 只有一个数值，按“总计”列读取",
                                  f"{where}: a single value, read as the 总计 column", loc)
            return [None] * 6 + slots
        self.report.add_issue("short_row", "warning",
                              f"{where} 的数值少于模板列数（{len(slots)} < {n}），按从左到右读取",
                              f"{where}: fewer values than columns ({len(slots)} < {n});"
                              " read from the left", loc)
        return list(slots) + [None] * (n - len(slots))

    def _close_row(self, at_eof: bool = False) -> None:
        row = self.open
        self.open = None
        if row is not None and not row.slots and row.held and len(row.held) >= self._width(row):
            row.slots = row.held  # no numbers followed: the label's own empty cells are blanks
        if row is None or not row.slots:
            return
        if row.table == "t2":
            cols = self._t2_order(row.row)
        else:
            cols = self.t3_order
        where = f"{row.table} “{row.label_cell.text}”"
        aligned = self._align(row.slots, len(cols), at_eof, where,
                              None if row.from_text_lines else row.table)
        for col, slot in zip(cols, aligned, strict=True):
            if slot is not None:
                self._store(f"{row.table}.{row.row}.{col}", slot)

    def _t2_order(self, row: str) -> tuple[str, ...]:
        cols = self.t2_cols.get(row, ())
        if self.t2_header and sorted(self.t2_header) == sorted(cols):
            return tuple(self.t2_header)
        return cols

    # -- header tracking --------------------------------------------------------------

    def _note_header(self, core: str, column: int | None = None) -> bool:
        """Record a column header (with its column number in a row, when known)."""
        if not self.t3_seen_row and core in lab.T3_COL_CORES:
            self.t3_header.append((lab.T3_COL_CORES[core], column))
            pos = {code: (col if col is not None else -1, i)
                   for i, (code, col) in enumerate(self.t3_header)}
            if "total" in pos and "natural" in pos:
                (tc, ti), (nc, ni) = pos["total"], pos["natural"]
                total_first = tc < nc if tc >= 0 and nc >= 0 else ti < ni
                self.t3_order = _T3_TOTAL_FIRST if total_first else _T3_STD
            return True
        if core.startswith("第二十条"):
            self.t2_header = []
            return True
        for block in self.template.t2_blocks:
            for col in block.cols:
                if any(lab.core_of(x) == core for x in col.labels):
                    self.t2_header.append(col.code)
                    return True
        return core in lab.T3_COL_CORES or core in ("信息内容", "申请人情况", "法人或其他组织")

    # -- t4 ------------------------------------------------------------------------------

    def _t4_label(self, core: str) -> bool:
        block = lab.T4_BLOCK_CORES.get(core)
        if block:
            self.t4_hint = block
            self.t4_tokens.append((Slot(None, Value(None, "blank", "")), block, True))
            return True
        return core in lab.T4_COL_CORES or core == "行政诉讼"

    def _finish_t4(self) -> None:
        if self.t4_done:
            return
        self.t4_done = True
        for block, slots in self.t4_rows.items():
            aligned = self._align(slots, 5, False, f"t4 “{block}”")
            for col, slot in zip(tpl.T4_COLS, aligned, strict=True):
                if slot is not None:
                    self._store(f"t4.{block}.{col}", slot)
        runs: list[tuple[str | None, list[Slot]]] = []
        current: list[Slot] = []
        hint: str | None = None
        for slot, block, is_break in self.t4_tokens:
            if is_break:
                if current:
                    runs.append((hint, current))
                current = []
                hint = block or hint
                continue
            current.append(slot)
        if current:
            runs.append((hint, current))
        # a run is a table row of values; runs of nothing but empty cells count only as whole
        # rows (a table 四 left blank), never as filler between headers
        runs = [(h, r) for h, r in runs
                if any(s.value.status != "blank" for s in r) or len(r) in (5, 15)]
        if not runs:
            return
        at_eof = self.t4_at_eof
        total = sum(len(r) for _, r in runs)
        if len(runs) == 1 or total == 15 and all(len(r) % 5 for _, r in runs):
            flat = [s for _, r in runs for s in r]
            aligned = self._align(flat, 15, at_eof, "t4")
            for i, slot in enumerate(aligned):
                if slot is not None:
                    block = tpl.T4_BLOCKS[i // 5]
                    self._store(f"t4.{block}.{tpl.T4_COLS[i % 5]}", slot)
            return
        used: list[str] = []
        for n, (hint_block, run) in enumerate(runs):
            block = hint_block if hint_block and hint_block not in used else next(
                (b for b in tpl.T4_BLOCKS if b not in used), None)
            if block is None:
                break
            used.append(block)
            aligned = self._align(run, 5, at_eof and n == len(runs) - 1, f"t4 {block}")
            for col, slot in zip(tpl.T4_COLS, aligned, strict=True):
                if slot is not None:
                    self._store(f"t4.{block}.{col}", slot)

    # -- the walk --------------------------------------------------------------------------

    def start_t4(self) -> None:
        """Enter table 四 (the section heading or its first label was met)."""
        self._close_row()
        self.in_t4 = True

    def end_tables(self) -> None:
        """Leave the tables (a later section heading was met)."""
        self._close_row()
        if self.in_t4:
            self.t4_at_eof = False
            self._finish_t4()
        self.in_t4 = False

    def feed(self, index: int, line: Line) -> None:
        """Read one line."""
        at_eof = index == self.last_index
        if line.is_row:
            self._feed_row(index, line, at_eof)
            self.prev_text_line = False
        else:
            self._feed_text(index, line, at_eof)
            self.prev_text_line = True

    def finish(self) -> None:
        """End of the document: close what is open."""
        self._close_row(at_eof=True)
        self.t4_at_eof = True
        if self.in_t4 or self.t4_tokens or self.t4_rows:
            self._finish_t4()

    def _value_slot(self, cell: Cell) -> Slot:
        return Slot(cell, parse_value(cell.text))

    def _feed_text(self, index: int, line: Line, at_eof: bool) -> None:
        cell = line.cells[0]
        text = cell.text
        if "更正" in text and any(w in text for w in ("为准", "更正如下", "现更正")) \
                and self.report.sources:
            self.correcting = True  # the report corrects its own tables below
            self.t3_seen_row = False  # a new table 三 follows, with its own header
            self.t4_done = False
        value = parse_value(text)
        if value.status != "unreadable":
            # a number or a blank marker on its own line: one cell per line
            if self.in_t4 and not self.open:
                self.t4_tokens.append((Slot(cell, value), None, False))
                self.consumed.add(index)
                return
            if self.open is not None and self.open.from_text_lines:
                if self.doc.blank_separated and self.prev_text_line and line.gap_before >= 2:
                    n_needed = self._width(self.open)
                    for _ in range(line.gap_before - 1):
                        if len(self.open.slots) < n_needed - 1:
                            self.open.slots.append(Slot(None, Value(None, "blank", "")))
                self.open.slots.append(Slot(cell, value))
                self.consumed.add(index)
                if len(self.open.slots) >= self._width(self.open):
                    self._close_row(at_eof)
            return
        self._feed_label(index, cell, at_eof, same_line_values=False)

    def _leaves_t4(self, cores: set[str], cells: list[Cell], values: list[Value],
                   is_label: list[bool]) -> bool:
        """True when a row met inside table 四 belongs to table 三 (its header or a data row
        with its numbers)."""
        if any("勾稽" in c for c in cores) or cores & {"自然人", "商业企业", "申请人情况"}:
            return True
        if not any(v.status == "value" for v in values):
            return False
        return any(f and _classify_row_label(c.text, self.version, self.group, True) is not None
                   for c, f in zip(cells, is_label, strict=True))

    def _known_label(self, text: str) -> bool:
        """True for text of the template's vocabulary (a row, group or column label)."""
        core = lab.split_label(text).core
        if core in lab.T3_COL_CORES or core in lab.T4_COL_CORES or core in lab.T4_BLOCK_CORES:
            return True
        if _t3_group(text) or core in ("信息内容", "申请人情况", "法人或其他组织"):
            return True
        if _classify_row_label(text, self.version, self.group, True) is not None:
            return True
        return any(lab.core_of(x) == core for b in self.template.t2_blocks for c in b.cols
                   for x in c.labels)

    def _width(self, row: OpenRow) -> int:
        return len(self._t2_order(row.row)) if row.table == "t2" else 7

    def _feed_label(self, index: int, cell: Cell, at_eof: bool, same_line_values: bool) -> bool:
        """Handle a label cell; True when it opened a data row."""
        parsed = lab.split_label(cell.text)
        core = parsed.core
        if not core:
            return False
        if self.in_t4 and ("勾稽" in core or core in ("自然人", "申请人情况") or (
                parsed.numbering and _classify_row_label(cell.text, self.version, self.group,
                                                         False) is not None
                and lab.split_label(cell.text).core not in lab.T4_COL_CORES)):
            self.end_tables()  # table 三 after table 四
        if self.in_t4:
            if self._t4_label(core):
                self.consumed.add(index)
            return False
        rl = _classify_row_label(cell.text, self.version, self.group, same_line_values)
        if rl is None and self.pending_label is not None:
            # a label broken across lines whose first piece matched nothing on its own
            joined = Cell(self.pending_label.text + cell.text, self.pending_label.location)
            rl = _classify_row_label(joined.text, self.version, self.group, same_line_values)
            if rl is not None:
                cell = joined
        self.pending_label = None
        if rl is None and self.open is not None and not self.open.slots and _label_tail(cell.text):
            # the rest of the open row's label, broken across lines (其他对外管理 / 服务事项)
            joined = _classify_row_label(self.open.label_cell.text + cell.text, self.version,
                                         self.group, same_line_values)
            if joined is not None and (joined.table, joined.row) == (self.open.table, self.open.row):
                self.consumed.add(index)
                return True
        if rl is not None:
            self._close_row()
            if rl.table == "t3":
                self.t3_seen_row = True
                if rl.group:
                    self.group = rl.group
            self.open = OpenRow(rl.table, rl.row, cell)
            self.consumed.add(index)
            return True
        group = _t3_group(cell.text)
        if group:
            self._close_row()
            self.group = group
            self.consumed.add(index)
            return False
        if core in lab.T4_BLOCK_CORES and self.t3_seen_row or core in ("结果维持",) and self.t3_seen_row:
            self.start_t4()
            self._t4_label(core)
            self.consumed.add(index)
            return False
        if self._note_header(core, _column_of(cell)) or "勾稽" in core:
            # headers repeated after a page break keep a row whose numbers are still to come
            if self.open is not None and self.open.slots:
                self._close_row()
            self.consumed.add(index)
            return False
        if not self.t3_seen_row and "自然人" in core and "总计" in core:
            # a whole t3 header on one line of text: order from the words' positions
            total_first = core.index("总计") < core.index("自然人")
            self.t3_order = _T3_TOTAL_FIRST if total_first else _T3_STD
        if self.open is not None and not self.open.slots and len(core) <= 30 \
                and not any(p in cell.text for p in "。；;"):
            # more pieces of a wrapped label (its own, or a group label's beside it) before
            # the row's numbers: the row stays open
            self.consumed.add(index)
            return False
        if len(core) >= 2:
            self._close_row()
        if 2 <= len(core) <= 12 and not parsed.numbering or parsed.numbering and len(core) <= 6:
            self.pending_label = cell
        return False

    def _feed_row(self, index: int, line: Line, at_eof: bool) -> None:
        cells = line.cells
        if not cells:  # a line of bare pipes: empty cells of a one-cell-per-line page
            row = self.open
            if row is not None and row.from_text_lines and not self.in_t4:
                loc = f"line {line.lineno}"
                for _ in range(line.bare_pipes):
                    if len(row.slots) >= self._width(row):
                        break
                    row.slots.append(Slot(Cell("", loc), Value(None, "blank", "")))
                if len(row.slots) >= self._width(row):
                    self._close_row(at_eof)
            elif row is not None and row.slots:
                self._close_row()
            return
        values = [parse_value(c.text) for c in cells]
        is_label = [v.status == "unreadable" and _is_label_text(c.text)
                    for c, v in zip(cells, values, strict=True)]
        cores = {lab.split_label(c.text).core for c, f in zip(cells, is_label, strict=True) if f}
        if self.in_t4 and self._leaves_t4(cores, cells, values, is_label):
            self.end_tables()  # table 三 printed after table 四 (or a correction follows)
        elif not self.in_t4 and not self.t4_done and (
                "结果维持" in cores or {"行政复议", "行政诉讼"} <= cores):
            self.start_t4()  # table 四's header, wherever it stands
        if self.in_t4:
            self._feed_t4_row(index, cells, values, is_label)
            return
        has_numbers = any(v.status == "value" for v in values)
        # the last cell that is a data-row label opens the row; cells after it are its values
        opened_at = None
        for i in range(len(cells) - 1, -1, -1):
            if not is_label[i]:
                continue
            after = [j for j in range(i + 1, len(cells))]
            later_labels = [j for j in after if is_label[j]]
            if later_labels and (
                    not any(values[j].status == "value" for j in after)
                    or any(self._known_label(cells[j].text) for j in later_labels)):
                continue  # a header row, or a label further right opens the row
            same_line = any(values[j].status == "value" for j in after) or any(
                values[j].status == "blank" and cells[j].text.strip() for j in after)
            rl = _classify_row_label(cells[i].text, self.version, self.group, same_line)
            if rl is None and self.pending_label is not None and i == 0:
                joined = Cell(self.pending_label.text + cells[i].text, self.pending_label.location)
                rl = _classify_row_label(joined.text, self.version, self.group, same_line)
                if rl is not None:
                    cells = [joined, *cells[1:]]
            if rl is None:
                continue
            self.pending_label = None
            for j in range(i):  # group labels before it
                if is_label[j]:
                    g = _t3_group(cells[j].text)
                    if g:
                        self.group = g
            self._close_row()
            if rl.table == "t3":
                self.t3_seen_row = True
                if rl.group:
                    self.group = rl.group
            self.open = OpenRow(rl.table, rl.row, cells[i], from_text_lines=False)
            slots = [Slot(cells[j], values[j]) for j in after]
            if all(sl.is_bare_empty for sl in slots):
                self.open.held = slots  # numbers may still follow on the next line
            else:
                self.open.slots = slots
            self.consumed.add(index)
            opened_at = i
            break
        if opened_at is not None:
            if self.open.slots:
                self._close_row(at_eof)
            return
        if self.open is not None and not self.open.slots and has_numbers and not self.in_t4:
            last_label = max(i for i, f in enumerate(is_label) if f) if any(is_label) else -1
            tail = cells[last_label].text if last_label >= 0 else ""
            if last_label < 0 or _label_tail(tail):
                # the numbers of a row whose label began on an earlier line
                self.open.slots = [Slot(c, v) for c, v in
                                   zip(cells[last_label + 1:], values[last_label + 1:], strict=True)]
                self.open.from_text_lines = False
                self.consumed.add(index)
                self._close_row(at_eof)
                return
        if not any(is_label):
            # values only: the numbers of a row whose label stood on an earlier line
            if self.open is not None and not self.open.slots and has_numbers:
                self.open.slots = [Slot(c, v) for c, v in zip(cells, values, strict=True)]
                self.open.from_text_lines = False
                self.consumed.add(index)
                self._close_row(at_eof)
            return
        # a row of labels: headers, group labels, or the start of table 四
        for i, cell in enumerate(cells):
            if is_label[i]:
                if self.in_t4:
                    self._t4_label(lab.split_label(cell.text).core)
                    continue
                self._feed_label(index, cell, at_eof, same_line_values=False)
        if self.in_t4:
            # the same row may carry values after the first t4 label (e.g. 行政复议 | 0 | …)
            return

    def _feed_t4_row(self, index: int, cells: list[Cell], values: list[Value],
                     is_label: list[bool]) -> None:
        labels = [lab.split_label(c.text).core for c, f in zip(cells, is_label, strict=True) if f]
        if labels:
            block = next((lab.T4_BLOCK_CORES[c] for c in labels if c in lab.T4_BLOCK_CORES), None)
            nums = [Slot(c, v) for c, v, f in zip(cells, values, is_label, strict=True)
                    if not f and v.status == "value"]
            if block and nums and len(labels) == 1 or block and nums and all(
                    c in lab.T4_BLOCK_CORES or c == "行政诉讼" for c in labels):
                # one block per row: 行政复议 | 0 | 0 | 0 | 0 | 0
                first_label = max(i for i, f in enumerate(is_label) if f)
                self.t4_rows[block] = [Slot(c, v) for c, v in
                                       zip(cells[first_label + 1:], values[first_label + 1:],
                                           strict=True)]
                self.consumed.add(index)
                return
            for core in labels:
                self._t4_label(core)
            self.consumed.add(index)
            return
        slots = [Slot(c, v) for c, v in zip(cells, values, strict=True)]
        if all(sl.is_bare_empty for sl in slots):
            if len(slots) not in (5, 15):
                return  # empty filler, not a row of the table's fifteen (or five) cells
            # a whole row left blank: a run of its own
            brk = (Slot(None, Value(None, "blank", "")), None, True)
            self.t4_tokens.extend([brk, *((sl, None, False) for sl in slots), brk])
        else:
            self.t4_tokens.extend((sl, None, False) for sl in slots)
        self.consumed.add(index)


def detect_version(doc: Document) -> tuple[str | None, int, int]:
    """The template version the tables use, from their labels: (version, v2019 votes, v2021 votes)."""
    v19 = v21 = 0
    m19 = set(lab.V2019_MARKERS)
    m21 = set(lab.V2021_MARKERS)
    only19 = {c for r in lab.row_labels() if r.versions == {"v2019"} for c in r.cores}
    only21 = {c for r in lab.row_labels() if r.versions == {"v2021"} for c in r.cores}
    only19 -= {"其他处理", "其他"}  # v2019 rows whose words are v2021 group labels too
    only21 -= {"其他", "其他处理"}  # shared words of the two versions
    long21 = [m for m in m21 | only21 if len(m) >= 4]
    long19 = [m for m in m19 | only19 | {"处理决定数量"} if len(m) >= 4]
    for line in doc.lines:
        for cell in line.cells:
            core = lab.split_label(cell.text).core
            if not core or len(core) > 120:
                continue
            if core in m19 or core in only19 or core.startswith("本年新制作") or core == "本年新":
                v19 += 1
            elif core in m21 or core in only21:
                v21 += 1
            elif core == "处理决定数量":
                v19 += 1
            elif len(core) > 8:
                # a whole header on one line of text (PDF text): count the markers inside it
                rest = core
                for m in long21:
                    if m in rest:
                        v21 += 1
                        rest = rest.replace(m, "")
                v19 += sum(1 for m in long19 if m in rest)
    if v19 == v21 == 0:
        return None, 0, 0
    return ("v2019" if v19 > v21 else "v2021"), v19, v21
