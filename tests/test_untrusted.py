"""Untrusted Word and Excel files: corrupt archives, zip bombs and XML entity bombs each give
a clear issue quickly and do not stop the rest of a run."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from office_reports import report_document, wrong_cells

from gongkai.read import parse_file
from gongkai.synth.docx_writer import write_docx
from gongkai.synth.xlsx_writer import write_xlsx_sheet

_LOL = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                   for i in range(1, 10))
        + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
          b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>")
_XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:body></w:document>")


def _replace(data: bytes, member: str, content: bytes) -> bytes:
    assert member in zipfile.ZipFile(io.BytesIO(data)).namelist()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, content if info.filename == member else src.read(info))
    return out.getvalue()


@pytest.fixture(scope="module")
def good():
    doc, truth = report_document("v2021", 4)
    return write_docx(doc), write_xlsx_sheet(doc), truth


def _cases(good_docx: bytes, good_xlsx: bytes) -> dict[str, tuple[bytes, str]]:
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
        for i in range(2500):
            z.writestr(f"word/media/part{i}.xml", "")
    return {
        "truncated.docx": (good_docx[: len(good_docx) // 2], "corrupt_file"),
        "not-a-zip.docx": (b"PK\x03\x04 this is not really an archive" * 20, "corrupt_file"),
        "bad-xml.docx": (_replace(good_docx, "word/document.xml", b"<w:document><w:body>"),
                         "corrupt_file"),
        "zip-bomb.docx": (_replace(good_docx, "word/document.xml", b" " * 60_000_000),
                          "archive_bomb"),
        "entity-bomb.docx": (_replace(good_docx, "word/document.xml", _LOL), "xml_dtd_refused"),
        "external-entity.docx": (_replace(good_docx, "word/document.xml", _XXE),
                                 "xml_dtd_refused"),
        "many-entries.docx": (many.getvalue(), "archive_too_many_entries"),
        "zip-bomb.xlsx": (_replace(good_xlsx, "xl/worksheets/sheet1.xml", b" " * 60_000_000),
                          "archive_bomb"),
        "entity-bomb.xlsx": (_replace(good_xlsx, "xl/workbook.xml", _LOL.replace(
            b"w:document", b"workbook")), "xml_dtd_refused"),
        "truncated.xlsx": (good_xlsx[:1000], "corrupt_file"),
    }


def test_each_hostile_file_gives_a_clear_issue_quickly(tmp_path, good):
    good_docx, good_xlsx, _ = good
    for name, (data, code) in _cases(good_docx, good_xlsx).items():
        path = tmp_path / name
        path.write_bytes(data)
        start = time.monotonic()
        report = parse_file(path)
        elapsed = time.monotonic() - start
        assert elapsed < 5, (name, elapsed)
        errors = [i for i in report.issues if i.severity == "error"]
        assert errors and errors[0].code == code, (name, report.issues)
        assert name in errors[0].message_en and name in errors[0].message_zh
        assert not report.is_readable


def test_hostile_files_do_not_stop_the_rest_of_a_run(tmp_path, good):
    good_docx, good_xlsx, truth = good
    paths = []
    for name, (data, _) in _cases(good_docx, good_xlsx).items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    for name, data in (("good.docx", good_docx), ("good.xlsx", good_xlsx)):
        paths.insert(3, tmp_path / name)
        paths[3].write_bytes(data)
    reports = {p.name: parse_file(p) for p in paths}  # a batch: nothing raises
    for name in ("good.docx", "good.xlsx"):
        assert wrong_cells(reports[name], truth) == {}


def test_damaged_office_files_never_fail_the_reader(good):
    """Truncated, bit-flipped and cut Word, Excel and PDF files: each gives a report with an
    issue of its own (never the catch-all ``reader_error``), quickly."""
    import random

    from gongkai.read import parse_bytes
    from gongkai.synth.pdf_writer import write_pdf

    good_docx, good_xlsx, _ = good
    doc, _ = report_document("v2019", 6)
    rng = random.Random(11)
    for suffix, original in (("docx", good_docx), ("xlsx", good_xlsx), ("pdf", write_pdf(doc))):
        for i in range(12):
            data = bytearray(original)
            if i % 3 == 0:
                data = data[: rng.randint(0, len(data))]
            elif i % 3 == 1:
                for _ in range(rng.randint(1, 20)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
            else:
                start = rng.randrange(len(data))
                del data[start:start + rng.randint(1, 500)]
            began = time.monotonic()
            report = parse_bytes(bytes(data), f"damaged.{suffix}")
            assert time.monotonic() - began < 5
            assert "reader_error" not in [i.code for i in report.issues], report.issues
