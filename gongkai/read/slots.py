"""Value positions of a row, and how a row's values are aligned to the template's columns.

A *slot* is one value position of a row: the cell it came from and the value read from it.
``Aligner.align`` fits a row's slots to its columns: empty padding is dropped at the end
first, then at the start (or, when a row is padded at both ends, where the table's other rows
start).  A row with too few or too many values is left to the caller (``placement`` weighs
where its values may stand), except at the very end of a cut-off text, where a row keeps only
what it shows.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from gongkai.model import ParsedReport
from gongkai.read.document import Cell
from gongkai.read.limits import TEXT_CACHE
from gongkai.read.values import Value

_COL_IN_LOCATION = re.compile(r"col (\d+)$")
_SHEET_CELL = re.compile(r"cell ([A-Z]{1,3})\d+$")


class Slot:
    """One value position of a row: the cell it came from (None for a gap-inferred blank)."""

    # a plain class that compares, prints and (not) hashes as the dataclass it was: compiled,
    # it is an extension type (slots.pxd), made without a Python __init__ frame (about 200 a
    # report)
    __slots__ = ("cell", "value")

    def __init__(self, cell: Cell | None, value: Value):
        self.cell = cell
        self.value = value

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return (self.cell, self.value) == (other.cell, other.value)
        return NotImplemented

    __hash__ = None  # mutable and compared by value, as an unfrozen dataclass

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(cell={self.cell!r}, value={self.value!r})"

    @property
    def is_bare_empty(self) -> bool:
        """An empty string cell (droppable padding), not an explicit marker like '/'."""
        return self.value.status == "blank" and (self.cell is None or not self.cell.text.strip())

    @property
    def column(self) -> int | None:
        """The column its cell stands in, when the location says (see ``column_of``)."""
        return column_of(self.cell) if self.cell is not None else None

    @property
    def location(self) -> str | None:
        """Where its cell is (None for a gap-inferred blank)."""
        return self.cell.location if self.cell is not None else None


def blank_slot(cell: Cell | None = None) -> Slot:
    """An empty position: a gap between cells, an empty cell, or a run break."""
    return Slot(cell, Value(None, "blank", ""))


def column_of(cell: Cell) -> int | None:
    """The column number in a cell's location (``… col 3``, or ``sheet t3 cell C7``)."""
    return _column(cell.location)


@lru_cache(maxsize=TEXT_CACHE)
def _column(location: str) -> int | None:
    m = _COL_IN_LOCATION.search(location)
    if m:
        return int(m.group(1))
    m = _SHEET_CELL.search(location)
    if m:
        n = 0
        for ch in m.group(1):
            n = n * 26 + ord(ch) - 64
        return n
    return None


class Aligner:
    """Fits rows of values to their columns, remembering where each table's values start."""

    def __init__(self, report: ParsedReport):
        self.report = report
        self.first_col: dict[str, Counter] = {}  # table → columns where its rows' values start

    def align(self, slots: list[Slot], n: int, at_eof: bool, where: str,
              table: str | None = None) -> list[Slot | None] | None:
        """The row's slots fitted to ``n`` columns (None where a column has no value), or None
        when the row shows fewer or more values than columns (where they stand is for the
        caller to settle; see ``trim``).

        ``table`` (rows of a grid, whose cells carry their column) lets padding at both ends
        be dropped where the table's other rows start; ``where`` names the row in issues.
        """
        slots = self.trim(slots, n, table)
        if len(slots) == n or at_eof and len(slots) < n:
            # a row at the very end of a cut-off text keeps only what it shows
            return list(slots) + [None] * (n - len(slots))
        return None

    def trim(self, slots: list[Slot], n: int, table: str | None = None) -> list[Slot]:
        """The row's slots without the empty padding around them (and the table's memory of
        where its values start updated)."""
        slots = self._drop_padding(list(slots), n, table)
        if len(slots) == n and table and slots[0].column is not None:
            self.first_col.setdefault(table, Counter())[slots[0].column] += 1
        return slots

    def _drop_padding(self, slots: list[Slot], n: int, table: str | None) -> list[Slot]:
        if len(slots) <= n:
            return slots  # no surplus: nothing to drop
        surplus = len(slots) - n
        if table in self.first_col:  # (the padding at both ends is counted only then)
            lead = next((i for i, s in enumerate(slots) if not s.is_bare_empty), len(slots))
            trail = next((i for i, s in enumerate(reversed(slots)) if not s.is_bare_empty),
                         len(slots))
            if lead and trail and lead + trail >= surplus:
                # padding at both ends: keep the columns where this table's values usually start
                want = self.first_col[table].most_common(1)[0][0]
                for drop_front in range(min(lead, surplus) + 1):
                    if surplus - drop_front <= trail and slots[drop_front].column == want:
                        slots = slots[drop_front:len(slots) - (surplus - drop_front)]
                        break
        while len(slots) > n and slots[-1].is_bare_empty:
            slots.pop()
        while len(slots) > n and slots[0].is_bare_empty:
            slots.pop(0)
        return slots
