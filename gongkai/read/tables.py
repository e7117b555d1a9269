"""Reading the three statistical tables out of a Document, by label: the walk.

The reader walks the document's lines once.  A row label (matched by meaning, see
``rowlabels``) opens a row; the values after it — on the same line, or on the following lines
for pages that print one cell per line — are aligned to the row's columns (``slots``) and
stored under the cell codes (``store``).  Column order comes from the template, corrected by
the table's own header where it differs (``headers``).  Table 四 is collected while the walk
is inside it and placed at its end (``table4``).  This module reads rows of cells; text lines
(one cell per line) are read by ``textlines``.

Numbers whose cells the layout leaves open (number rows apart from their labels, rows with
fewer values than columns, digits run together) are kept (``unplaced``) and placed at the end
of the document by the template's order and the table's own sums (``placement``), or reported
as not read.  Nothing is invented: cells that are not in the text stay unseen (None, no
source), and a table that stops part-way is reported.  Totals are never recomputed.
"""

from __future__ import annotations

from functools import lru_cache
from operator import attrgetter

from gongkai import template as tpl
from gongkai.model import ParsedReport
from gongkai.read import meta
from gongkai.read.document import Cell, Document, Line
from gongkai.read.headers import Headers
from gongkai.read.labels import (
    T3_IDENTITY_NOTE,
    T4_FIRST_COL,
    T4_GROUP_CORES,
    T4_REVIEW,
    RowLabel,
    split_label,
)
from gongkai.read.placement import settle
from gongkai.read.rowlabels import (
    classify_row_label,
    is_label_tail,
)
from gongkai.read.rowreading import ROW_CACHED_CHARS, cached_opening, cached_row, opening, read_row
from gongkai.read.slots import Aligner, Slot, blank_slot
from gongkai.read.store import CORRECTION_WORD, CellStore
from gongkai.read.table4 import Table4
from gongkai.read.textlines import T3_HEADER_CORES, OpenRow, TextLines
from gongkai.read.unplaced import Unplaced
from gongkai.read.values import Value, parse_value
from gongkai.template import T3_WIDTH

# names from labels, rowreading and the template are imported, not read off their module
# (``lab.NAME``), here as in headers, meta, rowlabels, rowreading, table4 and textlines:
# compiled, a global is read from a cache, a module's attribute is looked up every time
_TEXT = attrgetter("text")


@lru_cache(maxsize=4096)
def _codes(table: str, row: str, cols: tuple[str, ...]) -> tuple[str, ...]:
    """The cell codes of a data row, its columns in the order given."""
    return tuple(f"{table}.{row}.{col}" for col in cols)


def _last_label(is_label: tuple[bool, ...]) -> int:
    """The index of a row's last label cell (-1: none).  A loop rather than a generator
    expression: a compiled method that calls its own methods directly cannot hold one
    (tables.pxd)."""
    for i in range(len(is_label) - 1, -1, -1):
        if is_label[i]:
            return i
    return -1


class TableReader(TextLines):
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
        # the last line with text
        self.last_index = next((i for i in range(len(doc.lines) - 1, -1, -1)
                                if doc.lines[i].text), -1)
        self.consumed: set[int] = set()  # indexes of lines used as table content
        self.index = -1  # the line being read
        self.context: str | None = None  # the table (t2, t3) the walk is in, when known
        self.unplaced = Unplaced()  # numbers to place at the end (see ``unplaced``)
        self.unfilled = 0  # row labels closed without numbers since the last row read
        self.not_read: set[str] = set()  # cells whose printed values could not be placed
        self.labelled_tables: set[str] = set()  # tables (t2, t3) with a data-row label met

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

    def walk(self, lines: list[Line]) -> tuple[list[tuple[str, int]], set[str]]:
        """Read the document's lines: a section heading switches the table context
        (``enter_section``), every other line is read (``feed``).  Returns the sections met
        (code, index of the heading), in order, and their codes.

        A text line is read here, without ``feed``, where the outcome is told at once (most
        lines of a page that prints one cell per line): a text that is no heading
        (``meta.section_of`` is None for it, told from the text alone) holding a number or a
        blank marker for the open row of text lines (``_feed_text``'s own branch for it), or
        a label (``_feed_label``, called as ``_feed_text`` calls it)."""
        section_starts: list[tuple[str, int]] = []
        seen: set[str] = set()
        style: str | None = None
        # the reader's own methods are called through self: compiled, those are direct calls
        # (tables.pxd), which a bound method kept in a local would not be
        section_of, heading_of = meta.section_of, meta.heading_of
        last, add, doc = self.last_index, self.consumed.add, self.doc
        for i, line in enumerate(lines):
            cells = line.cells
            if line.is_row or len(cells) != 1:
                # section_of is None for a row whose first two cells hold text (most rows)
                code = None if line.is_row and len(cells) >= 2 and cells[0].text.strip() \
                    and cells[1].text.strip() else section_of(line, seen, style)
            else:
                cell = cells[0]
                text = cell.text
                # section_of of a line of one cell: None for a text that cannot open one
                code = section_of(line, seen, style) if text and len(text) <= 60 \
                    and heading_of(text) is not None else None
                if code is None and CORRECTION_WORD not in text:
                    value = parse_value(text)
                    if value.status == "unreadable":
                        last_char = text[-1:]
                        if not (last_char.isdigit() or last_char == "\n"):
                            # no run-together label ('规章000'): _feed_text reads it as a label
                            self.index = i
                            self._feed_label(i, cell, i == last, False)
                            self.prev_text_line = True
                            continue
                    else:
                        row = self.open
                        if row is not None and row.from_text_lines and not (
                                doc.blank_separated and self.prev_text_line
                                and line.gap_before >= 2):
                            # a value of the open row, on a line of its own
                            self.index = i
                            slots = row.slots
                            slots.append(Slot(cell, value))
                            add(i)
                            if len(slots) >= row.width:
                                self._close_row(i == last)
                            self.prev_text_line = True
                            continue
            if code and code not in seen:
                seen.add(code)
                style = style or meta.numbering_style(line)
                section_starts.append((code, i))
                self.enter_section(code)
                continue
            self.feed(i, line)
        return section_starts, seen

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

    def _open_row(self, rl: RowLabel, cell: Cell, from_text_lines: bool = True) -> None:
        if self.open is not None:  # (_close_row does nothing without an open row)
            self._close_row()
        self.context = rl.table
        self.labelled_tables.add(rl.table)
        if rl.table == "t3":
            self.headers.t3_seen_row = True
            if rl.group:
                self.group = rl.group
        # every field by position: a dataclass's __init__ takes keywords at twice the cost;
        # the row's width is worked out here once (``Headers.width`` depends on the row and
        # on the template's columns alone, which do not change)
        self.open = OpenRow(rl.table, rl.row, cell, [], from_text_lines, [], None, [],
                            self.headers.width(rl.table, rl.row))

    def _close_row(self, at_eof: bool = False) -> None:
        row = self.open
        self.open = None
        if row is not None and not row.slots and row.held and len(row.held) >= row.width:
            row.slots = row.held  # no numbers followed: the label's own empty cells are blanks
        if row is None:
            return
        if row.run_together is not None:
            self._close_run_together(row)
            return
        if row.sub_rows:
            self._not_read_sub_rows(row)
            return
        if not row.slots:
            self.unplaced.label_alone(row.table, row.row)
            self.unfilled += 1
            return
        self.unfilled = 0
        self.unplaced.anchor(row.table, row.row, self.index)
        codes = _codes(row.table, row.row, self.headers.order(row.table, row.row))
        grid = None if row.from_text_lines else row.table
        slots = row.slots
        if grid is None and len(slots) == len(codes):
            # what ``align`` returns for a row of text lines with as many values as columns:
            # nothing to drop, and no table's memory of its first column to update
            aligned = slots
        else:
            aligned = self.aligner.align(slots, len(codes), at_eof, "", grid)
        if aligned is None:  # fewer values than columns: placed with the sums at the end
            where = f"{row.table} “{row.label_cell.text}”"
            slots = self.aligner.trim(slots, len(codes), grid)
            self.unplaced.short_row(row.table, list(codes), slots, where, self.index)
            return
        self.store.store_row(codes, aligned)

    def _close_run_together(self, row: OpenRow) -> None:
        """A row whose digits run together: one column takes the number as printed; more
        columns are split at the end (one digit per column, or where the table's sums hold)."""
        self.unfilled = 0
        self.unplaced.anchor(row.table, row.row, self.index)
        codes = [f"{row.table}.{row.row}.{col}" for col in self.headers.order(row.table, row.row)]
        if len(codes) == 1:
            self.store.store(codes[0], row.run_together)
        else:
            self.unplaced.run_together(codes, row.run_together, f"{row.table} “{row.label_cell.text}”")

    def _not_read_sub_rows(self, row: OpenRow) -> None:
        """A row printed as sub-rows of its own (其他对外管理服务事项 → 行政检查, 行政确认): the
        sub-rows' numbers are not the row's, so its cells are not read."""
        codes = [f"{row.table}.{row.row}.{col}" for col in self.headers.order(row.table, row.row)]
        self.not_read.update(codes)
        subs = "、".join(row.sub_rows)
        self.store.report.add_issue(
            "cells_not_read", "warning",
            f"{row.table} “{row.label_cell.text}”：该行分成子行（{subs}）填写，子行的数值不是该行的数值，"
            f"以下单元格未读取：{', '.join(codes)}",
            f"{row.table} “{row.label_cell.text}”: printed as sub-rows of its own ({subs}); their "
            f"numbers are not the row's; not read: {', '.join(codes)}", row.label_cell.location)

    def _take_values(self, index: int, cells: list[Cell], values: list[Value],
                     at_eof: bool) -> None:
        """The numbers of the open row, whose label stood on an earlier line."""
        self.open.slots = [Slot(c, v) for c, v in zip(cells, values, strict=True)]
        self.open.from_text_lines = False
        self.consumed.add(index)
        self._close_row(at_eof)

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
                if len(row.slots) >= row.width:
                    break
                row.slots.append(blank_slot(Cell("", loc)))
            if len(row.slots) >= row.width:
                self._close_row(at_eof)
        elif row is not None and row.slots:
            self._close_row()

    def _leaves_t4_for_row(self, cores: set[str], cells: list[Cell], values: list[Value],
                           is_label: list[bool]) -> bool:
        """True when a row met inside table 四 belongs to table 三 (its header or a data row
        with its numbers)."""
        if any(T3_IDENTITY_NOTE in c for c in cores) or cores & T3_HEADER_CORES:
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
        texts = tuple(map(_TEXT, cells))
        cached = sum(map(len, texts)) <= ROW_CACHED_CHARS
        values, is_label, cores = (cached_row if cached else read_row)(texts)
        if self.t4.active and self._leaves_t4_for_row(cores, cells, values, is_label):
            self.end_tables()  # table 三 printed after table 四 (or a correction follows)
        elif not self.t4.active and not self.t4.done and (
                T4_FIRST_COL in cores or {T4_REVIEW, *T4_GROUP_CORES} <= cores):
            self.start_t4()  # table 四's header, wherever it stands
        if self.t4.active:
            if self.t4.feed_row(cells, values, is_label):
                self.consumed.add(index)
            return
        if self._open_row_on_line(index, cells, texts, cached, values, at_eof):
            return
        has_numbers = any(v.status == "value" for v in values)
        if self.open is not None and not self.open.slots and has_numbers:
            last_label = _last_label(is_label)
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
                    self.t4.label(split_label(cell.text).core)
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
                  else {T3_WIDTH})
        if len(slots) not in widths:
            return False
        self.unplaced.orphan(self.context, index, slots)
        self.consumed.add(index)
        return True

    def _open_row_on_line(self, index: int, cells: list[Cell], texts: tuple[str, ...],
                          cached: bool, values: tuple[Value, ...], at_eof: bool) -> bool:
        """The last cell of a row that is a data-row label opens the row; the cells after it
        are its values.  True when a row was opened.  Which label opens it is told from the
        row's texts, the version and the table 三 group (``rowreading.opening``), and from the label
        left over from the line before (``pending_label``) for a first cell that names no row
        on its own."""
        found = (cached_opening if cached else opening)(
            texts, self.version, self.group)
        if found is None:
            return False
        i, rl, same_line, group_before, held = found
        label_cell = cells[i]
        if rl is None:  # the first cell, naming no row on its own
            if self.pending_label is None:
                return False
            joined = Cell(self.pending_label.text + label_cell.text, self.pending_label.location)
            rl = classify_row_label(joined.text, self.version, self.group, same_line)
            if rl is None:
                return False
            label_cell = joined
        self.pending_label = None
        if group_before:  # the last group label before it
            self.group = group_before
        self._open_row(rl, label_cell, from_text_lines=False)
        slots = [Slot(cells[j], values[j]) for j in range(i + 1, len(cells))]
        if held:
            self.open.held = slots  # numbers may still follow on the next line
        else:
            self.open.slots = slots
        self.consumed.add(index)
        if self.open.slots:
            self._close_row(at_eof)
        return True


__all__ = ["TableReader"]
