"""Plain text and Markdown (page text, PDF-to-text) → Document.

Each source line becomes a row (tab-separated, ` | `-separated, Markdown pipe rows, or a
PDF-text line of a label followed by whitespace-separated numbers) or a text line (one cell
per line, with or without a trailing ` |`).  Lines of bare pipes become empty rows (row
breaks); page footers (`— 4 —`, `- 4 -`, `第 4 页`) and Markdown rules are dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from gongkai.read.document import Cell, Document, Line
from gongkai.read.limits import TEXT_CACHE
from gongkai.read.pagetext import is_page_footer, split_trailing_numbers
from gongkai.read.values import is_blank_marker, looks_numeric

_MD_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BARE_PIPES = re.compile(r"^\s*\|+\s*$")  # "|||": no cells between the pipes
_LEADING_PIPE = re.compile(r"^\|\s?")
_TRAILING_PIPE = re.compile(r"\s*\|\s*$")


def _pipe_cells(s: str) -> list[str] | None:
    """The cells of a pipe row (``a | b | c``, ``| a | b |``), or None; ``s`` is the line
    stripped of white space at both ends."""
    if "|" not in s:
        return None
    if s.startswith("|"):  # _LEADING_PIPE: the pipe and one white space character after it
        s = s[2:] if s[1:2].isspace() else s[1:]
    s = _without_trailing_pipe(s)
    if "|" not in s:
        return None
    return [c.strip() for c in s.split("|")]


def _without_trailing_pipe(s: str) -> str:
    """``_TRAILING_PIPE.sub("", s)`` for a text that does not end in white space (``\\s``
    and ``str.isspace`` are the same characters): its last pipe and the white space before
    it, when it ends in a pipe."""
    return s[:-1].rstrip() if s.endswith("|") else s


# the first character a page footer may start with after its white space (or a digit)
_FOOTER_START = frozenset("—-–－―─~第")


_GRID_BORDER = re.compile(r"^\s*\+[-=:]+(\+[-=:]+)*\+\s*$")


def _grid_rows(raw_lines: list[str]) -> dict[int, list[str] | None]:
    """Pandoc grid tables (+---+ borders, cells wrapped over several lines): line index →
    the merged cells of the row starting there, or None for the row's other lines and borders."""
    out: dict[int, list[str] | None] = {}
    i = 0
    while i < len(raw_lines):
        if not _GRID_BORDER.match(raw_lines[i]):
            i += 1
            continue
        out[i] = None
        j = i + 1
        while j < len(raw_lines) and raw_lines[j].lstrip().startswith("|"):
            j += 1
        block = raw_lines[i + 1:j]
        if block and j < len(raw_lines) and _GRID_BORDER.match(raw_lines[j]):
            parts = [[c.strip() for c in b.strip().strip("|").split("|")] for b in block]
            if len({len(p) for p in parts}) == 1:
                out[i + 1] = ["".join(p[k] for p in parts) for k in range(len(parts[0]))]
                for k in range(i + 2, j):
                    out[k] = None
        i = j if j > i + 1 else i + 1
    return out


# what a source line is, by its text alone (see ``_read_line``; compared by identity)
_GAP = "gap"  # a blank line
_SPACE = "space"  # a blank line holding a space or &nbsp; (an empty cell on some pages)
_DROPPED = "dropped"  # a page footer or a Markdown rule
_BARE = "bare"  # a line of bare pipes: (_BARE, how many)
_ROW = "row"  # a row: (_ROW, its cells' texts)
_TEXT = "text"  # a text line: (_TEXT, its text, whether it ended in a pipe)
_NOTHING = "nothing"  # a line that leaves nothing (a lone trailing pipe)

# lines up to this long have their kind kept (``_cached_line_kind``): the lines of a table
# repeat within a report and across reports; prose lines are longer and do not
LINE_KIND_CACHED_CHARS = 200


def _read_line(raw: str) -> tuple:
    """What a source line is (one of the kinds above, with what it holds), from its text
    alone: the same line reads the same wherever it stands, so the short ones are kept
    (``_cached_line_kind``)."""
    line = raw.replace("\u3000", " ").rstrip(" \r\n")
    stripped = line.strip()
    if not stripped:
        return (_SPACE,) if raw.strip("\r\n") else (_GAP,)
    first = stripped[0]
    if (first in _FOOTER_START or first.isdigit()) and is_page_footer(line):
        return (_DROPPED,)
    has_pipe = "|" in line
    if "-" in line and _MD_RULE.match(line):
        return (_DROPPED,)
    # _BARE_PIPES (the line holds no line break: splitlines cut there)
    if has_pipe and not stripped.strip("|"):
        return _BARE, line.count("|")
    cells: list[str] | None = None
    if "\t" in line:
        cells = [c.strip() for c in line.split("\t")]
        filled = [i for i, c in enumerate(cells) if c]
        if len(filled) == 1 and filled != [0] and not looks_numeric(cells[filled[0]]):
            cells = None  # an indented paragraph or heading, not a row
    if cells is None and has_pipe:
        cells = _pipe_cells(stripped)
    if cells is None:
        body = _without_trailing_pipe(stripped) if has_pipe else stripped
        split = split_trailing_numbers(body)
        if split is not None:
            cells = split
        else:
            # the text is stripped at both ends already
            if body or is_blank_marker(body):
                return _TEXT, body, has_pipe and stripped.endswith("|")
            return (_NOTHING,)
    return _ROW, tuple(cells)


_cached_line_kind = lru_cache(maxsize=TEXT_CACHE)(_read_line)


def to_document(text: str, *, fmt: str = "text", encoding: str | None = None) -> Document:
    """Turn decoded text into a Document of rows and text lines."""
    lines: list[Line] = []
    gap = 0
    raw_lines = text.splitlines()
    spaces_only: list[tuple[int, int]] = []  # (position in lines, line number) of ' ' lines
    grid = _grid_rows(raw_lines) if "+-" in text or "+=" in text else {}
    # names read once a document, not once a line
    append, cached_kind, cached_chars = lines.append, _cached_line_kind, LINE_KIND_CACHED_CHARS
    # what the checks after the loop count, counted as the lines are made: text lines, the
    # gaps of one and of no blank line before the text lines after the first
    # (blank_separated); text lines ending in a pipe, lines of one bare pipe after a text
    # line without its pipe, rows of two cells with text (_cells_on_lines_of_their_own)
    n_text = gaps_one = gaps_none = piped = closed = rows = 0
    open_before = False
    for lineno, raw in enumerate(raw_lines, start=1):
        if grid and lineno - 1 in grid:
            merged = grid[lineno - 1]
            if merged is not None:
                row = [Cell(c, f"line {lineno} col {i}") for i, c in enumerate(merged, start=1)]
                append(Line(row, True, lineno, gap))
                gap = 0
                open_before = False
                if len(merged) - merged.count("") >= 2:
                    rows += 1
            continue
        # the kind of a short line from the cache
        read = cached_kind(raw) if len(raw) <= cached_chars else _read_line(raw)
        kind = read[0]
        if kind is _TEXT:
            # (table_index None, bare_pipes 0, pipe_end) given by position: a dataclass's
            # __init__ takes keywords at twice the cost, and most lines are text lines
            pipe_end = read[2]
            append(Line([Cell(read[1], f"line {lineno}")], False, lineno, gap, None, 0, pipe_end))
            if n_text:
                if gap == 1:
                    gaps_one += 1
                elif gap == 0:
                    gaps_none += 1
            n_text += 1
            if pipe_end:
                piped += 1
            open_before = not pipe_end
            gap = 0
        elif kind is _ROW:
            loc = f"line {lineno} col "
            cells = read[1]
            append(Line([Cell(c, loc + str(i)) for i, c in enumerate(cells, start=1)], True,
                        lineno, gap))
            gap = 0
            open_before = False
            if len(cells) - cells.count("") >= 2:
                rows += 1
        elif kind is _GAP:
            gap += 1
        elif kind is _SPACE:  # a line holding only a space or &nbsp;
            gap += 1
            spaces_only.append((len(lines), lineno))
        elif kind is _BARE:
            lines.append(Line([], True, lineno, gap, None, read[1]))  # bare_pipes by position
            gap = 0
            if open_before and read[1] == 1:
                closed += 1
            open_before = False
        elif kind is _NOTHING:
            gap = 0
        # _DROPPED: page footers and Markdown rules leave the gap before them as it is
    counted = True  # the counts above are those of the lines
    if text and not text.endswith(("\n", "\r")) and lines and lines[-1].cells \
            and looks_numeric(lines[-1].cells[-1].text):
        # the text stops inside its last line (a page cut off after so many bytes): the number
        # it stops on may be cut short ('1' of '12'), so it is not read
        last = lines.pop()
        if len(last.cells) > 1:
            lines.append(Line(last.cells[:-1], last.is_row, last.lineno, last.gap_before))
        counted = False  # (a last line changed: the lines are counted again below)
    # every line that _cells_on_lines_of_their_own counts (a text line ending in a pipe, a
    # line of one bare pipe) holds a pipe: a text of fewer than five pipes is not such a page
    # (it returns False before it changes a line); from the counts, any other page that is
    # not such a page (its own first test)
    may_be_cell_page = text.count("|") >= PIPES_OF_CELL_PAGES and (
        not counted or max(piped, closed) >= 5 and rows < max(piped, closed))
    pipes_close_cells = may_be_cell_page and _cells_on_lines_of_their_own(lines)
    if may_be_cell_page or not counted:
        # lines changed (a last line, or cells split from their padding): counted again
        text_lines = [ln for ln in lines if not ln.is_row]
        n_text = len(text_lines)
        gaps = [ln.gap_before for ln in text_lines[1:]]
        gaps_one, gaps_none = gaps.count(1), gaps.count(0)
    blank_separated = n_text > 5 and gaps_one >= 0.6 * (n_text - 1) and gaps_none <= 0.1 * n_text
    # a line holding only a space or &nbsp; is an empty cell (not after the last line with
    # text: nothing follows there): on a page with no blank lines between cells, any such
    # line; where blank lines separate the cells, one that stands between blank lines itself
    for pos, lineno in reversed(spaces_only):
        alone = 1 < lineno < len(raw_lines) and not raw_lines[lineno - 2].strip() \
            and not raw_lines[lineno].strip()
        if pos < len(lines) and (not blank_separated or alone):
            lines.insert(pos, Line([Cell("", f"line {lineno}")], False, lineno, 0))
    return Document(lines, fmt, encoding, blank_separated=blank_separated,
                    pipes_close_cells=pipes_close_cells)


# the fewest pipes of a page _cells_on_lines_of_their_own may tell (five lines it counts, each
# holding a pipe: its own test below)
PIPES_OF_CELL_PAGES = 5


def _cells_on_lines_of_their_own(lines: list[Line]) -> bool:
    """Portal page text of an HTML table printed one cell per line, with pipes on the lines.

    Two ways are met: each cell ends in ' |' (an empty cell is a bare '|' line; the last cell
    of a row may carry the row's padding, 'x | ||'), or each cell is followed by a lone '|'
    line (the pipe closes the cell; a '|' right after another '|' is an empty cell).  On such
    a page a line 'x | ||' is one cell and its padding, not a row of three cells: it is split
    into the cell and a line of bare pipes here.  Returns True for the second way.
    """
    piped_cells = rows = closed_by_next = 0
    open_before = False  # the line before is a text line without its closing pipe
    for ln in lines:
        if open_before and ln.bare_pipes == 1:
            closed_by_next += 1
        if ln.is_row:
            open_before = False
            cells = ln.cells
            # at least two cells with text (a cell's text is a str: '' when empty)
            if len(cells) >= 2 and len(cells) - [c.text for c in cells].count("") >= 2:
                rows += 1
        else:
            open_before = not ln.pipe_end
            if ln.pipe_end:
                piped_cells += 1
    if max(piped_cells, closed_by_next) < 5 or rows >= max(piped_cells, closed_by_next):
        return False
    for i, ln in enumerate(lines):
        if ln.is_row and ln.cells and ln.cells[0].text and not any(c.text for c in ln.cells[1:]):
            cell = Cell(ln.cells[0].text, f"line {ln.lineno}")
            lines[i] = Line([cell], False, ln.lineno, ln.gap_before, pipe_end=True)
            lines.insert(i + 1, Line([], True, ln.lineno, 0, bare_pipes=len(ln.cells) - 1))
    return closed_by_next > piped_cells

