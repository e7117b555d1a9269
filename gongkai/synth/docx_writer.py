"""Write a generated report as a Word file (.docx), the way townships file them.

Section headings are sometimes numbered by a Word list (``一、`` shown by Word, not typed),
as in real submissions.  Tables are real Word tables with merged cells where the national template merges them (the
group labels of table 三, the column headers of tables 三 and 四, the 第二十条 item rows of
table 二), made with python-docx's ``merge`` so the file holds ``gridSpan``/``vMerge`` as
Word writes them.  Headings use Word's heading styles; some reports put table 四 inside a
one-cell frame table (a nested table), as seen in real submissions.
"""

from __future__ import annotations

import io
import random
from datetime import datetime

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from gongkai.synth.document import Document, Heading, Paragraph, Table
from gongkai.synth.layouts import Rendered
from gongkai.zips import fixed_zip

# a fixed timestamp keeps the output byte-identical for the same input
_FIXED_TIME = "2000-01-01T00:00:00"
_CN = "一二三四五六七八九十"
_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_LIST_ID = "77"


def _section_list(word) -> None:
    """A Word list numbering its items 一、二、三、 …"""
    from docx.oxml import parse_xml

    numbering = word.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {_NS} w:abstractNumId="{_LIST_ID}"><w:multiLevelType '
        'w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt '
        'w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:lvlJc w:val="left"/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(
        f'<w:num {_NS} w:numId="{_LIST_ID}"><w:abstractNumId w:val="{_LIST_ID}"/></w:num>'))


def _listed_headings(doc: Document) -> bool:
    """True when the section headings are numbered 一、二、… in order (a list can show them)."""
    heads = [b.text for b in doc.blocks if isinstance(b, Heading) and b.section]
    return bool(heads) and all(h.startswith(f"{_CN[i]}、") for i, h in enumerate(heads))


def _east_asian_font(style, name: str = "宋体") -> None:
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _fill_table(word_table, table: Table) -> None:
    # the grid's cells, taken once before merging (table.cell() rescans the whole table)
    grid = [list(row.cells) for row in word_table.rows]
    for placed in table.placed():
        for r, c, cell in placed:
            anchor = grid[r][c]
            if cell.rowspan > 1 or cell.colspan > 1:
                last_r = min(r + cell.rowspan - 1, len(table.rows) - 1)
                last_c = min(c + cell.colspan - 1, table.width - 1)
                anchor = anchor.merge(grid[last_r][last_c])
            lines = cell.text.split("\n")
            anchor.text = ""
            paragraph = anchor.paragraphs[0]
            for i, line in enumerate(lines):
                run = paragraph.add_run(line)
                if i < len(lines) - 1:
                    run.add_break()
                if cell.header:
                    run.bold = True
            if cell.header or cell.code:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def write_docx(doc: Document, *, nest_t4: bool = False, list_numbering: bool = False) -> bytes:
    """The report as .docx bytes (``nest_t4``: table 四 inside a one-cell frame table;
    ``list_numbering``: section headings numbered by a Word list when they run 一、二、… in
    order)."""
    from docx.oxml import parse_xml

    word = WordDocument()
    listed = list_numbering and _listed_headings(doc)
    if listed:
        _section_list(word)
    normal = word.styles["Normal"]
    normal.font.size = Pt(12)
    _east_asian_font(normal)
    props = word.core_properties
    props.title = doc.title
    props.author = ""
    for attr in ("created", "modified", "last_printed"):
        setattr(props, attr, datetime.fromisoformat(_FIXED_TIME))
    title_done = False
    for block in doc.blocks:
        if isinstance(block, Heading):
            if block.level == 0 and not title_done:
                p = word.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = p.add_run(block.text)
                run.bold = True
                run.font.size = Pt(18)
                title_done = True
            elif listed and block.section:
                heading = word.add_heading(block.text[2:], level=1)
                heading._p.get_or_add_pPr().append(parse_xml(
                    f'<w:numPr {_NS}><w:ilvl w:val="0"/><w:numId w:val="{_LIST_ID}"/></w:numPr>'))
            else:
                word.add_heading(block.text, level=min(max(block.level, 1), 3))
        elif isinstance(block, Paragraph):
            p = word.add_paragraph(block.text)
            p.paragraph_format.first_line_indent = Pt(24)
        elif isinstance(block, Table):
            if nest_t4 and block.kind == "t4":
                frame = word.add_table(rows=1, cols=1)
                frame.style = "Table Grid"
                host = frame.cell(0, 0)
                host.text = "政府信息公开行政复议、行政诉讼情况统计表"
                inner = host.add_table(rows=len(block.rows), cols=block.width)
                inner.style = "Table Grid"
                _fill_table(inner, block)
                continue
            word_table = word.add_table(rows=len(block.rows), cols=block.width)
            word_table.style = "Table Grid"
            _fill_table(word_table, block)
            word.add_paragraph()
    buf = io.BytesIO()
    word.save(buf)
    return fixed_zip(buf.getvalue())


def render_docx(doc: Document, rng: random.Random) -> Rendered:
    """A Word file as filed with the city office (one in five nests table 四 in a frame; one in
    three numbers its section headings by a Word list)."""
    nest = rng.random() < 0.2
    listed = rng.random() < 0.35 and _listed_headings(doc)
    traps = (("nested_table",) if nest else ()) + (("list_numbering",) if listed else ())
    return Rendered(write_docx(doc, nest_t4=nest, list_numbering=listed), "docx", "binary",
                    traps)


__all__ = ["write_docx", "render_docx"]
