"""Reading the three statistical tables out of a Document, by label: the walk.

The reader walks the document's lines once.  A row label (matched by meaning, see
``rowlabels``) opens a row; the values after it — on the same line, or on the following lines
for pages that print one cell per line — are aligned to the row's columns (``slots``) and
stored under the cell codes (``store``).  Column order comes from the template, corrected by
the table's own header where it differs (``headers``).  Table 四 is collected while the walk
is inside it and placed at its end (``table4``).

Nothing is invented: cells that are not in the text stay unseen (None, no source), and a
table that stops part-way is reported.  Totals are never recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gongkai import template as tpl
from gongkai.model import ParsedReport
from gongkai.read import labels as lab
from gongkai.read.document import Cell, Document, Line
from gongkai.read.headers import Headers
from gongkai.read.placement import settle
from gongkai.read.rowlabels import (
    classify_row_label,
    is_known_label,
    is_label_tail,
    is_label_text,
    t3_group,
)
from gongkai.read.slots import Aligner, Slot, blank_slot, column_of
from gongkai.read.store import CellStore, is_correction_notice
from gongkai.read.table4 import Table4
from gongkai.read.unplaced import Unplaced
from gongkai.read.values import Value, parse_value

# words that only table 三's header holds: met inside table 四, table 三 follows it
_T3_HEADER_CORES = frozenset(
    {core for core in lab.T3_COL_CORES if core not in lab.T4_COL_CORES}
    | {lab.T3_APPLICANTS, lab.T3_ORGANISATIONS})
_SENTENCE_MARKS = "。；;"


@dataclass
class OpenRow:
    """A row label waiting for (or holding) its values."""

    table: str
    row: str
    label_cell: Cell
    slots: list[Slot] = field(default_factory=list)
    from_text_lines: bool = True  # values arrive one per line
    held: list[Slot] = field(default_factory=list)  # empty cells on the label's own line


class TableReader:
    """Reads t2, t3 and t4 from a Document into a ParsedReport's cells and sources."""

    def __init__(self, doc: Document, report: ParsedReport, version: str):
        self.doc = doc
        self.version = version
        template = tpl.get(version)
        self.headers = Headers(template)
        self.aligner = Aligner(report)
        self.store = CellStore(report, template)
        self.t4 = Table4(self.aligner, self.store)
        self.group: str | None = None  # the table 三 group the walk is in
        self.open: OpenRow | None = None
        self.pending_label: Cell | None = None  # an unmatched short label (maybe half a label)
        self.prev_text_line = False
        self.last_index = max((i for i, ln in enumerate(doc.lines) if ln.text), default=-1)
        self.consumed: set[int] = set()  # indexes of lines used as table content
        self.index = -1  # the line being read
        self.context: str | None = None  # the table (t2, t3) the walk is in, when known
        self.unplaced = Unplaced()  # numbers to place at the end (see ``unplaced``)
        self.unfilled = 0  # row labels closed without numbers since the last row read
        self.not_read: set[str] = set()  # cells whose printed values could not be placed

    # -- the walk --------------------------------------------------------------------------

    def enter_section(self, code: str) -> None:
        """A section heading (s1…s6) was met: it says which table follows."""
        if code in ("s2", "s3"):
            self._close_row()
            self.context = "t2" if code == "s2" else "t3"
        elif code == "s4":
            self.start_t4()
        elif code in ("s5", "s6"):
            self.end_tables()

    def start_t4(self) -> None:
        """Enter table 四 (the section heading or its first label was met)."""
        self._close_row()
        self.t4.active = True

    def end_tables(self) -> None:
        """Leave the tables (a later section heading was met)."""
        self._close_row()
        if self.t4.active:
            self.t4.at_eof = False
            self.t4.finish()
        self.t4.active = False

    def feed(self, index: int, line: Line) -> None:
        """Read one line."""
        self.index = index
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
        self.t4.at_eof = True
        if self.t4.active or self.t4.tokens or self.t4.rows:
            self.t4.finish()
        for codes, slots, where in self.t4.short:
            self.unplaced.short_row("t4", codes, slots, where, self.last_index)
        questions = self.unplaced.questions(self.store.report, self.headers, self.version)
        if questions:
            self.not_read = settle(questions, self.store, self.version)

    # -- rows ------------------------------------------------------------------------------

    def _open_row(self, rl: lab.RowLabel, cell: Cell, from_text_lines: bool = True) -> None:
        self._close_row()
        self.context = rl.table
        if rl.table == "t3":
            self.headers.t3_seen_row = True
            if rl.group:
                self.group = rl.group
        self.open = OpenRow(rl.table, rl.row, cell, from_text_lines=from_text_lines)

    def _width(self, row: OpenRow) -> int:
        return self.headers.width(row.table, row.row)

    def _close_row(self, at_eof: bool = False) -> None:
        row = self.open
        self.open = None
        if row is not None and not row.slots and row.held and len(row.held) >= self._width(row):
            row.slots = row.held  # no numbers followed: the label's own empty cells are blanks
        if row is None:
            return
        if not row.slots:
            self.unplaced.label_alone(row.table, row.row)
            self.unfilled += 1
            return
        self.unfilled = 0
        self.unplaced.anchor(row.table, row.row, self.index)
        codes = [f"{row.table}.{row.row}.{col}" for col in self.headers.order(row.table, row.row)]
        where = f"{row.table} “{row.label_cell.text}”"
        grid = None if row.from_text_lines else row.table
        aligned = self.aligner.align(row.slots, len(codes), at_eof, where, grid)
        if aligned is None:  # fewer values than columns: placed with the sums at the end
            slots = self.aligner.trim(row.slots, len(codes), grid)
            self.unplaced.short_row(row.table, codes, slots, where, self.index)
            return
        for code, slot in zip(codes, aligned, strict=True):
            if slot is not None:
                self.store.store(code, slot)

    def _take_values(self, index: int, cells: list[Cell], values: list[Value],
                     at_eof: bool) -> None:
        """The numbers of the open row, whose label stood on an earlier line."""
        self.open.slots = [Slot(c, v) for c, v in zip(cells, values, strict=True)]
        self.open.from_text_lines = False
        self.consumed.add(index)
        self._close_row(at_eof)

    # -- text lines (one cell per line) ------------------------------------------------------

    def _feed_text(self, index: int, line: Line, at_eof: bool) -> None:
        cell = line.cells[0]
        text = cell.text
        if is_correction_notice(text) and self.store.report.sources:
            self.store.correcting = True  # the report corrects its own tables below
            self.headers.t3_seen_row = False  # a new table 三 follows, with its own header
            self.t4.done = False
        value = parse_value(text)
        if value.status == "unreadable":
            self._feed_label(index, cell, at_eof, same_line_values=False)
            return
        # a number or a blank marker on its own line: one cell per line
        if self.t4.active and not self.open:
            self.t4.add_value(Slot(cell, value))
            self.consumed.add(index)
            return
        if self.open is not None and self.open.from_text_lines:
            if self.doc.blank_separated and self.prev_text_line and line.gap_before >= 2:
                # extra blank lines between cells: the empty cells they stand for
                n_needed = self._width(self.open)
                for _ in range(line.gap_before - 1):
                    if len(self.open.slots) < n_needed - 1:
                        self.open.slots.append(blank_slot())
            self.open.slots.append(Slot(cell, value))
            self.consumed.add(index)
            if len(self.open.slots) >= self._width(self.open):
                self._close_row(at_eof)
        elif self.open is None and value.status == "value" and self.context:
            # a number standing alone between the rows: it may fill a short row's one gap
            self.unplaced.loose_value(self.context, index, Slot(cell, value))

    def _leaves_t4_for_label(self, cell: Cell) -> bool:
        """True when a label met inside table 四 belongs to table 三 (printed after it)."""
        parsed = lab.split_label(cell.text)
        return lab.T3_IDENTITY_NOTE in parsed.core or parsed.core in _T3_HEADER_CORES or bool(
            parsed.numbering and classify_row_label(cell.text, self.version, self.group, False)
            is not None and parsed.core not in lab.T4_COL_CORES)

    def _feed_label(self, index: int, cell: Cell, at_eof: bool, same_line_values: bool) -> bool:
        """Handle a label cell; True when it opened a data row."""
        parsed = lab.split_label(cell.text)
        core = parsed.core
        if not core:
            return False
        if self.t4.active and self._leaves_t4_for_label(cell):
            self.end_tables()  # table 三 after table 四
        if self.t4.active:
            if self.t4.label(core):
                self.consumed.add(index)
            return False
        rl = classify_row_label(cell.text, self.version, self.group, same_line_values)
        if rl is None and self.pending_label is not None:
            # a label broken across lines whose first piece matched nothing on its own
            joined = Cell(self.pending_label.text + cell.text, self.pending_label.location)
            rl = classify_row_label(joined.text, self.version, self.group, same_line_values)
            if rl is not None:
                cell = joined
        self.pending_label = None
        if rl is None and self._continues_open_label(cell, same_line_values):
            self.consumed.add(index)
            return True
        if rl is not None:
            self._open_row(rl, cell)
            self.consumed.add(index)
            return True
        group = t3_group(cell.text)
        if group:
            self._close_row()
            self.group = group
            self.consumed.add(index)
            return False
        if (core in lab.T4_BLOCK_CORES or core == lab.T4_FIRST_COL) and self.headers.t3_seen_row:
            self.start_t4()
            self.t4.label(core)
            self.consumed.add(index)
            return False
        bare_core = lab.split_label(lab.without_notes(cell.text)).core
        if self.headers.note(core, column_of(cell)) or lab.T3_IDENTITY_NOTE in core or (
                bare_core != core and self.headers.note(bare_core, column_of(cell))):
            # headers repeated after a page break keep a row whose numbers are still to come
            if self.open is not None and self.open.slots:
                self._close_row()
            self.consumed.add(index)
            return False
        self.headers.note_t3_line(core)
        if self.open is not None and not self.open.slots and len(core) <= 30 \
                and not any(p in cell.text for p in _SENTENCE_MARKS):
            # more pieces of a wrapped label (its own, or a group label's beside it) before
            # the row's numbers: the row stays open
            self.consumed.add(index)
            return False
        if len(core) >= 2:
            self._close_row()
        if 2 <= len(core) <= 12 and not parsed.numbering or parsed.numbering and len(core) <= 6:
            self.pending_label = cell
        return False

    def _continues_open_label(self, cell: Cell, same_line_values: bool) -> bool:
        """True for the rest of the open row's label, broken across lines (其他对外管理 /
        服务事项)."""
        if self.open is None or self.open.slots or not is_label_tail(cell.text):
            return False
        joined = classify_row_label(self.open.label_cell.text + cell.text, self.version,
                                    self.group, same_line_values)
        return joined is not None and (joined.table, joined.row) == (self.open.table, self.open.row)

    # -- rows of cells ---------------------------------------------------------------------

    def _feed_bare_pipes(self, line: Line, at_eof: bool) -> None:
        """A line of bare pipes: empty cells of a one-cell-per-line page, or a row break."""
        row = self.open
        empty_cells = line.bare_pipes
        if self.doc.pipes_close_cells and self.prev_text_line:
            empty_cells -= 1  # the first pipe closes the cell on the line above
        if row is not None and row.from_text_lines and not self.t4.active:
            loc = f"line {line.lineno}"
            for _ in range(empty_cells):
                if len(row.slots) >= self._width(row):
                    break
                row.slots.append(blank_slot(Cell("", loc)))
            if len(row.slots) >= self._width(row):
                self._close_row(at_eof)
        elif row is not None and row.slots:
            self._close_row()

    def _leaves_t4_for_row(self, cores: set[str], cells: list[Cell], values: list[Value],
                           is_label: list[bool]) -> bool:
        """True when a row met inside table 四 belongs to table 三 (its header or a data row
        with its numbers)."""
        if any(lab.T3_IDENTITY_NOTE in c for c in cores) or cores & _T3_HEADER_CORES:
            return True
        if not any(v.status == "value" for v in values):
            return False
        return any(f and classify_row_label(c.text, self.version, self.group, True) is not None
                   for c, f in zip(cells, is_label, strict=True))

    def _feed_row(self, index: int, line: Line, at_eof: bool) -> None:
        cells = line.cells
        if not cells:
            self._feed_bare_pipes(line, at_eof)
            return
        values = [parse_value(c.text) for c in cells]
        is_label = [v.status == "unreadable" and is_label_text(c.text)
                    for c, v in zip(cells, values, strict=True)]
        cores = {lab.split_label(c.text).core for c, f in zip(cells, is_label, strict=True) if f}
        if self.t4.active and self._leaves_t4_for_row(cores, cells, values, is_label):
            self.end_tables()  # table 三 printed after table 四 (or a correction follows)
        elif not self.t4.active and not self.t4.done and (
                lab.T4_FIRST_COL in cores or {lab.T4_REVIEW, *lab.T4_GROUP_CORES} <= cores):
            self.start_t4()  # table 四's header, wherever it stands
        if self.t4.active:
            if self.t4.feed_row(cells, values, is_label):
                self.consumed.add(index)
            return
        if self._open_row_on_line(index, cells, values, is_label, at_eof):
            return
        has_numbers = any(v.status == "value" for v in values)
        if self.open is not None and not self.open.slots and has_numbers:
            last_label = max((i for i, f in enumerate(is_label) if f), default=-1)
            if last_label < 0 and self.unfilled and self._orphan(index, cells, values):
                # numbers after a block of labels printed apart: placed by order at the end
                self._close_row()
                return
            if last_label < 0 or is_label_tail(cells[last_label].text):
                # the numbers of a row whose label began on an earlier line
                self._take_values(index, cells[last_label + 1:], values[last_label + 1:], at_eof)
                return
        if not any(is_label):
            if has_numbers and self.open is None:
                self._orphan(index, cells, values)
            return
        # a row of labels: headers, group labels, or the start of table 四
        for i, cell in enumerate(cells):
            if is_label[i]:
                if self.t4.active:
                    self.t4.label(lab.split_label(cell.text).core)
                    continue
                self._feed_label(index, cell, at_eof, same_line_values=False)

    def _orphan(self, index: int, cells: list[Cell], values: list[Value]) -> bool:
        """Keep a row of numbers without a label for the end (True), when it has the width of
        a row of the table the walk is in."""
        if self.context not in ("t2", "t3"):
            return False
        slots = [Slot(c, v) for c, v in zip(cells, values, strict=True)]
        while slots and slots[-1].is_bare_empty:
            slots.pop()
        while slots and slots[0].is_bare_empty:
            slots.pop(0)
        widths = ({len(c) for c in self.headers.t2_cols.values()} if self.context == "t2"
                  else {tpl.T3_WIDTH})
        if len(slots) not in widths:
            return False
        self.unplaced.orphan(self.context, index, slots)
        self.consumed.add(index)
        return True

    def _open_row_on_line(self, index: int, cells: list[Cell], values: list[Value],
                          is_label: list[bool], at_eof: bool) -> bool:
        """The last cell of a row that is a data-row label opens the row; the cells after it
        are its values.  True when a row was opened."""
        for i in range(len(cells) - 1, -1, -1):
            if not is_label[i]:
                continue
            after = range(i + 1, len(cells))
            later_labels = [j for j in after if is_label[j]]
            if later_labels and (
                    not any(values[j].status == "value" for j in after)
                    or any(is_known_label(cells[j].text, self.version, self.group)
                           for j in later_labels)):
                continue  # a header row, or a label further right opens the row
            same_line = any(values[j].status == "value" for j in after) or any(
                values[j].status == "blank" and cells[j].text.strip() for j in after)
            label_cell = cells[i]
            rl = classify_row_label(label_cell.text, self.version, self.group, same_line)
            if rl is None and self.pending_label is not None and i == 0:
                joined = Cell(self.pending_label.text + label_cell.text,
                              self.pending_label.location)
                rl = classify_row_label(joined.text, self.version, self.group, same_line)
                if rl is not None:
                    label_cell = joined
            if rl is None:
                continue
            self.pending_label = None
            for j in range(i):  # group labels before it
                if is_label[j]:
                    g = t3_group(cells[j].text)
                    if g:
                        self.group = g
            self._open_row(rl, label_cell, from_text_lines=False)
            slots = [Slot(cells[j], values[j]) for j in after]
            if all(sl.is_bare_empty for sl in slots):
                self.open.held = slots  # numbers may still follow on the next line
            else:
                self.open.slots = slots
            self.consumed.add(index)
            if self.open.slots:
                self._close_row(at_eof)
            return True
        return False


__all__ = ["TableReader"]
