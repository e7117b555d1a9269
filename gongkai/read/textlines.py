"""The half of the table walk that reads text lines: a page printing one cell per line, where
a row label stands on a line of its own and its values follow on the next lines.

``TextLines`` is mixed into ``tables.TableReader`` and works on its state (the open row, the
headers, table 四, the store); the other half, rows of cells, is in ``tables``.
"""

from __future__ import annotations

import re

from gongkai.read.document import Cell, Line
from gongkai.read.labels import (
    T3_APPLICANTS,
    T3_COL_CORES,
    T3_GROUPS,
    T3_IDENTITY_NOTE,
    T3_ORGANISATIONS,
    T4_BLOCK_CORES,
    T4_COL_CORES,
    T4_FIRST_COL,
    RowLabel,
    row_labels,
    split_label,
    without_notes,
)
from gongkai.read.rowlabels import classify_row_label, is_known_label, is_label_tail, t3_group
from gongkai.read.slots import Slot, blank_slot, column_of
from gongkai.read.store import CORRECTION_WORD, is_correction_notice
from gongkai.read.values import parse_value

# words that only table 三's header holds: met inside table 四, table 三 follows it
T3_HEADER_CORES = frozenset(
    {core for core in T3_COL_CORES if core not in T4_COL_CORES}
    | {T3_APPLICANTS, T3_ORGANISATIONS})
_SENTENCE_MARKS = "。；;"
# a row label and its numbers run together without a separator ('规章000', '行政许可707')
_RUN_TOGETHER = re.compile(r"^(.*[\u4e00-\u9fff)）”\"」』])(\d+(?:\.\d+)?)$")


class OpenRow:
    """A row label waiting for (or holding) its values."""

    # a plain class rather than a dataclass: compiled, it is an extension type whose fields
    # are read without a dictionary (textlines.pxd); nothing compares or prints open rows
    __slots__ = ("table", "row", "label_cell", "slots", "from_text_lines", "held",
                 "run_together", "sub_rows", "width")

    def __init__(self, table: str, row: str, label_cell: Cell, slots: list[Slot] | None = None,
                 from_text_lines: bool = True, held: list[Slot] | None = None,
                 run_together: Slot | None = None, sub_rows: list[str] | None = None,
                 width: int = 0):
        self.table = table
        self.row = row
        self.label_cell = label_cell
        self.slots = [] if slots is None else slots
        self.from_text_lines = from_text_lines  # values arrive one per line
        self.held = [] if held is None else held  # empty cells on the label's own line
        self.run_together = run_together  # the row's digits printed without separators
        self.sub_rows = [] if sub_rows is None else sub_rows  # sub-rows printed instead
        self.width = width  # how many values the row holds (``Headers.width``, fixed per row)


class TextLines:
    """Reading text lines: labels, values on lines of their own, labels with their digits run
    on, and the pieces of labels wrapped over lines."""

    # TableReader's (tables.py), named here so that the compiled reader calls them without
    # looking them up by name (textlines.pxd declares them for both classes)
    def _open_row(self, rl: RowLabel, cell: Cell, from_text_lines: bool = True) -> None:
        raise NotImplementedError

    def _close_row(self, at_eof: bool = False) -> None:
        raise NotImplementedError

    def start_t4(self) -> None:
        raise NotImplementedError

    def end_tables(self) -> None:
        raise NotImplementedError

    def _feed_text(self, index: int, line: Line, at_eof: bool) -> None:
        cell = line.cells[0]
        text = cell.text
        # is_correction_notice, asked only of a text holding its first word (most lines don't)
        if CORRECTION_WORD in text and is_correction_notice(text) and self.store.report.sources:
            self.store.correcting = True  # the report corrects its own tables below
            self.headers.t3_seen_row = False  # a new table 三 follows, with its own header
            self.t4.done = False
        value = parse_value(text)
        if value.status == "unreadable":
            # _run_together reads only a text ending in a digit (or a line break)
            last = text[-1:]
            if not ((last.isdigit() or last == "\n") and self._run_together(index, cell, at_eof)):
                self._feed_label(index, cell, at_eof, same_line_values=False)
            return
        # a number or a blank marker on its own line: one cell per line
        row = self.open
        if self.t4.active and not row:
            self.t4.add_value(Slot(cell, value))
            self.consumed.add(index)
            return
        if row is not None and row.from_text_lines:
            slots = row.slots
            if self.doc.blank_separated and self.prev_text_line and line.gap_before >= 2:
                # extra blank lines between cells: the empty cells they stand for
                n_needed = row.width
                for _ in range(line.gap_before - 1):
                    if len(slots) < n_needed - 1:
                        slots.append(blank_slot())
            slots.append(Slot(cell, value))
            self.consumed.add(index)
            if len(slots) >= row.width:
                self._close_row(at_eof)
        elif row is None and value.status == "value" and self.context:
            # a number standing alone between the rows: it may fill a short row's one gap
            self.unplaced.loose_value(self.context, index, Slot(cell, value))

    def _run_together(self, index: int, cell: Cell, at_eof: bool) -> bool:
        """A data-row label with its digits run on ('规章000'): True when read as that row."""
        text = cell.text
        # the pattern ends in digits (before a last line break at most): a text ending in
        # anything else is not tried
        m = _RUN_TOGETHER.match(text) if text[-1:].isdigit() or text[-1:] == "\n" else None
        if m is None or self.t4.active:
            return False
        label = Cell(m.group(1), cell.location)
        rl = classify_row_label(label.text, self.version, self.group, True)
        if rl is None:
            return False
        self._open_row(rl, label)
        self.open.run_together = Slot(Cell(m.group(2), cell.location), parse_value(m.group(2)))
        self.consumed.add(index)
        self._close_row(at_eof)
        return True

    def _leaves_t4_for_label(self, cell: Cell) -> bool:
        """True when a label met inside table 四 belongs to table 三 (printed after it)."""
        parsed = split_label(cell.text)
        return T3_IDENTITY_NOTE in parsed.core or parsed.core in T3_HEADER_CORES or bool(
            parsed.numbering and classify_row_label(cell.text, self.version, self.group, False)
            is not None and parsed.core not in T4_COL_CORES)

    def _feed_label(self, index: int, cell: Cell, at_eof: bool, same_line_values: bool) -> bool:
        """Handle a label cell; True when it opened a data row."""
        parsed = split_label(cell.text)
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
        if rl is None and self.open is not None and not self.open.slots \
                and self._continues_open_label(cell, same_line_values):
            self.consumed.add(index)
            return True
        if rl is not None:
            self._open_row(rl, cell)
            self.consumed.add(index)
            return True
        # t3_group names a group only for a core among the groups' (``parsed`` is the same
        # split_label of the cell's text it reads)
        group = t3_group(cell.text) if core in T3_GROUPS else None
        if group:
            self._close_row()
            self.group = group
            self.consumed.add(index)
            return False
        if (core in T4_BLOCK_CORES or core == T4_FIRST_COL) and self.headers.t3_seen_row:
            self.start_t4()
            self.t4.label(core)
            self.consumed.add(index)
            return False
        # the core without notes in brackets worked out only when the core is no header
        if self.headers.note(core, self._column_for(core, cell)) \
                or T3_IDENTITY_NOTE in core or (
                (bare_core := split_label(without_notes(cell.text)).core) != core
                and self.headers.note(bare_core, self._column_for(bare_core, cell))):
            # headers repeated after a page break keep a row whose numbers are still to come
            if self.open is not None and self.open.slots:
                self._close_row()
            self.consumed.add(index)
            return False
        self.headers.note_t3_line(core)
        if self._is_sub_row(cell):
            self.open.sub_rows.append(cell.text)
            self.consumed.add(index)
            return False
        if self.open is not None and not self.open.slots and len(core) <= 30 \
                and not any(p in cell.text for p in _SENTENCE_MARKS):
            # more pieces of a wrapped label (its own, or a group label's beside it) before
            # the row's numbers: the row stays open
            self.consumed.add(index)
            return False
        if len(core) >= 2 and self.open is not None:  # (nothing to close without an open row)
            self._close_row()
        if 2 <= len(core) <= 12 and not parsed.numbering or parsed.numbering and len(core) <= 6:
            self.pending_label = cell
        return False

    def _column_for(self, core: str, cell: Cell) -> int | None:
        """The cell's column for ``Headers.note(core, column)``, which reads it only for a
        table 三 column header met before the table's first data row (None otherwise: the
        same outcome, without reading the cell's location)."""
        if not self.headers.t3_seen_row and core in T3_COL_CORES:
            return column_of(cell)
        return None

    def _continues_open_label(self, cell: Cell, same_line_values: bool) -> bool:
        """True for the rest of the open row's label, broken across lines (其他对外管理 /
        服务事项)."""
        if self.open is None or self.open.slots or not is_label_tail(cell.text):
            return False
        joined = classify_row_label(self.open.label_cell.text + cell.text, self.version,
                                    self.group, same_line_values)
        return joined is not None and (joined.table, joined.row) == (self.open.table, self.open.row)

    def _is_sub_row(self, cell: Cell) -> bool:
        """A label under the open table-二 row, complete in itself, naming a part of it (行政检查
        under 其他对外管理服务事项) rather than continuing its label."""
        row = self.open
        if row is None or row.table != "t2" or row.slots:
            return False
        own = split_label(without_notes(row.label_cell.text)).core
        if not any(own == c for rl in row_labels() if rl.row == row.row for c in rl.cores):
            return False  # the row's own label may still continue on this line
        parsed = split_label(cell.text)
        return (not parsed.numbering and 4 <= len(parsed.core) <= 12
                and all("\u4e00" <= ch <= "\u9fff" for ch in parsed.core)
                and not is_known_label(cell.text, self.version, self.group))
