"""Word (.docx) files → Document.

The body is walked in order, so paragraphs and tables interleave as they do on the page.
Every paragraph becomes a text line (``paragraph N``: its position among the body's
paragraphs); a paragraph laid out with tabs (``规章<tab>0<tab>0``) becomes a row, as in a
tab-separated text file.  Every table row becomes a row of its cells (``table T row R col
C``, C the cell's first grid column).  Word stores a merged cell once: a cell spanning
columns (``gridSpan``) is one cell, and the continuation of a vertical merge (``vMerge``)
is an empty cell, so a value is never repeated (python-docx's ``row.cells`` repeats the
merged cell in every grid position it covers; the XML is read directly to avoid that).
Tables nested in a cell follow the row that holds them, as in the HTML reader.

Word list numbering (a heading numbered ``一、`` or a row label numbered ``1．`` by the list
it belongs to, not by its text) is rendered back into the text, so labels read as printed.
Text inside deleted revisions, field codes and the fallback copy of alternate content is
not read.  The archive is checked before it is opened (see ``archive``).
"""

from __future__ import annotations

import io
import re

from gongkai.read.archive import UnsafeArchive, open_zip
from gongkai.read.document import Cell, Document, Line
from gongkai.read.pagetext import one_line
from gongkai.read.values import looks_numeric

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TXBX = _W + "txbxContent"
_MAX_LINES = 200_000


def _tag(el) -> str:
    tag = el.tag
    return tag if isinstance(tag, str) else ""


def _run_text(el) -> str:
    """The visible text under an element: w:t, tabs and breaks; not nested tables, text
    boxes, alternate-content fallbacks or deleted text."""
    parts: list[str] = []

    def walk(node):
        for child in node:
            tag = _tag(child)
            if tag in (_W + "tbl", _TXBX, _MC_FALLBACK, _W + "del", _W + "delText",
                       _W + "moveFrom", _W + "instrText"):
                continue
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag == _W + "tab":
                parts.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            elif tag == _W + "p" and parts:
                parts.append("\n")
                walk(child)
                continue
            walk(child)

    walk(el)
    return "".join(parts)


def _children(el, tag: str):
    """Direct children with a tag, looking through content controls (w:sdt) and custom XML."""
    for child in el:
        t = _tag(child)
        if t == tag:
            yield child
        elif t == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _children(content, tag)
        elif t == _W + "customXml":
            yield from _children(child, tag)


def _int_attr(el, path: str, default: int) -> int:
    node = el.find(path)
    if node is None:
        return default
    try:
        return max(0, min(int(node.get(_W + "val", default)), 1000))
    except (TypeError, ValueError):
        return default


_CN_DIGITS = "〇一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _chinese(n: int) -> str:
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if not tens:
        return _CN_DIGITS[ones]
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
               "japaneseCounting", "taiwaneseCounting", "taiwaneseCountingThousand"):
        return _chinese(n)
    if fmt == "ideographDigital":
        return "".join(_CN_DIGITS[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10]
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


class _Numbering:
    """Word list numbering: the text a numbered paragraph shows before its own text."""

    def __init__(self, word):
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # numId → ilvl → (start, fmt, text)
        self.style_num: dict[str, tuple[str, int]] = {}  # paragraph style id → (numId, ilvl)
        self.counters: dict[str, dict[int, int]] = {}
        try:
            numbering = word.part.numbering_part.element
        except Exception:  # noqa: BLE001 - no numbering part: nothing is numbered
            return
        abstract = {}
        for node in numbering.findall(_W + "abstractNum"):
            lvls = {}
            for lvl in node.findall(_W + "lvl"):
                ilvl = int(lvl.get(_W + "ilvl", "0") or 0)
                start = _int_attr(lvl, _W + "start", 1)
                fmt = lvl.find(_W + "numFmt")
                text = lvl.find(_W + "lvlText")
                lvls[ilvl] = (start, fmt.get(_W + "val", "decimal") if fmt is not None else
                              "decimal", text.get(_W + "val", "") if text is not None else "")
            abstract[node.get(_W + "abstractNumId")] = lvls
        for num in numbering.findall(_W + "num"):
            ref = num.find(_W + "abstractNumId")
            lvls = dict(abstract.get(ref.get(_W + "val") if ref is not None else None, {}))
            for override in num.findall(_W + "lvlOverride"):
                ilvl = int(override.get(_W + "ilvl", "0") or 0)
                start = override.find(_W + "startOverride")
                if start is not None and ilvl in lvls:
                    lvls[ilvl] = (_int_attr(override, _W + "startOverride", 1),) + lvls[ilvl][1:]
            self.levels[num.get(_W + "numId")] = lvls
        try:
            styles = word.styles.element
        except Exception:  # noqa: BLE001 - no styles part
            return
        based: dict[str, str] = {}
        direct: dict[str, tuple[str, int]] = {}
        for style in styles.findall(_W + "style"):
            sid = style.get(_W + "styleId")
            parent = style.find(_W + "basedOn")
            if parent is not None:
                based[sid] = parent.get(_W + "val")
            num = style.find(f"{_W}pPr/{_W}numPr")
            if num is not None:
                num_id = num.find(_W + "numId")
                if num_id is not None:
                    direct[sid] = (num_id.get(_W + "val"), _int_attr(num, _W + "ilvl", 0))
        for sid in list(based) + list(direct):
            seen, cur = set(), sid
            while cur and cur not in direct and cur not in seen:
                seen.add(cur)
                cur = based.get(cur)
            if cur in direct:
                self.style_num[sid] = direct[cur]

    def prefix(self, p) -> str:
        """The list number a paragraph shows (``一、``, ``1．``, ``（三）``), or ''."""
        if not self.levels:
            return ""
        num_pr = p.find(f"{_W}pPr/{_W}numPr")
        num_id, ilvl = None, 0
        style = p.find(f"{_W}pPr/{_W}pStyle")
        if style is not None and style.get(_W + "val") in self.style_num:
            num_id, ilvl = self.style_num[style.get(_W + "val")]
        if num_pr is not None:
            node = num_pr.find(_W + "numId")
            if node is not None:
                num_id = node.get(_W + "val")
            ilvl = _int_attr(num_pr, _W + "ilvl", ilvl)
        lvls = self.levels.get(num_id) if num_id not in (None, "0") else None
        if not lvls or ilvl not in lvls:
            return ""
        counters = self.counters.setdefault(num_id, {})
        start = lvls[ilvl][0]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        text = lvls[ilvl][2]

        def level_text(m):
            k = int(m.group(1)) - 1
            if k not in lvls:
                return ""
            return _format_number(counters.get(k, lvls[k][0]), lvls[k][1])

        return re.sub(r"%(\d)", level_text, text)


class _Builder:
    def __init__(self, numbering: _Numbering | None = None):
        self.numbering = numbering
        self.lines: list[Line] = []
        self.tables = 0
        self.paragraphs = 0
        self.truncated = False

    def _add(self, line: Line) -> None:
        if len(self.lines) >= _MAX_LINES:
            self.truncated = True
            return
        self.lines.append(line)

    def paragraph(self, p) -> None:
        self.paragraphs += 1
        n = self.paragraphs
        raw = self._numbered(p)
        if "\t" in raw:
            cells = [one_line(c) for c in raw.split("\t")]
            filled = [c for c in cells if c]
            if len(filled) >= 2 and any(looks_numeric(c) for c in filled):
                row = [Cell(c, f"paragraph {n} col {i}") for i, c in enumerate(cells, start=1)]
                self._add(Line(row, True, len(self.lines) + 1))
                return
        text = one_line(raw)
        if text:
            self._add(Line([Cell(text, f"paragraph {n}")], False, len(self.lines) + 1))

    def _numbered(self, p) -> str:
        text = _run_text(p)
        prefix = self.numbering.prefix(p) if self.numbering else ""
        return prefix + text if prefix and text.strip() else text

    def table(self, tbl) -> None:
        self.tables += 1
        t = self.tables
        for r, tr in enumerate(_children(tbl, _W + "tr"), start=1):
            col = 1 + _int_attr(tr, f"{_W}trPr/{_W}gridBefore", 0)
            cells: list[Cell] = []
            nested = []
            for tc in _children(tr, _W + "tc"):
                span = max(1, _int_attr(tc, f"{_W}tcPr/{_W}gridSpan", 1))
                vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
                continuation = vmerge is not None and vmerge.get(_W + "val", "continue") == "continue"
                location = f"table {t} row {r} col {col}"
                if continuation:
                    cells.append(Cell("", location))
                else:
                    paras = [one_line(self._numbered(p)) for p in _children(tc, _W + "p")]
                    cells.append(Cell(" ".join(x for x in paras if x), location))
                    nested.extend(_children(tc, _W + "tbl"))
                col += span
            self._add(Line(cells, True, len(self.lines) + 1, table_index=t))
            for inner in nested:
                self.table(inner)

    def body(self, body) -> None:
        for child in body:
            tag = _tag(child)
            if tag == _W + "p":
                self.paragraph(child)
            elif tag == _W + "tbl":
                self.table(child)
            elif tag == _W + "sdt":
                content = child.find(_W + "sdtContent")
                if content is not None:
                    self.body(content)
            elif tag == _W + "customXml":
                self.body(child)


def to_document(data: bytes, name: str) -> Document:
    """Turn a .docx file into a Document; problems are reported in ``doc.notes``."""
    try:
        open_zip(data, name, "docx")
    except UnsafeArchive as exc:
        return Document([], "docx", notes=[(exc.code, "error", exc.message_zh, exc.message_en, name)])
    try:
        import docx  # python-docx

        word = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - a damaged package must become an issue
        return Document([], "docx", notes=[(
            "corrupt_file", "error", f"Word 文件已损坏或不是 Word 文档，无法打开（{name}）",
            f"the Word file {name} is damaged or not a Word document: {type(exc).__name__}: {exc}",
            name)])
    try:
        numbering = _Numbering(word)
    except Exception:  # noqa: BLE001 - odd numbering must not cost the document's text
        numbering = None
    builder = _Builder(numbering)
    builder.body(word.element.body)
    notes = []
    if builder.truncated:
        notes.append(("document_truncated", "warning",
                      f"文件内容过长，只读取了前 {_MAX_LINES} 行（{name}）",
                      f"{name}: very long document; only the first {_MAX_LINES} lines were read",
                      name))
    title = None
    try:
        title = (word.core_properties.title or "").strip() or None
    except Exception:  # noqa: BLE001 - bad metadata is not worth failing for
        title = None
    return Document(builder.lines, "docx", title_hint=title, notes=notes)


__all__ = ["to_document"]
