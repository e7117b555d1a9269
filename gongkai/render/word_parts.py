"""The building blocks of the Word reports (python-docx): a document with the report's
fonts and page, paragraphs, headings, tables, pictures, and the digest skeleton that every
digest of a process reuses. Text from submissions is stripped of characters XML cannot hold.
"""

from __future__ import annotations

import copy
import io
from functools import cache

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from gongkai import zips
from gongkai.render import fmt
from gongkai.render.charts import Chart

BODY_FONT = "宋体"
DIGEST_PAGE = (9, 1.4)  # base font size (pt) and page margins (cm) of a digest
HEAD_FONT = "黑体"
MUTED = RGBColor(0x5B, 0x64, 0x70)
NOTE = RGBColor(0x44, 0x44, 0x44)
_W_T = qn("w:t")


def save(doc, stamp: str) -> bytes:
    """The bytes of a document, deterministic (``gongkai.zips``)."""
    buf = io.BytesIO()
    doc.save(buf)
    return zips.write_zip([(name, data) for name, data, _ in zips.entries(buf.getvalue())],
                          stamp=stamp)


def set_font(run, name: str = BODY_FONT, size: float | None = None, bold: bool | None = None,
              colour: RGBColor | None = None) -> None:
    """Set a run's font (East Asian too), size, weight and colour."""
    # the Normal style already carries the body font (Latin and East Asian)
    if name != BODY_FONT:
        run.font.name = name
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if colour is not None:
        run.font.color.rgb = colour


def new_document(base_size: float, margins_cm: float, landscape: bool = False):
    """A new A4 document with the report's fonts (宋体 body, 黑体 headings) and margins."""
    doc = Document()
    # the document's language: Chinese (Word's default template says en-US), so spelling,
    # line breaking and fonts follow Chinese rules
    for lang in doc.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
    doc.core_properties.language = "zh-CN"
    style = doc.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = Pt(base_size)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    style.paragraph_format.space_after = Pt(2)
    for level in (1, 2, 3):
        h = doc.styles[f"Heading {level}"]
        h.font.name = HEAD_FONT
        h.font.color.rgb = RGBColor(0x1F, 0x23, 0x28)
        h.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), HEAD_FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(margins_cm))
    doc.core_properties.author = "gongkai"
    return doc


def para(doc, text: str, size: float | None = None, bold: bool = False,
          align=None, colour: RGBColor | None = None):
    """Add a paragraph of one run."""
    p = doc.add_paragraph()
    set_font(p.add_run(fmt.xml_text(text)), size=size, bold=bold, colour=colour)
    if align is not None:
        p.alignment = align
    return p


@cache
def _style_id(name: str) -> str:
    """The id of a style of python-docx's default template (a lookup by name is slow, so
    it is done once per name)."""
    return Document().styles[name].style_id


def heading(doc, text: str, level: int = 1):
    """Add a heading of ``level`` in the heading font."""
    h = doc.add_paragraph()
    h._p.style = _style_id(f"Heading {level}")
    set_font(h.add_run(fmt.xml_text(text)), HEAD_FONT)
    return h


def _is_plain(text: str) -> bool:
    """A cell text python-docx writes as one ``w:t`` without attributes: not empty, no
    surrounding spaces, no tabs or line breaks."""
    return bool(text) and text.strip() == text and not any(c in text for c in "\t\r\n")


def table(doc, header: list[str], body: list[list], size: float = 8.5,
           numeric: set[int] | None = None, widths: list[float] | None = None):
    """Add a grid table: a bold centred header row, then the body (``numeric`` columns
    right-aligned, ``widths`` in cm)."""
    numeric = numeric or set()
    table = doc.add_table(rows=1, cols=len(header))
    table._tbl.tblStyle_val = _style_id("Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(header):
        cell = table.rows[0].cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(fmt.xml_text(text))
        set_font(run, HEAD_FONT, size, bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    # the first row of plain texts is built through python-docx; later ones are copies of
    # it with their texts put in (the same XML, built without python-docx's slow steps)
    prototype = None
    for values in body:
        texts = [fmt.xml_text(value) for value in values]
        plain = len(texts) == len(header) and all(map(_is_plain, texts))
        if plain and prototype is not None:
            row = copy.deepcopy(prototype)
            for element, text in zip(row.iter(_W_T), texts, strict=True):
                element.text = text
            table._tbl.append(row)
            continue
        added = table.add_row()
        cells = added.cells
        for i, text in enumerate(texts):
            cells[i].text = ""
            para = cells[i].paragraphs[0]
            set_font(para.add_run(text), size=size)
            if i in numeric:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if plain:
            prototype = added._tr
    if widths:
        for row in table.rows:
            for i, w in enumerate(widths):
                row.cells[i].width = Cm(w)
    return table


def picture(doc, chart: Chart, width_cm: float, caption: str) -> None:
    """Add a chart (PNG) centred, with its caption below."""
    doc.add_picture(io.BytesIO(chart.png), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(doc, caption, size=8.5, align=WD_ALIGN_PARAGRAPH.CENTER,
          colour=MUTED)


def method_notes(doc, lines: list[str]) -> None:
    """The method's sentences in small grey type."""
    for line in lines:
        para(doc, line, size=8, colour=NOTE)


@cache
def skeleton(base_size: float, margins_cm: float):
    """A new document (styles, page, margins), its core-properties part, and the entries of
    its saved file; built once per process and reused by every digest."""
    doc = new_document(base_size, margins_cm)
    core = next(part for part in doc.part.package.iter_parts()
                if part.partname == "/docProps/core.xml")
    buf = io.BytesIO()
    doc.save(buf)
    entries = tuple((name, data) for name, data, _ in zips.entries(buf.getvalue()))
    return doc, core, entries


def blank_skeleton(base_size: float, margins_cm: float):
    """The skeleton document with its body emptied (the section properties stay)."""
    doc = skeleton(base_size, margins_cm)[0]
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def save_on_skeleton(doc, base_size: float, margins_cm: float, stamp: str) -> bytes:
    """The bytes of a document built on the skeleton (deterministic). A digest adds no part
    (no picture), so only the body and the core properties differ from the skeleton's."""
    _, core, entries = skeleton(base_size, margins_cm)
    fresh = {"word/document.xml": doc.part.blob, "docProps/core.xml": core.blob}
    return zips.write_zip([(name, fresh.get(name, data)) for name, data in entries], stamp=stamp)


def warm_up() -> None:
    """Build the digest skeleton and the style ids before the first digest needs them."""
    skeleton(*DIGEST_PAGE)
    for name in ("Heading 1", "Heading 2", "Table Grid"):
        _style_id(name)


