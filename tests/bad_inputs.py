"""A corpus of bad, hostile and odd submissions, built on demand into a raw folder.

``build(root)`` writes every kind below ``root`` (a raw folder laid out as
``<root>/<year>/<file>``) and returns one ``Kind`` per entry it made: its name, the path it
made (relative to ``root``), what it is, and what the run must do with it:

- ``loaded``: read and loaded (an odd but valid report);
- ``version``: read and loaded as one more file for a unit-year that has others (exactly one
  of them is current, chosen by a stated rule);
- ``rejected``: a submission row with ``status = 'rejected'`` and its own reason;
- ``duplicate``: a submission row recorded as a duplicate of another file;
- ``skipped``: no submission row, but one logged and documented skip line (hidden files,
  the manifest, an answer key beside its report).

A rejected kind names the issue ``code`` its rejection must carry (its own reason); file
times are set so that which version of a unit-year is current is known in advance (the
newest readable file: ``CURRENT_VERSION``).

Valid reports are copied from the bundled data (``data/raw``), so every kind is realistic.
Nothing here is committed as a binary file: bombs and noise are made when the test runs.
"""

from __future__ import annotations

import gzip
import io
import os
import random
import re
import socket
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from gongkai.paths import RAW_DIR
from gongkai.units import default_registry

YEAR = "2024"
# valid reports of the bundled data, one per format (unit codes 4301811xx of Liuyang)
SEED_CODE = "430181002"
TEXT_REPORT = RAW_DIR / "2019" / "430181002-jili.md"
# the version of the seed unit's 2024 report given the newest file time: it must be current
CURRENT_VERSION = f"{YEAR}/{SEED_CODE}-newest.md"
# file times: every entry at BASE_TIME, the newest version an hour later, copies a minute later
BASE_TIME = 1_730_000_000


@dataclass(frozen=True)
class Kind:
    """One entry of the corpus and what the run must make of it."""

    name: str
    path: str
    what: str
    expect: str  # loaded / version / rejected / duplicate / skipped
    code: str | None = None  # the issue code of a rejection (or of a skip line)


def _bundled(suffix: str) -> Path:
    """A bundled report of the given suffix (the first in path order)."""
    found = sorted(RAW_DIR.glob(f"*/*{suffix}"))
    if not found:
        raise FileNotFoundError(f"no bundled report with suffix {suffix}")
    return found[0]


def _zip(entries: dict[str, bytes], *, level: int = 6) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _docx_with(document_xml: bytes) -> bytes:
    return _zip({
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
                               b'.org/package/2006/content-types"/>',
        "word/document.xml": document_xml,
    })


def _pdf_with_stream(stream: bytes, *, pages: int = 1) -> bytes:
    """A minimal PDF whose first page's content stream is ``stream`` (Flate-compressed)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages)).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(pages).encode() + b" >>")
    content_no = 3 + pages
    for _ in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents "
                       + str(content_no).encode() + b" 0 R >>")
    packed = zlib.compress(stream, 9)
    objects.append(b"<< /Length " + str(len(packed)).encode() + b" /Filter /FlateDecode >>\nstream\n"
                   + packed + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


def _zeros_compressed(n_bytes: int) -> bytes:
    """``n_bytes`` of zeros as one Flate stream, compressed in pieces (little memory)."""
    comp = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    parts = [comp.compress(chunk) for _ in range(n_bytes >> 20)]
    parts.append(comp.flush())
    return b"".join(parts)


def _pdf_bomb(inflated_bytes: int) -> bytes:
    """A small PDF whose content stream inflates to ``inflated_bytes``."""
    packed = _zeros_compressed(inflated_bytes)
    base = _pdf_with_stream(b"", pages=1)
    # swap the empty stream for the pre-compressed one
    empty = zlib.compress(b"", 9)
    head, tail = base.split(b"stream\n" + empty + b"\nendstream", 1)
    head = head.replace(b"/Length " + str(len(empty)).encode(), b"/Length " + str(len(packed)).encode())
    return head + b"stream\n" + packed + b"\nendstream" + tail


def build(root: str | Path, *, big: bool = True, seed: int = 20241204) -> list[Kind]:
    """Write the corpus under ``root``; returns what each entry is and what must happen.

    ``big`` adds the kinds that cost memory or time on purpose (a 20 MB one-line file, a PDF
    that inflates to 400 MB, a million-cell HTML table …).
    """
    root = Path(root)
    year = root / YEAR
    year.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    kinds: list[Kind] = []
    text = TEXT_REPORT.read_bytes()

    codes = [u.code for u in default_registry().units if u.code != SEED_CODE]
    slots = iter([(y, c) for y in ("2024", "2023", "2022") for c in codes])

    def put(name: str, data: bytes, what: str, expect: str, folder: Path | None = None,
            code: str | None = None) -> Path:
        """Write ``data`` as ``<code>-<name>`` under the next free unit-year (or ``folder``)."""
        if folder is None:
            slot_year, unit = next(slots)
            folder = root / slot_year
            name = f"{unit}-{name}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(data)
        os.utime(path, (BASE_TIME, BASE_TIME))
        kinds.append(Kind(name, path.relative_to(root).as_posix(), what, expect, code))
        return path

    def kind(name: str, path: Path, what: str, expect: str, code: str | None = None) -> None:
        kinds.append(Kind(name, path.relative_to(root).as_posix(), what, expect, code))

    seed_year = root / YEAR

    def version(name: str, data: bytes, what: str, expect: str = "version",
                folder: Path | None = None, code: str | None = None) -> Path:
        """Another file for the seed's unit in 2024 (``430181002-<name>``)."""
        return put(f"{SEED_CODE}-{name}", data, what, expect, folder or seed_year, code)

    # -- a valid report to measure everything else against -----------------------------------
    version("valid.md", text, "a valid report (the seed's text, filed for 2024)")

    # -- empty and nearly empty ------------------------------------------------------------------
    put("empty.txt", b"", "an empty file", "rejected", code="empty_file")
    put("one-byte.txt", b"x", "one byte", "rejected", code="no_report_tables")
    put("bom-only.txt", b"\xef\xbb\xbf", "a UTF-8 byte order mark alone", "rejected", code="no_text")
    put("utf16-bom-only.txt", b"\xff\xfe", "a UTF-16 byte order mark alone", "rejected",
        code="no_text")
    put("whitespace.txt", b" \n\t\r\n  \n" * 100, "only white space", "rejected", code="no_text")
    put("title-only.md", "浏阳市张坊镇2024年政府信息公开工作年度报告\n".encode(),
        "a title and nothing else", "rejected", code="no_report_tables")

    # -- not text, or the wrong format -------------------------------------------------------------
    noise = bytes(rng.getrandbits(8) for _ in range(64 * 1024))
    put("noise.txt", noise, "binary noise named .txt", "rejected", code="not_text")
    put("noise.pdf", noise, "binary noise named .pdf", "rejected", code="not_text")
    put("noise.docx", noise, "binary noise named .docx", "rejected", code="corrupt_file")
    put("noise.xlsx", b"PK\x03\x04" + noise, "a zip header then noise (.xlsx)", "rejected",
        code="corrupt_file")
    put("image.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + noise[:4096],
        "a JPEG photo of a report", "rejected", code="not_text")
    put("archive.zip", _zip({"report.md": text}), "a zip archive holding a report", "rejected",
        code="unsupported_format")
    put("csv.csv", "单位,年度\n集里街道,2024\n".encode(),
        "a CSV file in a year folder (not a manifest, not a report)", "rejected",
        code="no_report_tables")
    put("truncated.pdf", _bundled(".pdf").read_bytes()[:3000], "a PDF cut off", "rejected", code="corrupt_file")
    docx = _bundled(".docx").read_bytes()
    put("truncated.docx", docx[: len(docx) // 2], "a Word file cut in half", "rejected",
        code="corrupt_file")
    put("ole.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + noise[:8192],
        "a legacy .doc that is damaged", "rejected", code="corrupt_file")
    put("docm.docm", docx, "a Word file with the macro extension (.docm)", "loaded")
    put("pdf-named-md.md", _bundled(".pdf").read_bytes(),
        "a PDF report named .md (sniffed by content)", "loaded")
    put("nul-bytes.txt", text[:2000] + b"\x00" * 512 + text[2000:],
        "a report with NUL bytes in the middle", "loaded")
    put("~$lockfile.docx", b"\x05Owner" + bytes(157),
        "a Word lock file (~$name.docx) left by an open document", "skipped",
        folder=seed_year, code="lock_file")

    # -- hostile archives and PDFs ---------------------------------------------------------------
    put("zipbomb.docx",
        _zip({"[Content_Types].xml": b"<Types/>",
              "word/document.xml": b"<w:document>" + b" " * (300 << 20) + b"</w:document>"},
             level=9),
        "a Word file whose document.xml inflates to 300 MB", "rejected", code="archive_bomb")
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                         .encode() for i in range(1, 10))
              + b']><w:document>&lol9;</w:document>')
    put("laughs.docx", _docx_with(laughs), "billion laughs XML in a Word file", "rejected",
        code="xml_dtd_refused")
    put("many-entries.xlsx", _zip({f"xl/worksheets/sheet{i}.xml": b"<x/>" for i in range(5000)}),
        "a workbook of 5,000 zip entries", "rejected",
        code="archive_too_many_entries")
    if big:
        put("pdf-bomb.pdf", _pdf_bomb(400 << 20),
            "a 0.4 MB PDF whose content stream inflates to 400 MB", "rejected",
            code="pdf_inflates_too_much")
    put("pdf-pages.pdf", _pdf_with_stream(b"BT ET", pages=3000), "a PDF of 3,000 empty pages",
        "rejected", code="pdf_too_many_pages")
    put("scanned.pdf", _pdf_with_stream(b"q 10 0 0 10 0 0 cm Q", pages=2),
        "a PDF with no text layer (a scan)", "rejected", code="needs_ocr")

    # -- huge or degenerate text -------------------------------------------------------------------
    if big:
        put("one-line-tabs.txt", b"0\t" * 10_000_000, "one 20 MB line of tab-separated cells",
            "rejected", code="line_too_long")
        put("one-line-han.txt", "本年新收政府信息公开申请数量".encode() * 500_000,
            "one 21 MB line of Chinese text with no line break", "rejected",
            code="line_too_long")
        put("million-cells.html",
            b"<html><body><table><tr>" + b"<td>1</td>" * 1_000_000 + b"</tr></table></body></html>",
            "an HTML table row of a million cells", "rejected",
            code="too_many_cells_in_row")
    put("many-lines.txt", b"1\n" * 2_000_000, "two million lines of '1'", "rejected",
        code="too_many_lines")
    row = "| 本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n".encode()
    put("many-rows.md", text[:1500] + row * 100_000, "one table row repeated 100,000 times",
        "rejected", code="too_many_lines")
    put("wide-row.md", text[:1500] + b"| " + b"1 | " * 100_000 + b"\n",
        "a table row of 100,000 cells", "rejected", code="line_too_long")
    put("deep-html.html", b"<div>" * 200_000 + b"x" + b"</div>" * 200_000,
        "HTML nested 200,000 levels deep", "rejected", code="empty_document")

    # -- other versions of the seed unit's 2024 report: untrusted text, odd names and places --------
    version("script.md", text.replace("集里街道".encode(), "<script>alert(1)</script>集里街道".encode(), 1),
            "a report whose title carries <script>")
    version("sql.md", text.replace("集里街道".encode(), "集里街道'; drop table cells; --".encode(), 1),
            "a report whose title carries SQL")
    version("bidi.md", text.replace("集里街道".encode(), "集里\u202e街道\u200b".encode(), 1),
            "bidi override and zero-width characters in the title")
    version("gbk.txt", text.decode("utf-8").encode("gb18030"), "the report re-encoded as GB18030")
    copy = put(f"{SEED_CODE} valid 'quoted' (copy).md", text,
               "a byte-identical copy under another name, made later", "duplicate",
               folder=seed_year)
    os.utime(copy, (BASE_TIME + 60, BASE_TIME + 60))
    version("长" * 80 + ".md", text.replace(b"2019", b"2018"), "a file name of 240+ bytes")
    version("new\nline.md", text.replace(b"2019", b"2017"), "a newline inside the file name")
    raw_name = os.fsencode(seed_year) + f"/{SEED_CODE}-".encode() + b"\xff\xfe-latin1.md"
    with open(raw_name, "wb") as fh:
        fh.write(text.replace(b"2019", b"2016"))
    os.utime(raw_name, (BASE_TIME, BASE_TIME))
    kinds.append(Kind("undecodable-name", os.fsdecode(raw_name[len(os.fsencode(root)) + 1:]),
                      "a file name that is not valid UTF-8", "version"))
    version("late.md", text.replace(b"2019", b"2015"), "a report in a subfolder of a year folder",
            folder=seed_year / "late" / "deeper")
    version("utf16.txt", text.decode("utf-8").encode("utf-16"),
            "the report in UTF-16 with a byte order mark")
    version("crlf.md", text.replace(b"\n", b"\r\n"), "the report with Windows line endings")
    version("no-extension", text.replace(b"2019", b"2013"), "a report with no file extension")
    newest = version("newest.md", text.replace(b"2019", b"2012"),
                     "the version with the newest file time: the current one")
    os.utime(newest, (BASE_TIME + 3600, BASE_TIME + 3600))
    corrupt = version("newest-corrupt.pdf", _bundled(".pdf").read_bytes()[:2000],
                      "a damaged file newer than every readable version (must not be current)",
                      "rejected", code="corrupt_file")
    os.utime(corrupt, (BASE_TIME + 7200, BASE_TIME + 7200))

    # -- caps of their own ---------------------------------------------------------------------------
    put("rows-3000.md", text[:1500] + row * 3000, "a table of 3,000 rows (under the line cap)",
        "rejected", code="too_many_rows_in_table")
    put("cells-500.md", text[:1500] + b"| " + b"1 | " * 500 + b"\n",
        "a table row of 500 cells (a short line)", "rejected", code="too_many_cells_in_row")
    put("rows-3000.html", b"<html><body><table>" + b"<tr><td>1</td></tr>" * 3000
        + b"</table></body></html>", "an HTML table of 3,000 rows", "rejected",
        code="too_many_rows_in_table")
    sparse = put("sparse-60mb.txt", b"", "a 60 MB file (sparse: no disk used), over the size cap",
                 "rejected", code="file_too_large")
    os.truncate(sparse, 60 * 1024 * 1024)
    os.utime(sparse, (BASE_TIME, BASE_TIME))
    put("empty-page.html", b"<html><head><title>x</title></head><body></body></html>",
        "an HTML page with nothing in its body", "rejected", code="empty_document")
    put("gzip.txt", gzip.compress(text), "a gzip-compressed report named .txt", "rejected",
        code="not_text")
    try:
        from msoffcrypto.format.ooxml import OOXMLFile

        encrypted = io.BytesIO()
        OOXMLFile(io.BytesIO(docx)).encrypt("secret", encrypted)
        put("encrypted.docx", encrypted.getvalue(), "a password-protected Word file", "rejected",
            code="file_encrypted")
    except ImportError:  # msoffcrypto-tool is a dependency of the project; kept optional here
        pass

    # -- reports outside year folders ----------------------------------------------------------------
    put("430181001-misc.md", text.replace("集里街道".encode(), "淮川街道".encode()),
        "a report in a folder that is not a year (its text states 2019)", "loaded",
        folder=root / "misc")
    put("430181004-loose.md", text.replace("集里街道".encode(), "关口街道".encode()),
        "a report loose in the raw folder (no year folder)", "loaded", folder=root)
    put("430181003-report.md", text.replace("集里街道".encode(), "荷花街道".encode()),
        "a report in a folder named '2024年报' (not exactly a year)", "loaded",
        folder=root / "2024年报")
    put("430181201-year-differs.md", text.replace("集里街道".encode(), "小河乡".encode())
        .replace(b"2019", b"2021"),
        "a report whose text states another year than its folder (2021 in 2023/)", "loaded",
        folder=root / "2023")
    put("430181202-no-year.md", re.sub(rb"(19|20)\d\d", b"", text.replace(
        "集里街道".encode(), "大瑶镇".encode())),
        "a report outside any year folder whose text states no year", "rejected",
        folder=root / "misc", code="year_unknown")

    # -- entries that are not regular files ----------------------------------------------------------
    fifo = seed_year / "430181106-fifo.md"
    os.mkfifo(fifo)
    kind("fifo", fifo, "a named pipe (FIFO)", "rejected", "not_regular_file")
    sock_path = seed_year / "430181107-socket.md"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(sock_path))
    sock.close()
    kind("socket", sock_path, "a Unix socket", "rejected", "not_regular_file")
    device = seed_year / "430181108-device.md"
    try:  # a character device like /dev/zero (root only; left out elsewhere)
        os.mknod(device, 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    except (PermissionError, OSError):
        pass
    else:
        kind("device", device, "a character device (/dev/zero's numbers)", "rejected",
             "not_regular_file")
    dir_file = seed_year / "430181108-folder.pdf"
    dir_file.mkdir()
    kind("folder-named-like-a-file", dir_file, "an empty folder named like a report", "skipped",
         "empty_folder")
    outside = root.parent / f"{root.name}-outside"
    outside.mkdir(exist_ok=True)
    (outside / "430181109-outside.md").write_bytes(text.replace(b"2019", b"2014"))
    link = seed_year / "430181109-link.md"
    link.symlink_to(outside / "430181109-outside.md")
    kind("symlink-out", link, "a symlink to a file outside the raw folder", "rejected",
         "link_outside_source")
    link_dir = seed_year / "linked"
    link_dir.symlink_to(outside, target_is_directory=True)
    kind("symlinked-folder", link_dir, "a symlinked folder leading outside the raw folder",
         "rejected", "link_outside_source")
    inside_link = seed_year / "430181001-inside-link.md"
    inside_link.symlink_to(Path("..") / "misc" / "430181001-misc.md")
    kind("symlink-in", inside_link, "a symlink to another report inside the raw folder",
         "duplicate")
    inside_dir = root / "2022" / "linked-misc"
    inside_dir.parent.mkdir(exist_ok=True)
    inside_dir.symlink_to(Path("..") / "misc", target_is_directory=True)
    kind("symlink-in-folder", inside_dir, "a symlinked folder inside the raw folder", "skipped",
         "link_to_folder")
    hard = seed_year / f"{SEED_CODE}-zz-hardlink.md"  # the same file time: the name decides
    os.link(seed_year / f"{SEED_CODE}-valid.md", hard)
    kind("hard-link", hard, "a hard link to a report (the same bytes, the same file time)",
         "duplicate")
    broken = seed_year / "430181111-broken.md"
    broken.symlink_to(seed_year / "no-such-file.md")
    kind("broken-symlink", broken, "a symlink to nothing", "rejected", "link_broken")
    loop = seed_year / "430181112-loop.md"
    loop.symlink_to(loop)
    kind("symlink-loop", loop, "a symlink to itself", "rejected", "link_loop")

    # -- files the run skips on purpose (each with one logged line) ------------------------------
    put(".DS_Store", b"\x00\x00\x00\x01Bud1" + bytes(100), "a hidden file", "skipped",
        folder=seed_year, code="hidden")
    put("report.md", text, "a report inside a hidden folder", "skipped",
        folder=seed_year / ".trash", code="hidden")
    put("manifest.csv", b"unit,year,url\n", "a manifest left in a year folder", "skipped",
        folder=seed_year, code="readme")
    put("README.txt", "说明：本文件夹存放2024年报告\n".encode(), "a README", "skipped",
        folder=seed_year, code="readme")
    put(f"{SEED_CODE}-valid.json", b'{"cells": {}}', "an answer key beside its report", "skipped",
        folder=seed_year, code="answer_key")
    put(f"{SEED_CODE}-valid.md.part", text[:100], "a partial download", "skipped",
        folder=seed_year, code="partial")
    empty_year = root / "2021"
    empty_year.mkdir(exist_ok=True)
    kind("empty-year-folder", empty_year, "an empty year folder", "skipped", "empty_folder")
    return kinds


def entries(root: str | Path) -> list[str]:
    """Every entry under ``root`` that is not a folder (files, links, pipes, sockets, devices),
    and every empty folder, relative (names that are not UTF-8 as Python holds them)."""
    root = Path(root)
    out = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        for name in filenames + [d for d in dirnames if (here / d).is_symlink()]:
            out.append((here / name).relative_to(root).as_posix())
        if not filenames and not dirnames and here != root:
            out.append(here.relative_to(root).as_posix())
    return sorted(out)
