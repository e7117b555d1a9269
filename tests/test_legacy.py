"""Legacy Office files (.doc, .wps, .xls, .et, .rtf): told by content, converted by LibreOffice.

The legacy files are made here, by LibreOffice itself, from the generator's Word and Excel
reports of both template versions (Word 97 and Excel 97 export filters; RTF).  LibreOffice
cannot write Kingsoft's formats, so the .wps and .et files are Word 97 and Excel 97 files
named as WPS Office names its own (WPS Office writes .wps/.et in those same compound-document
formats).  Tests that need LibreOffice skip, saying so, where it is not installed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from office_reports import UNITS, generated, report_document, wrong_cells

from gongkai.model import READER_VERSION
from gongkai.read import legacy, parse_bytes, parse_file, sniff_format

SOFFICE = legacy.find_soffice()
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt-get install "
                            "libreoffice-writer-nogui libreoffice-calc-nogui (.ci/run does)")

# LibreOffice export filters that write the legacy formats
WRITE_FILTERS = {"doc": "doc:MS Word 97", "rtf": "rtf:Rich Text Format",
                 "xls": "xls:MS Excel 97"}
# the legacy formats read back, and what each is made from
MADE_FROM = {"doc": ("docx", "doc"), "wps": ("docx", "doc"), "rtf": ("docx", "rtf"),
             "xls": ("xlsx", "xls"), "et": ("xlsx", "xls")}


def write_legacy(sources: list[Path], export: str, out_dir: Path) -> list[Path]:
    """Convert files with LibreOffice (one process, a profile of its own) into ``out_dir``;
    returns the written paths in the order given (each source is first copied under a
    unique name: reports of different years share a file name)."""
    staged = out_dir / "in"
    staged.mkdir(parents=True)
    inputs = []
    for i, source in enumerate(sources):
        inputs.append(staged / f"{i:02d}-{source.name}")
        shutil.copy(source, inputs[-1])
    subprocess.run([SOFFICE, "--headless", "--norestore",
                    f"-env:UserInstallation={(out_dir / 'profile').as_uri()}",
                    "--convert-to", WRITE_FILTERS[export], "--outdir", str(out_dir),
                    *map(str, inputs)], check=True, capture_output=True, timeout=300)
    written = [out_dir / f"{p.stem}.{export}" for p in inputs]
    for made in written:
        assert made.is_file(), f"LibreOffice did not write {made}"
    return written


def sha256(path: Path) -> str:
    """The file's SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def legacy_reports(tmp_path_factory):
    """Every legacy format of generated Word and Excel reports, read back by gongkai.

    Returns a list of dicts: format, version, path, truth, the report read from the legacy
    file, the report read from the original .docx/.xlsx, and the raw file's hash and
    modification time before and after reading.
    """
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    base = tmp_path_factory.mktemp("legacy")
    originals = {"docx": generated(base / "docx", "docx")}
    # one unit per template version of each Excel layout keeps the module within ~20 s
    xlsx = generated(base / "form", "xlsx_form") + generated(base / "sheet", "xlsx_sheet")
    originals["xlsx"] = [(p, t) for p, t in xlsx if t["unit_code"] == UNITS[0]]
    cases = []
    made: dict[str, list[Path]] = {}
    for fmt, (source_kind, export) in MADE_FROM.items():
        pairs = originals[source_kind]
        if export not in made:
            made[export] = write_legacy([p for p, _ in pairs], export, base / export)
        for (original, truth), path in zip(pairs, made[export], strict=True):
            if fmt != export:  # a WPS Office name on a copy of the Word/Excel 97 file
                if truth["unit_code"] != UNITS[0] and fmt == "wps":
                    continue  # the same bytes as a .doc: one unit per version is enough
                path = Path(shutil.copy(path, base / f"{path.stem}.{fmt}"))
            cases.append({"format": fmt, "version": truth["template"], "path": path,
                          "truth": truth, "original": original})
    for case in cases:
        case["sha_before"] = sha256(case["path"])
        case["mtime_before"] = case["path"].stat().st_mtime_ns

    def read(case):
        truth = case["truth"]
        return parse_file(case["path"], filed_year=truth["year"],
                          filed_unit_code=truth["unit_code"])

    # two conversions at a time: each has its own profile, so they never meet
    with ThreadPoolExecutor(max_workers=2) as pool:
        for case, report in zip(cases, pool.map(read, cases), strict=True):
            case["report"] = report
    for case in cases:
        case["original_report"] = parse_file(case["original"])
        case["sha_after"] = sha256(case["path"])
        case["mtime_after"] = case["path"].stat().st_mtime_ns
    return cases


@needs_soffice
@pytest.mark.parametrize("version", ["v2019", "v2021"])
@pytest.mark.parametrize("fmt", list(MADE_FROM))
def test_round_trip(legacy_reports, fmt, version):
    """Every cell of a converted legacy report equals the truth; unit, year, template,
    publication date and sections are read; the report says it was converted."""
    cases = [c for c in legacy_reports if c["format"] == fmt and c["version"] == version]
    assert cases
    for case in cases:
        report, truth = case["report"], case["truth"]
        name = case["path"].name
        assert report.format == fmt, name
        assert report.template == version, name
        assert wrong_cells(report, truth["cells"]) == {}, name
        assert (report.year, report.unit_code) == (truth["year"], truth["unit_code"]), name
        assert report.published == truth["published"], name
        assert not [i for i in report.issues if i.severity == "error"], name
        converted = [i for i in report.issues if i.code == "converted_by_libreoffice"]
        assert len(converted) == 1 and converted[0].severity == "info", name
        assert "LibreOffice" in converted[0].message_zh
        assert report.reader_version == READER_VERSION


def _split(location: str) -> tuple[str, int | None]:
    """``table 2 row 5 col 3`` → (``table 2 row 5``, 3); a location without a column → (it, None)."""
    head, _, col = location.rpartition(" col ")
    return (head, int(col)) if head else (location, None)


@needs_soffice
def test_locations_are_those_of_the_original(legacy_reports):
    """A cell read from a converted file is found where it is in the file it was made from:
    the same sheet and cell (Excel), the same table and row and the same raw text (Word, RTF),
    with the cells of a row in the same column order.  (A Word column number can be lower: a
    grid column that no row of the table divides does not survive Word 97's format.)"""
    for case in legacy_reports:
        report, original = case["report"], case["original_report"]
        name = case["path"].name
        assert set(report.sources) == set(original.sources), name
        if case["format"] in ("xls", "et"):
            assert {c: s.location for c, s in report.sources.items()} == \
                   {c: s.location for c, s in original.sources.items()}, name
            continue
        rows: dict[str, list[tuple[int, int, str]]] = {}
        for code, source in report.sources.items():
            row, col = _split(source.location)
            original_row, original_col = _split(original.sources[code].location)
            assert (row, source.raw) == (original_row, original.sources[code].raw), (name, code)
            rows.setdefault(row, []).append((col, original_col, code))
        for cells in rows.values():
            assert sorted(cells) == sorted(cells, key=lambda c: c[1]), name


@needs_soffice
def test_raw_file_untouched(legacy_reports):
    """Reading a legacy file never writes to it: same bytes, same modification time."""
    for case in legacy_reports:
        assert case["sha_after"] == case["sha_before"], case["path"].name
        assert case["mtime_after"] == case["mtime_before"], case["path"].name


def _run_cli(args: list[str], env_extra: dict[str, str], tmp_path: Path):
    """``gongkai`` in a process of its own with the given environment (TMPDIR private)."""
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp"), **env_extra}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "gongkai.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def one_doc(legacy_reports):
    """One converted .doc report and its truth."""
    case = next(c for c in legacy_reports if c["format"] == "doc")
    return case["path"], case["truth"]


@needs_soffice
def test_missing_converter_is_a_clear_rejection(one_doc, tmp_path, monkeypatch):
    """Without LibreOffice on PATH a .doc is unreadable, and the reason says what to install,
    in Chinese and English; the next run reads the file again (its reader version differs)."""
    from gongkai.read.verdict import reject_reason

    path, _ = one_doc
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    done = _run_cli(["parse", str(path), "--json"], {"PATH": str(empty_bin)}, tmp_path)
    assert done.returncode == 2, done.stderr
    out = json.loads(done.stdout)
    assert out["format"] == "doc"
    issue = next(i for i in out["issues"] if i["code"] == "converter_missing")
    assert issue["severity"] == "error"
    assert "需要安装 LibreOffice" in issue["message_zh"]
    assert "apt-get install libreoffice-writer-nogui" in issue["message_en"]
    assert out["reader_version"] != READER_VERSION

    monkeypatch.setenv("PATH", str(empty_bin))
    report = parse_file(path)
    assert "converter_missing" in reject_reason(report)


@needs_soffice
def test_time_limit_stops_the_conversion(one_doc, tmp_path):
    """A conversion slower than the limit is stopped: a time-out reason, no LibreOffice
    process left behind, the temporary folder removed."""
    path, _ = one_doc
    started = time.perf_counter()
    done = _run_cli(["parse", str(path), "--json"], {legacy.TIMEOUT_ENV: "0.05"}, tmp_path)
    elapsed = time.perf_counter() - started
    out = json.loads(done.stdout)
    issue = next(i for i in out["issues"] if i["code"] == "conversion_timeout")
    assert "超时" in issue["message_zh"] and "0.05 s" in issue["message_en"]
    assert elapsed < 30
    assert list((tmp_path / "tmp").iterdir()) == []  # the private profile and copies are gone
    leftovers = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes()
        except OSError:
            continue
        if str(tmp_path / "tmp").encode() in text:
            leftovers.append(text)
    assert leftovers == []


@needs_soffice
def test_damaged_file_is_a_failed_conversion(one_doc, tmp_path):
    """A Word compound document whose Word stream is garbage: LibreOffice cannot load it,
    and the reason says so."""
    import olefile

    path, _ = one_doc
    bad = tmp_path / "damaged.doc"
    shutil.copy(path, bad)
    with olefile.OleFileIO(str(bad), write_mode=True) as ole:
        ole.write_stream("WordDocument", b"\x00" * ole.get_size("WordDocument"))
    report = parse_file(bad)
    assert [i.code for i in report.issues if i.severity == "error"] == ["conversion_failed"]
    assert report.reader_version == READER_VERSION  # the file's fault: not read again


@needs_soffice
def test_output_size_is_capped(one_doc, monkeypatch):
    """A conversion whose result is larger than the cap is not read."""
    path, _ = one_doc
    monkeypatch.setattr(legacy, "MAX_OUTPUT_BYTES", 1000)
    report = parse_file(path)
    assert [i.code for i in report.issues if i.severity == "error"] == ["conversion_too_large"]


def test_input_size_is_capped_before_converting(monkeypatch):
    """A legacy file over the cap is refused without starting LibreOffice."""
    monkeypatch.setattr(legacy, "find_soffice", lambda: pytest.fail("LibreOffice started"))
    data = legacy.OLE_MAGIC + b"\x00" * legacy.MAX_INPUT_BYTES
    report = parse_bytes(data, "huge.doc")
    assert report.format == "doc"
    assert [i.code for i in report.issues] == ["file_too_large"]


def test_damaged_compound_document_is_refused_before_converting(monkeypatch):
    """OLE magic without a readable directory: damaged, and LibreOffice is not started."""
    monkeypatch.setattr(legacy, "find_soffice", lambda: pytest.fail("LibreOffice started"))
    report = parse_bytes(legacy.OLE_MAGIC + b"\x00" * 4000, "old.xls")
    assert [i.code for i in report.issues] == ["corrupt_file"]


def test_encrypted_office_file(tmp_path, monkeypatch):
    """A password-protected .docx is a compound document: it is reported as encrypted,
    without starting LibreOffice (which could only fail on it)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    from gongkai.synth.docx_writer import write_docx

    monkeypatch.setattr(legacy, "find_soffice", lambda: pytest.fail("LibreOffice started"))
    doc, _ = report_document("v2021")
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(write_docx(doc))).encrypt("secret", encrypted)
    for name in ("report.docx", "report.doc"):
        report = parse_bytes(encrypted.getvalue(), name)
        assert [i.code for i in report.issues] == ["file_encrypted"], name
        assert "加密" in report.issues[0].message_zh


@needs_soffice
def test_named_as_legacy_read_as_what_it_is(legacy_reports, tmp_path):
    """The content decides: a .doc that is a .docx, an HTML page or RTF, a .xls that is an
    HTML table export or really a .xlsx, and an Excel file named .doc are each read as what
    they are, with every cell right."""
    from gongkai.synth import SynthOptions, generate

    html = generate(SynthOptions(out=tmp_path / "html", years=[2022], units=[UNITS[0]],
                                 seed=3, layouts=["html"], formats=["html"]))[0]
    docx = next(c for c in legacy_reports if c["format"] == "doc")
    rtf = next(c for c in legacy_reports if c["format"] == "rtf")
    xls = next(c for c in legacy_reports if c["format"] == "xls")
    html_truth = json.loads(html.truth_path.read_text(encoding="utf-8"))
    cases = [
        (docx["original"], docx["truth"], ".doc", "docx"),
        (html.path, html_truth, ".doc", "html"),
        (html.path, html_truth, ".xls", "html"),
        (rtf["path"], rtf["truth"], ".doc", "rtf"),
        (xls["original"], xls["truth"], ".xls", "xlsx"),
        (xls["path"], xls["truth"], ".doc", "xls"),
    ]
    for source, truth, suffix, expected in cases:
        renamed = tmp_path / f"{source.stem}-as-{expected}{suffix}"
        shutil.copy(source, renamed)
        assert sniff_format(renamed.read_bytes(), renamed.name) == expected, renamed.name
        report = parse_file(renamed)
        assert report.format == expected, renamed.name
        assert wrong_cells(report, truth["cells"]) == {}, renamed.name


@needs_soffice
def test_linked_content_is_not_fetched(http_server, tmp_path, monkeypatch):
    """A document linking an image on a web server: LibreOffice fetches it when converting
    with its default settings; gongkai's conversion sends no request — neither in a network
    namespace of its own nor, where the system allows none, with the profile's settings
    alone."""
    import re
    import zipfile

    import docx as python_docx
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 0, 0)).save(image, "PNG")
    http_server.routes["/logo.png"] = (200, image.getvalue(), 0)
    word = python_docx.Document()
    word.add_paragraph("浏阳市集里街道2022年政府信息公开工作年度报告")
    image.seek(0)
    word.add_picture(image)
    embedded = io.BytesIO()
    word.save(embedded)
    linked = tmp_path / "linked.docx"
    with zipfile.ZipFile(io.BytesIO(embedded.getvalue())) as src, \
            zipfile.ZipFile(linked, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/_rels/document.xml.rels":
                data = re.sub(rb'Target="media/[^"]+"',
                              f'Target="{http_server.base_url}/logo.png" '
                              'TargetMode="External"'.encode(), data)
            elif info.filename == "word/document.xml":
                data = data.replace(b"r:embed=", b"r:link=")
            elif info.filename.startswith("word/media/"):
                continue
            dst.writestr(info, data)
    # the legacy file keeps the link (made with links blocked, so making it fetches nothing)
    profile = tmp_path / "maker"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(legacy._PROFILE_SETTINGS)
    subprocess.run([SOFFICE, "--headless", "--norestore",
                    f"-env:UserInstallation={profile.as_uri()}", "--convert-to",
                    WRITE_FILTERS["doc"], "--outdir", str(tmp_path), str(linked)],
                   check=True, capture_output=True, timeout=120)
    legacy_doc = tmp_path / "linked.doc"
    assert b"logo.png" in legacy_doc.read_bytes()
    assert http_server.hits == {}

    parse_file(legacy_doc)
    assert http_server.hits == {}
    monkeypatch.setattr(legacy, "isolation_prefix", lambda: ())
    parse_file(legacy_doc)
    assert http_server.hits == {}

    # the control: LibreOffice's defaults fetch the image
    subprocess.run([SOFFICE, "--headless", "--norestore",
                    f"-env:UserInstallation={(tmp_path / 'default').as_uri()}",
                    "--convert-to", "docx", "--outdir", str(tmp_path / "control"),
                    str(legacy_doc)], check=True, capture_output=True, timeout=120)
    assert http_server.hits.get("/logo.png", 0) >= 1


@needs_soffice
def test_clerk_check_reads_a_doc_and_says_what_is_missing(one_doc, tmp_path):
    """``gongkai check`` on a .doc: read and checked like a .docx; without LibreOffice the
    file is unreadable (status 2) and the reason names what to install."""
    path, truth = one_doc
    done = _run_cli(["check", str(path)], {}, tmp_path)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert f"年度 {truth['year']}" in done.stdout
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    done = _run_cli(["check", str(path)], {"PATH": str(empty_bin)}, tmp_path)
    assert done.returncode == 2
    # in the clerk's words; the reader's issue code is in the JSON beside the English reason
    assert "需要安装 LibreOffice" in done.stdout
    done = _run_cli(["check", "--json", str(path)], {"PATH": str(empty_bin)}, tmp_path)
    (entry,) = json.loads(done.stdout)
    assert entry["status"] == "unreadable" and "converter_missing" in entry["message_en"]
    assert "LibreOffice" in entry["message_zh"]
