"""PDF submissions: round trip on generated PDFs, tables across page breaks, scans."""

from __future__ import annotations

import re

import pytest
from office_reports import generated, report_document, wrong_cells

from gongkai.read import parse_bytes, parse_file
from gongkai.read.pdf import to_document
from gongkai.synth.pdf_writer import write_pdf, write_scanned_pdf


@pytest.fixture(scope="module")
def pdf_reports(tmp_path_factory):
    return generated(tmp_path_factory.mktemp("pdf"), "pdf")


@pytest.mark.parametrize("version", ["v2019", "v2021"])
def test_round_trip_generated(pdf_reports, version):
    pairs = [(p, t) for p, t in pdf_reports if t["template"] == version]
    assert pairs
    for path, truth in pairs:
        report = parse_file(path, filed_year=truth["year"], filed_unit_code=truth["unit_code"])
        assert report.format == "pdf" and report.template == version
        assert wrong_cells(report, truth["cells"]) == {}, path.name
        assert report.year == truth["year"] and report.unit_code == truth["unit_code"]
        assert report.published == truth["published"]
        assert report.section_order == truth["sections"]
        assert not [i for i in report.issues if i.severity == "error"]


@pytest.mark.parametrize("version", ["v2019", "v2021"])
@pytest.mark.parametrize("repeat_header", [False, True])
def test_table_crossing_a_page_break(version, repeat_header):
    doc, truth = report_document(version, 2)
    data = write_pdf(doc, table_across_pages=True, repeat_header=repeat_header)
    report = parse_bytes(data, "report.pdf")
    assert wrong_cells(report, truth) == {}
    pages = {re.match(r"page (\d+)", report.sources[c].location).group(1)
             for c in truth if c.startswith("t3.")}
    assert len(pages) == 2  # table 三 really runs over two pages
    tables = {re.search(r"table (\d+)", report.sources[c].location).group(1)
              for c in truth if c.startswith("t3.")}
    assert len(tables) == 1  # … and is read as one table
    assert not [i for i in report.issues if i.code in ("duplicate_cell", "cells_not_read")]


def test_repeated_header_and_footers_are_dropped():
    doc, _ = report_document("v2021", 2)
    lines = to_document(write_pdf(doc, table_across_pages=True, repeat_header=True,
                                  footer_style=1), "report.pdf").lines
    texts = [ln.text for ln in lines]
    assert sum("申请人情况" in t for t in texts) == 1
    assert not any(re.fullmatch(r"[-—]\s*\d+\s*[-—]", t) for t in texts)


def test_scanned_pdf_needs_ocr():
    doc, _ = report_document("v2019")
    report = parse_bytes(write_scanned_pdf(doc), "scan.pdf")
    assert [i.code for i in report.issues] == ["needs_ocr"]
    issue = report.issues[0]
    assert issue.severity == "error" and "scan.pdf" in issue.message_en
    assert not report.is_readable


def test_damaged_pdf_is_an_issue():
    doc, _ = report_document("v2019")
    data = write_pdf(doc)
    for broken in (data[:200], b"%PDF-1.4\n" + b"\x00garbage" * 50):
        report = parse_bytes(broken, "broken.pdf")
        assert report.issues and report.issues[0].severity == "error"
        assert "broken.pdf" in report.issues[0].message_en


def test_password_protected_pdf_is_reported():
    import io

    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret"))
    canvas.drawString(100, 700, "2022")
    canvas.showPage()
    canvas.save()
    report = parse_bytes(buf.getvalue(), "locked.pdf")
    assert [(i.code, i.severity) for i in report.issues] == [("file_encrypted", "error")]
    assert "locked.pdf" in report.issues[0].message_en
