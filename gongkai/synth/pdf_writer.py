"""Write a generated report as a PDF: with a text layer, or as a scan (an image only).

PDFs are drawn directly with reportlab rather than converted from the Word file by
LibreOffice: reportlab is a Python dependency already, needs no system package, runs in a few
milliseconds per report and gives the same bytes for the same input, which keeps CI fast and
reliable.  Chinese text uses reportlab's built-in CID font ``STSong-Light`` (no font file).

Tables are ruled grids with real spans (group labels, headers), so a PDF reader sees ruled
tables as a person does.  Long tables split across pages; a report may repeat table 三's
header rows on the next page, and ``table_across_pages`` pushes table 三 to the foot of a
page so that it always crosses a page break.  Every page carries a footer (``— 3 —``).
``write_scanned_pdf`` renders those pages to images and keeps only the images: a scan with no
text layer, which a reader must report as needing OCR.
"""

from __future__ import annotations

import io
import random

from gongkai.synth.document import Document, Heading, Paragraph, Table
from gongkai.synth.layouts import Rendered

_FONT = "STSong-Light"


def _styles():
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    base = dict(fontName=_FONT, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", fontSize=16, leading=24, alignment=TA_CENTER,
                                spaceAfter=12, **base),
        "heading": ParagraphStyle("heading", fontSize=13, leading=20, spaceBefore=8,
                                  spaceAfter=4, **base),
        "body": ParagraphStyle("body", fontSize=11, leading=17, firstLineIndent=22, **base),
        "cell": ParagraphStyle("cell", fontSize=8.5, leading=11, alignment=TA_CENTER, **base),
        "label": ParagraphStyle("label", fontSize=8.5, leading=11, **base),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _widths(table: Table, total: float) -> list[float]:
    from reportlab.lib.units import cm

    if table.kind == "t3":
        lead = table.width - 7
        value = 1.2 * cm
        rest = total - 7 * value
        lead_widths = [rest * 0.2, rest * 0.22, rest * 0.58] if lead == 3 else [rest * 0.3,
                                                                                  rest * 0.7]
        return lead_widths + [value] * 7
    if table.kind == "t2":
        return [total * 0.34] + [total * 0.66 / (table.width - 1)] * (table.width - 1)
    return [total / table.width] * table.width


def _table_flowable(table: Table, styles, total_width: float, repeat_header: bool):
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph as RLParagraph
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    grid = [["" for _ in range(table.width)] for _ in table.rows]
    commands = [("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    header_rows = 0
    for r, (row, placed) in enumerate(zip(table.rows, table.placed(), strict=True)):
        for _, col, cell in placed:
            text = "<br/>".join(_escape(p) for p in cell.text.split("\n"))
            style = styles["cell"] if cell.header or cell.code else styles["label"]
            grid[r][col] = RLParagraph(text, style) if text else ""
            if cell.rowspan > 1 or cell.colspan > 1:
                commands.append(("SPAN", (col, r), (col + cell.colspan - 1,
                                                     r + cell.rowspan - 1)))
        if all(c.header for c in row) and header_rows == r:
            header_rows = r + 1
    flowable = RLTable(grid, colWidths=_widths(table, total_width),
                       repeatRows=header_rows if repeat_header else 0, splitByRow=1)
    flowable.setStyle(TableStyle(commands))
    return flowable


def write_pdf(doc: Document, *, table_across_pages: bool = False, repeat_header: bool = False,
              footer_style: int = 0) -> bytes:
    """The report as a PDF with a text layer.

    ``table_across_pages``: start table 三 near the foot of a page so it crosses a page break;
    ``repeat_header``: repeat table 三's header rows on the next page; ``footer_style`` 0 prints
    ``— N —`` and 1 prints ``- N -`` at the foot of every page.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, PageBreak, SimpleDocTemplate, Spacer
    from reportlab.platypus import Paragraph as RLParagraph

    styles = _styles()
    buf = io.BytesIO()
    margin = 2 * cm
    pdf = SimpleDocTemplate(buf, pagesize=A4, leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin, title=doc.title,
                            author="", creator="", producer="", invariant=1)
    width = A4[0] - 2 * margin

    def footer(canvas, _doc):
        canvas.saveState()
        canvas.setFont(_FONT, 10)
        n = canvas.getPageNumber()
        canvas.drawCentredString(A4[0] / 2, 1.1 * cm, f"— {n} —" if footer_style == 0 else f"- {n} -")
        canvas.restoreState()

    story = []
    pending_heading = None
    for block in doc.blocks:
        if isinstance(block, Heading):
            style = styles["title"] if block.level == 0 else styles["heading"]
            para = RLParagraph(_escape(block.text), style)
            if block.section == "s3" and table_across_pages:
                # the heading and the first rows of table 三 at the foot of a fresh page
                story.append(PageBreak())
                story.append(Spacer(1, A4[1] - 2 * margin - 6.5 * cm))
            pending_heading = para
            story.append(para)
        elif isinstance(block, Paragraph):
            story.append(RLParagraph(_escape(block.text), styles["body"]))
            pending_heading = None
        elif isinstance(block, Table):
            flowable = _table_flowable(block, styles, width,
                                       repeat_header and block.kind == "t3")
            if block.kind == "t4" and pending_heading is not None:
                story[-1] = KeepTogether([pending_heading, flowable])
            else:
                story.append(flowable)
            story.append(Spacer(1, 0.3 * cm))
            pending_heading = None
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def write_scanned_pdf(doc: Document, *, dpi: int = 90) -> bytes:
    """The report as a scan: each page an image, no text layer at all."""
    import pypdfium2
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    source = pypdfium2.PdfDocument(write_pdf(doc))
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1)
    try:
        for page in source:
            image = page.render(scale=dpi / 72).to_pil().convert("L")
            jpeg = io.BytesIO()
            image.save(jpeg, format="JPEG", quality=60)
            jpeg.seek(0)
            canvas.drawImage(ImageReader(jpeg), 0, 0, width=A4[0], height=A4[1])
            canvas.showPage()
    finally:
        source.close()
    canvas.save()
    return buf.getvalue()


def render_pdf(doc: Document, rng: random.Random) -> Rendered:
    """A PDF with a text layer; table 三 crosses a page break in about half of them."""
    across = rng.random() < 0.5
    repeat = rng.random() < 0.5
    traps = ["page_footer"] + (["table_across_pages"] if across else []) + (
        ["repeated_header"] if across and repeat else [])
    data = write_pdf(doc, table_across_pages=across, repeat_header=repeat,
                     footer_style=rng.randint(0, 1))
    return Rendered(data, "pdf", "binary", tuple(traps))


def render_pdf_scanned(doc: Document, rng: random.Random) -> Rendered:
    """A scanned PDF (images only): the reader must say it needs OCR."""
    return Rendered(write_scanned_pdf(doc), "pdf", "binary", ("no_text_layer",))


__all__ = ["write_pdf", "write_scanned_pdf", "render_pdf", "render_pdf_scanned"]
