"""The HTML reader's shortcuts give what the plain code gave: a table row's cells read in one
pass (each cell's text by a chain of single children where it is one, tags looked up once),
and the markup's caps checked piece by piece instead of tag by tag.

The plain code is kept here: a row's cells all looked at for page content first, then every
cell's text by the full walk (``html._text``). So is the walk as it was before its tags were
looked up once per tag (``_KINDS``) and a row's cells read with the chain of single children
written out, spans looked up per value and rowspans noted by row. They run over generated
pages that mix what they could disagree on: cells spanning rows and columns (bad spans too,
other attributes beside them, columns far to the right), tables in cells, cells that hold
page content, chains of single children with text or white space around them, comments,
scripts, ``<br>``, unclosed tags, upper-case tags.
"""

from __future__ import annotations

import random
import re
from itertools import islice

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.read import html, limits
from gongkai.read.document import Cell, Line
from gongkai.read.pagetext import one_line


class _PlainBuilder(html._Builder):
    """The table walk as it was written first: two passes over a row's cells."""

    def table(self, table_el):
        self.flush_text()
        self.table_count += 1
        t = self.table_count
        if next(islice(table_el.iter("table"), 1, None), None) is None:
            rows = list(table_el.iter("tr"))
        else:
            rows = [tr for tr in table_el.iter("tr") if html._nearest_table(tr) is table_el]
        occupied: dict[tuple[int, int], bool] = {}
        for r, tr in enumerate(rows, start=1):
            tds = [x for x in tr if isinstance(x.tag, str) and x.tag.lower() in ("td", "th")]
            holds = [next(td.iter("table"), None) is not None for td in tds]
            if any(html._is_layout_cell(td, held) for td, held in zip(tds, holds, strict=True)
                   if len(td)):
                for td in tds:
                    self.walk_children(td)
                self.flush_text()
                continue
            cells, nested, col = [], [], 1
            for td, held in zip(tds, holds, strict=True):
                while occupied.get((r, col)):
                    col += 1
                rowspan = html._span(td.get("rowspan"))
                colspan = html._span(td.get("colspan"))
                for dr in range(1, rowspan):
                    for dc in range(colspan):
                        occupied[(r + dr, col + dc)] = True
                cells.append(Cell(html._text(td), f"table {t} row {r} col {col}"))
                col += colspan
                if held:
                    nested.extend(x for x in td.iter("table")
                                  if html._nearest_table(x.getparent()) is table_el
                                  or x.getparent() is td)
            self.lines.append(Line(cells, True, len(self.lines) + 1, 0, t))
            for inner in nested:
                self.table(inner)


class _PreviousBuilder(html._Builder):
    """The walk as it was before its tags were looked up once (``_KINDS``) and before a
    table row's cells were read with the chain of single children written out, the
    rowspans noted by row, the spans looked up per value and the column numbers made once:
    each element's tag lowered and looked up, ``_chain_text`` called, a grid position a
    key, a cell's attributes by ``keys`` then ``get``."""

    def flush_text(self):
        text = one_line("".join(self.pending_text))
        self.pending_text = []
        if text:
            n = len(self.lines) + 1
            self.lines.append(Line([Cell(text, f"paragraph {n}")], False, n))

    def table(self, table_el):
        self.flush_text()
        self.table_count += 1
        t = self.table_count
        if next(islice(table_el.iter("table"), 1, None), None) is None:
            rows = list(table_el.iter("tr"))  # no table inside: every row is its own
        else:
            rows = [tr for tr in table_el.iter("tr") if html._nearest_table(tr) is table_el]
        lines = self.lines
        occupied: dict[tuple[int, int], bool] = {}  # grid positions taken by rowspans
        for r, tr in enumerate(rows, start=1):
            # one pass over the row's cells: each cell's text (its own when it has no child
            # element, a chain of single children around one piece of text, or the full
            # walk of ``_text``) and place. A cell that holds page content (a table laid out
            # with a table) makes the whole row page flow instead: the cells made before it
            # are dropped, and the rowspans of the row are noted in ``occupied`` only once
            # the row is kept (a rowspan reaches the rows below: no cell of this row looks
            # at what it notes)
            cells = []
            spans = None  # (rowspan, colspan, col) of the row's cells that span rows
            nested = None  # the cells that hold a table
            col = 1
            where = f"table {t} row {r} col "
            layout = False
            for td in tr:
                tag = td.tag
                if tag != "td" and tag != "th" and not (
                        isinstance(tag, str) and tag.lower() in html._CELL_TAGS):
                    continue
                if occupied:
                    while occupied.get((r, col)):
                        col += 1
                n = len(td)
                if not n:
                    text = one_line(td.text)
                else:
                    text = html._chain_text(td) if n == 1 else None  # (td, th: plain tags)
                    if text is None:
                        if next(td.iter("table"), None) is not None:
                            if html._is_layout_cell(td, True):
                                layout = True
                                break
                            if nested is None:
                                nested = []
                            nested.append(td)
                        elif html._is_layout_cell(td, False):
                            layout = True
                            break
                        text = html._text(td)
                if attrs := td.keys():  # (one call: most cells have no attribute)
                    rowspan = html._span(td.get("rowspan")) if "rowspan" in attrs else 1
                    colspan = html._span(td.get("colspan")) if "colspan" in attrs else 1
                    if rowspan > 1:
                        if spans is None:
                            spans = []
                        spans.append((rowspan, colspan, col))
                    cells.append(Cell(text, where + str(col)))
                    col += colspan
                else:
                    cells.append(Cell(text, where + str(col)))
                    col += 1
            if layout:
                # a page laid out with a table: its cells hold the report itself
                for td in tr:
                    tag = td.tag
                    if tag == "td" or tag == "th" or isinstance(tag, str) and \
                            tag.lower() in html._CELL_TAGS:
                        self.walk_children(td)
                self.flush_text()
                continue
            if spans is not None:
                # the rows below that a rowspan reaches
                for rowspan, colspan, c in spans:
                    for dr in range(1, rowspan):
                        for dc in range(colspan):
                            occupied[(r + dr, c + dc)] = True
            lines.append(Line(cells, True, len(lines) + 1, 0, t))  # table_index by position
            if nested is not None:
                for td in nested:
                    for inner in [x for x in td.iter("table")
                                  if html._nearest_table(x.getparent()) is table_el
                                  or x.getparent() is td]:
                        self.table(inner)

    def walk(self, node):
        if not isinstance(node.tag, str):
            if node.tail:
                self.pending_text.append(node.tail)
            return
        tag = node.tag.lower()
        if tag in html._SKIP_TAGS:
            if node.tail:
                self.pending_text.append(node.tail)
            return
        if tag == "table":
            self.table(node)
            if node.tail:
                self.pending_text.append(node.tail)
            return
        block = tag in html._BLOCK_TAGS
        if block or tag == "br":
            self.flush_text()
        if node.text:
            self.pending_text.append(node.text)
        for child in node:
            self.walk(child)
        if block:
            self.flush_text()
        if node.tail:
            self.pending_text.append(node.tail)


def _document_with(builder, text: str):
    original = html._Builder
    html._Builder = builder
    try:
        return html.to_document(text)
    finally:
        html._Builder = original


def _plain_document(text: str):
    return _document_with(_PlainBuilder, text)


def _shape(doc):
    return ([([(c.text, c.location) for c in line.cells], line.is_row, line.lineno,
              line.table_index) for line in doc.lines], doc.title_hint, doc.notes)


_TAGS = ["p", "div", "span", "br", "td", "th", "tr", "table", "tbody", "b", "script", "style",
         "h2", "li", "o:p", "TD", "Th", "font", "strong", "!--"]
_WORDS = ["12", " 3 ", "合计", "&nbsp;", "", "\n", "a b", "一、概述", "0", "—", "  ", "\u3000"]
# attributes beside the plain spans: others, both spans, upper-case names, spans far to the
# right (columns past the made-once names), a rowspan over many rows
_OTHER_ATTRS = [' style="x"', ' class="c" colspan="2"', ' rowspan="2" colspan="3"',
                ' ROWSPAN="2"', ' Colspan="3" style="y"', ' colspan="150"', ' rowspan="7"',
                ' rowspan="2" rowspan="3"', ' colspan="+2"', ' colspan="２"', ' rowspan',
                ' x:rowspan="2"']
_CELL_BODIES = ["1", "<p><span>2</span></p>", "<p> <span> 3 </span> </p>", "<p>a</p><p>b</p>",
                "<table><tr><td>n</td></tr></table>", "<p>x</p><p>y</p><p>z</p><p>w</p>",
                "<div><p>" + "长" * 120 + "</p><p>" + "文" * 90 + "</p></div>",
                "<p>4<br>5</p>", "<p><!-- c -->6</p>", " <b>7</b> x"]


def _markup(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(0, 5 if depth < 4 else 1)):
        if rng.random() < 0.35:
            parts.append(rng.choice(_WORDS))
            continue
        tag = rng.choice(_TAGS)
        if tag == "!--":
            parts.append("<!-- c -->")
        elif tag == "br":
            parts.append(rng.choice(["<br>", "<br/>", "<BR>"]))
        else:
            attrs = ""
            if tag.lower() in ("td", "th") and rng.random() < 0.4:
                attrs = (f' rowspan="{rng.choice(["2", "3", "x", "0", " 2 "])}"'
                         if rng.random() < 0.5 else
                         f' colspan="{rng.choice(["2", "3", "abc", "9999"])}"')
            if rng.random() < 0.1:
                attrs += rng.choice(_OTHER_ATTRS)
            inner = _markup(rng, depth + 1)
            close = "" if rng.random() < 0.15 else f"</{tag}>"
            parts.append(f"<{tag}{attrs}>{inner}{close}")
    return "".join(parts)


def _table(rng: random.Random) -> str:
    rows = []
    for _ in range(rng.randint(1, 6)):
        cells = []
        for _ in range(rng.randint(1, 5)):
            x = rng.random()
            span = (f' rowspan="{rng.randint(1, 3)}"' if x < 0.15
                    else f' colspan="{rng.randint(1, 3)}"' if x < 0.3
                    else rng.choice(_OTHER_ATTRS) if x < 0.4 else "")
            body = _markup(rng, 2) if rng.random() < 0.5 else rng.choice(_CELL_BODIES)
            cells.append(f"<td{span}>{body}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def _page(seed: int) -> str:
    rng = random.Random(seed)
    body = "".join(_table(rng) if rng.random() < 0.5 else _markup(rng)
                   for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.8:
        return f"<html><head><title>t {seed}</title></head><body>{body}</body></html>"
    return body


@settings(max_examples=1500, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_tables_read_in_one_pass_as_in_two(seed):
    page = _page(seed)
    assert _shape(html.to_document(page)) == _shape(_plain_document(page))


@settings(max_examples=1500, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_the_walk_reads_as_before(seed):
    page = _page(seed)
    assert _shape(html.to_document(page)) == _shape(_document_with(_PreviousBuilder, page))


def test_the_walk_reads_the_generated_pages_as_before():
    for seed in range(3000):
        page = _page(seed)
        assert _shape(html.to_document(page)) == _shape(
            _document_with(_PreviousBuilder, page)), seed


def test_the_generated_pages_reach_every_branch():
    # the pages above hold rows laid out as page content, tables in cells, spans and plain
    # cells: the comparison is not of pages without them
    docs = [html.to_document(_page(seed)) for seed in range(400)]
    locations = [c.location for d in docs for line in d.lines for c in line.cells]
    assert any(loc.startswith("table 2") for loc in locations)
    assert any("col 4" in loc for loc in locations)
    assert any(loc.startswith("table") and int(loc.rsplit(" ", 1)[1]) >= html._COL_NAMES_MAX
               for loc in locations)
    assert sum(loc.startswith("paragraph") for loc in locations) > 100
    layout = '<table><tr><td>a</td><td><p>x</p><p>y</p><p>z</p><p>w</p></td></tr></table>'
    doc = html.to_document(layout)
    assert [line.is_row for line in doc.lines] == [False] * 5


def test_plain_tags_table_is_bounded():
    tags = "".join(f"<x{i}>{i}</x{i}>" for i in range(2 * html._PLAIN_TAGS_MAX))
    html.to_document(f"<table><tr><td>{tags}</td></tr></table>")
    assert len(html._PLAIN_TAGS) <= html._PLAIN_TAGS_MAX
    assert len(html._KINDS) <= html._PLAIN_TAGS_MAX
    spans = "".join(f'<td colspan="{i}">{i}</td>' for i in range(2 * html._SPANS_MAX))
    doc = html.to_document(f"<table><tr>{spans}</tr></table>")
    assert len(html._SPANS) <= html._SPANS_MAX
    assert _shape(doc) == _shape(_document_with(_PreviousBuilder,
                                                f"<table><tr>{spans}</tr></table>"))


_MARKUP_TOKENS = st.sampled_from([b"<table", b"<TABLE>", b"<tr>", b"<TR ", b"<td>", b"<th",
                                  b"<TD", b"<track", b"<tablex", b"<thead>", b"x", b" ",
                                  b"</td>", b"</tr>", b"</table>", b"<tdx", b"<t", b"<"])


_HTML_TAG = re.compile(rb"<(?:(table)|(tr)|(t[dh]))\b", re.IGNORECASE)


def _check_html_by_tag(data: bytes) -> None:
    """``limits.check_html`` as first written: a Python step a tag."""
    cells = rows = 0
    for m in _HTML_TAG.finditer(data):
        kind = m.lastindex
        if kind == 1:
            rows = cells = 0
        elif kind == 2:
            rows += 1
            cells = 0
            if rows > limits.MAX_ROWS_PER_TABLE:
                raise limits._too_many_rows(rows, None)
        else:
            cells += 1
            if cells > limits.MAX_CELLS_PER_ROW:
                raise limits._too_many_cells(cells, None, at_least=True)


def _outcome(check, data):
    try:
        check(data)
    except limits.LimitExceeded as exc:
        return exc.args, exc.location
    return None


@settings(max_examples=3000)
@given(st.lists(_MARKUP_TOKENS, max_size=60).map(b"".join))
def test_html_caps_checked_by_pieces_as_by_tags(data):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(limits, "MAX_ROWS_PER_TABLE", 4)
        mp.setattr(limits, "MAX_CELLS_PER_ROW", 3)
        assert _outcome(limits.check_html, data) == _outcome(_check_html_by_tag, data)
    assert _outcome(limits.check_html, data) == _outcome(_check_html_by_tag, data)
