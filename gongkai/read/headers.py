"""What the tables' header rows say about their columns.

Column order is the template's, corrected by the table's own header where it differs: table
三 with its 总计 column printed first, table 二's columns of a block printed in another order.
"""

from __future__ import annotations

from gongkai import template as tpl
from gongkai.read.labels import T2_CAPTION, T3_COL_CORES, T3_NATURAL, T3_TOTAL
from gongkai.read.rowlabels import is_header_word, per_template, t2_col_code
from gongkai.template import T3_COLS, T3_WIDTH

# table 三's columns in the template's order, and with the 总计 column printed first
_TOTAL = T3_COLS[-1]
T3_ORDER = T3_COLS
T3_ORDER_TOTAL_FIRST = (_TOTAL, *T3_COLS[:-1])
_NATURAL = T3_COLS[0]


@per_template
def _t2_row_cols(template: tpl.Template) -> dict[str, tuple[str, ...]]:
    """Table 二's rows → their block's columns, in the template's order."""
    return {r.code: tuple(c.code for c in b.cols) for b in template.t2_blocks for r in b.rows}


class Headers:
    """The column order the header rows met so far give each table."""

    def __init__(self, template: tpl.Template):
        self.template = template
        self.t2_cols = _t2_row_cols(template)  # row → its columns (not to be changed)
        self.t2_header: list[str] = []  # table 二 column codes in the order the header gives
        self.t3_header: list[tuple[str, int | None]] = []  # (column code, grid column)
        self.t3_order = T3_ORDER
        self.t3_seen_row = False  # a data row of table 三 was met: its header is over

    def note(self, core: str, column: int | None = None) -> bool:
        """Record a column header (with its column number in a row, when known); True when
        the text is a header of tables 二 or 三."""
        if not self.t3_seen_row and core in T3_COL_CORES:
            self.t3_header.append((T3_COL_CORES[core], column))
            pos = {code: (col if col is not None else -1, i)
                   for i, (code, col) in enumerate(self.t3_header)}
            if _TOTAL in pos and _NATURAL in pos:
                (tc, ti), (nc, ni) = pos[_TOTAL], pos[_NATURAL]
                total_first = tc < nc if tc >= 0 and nc >= 0 else ti < ni
                self.t3_order = T3_ORDER_TOTAL_FIRST if total_first else T3_ORDER
            return True
        if core.startswith(T2_CAPTION):
            self.t2_header = []  # a new block of table 二
            return True
        code = t2_col_code(core, self.template)
        if code is not None:
            self.t2_header.append(code)
            return True
        return core in T3_COL_CORES or is_header_word(core)

    def note_t3_line(self, core: str) -> None:
        """A whole table 三 header on one line of text: the order from the words' positions."""
        if not self.t3_seen_row and T3_NATURAL in core and T3_TOTAL in core:
            total_first = core.index(T3_TOTAL) < core.index(T3_NATURAL)
            self.t3_order = T3_ORDER_TOTAL_FIRST if total_first else T3_ORDER

    def t2_order(self, row: str) -> tuple[str, ...]:
        """Table 二's columns for a row, in the order its block's header printed them."""
        cols = self.t2_cols.get(row, ())
        if self.t2_header and sorted(self.t2_header) == sorted(cols):
            return tuple(self.t2_header)
        return cols

    def order(self, table: str, row: str) -> tuple[str, ...]:
        """The columns a data row's values stand in."""
        return self.t2_order(row) if table == "t2" else self.t3_order

    def width(self, table: str, row: str) -> int:
        """How many values a data row holds (the header's order is of the same columns)."""
        return len(self.t2_cols.get(row, ())) if table == "t2" else T3_WIDTH
