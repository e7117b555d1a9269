"""Sources: discovering a raw folder, reading a URL manifest, fetching over HTTP."""

from __future__ import annotations

import os

import pytest

from gongkai import manifest, rawfolder, sources
from gongkai.units import default_registry

REG = default_registry()


def test_filed_unit_from_name():
    assert sources.filed_unit_from_name("430181002-jili.md", REG) == ("430181002", None)
    assert sources.filed_unit_from_name("浏阳市集里街道2019年报.pdf", REG)[0] == "430181002"
    assert sources.filed_unit_from_name("蕉溪乡-2017.docx", REG)[0] == "430181132"  # former name
    assert sources.filed_unit_from_name("关口-2019.html", REG)[0] == "430181004"  # short name
    code, issue = sources.filed_unit_from_name("430181999-x.md", REG)
    assert code is None and issue.code == "filed_unit_unknown" and "430181999" in issue.message_en
    code, issue = sources.filed_unit_from_name("report.md", REG)
    assert code is None and "report.md" in issue.message_zh


def test_parse_years():
    assert sources.parse_years(None) is None
    assert sources.parse_years("2020") == [2020]
    assert sources.parse_years("2019-2021") == [2019, 2020, 2021]
    with pytest.raises(ValueError, match="backwards"):
        sources.parse_years("2021-2019")
    with pytest.raises(ValueError, match="not a year"):
        sources.parse_years("last year")


def _tree(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2019").mkdir(parents=True)
    (raw / "2020" / "late").mkdir(parents=True)
    (raw / "2019" / "430181002-jili.md").write_text("集里 2019", encoding="utf-8")
    (raw / "2019" / "430181002-copy.md").write_text("集里 2019", encoding="utf-8")  # same bytes
    (raw / "2019" / "README.md").write_text("notes", encoding="utf-8")
    (raw / "2019" / ".hidden.md").write_text("x", encoding="utf-8")
    (raw / "2020" / "430181003-hehua.html").write_text("<p>荷花</p>", encoding="utf-8")
    (raw / "2020" / "late" / "mystery.txt").write_text("?", encoding="utf-8")
    (raw / "2020" / "430181003-hehua.json").write_text("{}", encoding="utf-8")  # answer key
    (raw / "manifest.csv").write_text("file,error\n", encoding="utf-8")
    (raw / "notes").mkdir()
    (raw / "notes" / "x.md").write_text("not a year folder", encoding="utf-8")
    (raw / "loose-集里.md").write_text("loose", encoding="utf-8")
    return raw


def test_discover_folder(tmp_path):
    raw = _tree(tmp_path)
    copy = raw / "2019" / "430181002-copy.md"
    os.utime(copy, (copy.stat().st_atime, copy.stat().st_mtime + 60))  # copied a minute later
    before = {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()}
    scan = rawfolder.scan_folder(raw, registry=REG)
    subs = scan.submissions
    assert [s.file_path for s in subs] == [
        "2019/430181002-copy.md", "2019/430181002-jili.md", "2020/430181003-hehua.html",
        "2020/late/mystery.txt", "loose-集里.md", "notes/x.md"]
    dup, first = subs[0], subs[1]
    assert (first.filed_unit_code, first.filed_year, first.size_bytes) == ("430181002", 2019, 11)
    assert len(first.sha256) == 64 and first.issues == [] and first.duplicate_of is None
    # the same bytes filed for the same unit-year: the later file is recorded as a duplicate
    assert (dup.duplicate_of, dup.duplicate_of_path) == (first.submission_id, first.file_path)
    assert dup.submission_id != first.submission_id
    mystery = subs[3]
    assert mystery.filed_unit_code is None
    assert [i.code for i in mystery.issues] == ["filed_unit_unknown"]
    loose = subs[4]
    assert (loose.filed_unit_code, loose.filed_year, loose.year_from_text) == (
        "430181002", None, True)
    assert [i.code for i in loose.issues] == ["filed_year_unknown"]
    assert subs[5].filed_year is None and subs[5].year_from_text  # a folder that is not a year
    assert {(k.path, k.code) for k in scan.skipped} == {
        ("2019/.hidden.md", "hidden"), ("2019/README.md", "readme"),
        ("2020/430181003-hehua.json", "answer_key"), ("manifest.csv", "readme")}
    assert {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()} == before


def test_discover_folder_years(tmp_path):
    raw = _tree(tmp_path)
    scan = rawfolder.scan_folder(raw, years=[2020], registry=REG)
    assert [s.file_path for s in scan.submissions] == [
        "2020/430181003-hehua.html", "2020/late/mystery.txt"]
    # a year not asked for, and files outside year folders, are skipped with their reason
    assert {(k.path, k.code) for k in scan.skipped if k.code != "hidden"} >= {
        ("2019", "year_not_asked"), ("notes", "outside_year_folder"),
        ("loose-集里.md", "outside_year_folder")}


def test_discover_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        sources.discover_folder(tmp_path / "nope")


def test_submission_ids_depend_on_bytes_and_filing(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2019").mkdir(parents=True)
    (raw / "2020").mkdir(parents=True)
    (raw / "2019" / "430181002-a.md").write_text("same", encoding="utf-8")
    (raw / "2020" / "430181002-a.md").write_text("same", encoding="utf-8")
    a, b = sources.discover_folder(raw, registry=REG)
    assert a.sha256 == b.sha256 and a.submission_id != b.submission_id


def test_read_manifest(tmp_path):
    path = tmp_path / "urls.csv"
    path.write_text(
        "unit,year,url\n"
        "430181002,2019,http://127.0.0.1/a.md\n"
        "荷花街道,2019,http://127.0.0.1/b.html\n"
        "某某镇,2019,http://127.0.0.1/c.pdf\n"
        "430181004,twenty,http://127.0.0.1/d.pdf\n"
        "430181004,2019,ftp://example/d.pdf\n"
        "430181004,2018,http://127.0.0.1/e.pdf\n"
        ",,\n",
        encoding="utf-8")
    rows = manifest.read_manifest(path, years=[2019], registry=REG)
    assert [(r.line_no, r.unit_code, r.year) for r in rows] == [
        (2, "430181002", 2019), (3, "430181003", 2019), (4, None, 2019), (5, "430181004", None),
        (6, "430181004", 2019)]
    assert rows[2].issues[0].code == "filed_unit_unknown"
    assert "line 5" in rows[3].problem and "not a year" in rows[3].problem
    assert "not an http(s) URL" in rows[4].problem
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,link\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing: url, year"):
        manifest.read_manifest(bad)


def test_fetch_url_keeps_bytes_and_never_overwrites(tmp_path, http_server):
    http_server.routes["/r/a.md"] = (200, "报告".encode(), 0)
    raw = tmp_path / "raw"
    got = manifest.fetch_url(http_server.base_url + "/r/a.md", raw, unit_code="430181002",
                            year=2019, timeout=5)
    assert got.file_path.startswith("2019/fetched/430181002-") and got.file_path.endswith(".md")
    assert (raw / got.file_path).read_bytes() == "报告".encode()
    mtime = (raw / got.file_path).stat().st_mtime_ns
    again = manifest.fetch_url(http_server.base_url + "/r/a.md", raw, unit_code="430181002",
                              year=2019, timeout=5)
    assert again == got and (raw / got.file_path).stat().st_mtime_ns == mtime
    assert [p.name for p in (raw / "2019" / "fetched").iterdir()] == [got.path.split("/")[-1]]
    # the kept bytes are discovered as the same submission by a folder run
    (sub,) = sources.discover_folder(raw, registry=REG)
    row = manifest.ManifestRow(2, "430181002", "430181002", 2019, http_server.base_url + "/r/a.md")
    assert sub.submission_id == manifest.fetched_submission(row, got).submission_id


def test_fetch_url_failures(tmp_path, http_server):
    http_server.routes["/slow.md"] = (200, b"late", 3)
    http_server.routes["/big.md"] = (200, b"x" * 2048, 0)
    http_server.routes["/boom.md"] = (503, b"busy", 0)
    with pytest.raises(manifest.FetchError, match="HTTP 404") as exc:
        manifest.fetch_url(http_server.base_url + "/missing.md", tmp_path, unit_code=None,
                          year=2019, timeout=5)
    assert exc.value.permanent
    with pytest.raises(manifest.FetchError, match="timeout") as exc:
        manifest.fetch_url(http_server.base_url + "/slow.md", tmp_path, unit_code=None,
                          year=2019, timeout=0.5)
    assert not exc.value.permanent
    with pytest.raises(manifest.FetchError, match="cap") as exc:
        manifest.fetch_url(http_server.base_url + "/big.md", tmp_path, unit_code=None,
                          year=2019, timeout=5, max_bytes=1024)
    assert exc.value.permanent
    with pytest.raises(manifest.FetchError, match="HTTP 503") as exc:
        manifest.fetch_url(http_server.base_url + "/boom.md", tmp_path, unit_code=None,
                          year=2019, timeout=5)
    assert not exc.value.permanent
    assert list((tmp_path / "2019" / "fetched").iterdir()) == []  # no partial files left


def test_failed_submission_ids_are_stable():
    row = manifest.ManifestRow(2, "x", "430181002", 2019, "http://h/a.pdf")
    a = manifest.failed_submission(row, "http://h/a.pdf: HTTP 404 Not Found")
    b = manifest.failed_submission(row, "http://h/a.pdf: HTTP 404 Not Found")
    assert a.submission_id == b.submission_id and a.path is None and a.error


def test_read_submissions_in_processes_matches_in_process(tmp_path, seed_path):
    raw = tmp_path / "raw"
    (raw / "2019").mkdir(parents=True)
    seed = seed_path.read_text(encoding="utf-8")
    for code, name in (("430181002", "集里街道"), ("430181003", "荷花街道"), ("430181004", "关口街道")):
        (raw / "2019" / f"{code}.md").write_text(seed.replace("集里街道", name), encoding="utf-8")
    subs = sources.discover_folder(raw, registry=REG)
    alone = sources.read_submissions(subs, workers=1)
    pooled = sources.read_submissions(subs, workers=2, batch_size=1, parallel_min_files=1)
    assert list(pooled) == list(alone) == [s.submission_id for s in subs]
    assert [r.to_json() for r in pooled.values()] == [r.to_json() for r in alone.values()]
    assert {r.unit_code for r in pooled.values()} == {"430181002", "430181003", "430181004"}


def test_read_one_turns_a_reader_crash_into_an_error_issue(tmp_path, monkeypatch):
    import gongkai.read

    def boom(*args, **kwargs):
        raise ValueError("bad table")

    monkeypatch.setattr(gongkai.read, "parse_file", boom)
    sub = sources.Submission("2019/x.md", str(tmp_path / "x.md"), "a" * 64, 1, None, 2019)
    report = sources.read_one(sub)
    assert [i.code for i in report.issues] == ["reader_failed"]
    assert "bad table" in report.issues[0].message_en
