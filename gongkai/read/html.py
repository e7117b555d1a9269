"""HTML pages → Document.

Every ``<tr>`` becomes a row of its own ``<td>``/``<th>`` cells — a cell spanning columns
(``colspan``) or rows (``rowspan``) is kept once, where it is written, so a value is never
repeated.  Paragraphs, headings, list items and ``<br>``-separated text become text lines.
Tables nested in a cell follow the row that holds them.  ``&nbsp;`` is blank.
"""

from __future__ import annotations

import re
from itertools import islice

from lxml import etree

from gongkai.read.document import Cell, Document, Line
from gongkai.read.pagetext import one_line

_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article",
               "header", "footer", "blockquote", "pre", "center", "dd", "dt", "caption"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "head"}


_NOT_PLAIN = _SKIP_TAGS | {"table", "br"}
_CELL_TAGS = frozenset(("td", "th"))


# whether an element's tag is a plain one (an element, not a comment, of no tag in
# _NOT_PLAIN: ``isinstance(tag, str) and tag.lower() not in _NOT_PLAIN``), kept per tag: a
# page has a handful of tags (a page of many made-up tag names fills the table, and the
# tags past its size are looked at each time)
_PLAIN_TAGS: dict = {}
_PLAIN_TAGS_MAX = 512

# a cell's column number as written in its location (``str(col)``), made once
_COL_NAMES_MAX = 128
_COL_NAMES = tuple(str(i) for i in range(_COL_NAMES_MAX))


# what the page walk does with an element, by its tag (the tag lowered and looked up in the
# sets above), kept per tag and bounded as ``_PLAIN_TAGS``
_INLINE, _BLOCK, _BR, _SKIP, _TABLE = range(5)
_KINDS: dict = {}


def _kind(tag) -> int:
    if not isinstance(tag, str):
        kind = _SKIP  # a comment or processing instruction
    else:
        lower = tag.lower()
        kind = (_SKIP if lower in _SKIP_TAGS else _TABLE if lower == "table"
                else _BLOCK if lower in _BLOCK_TAGS else _BR if lower == "br" else _INLINE)
    if len(_KINDS) < _PLAIN_TAGS_MAX:
        _KINDS[tag] = kind
    return kind


def _plain(tag) -> bool:
    plain = _PLAIN_TAGS.get(tag)
    if plain is None:
        plain = isinstance(tag, str) and tag.lower() not in _NOT_PLAIN
        if len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
            _PLAIN_TAGS[tag] = plain
    return plain


def _lone_text(el) -> str | None:
    """The text of an element that is a chain of single children holding one piece of text
    (``<td><p><span>12</span></p></td>``), or None when it is not such a chain.

    Every other piece of text (the text before a child, a child's tail) is white space, and
    the spaces that block ends add stand beside it: after ``one_line`` the text is that of
    the one piece, as the full walk of ``_text`` gives it."""
    if not _plain(el.tag):
        return None
    return _chain_text(el)


def _chain_text(node) -> str | None:
    """``_lone_text`` of an element of a plain tag."""
    while True:
        children = len(node)
        if not children:
            return one_line(node.text)
        text = node.text
        if children > 1 or text and not text.isspace():
            return None
        node = node[0]
        tag = node.tag
        if tag != "p" and tag != "span" and not _plain(tag):  # (p, span: the commonest, plain)
            return None
        tail = node.tail
        if tail and not tail.isspace():
            return None


def _text(el) -> str:
    lone = _lone_text(el)  # most table cells: their own text, or a chain of one child
    if lone is not None:
        return lone
    parts: list[str] = []

    def walk(node):
        if not isinstance(node.tag, str):
            if node.tail:
                parts.append(node.tail)
            return
        tag = node.tag.lower()
        if tag in _SKIP_TAGS or tag == "table":
            if node.tail and node is not el:
                parts.append(node.tail)
            return
        if tag == "br":
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if tag in _BLOCK_TAGS:
            parts.append(" ")
        if node is not el and node.tail:
            parts.append(node.tail)

    walk(el)
    return one_line("".join(parts))


class _Builder:
    def __init__(self):
        self.lines: list[Line] = []
        self.table_count = 0
        self.pending_text: list[str] = []

    def flush_text(self):
        pending = self.pending_text
        if not pending:  # (most block ends: nothing since the last)
            return
        self.pending_text = []
        text = " ".join("".join(pending).split())  # (one_line)
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
            rows = [tr for tr in table_el.iter("tr") if _nearest_table(tr) is table_el]
        lines = self.lines
        occupied: dict[int, set[int]] = {}  # a row's columns taken by rowspans above it
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
            taken = occupied.pop(r, None) if occupied else None  # (no later row looks at r)
            for td in tr:
                tag = td.tag
                if tag != "td" and tag != "th" and not (
                        isinstance(tag, str) and tag.lower() in _CELL_TAGS):
                    continue
                if taken is not None:
                    while col in taken:
                        col += 1
                n = len(td)
                if not n:
                    text = td.text  # (one_line, written out: most cells are this one)
                    text = " ".join(text.split()) if text else ""
                else:
                    text = _chain_text(td) if n == 1 else None  # (td, th: plain tags)
                    if text is None:
                        if next(td.iter("table"), None) is not None:
                            if _is_layout_cell(td, True):
                                layout = True
                                break
                            if nested is None:
                                nested = []
                            nested.append(td)
                        elif _is_layout_cell(td, False):
                            layout = True
                            break
                        text = _text(td)
                cells.append(Cell(text, where + (
                    _COL_NAMES[col] if col < _COL_NAMES_MAX else str(col))))
                if attrs := td.items():  # (one call, names and values: most cells have none)
                    rowspan = colspan = 1  # (no such attribute: td.get gives None, a span of 1)
                    for name, value in attrs:
                        if name == "rowspan":
                            rowspan = _SPANS.get(value) or _span_of(value)
                        elif name == "colspan":
                            colspan = _SPANS.get(value) or _span_of(value)
                    if rowspan > 1:
                        if spans is None:
                            spans = []
                        spans.append((rowspan, colspan, col))
                    col += colspan
                else:
                    col += 1
            if layout:
                # a page laid out with a table: its cells hold the report itself
                for td in tr:
                    tag = td.tag
                    if tag == "td" or tag == "th" or isinstance(tag, str) and \
                            tag.lower() in _CELL_TAGS:
                        self.walk_children(td)
                self.flush_text()
                continue
            if spans is not None:
                # the rows below that a rowspan reaches
                for rowspan, colspan, c in spans:
                    for below in range(r + 1, r + rowspan):
                        row_taken = occupied.get(below)
                        if row_taken is None:
                            row_taken = occupied[below] = set()
                        row_taken.update(range(c, c + colspan))
            lines.append(Line(cells, True, len(lines) + 1, 0, t))  # table_index by position
            if nested is not None:
                for td in nested:
                    for inner in [x for x in td.iter("table")
                                  if _nearest_table(x.getparent()) is table_el
                                  or x.getparent() is td]:
                        self.table(inner)

    def walk_children(self, node):
        """Walk an element's content as page flow (not as one cell)."""
        self.flush_text()
        if node.text:
            self.pending_text.append(node.text)
        for child in node:
            self.walk(child)
        self.flush_text()

    def walk(self, node):
        kind = _KINDS.get(tag := node.tag)
        if kind is None:
            kind = _kind(tag)
        if kind == _SKIP:  # (a comment too: its text is not the page's)
            if text := node.tail:
                self.pending_text.append(text)
            return
        if kind == _TABLE:
            self.table(node)
            if text := node.tail:
                self.pending_text.append(text)
            return
        if kind != _INLINE:  # a block or <br>
            self.flush_text()
        if text := node.text:
            self.pending_text.append(text)
        for child in node:
            self.walk(child)
        if kind == _BLOCK:
            self.flush_text()
        if text := node.tail:
            self.pending_text.append(text)


def _is_layout_cell(td, holds_table: bool) -> bool:
    """True for a table cell that holds page content (nested tables, several paragraphs);
    ``holds_table``: a table stands inside the cell."""
    if holds_table and len(td.xpath(".//p|.//div|.//h1|.//h2|.//h3")) >= 2:
        return True
    if len(td) < 2:
        return False  # fewer than two children: fewer than two blocks
    blocks = [c for c in td if isinstance(c.tag, str) and c.tag.lower() in _BLOCK_TAGS]
    return len(blocks) >= 4 or (len(blocks) >= 2 and len(_text(td)) > 200)


# a rowspan / colspan attribute's value and its span (``_span``), kept per value:
# a page writes a handful (a page of many made-up values fills the table, and the values
# past its size are worked out each time)
_SPANS: dict = {}
_SPANS_MAX = 256


def _span_of(value) -> int:
    span = _span(value)
    if len(_SPANS) < _SPANS_MAX:
        _SPANS[value] = span
    return span


def _span(value) -> int:
    if value is None:  # no rowspan / colspan attribute
        return 1
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1


def _nearest_table(el):
    while el is not None and not (isinstance(el.tag, str) and el.tag.lower() == "table"):
        el = el.getparent()
    return el


def to_document(text: str, *, encoding: str | None = None) -> Document:
    """Turn decoded HTML into a Document of table rows and text lines."""
    # lxml.etree's own parser: the tree lxml.html builds, without the Python element-class
    # lookup lxml.html runs for every element touched (none of its methods is used here)
    parser = etree.HTMLParser(recover=True, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(text or "<html></html>", parser)
        if root is None:
            raise etree.ParserError("Document is empty")
    except etree.ParserError:  # nothing but whitespace, comments or junk
        doc = Document([], "html", encoding)
        doc.notes.append(("empty_document", "error", "网页中没有可读取的内容",
                          "the HTML page holds no readable content", None))
        return doc
    title_el = root.find(".//title")
    title = _text(title_el) if title_el is not None else None
    body = root.find("body")
    builder = _Builder()
    builder.walk(body if body is not None else root)
    builder.flush_text()
    return Document(builder.lines, "html", encoding, title_hint=title)


def looks_like_html(data: bytes) -> bool:
    """True when the bytes start like an HTML page or fragment."""
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or bool(
        re.search(rb"<(table|body|html|div|p)[\s>]", head))


__all__ = ["to_document", "looks_like_html"]
