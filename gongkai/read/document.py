"""The common shape every format is turned into before its tables are read.

A ``Document`` is the report as an ordered list of ``Line``s.  A line is either a *row*
(cells whose positions mean something: a tab- or pipe-separated line, an HTML/Word/PDF
table row, a spreadsheet row) or a *text* line (one piece of text: a paragraph, a heading,
or one cell of a page that prints one cell per line).  Every cell keeps its location, so
every number read from it can be traced back to the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class _computed_once:  # noqa: N801  (used like ``functools.cached_property``)
    """``functools.cached_property`` without its lock (Python 3.11 takes one on every first
    read, a third of the cost for a line): the value is computed on first read and kept in
    the instance, where later reads find it without calling this."""

    def __init__(self, func):
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


@dataclass(slots=True)
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

    @_computed_once
    def text(self) -> str:
        """The line's text (cells joined by a space)."""
        cells = self.cells
        if len(cells) == 1:
            return cells[0].text.strip()
        return " ".join(c.text for c in cells).strip()


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
