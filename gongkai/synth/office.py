"""The Word, Excel and PDF layouts of the generator, registered beside the text layouts.

Each renderer takes the same format-neutral ``Document`` as the text layouts and returns a
``Rendered`` file.  ``DEMO_LAYOUTS`` are the ones the bundled demo data rotates through for the
units it files as office documents (``SynthOptions.office``); the scanned PDF is left out of
the demo because a reader can only report that it needs OCR.
"""

from __future__ import annotations

from gongkai.synth.docx_writer import render_docx
from gongkai.synth.pdf_writer import render_pdf, render_pdf_scanned
from gongkai.synth.xlsx_writer import render_xlsx_form, render_xlsx_sheet

OFFICE_FORMATS = ("docx", "xlsx", "pdf")
OFFICE_RENDERERS = {
    "docx": render_docx,
    "pdf": render_pdf,
    "pdf_scanned": render_pdf_scanned,
    "xlsx_form": render_xlsx_form,
    "xlsx_sheet": render_xlsx_sheet,
}
OFFICE_LAYOUT_FORMAT = {"docx": "docx", "pdf": "pdf", "pdf_scanned": "pdf",
                        "xlsx_form": "xlsx", "xlsx_sheet": "xlsx"}
OFFICE_LAYOUTS = tuple(OFFICE_RENDERERS)
DEMO_LAYOUTS = ("docx", "pdf", "xlsx_form")
# layouts whose files carry no readable table (their truth cells cannot be read back)
UNREADABLE_LAYOUTS = ("pdf_scanned",)
