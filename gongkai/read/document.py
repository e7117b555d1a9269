"""The common shape every format is turned into before its tables are read.

A ``Document`` is the report as an ordered list of ``Line``s.  A line is either a *row*
(cells whose positions mean something: a tab- or pipe-separated line, an HTML/Word/PDF
table row, a spreadsheet row) or a *text* line (one piece of text: a paragraph, a heading,
or one cell of a page that prints one cell per line).  Every cell keeps its location, so
every number read from it can be traced back to the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


@dataclass
class Cell:
    """One piece of text with its location (``line 12 col 3``, ``table 2 row 4 col 5`` …)."""

    text: str
    location: str


@dataclass
class Line:
    """A row of cells (``is_row``) or a single text line, with a blank-line gap before it."""

    cells: list[Cell]
    is_row: bool
    lineno: int | None = None  # 1-based source line (text formats) or a running number
    gap_before: int = 0  # blank lines right before this one (text formats)
    table_index: int | None = None  # the table a row belongs to (HTML, DOCX, PDF, XLSX)
    bare_pipes: int = 0  # a line of k bare pipes ('|||'): k empty cells of a cell-per-line page
    pipe_end: bool = False  # a text line that ended in ' |' (the cell's own closing pipe)

    @cached_property
    def text(self) -> str:
        """The line's text (cells joined by a space)."""
        return " ".join(c.text for c in self.cells).strip()


@dataclass
class Document:
    """A report as lines, with what was learnt about the file on the way."""

    lines: list[Line]
    format: str
    encoding: str | None = None
    title_hint: str | None = None  # e.g. an HTML <title>
    blank_separated: bool = False  # text lines are separated by single blank lines
    # one cell per line with a lone '|' line after each cell: that pipe closes the cell above
    # it, and only a '|' right after another one is an empty cell
    pipes_close_cells: bool = False
    notes: list[tuple[str, str, str, str, str | None]] = field(default_factory=list)
    # notes: (code, severity, zh, en, location) parse issues found while building
