"""The annual flow end to end: real Prefect runs, a real DuckDB file, real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from warehouse_helpers import query as _query
from warehouse_helpers import repeated_keys
from warehouse_helpers import run_flow as _run

from gongkai import manifest, pipeline, sources
from gongkai import warehouse as wh
from gongkai.paths import ROOT
from gongkai.warehouse import load as load_module

pytestmark = pytest.mark.flow

LICENSE_ROW = "行政许可\t4\t3\t31"


def _variant(seed_text: str, name: str) -> str:
    return seed_text.replace("集里街道", name).replace("集里", name[:2])


@pytest.fixture
def raw(tmp_path, seed_path):
    """A raw folder: the seed, another unit, a file filed under no known unit, a broken file."""
    seed = seed_path.read_text(encoding="utf-8")
    root = tmp_path / "raw"
    (root / "2019").mkdir(parents=True)
    (root / "2019" / "430181002-jili.md").write_text(seed, encoding="utf-8")
    (root / "2019" / "430181003-hehua.md").write_text(_variant(seed, "荷花街道"), encoding="utf-8")
    (root / "2019" / "mystery.md").write_text(_variant(seed, "淮川街道"), encoding="utf-8")
    (root / "2019" / "430181004-guankou.pdf").write_bytes(b"%PDF-1.4\n\x00\x01 not really a pdf")
    (root / "2019" / "README.md").write_text("how these files arrived", encoding="utf-8")
    return root


def _snapshot(path) -> dict:
    """Everything a rerun must leave unchanged (run bookkeeping columns left out)."""
    return {
        "submissions": _query(path, "select * exclude (last_run_id) from submissions "
                                    "order by submission_id"),
        "cells": _query(path, "select * from cells order by submission_id, cell_code"),
        "narratives": _query(path, "select * from narratives order by submission_id, section_code"),
        "parse_issues": _query(path, "select * from parse_issues order by submission_id, issue_no"),
        "figures": _query(path, "select * from narrative_figures order by submission_id, figure_no"),
        "units": _query(path, "select * from units order by unit_code"),
        "v_t3": _query(path, "select * from v_t3"),
        "v_city_totals": _query(path, "select * from v_city_totals"),
    }


def _data(path) -> dict:
    """Every table but ``runs``, row by row (the data a failed run must leave alone)."""
    tables = [r[0] for r in _query(path, "select table_name from duckdb_tables() "
                                         "where table_name <> 'runs' order by table_name")]
    return {t: _query(path, f"select * from {t} order by all") for t in tables}


def test_flow_end_to_end(prefect_harness, raw, tmp_path):
    before = {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()}
    result = _run(raw, tmp_path, with_render=True)
    db = Path(result["warehouse"])
    assert result["counts"] == {"seen": 4, "read": 4, "loaded": 3, "unchanged": 0, "rejected": 1,
                                "duplicate": 0, "skipped": 1}  # skipped: the README
    assert [r["file"] for r in result["rejected_files"]] == ["2019/430181004-guankou.pdf"]
    rows = _query(db, "select file_path, status, unit_code, filed_unit_code, is_current "
                      "from submissions order by file_path")
    assert rows == [
        ("2019/430181002-jili.md", "loaded", "430181002", "430181002", True),
        ("2019/430181003-hehua.md", "loaded", "430181003", "430181003", True),
        ("2019/430181004-guankou.pdf", "rejected", "430181004", "430181004", False),
        ("2019/mystery.md", "loaded", "430181001", None, True),
    ]
    reason = _query(db, "select reject_reason from submissions where status = 'rejected'")[0][0]
    assert reason
    issues = _query(db, "select s.file_path, p.issue_code from parse_issues p join submissions s "
                        "using (submission_id) where p.issue_code = 'filed_unit_unknown'")
    assert issues == [("2019/mystery.md", "filed_unit_unknown")]
    assert _query(db, "select unit_code, t2__license__decisions, t2__procurement__amount "
                      "from v_t2 order by unit_code") == [
        ("430181001", 31.0, 213.58), ("430181002", 31.0, 213.58), ("430181003", 31.0, 213.58)]
    assert _query(db, "select total_value, units_reporting from v_city_totals "
                      "where report_year = 2019 and cell_code = 't2.license.decisions'"
                  ) == [(93.0, 3)]
    run = _query(db, "select files_seen, files_read, files_rejected, status, failed_stage, "
                     "stage_seconds from runs")
    assert run[0][:5] == (4, 4, 1, "completed", None)
    # completed is written after the render, with every stage's time
    assert set(json.loads(run[0][5])) == set(wh.STAGES)
    assert _query(db, "select count(*) from check_runs where run_id = ?",
                  [result["run_id"]])[0][0] == result["checks"]["rules"]
    # the materialise stage stored the league table of every registry unit, with the method
    ranked = _query(db, "select count(*), count(*) filter (where has_report), "
                        "count(distinct run_id), min(run_id), min(method_version) "
                        "from rankings where report_year = 2019")[0]
    assert ranked[:4] == (32, 3, 1, result["run_id"])
    assert ranked[4].startswith("metrics ")
    assert _query(db, "select count(distinct unit_code) from indicator_scores") == [(3,)]
    assert _query(db, "select count(*) from context_figures") == [(3,)]
    parquet = Path(result["parquet"])
    assert (parquet / "cells" / "report_year=2019").is_dir()
    assert duckdb.sql(f"select count(*) from read_parquet('{parquet}/cells/*/*.parquet')"
                      ).fetchall()[0][0] == 3 * 198
    leftovers = [p.name for p in db.parent.iterdir() if p.name.endswith((".tmp", ".wal"))]
    assert leftovers == []
    assert {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()} == before
    assert result["rendered"] and all(Path(p).exists() for p in result["rendered"])


def test_rerun_is_idempotent_and_skips_unchanged(prefect_harness, raw, tmp_path, monkeypatch):
    first = _run(raw, tmp_path)
    db = Path(first["warehouse"])
    snap = _snapshot(db)
    read_calls = []
    original = sources.read_one
    monkeypatch.setattr(sources, "read_one", lambda sub: read_calls.append(sub) or original(sub))
    second = _run(raw, tmp_path)
    assert read_calls == []  # nothing re-read
    assert second["counts"] == {"seen": 4, "read": 0, "loaded": 0, "unchanged": 4, "rejected": 0,
                                "duplicate": 0, "skipped": 1}
    assert _snapshot(db) == snap
    assert _query(db, "select count(*) from runs")[0][0] == 2
    per_run = _query(db, "select run_id, count(*) from findings group by run_id")
    assert len(per_run) == 2 and per_run[0][1] == per_run[1][1] > 0  # same findings each run


def test_changed_file_is_a_new_version(prefect_harness, raw, tmp_path):
    first = _run(raw, tmp_path)
    db = Path(first["warehouse"])
    path = raw / "2019" / "430181002-jili.md"
    text = path.read_text(encoding="utf-8")
    assert LICENSE_ROW in text
    path.write_text(text.replace(LICENSE_ROW, "行政许可\t4\t3\t32"), encoding="utf-8")
    second = _run(raw, tmp_path)
    assert second["counts"]["read"] == 1 and second["counts"]["unchanged"] == 3
    versions = _query(db, "select submission_id, is_current, superseded_by, first_run_id "
                          "from submissions where unit_code = '430181002' "
                          "order by received_at, submission_id")
    assert len(versions) == 2
    current = [v for v in versions if v[1]]
    old = [v for v in versions if not v[1]]
    assert len(current) == 1 and old[0][2] == current[0][0]
    assert current[0][3] == second["run_id"] and old[0][3] == first["run_id"]
    assert _query(db, "select t2__license__decisions from v_t2 where unit_code = '430181002'"
                  ) == [(32.0,)]
    # the old version's cells are kept
    assert _query(db, "select value from cells where submission_id = ? and "
                      "cell_code = 't2.license.decisions'", [old[0][0]]) == [(31.0,)]
    # the file changed back: the earlier version is current again, without re-reading
    path.write_text(text, encoding="utf-8")
    third = _run(raw, tmp_path)
    assert third["counts"]["read"] == 0
    assert _query(db, "select t2__license__decisions from v_t2 where unit_code = '430181002'"
                  ) == [(31.0,)]


def test_crash_while_loading_leaves_published_warehouse_intact(prefect_harness, raw, tmp_path,
                                                               monkeypatch):
    first = _run(raw, tmp_path)
    db = Path(first["warehouse"])
    published = _data(db)
    parquet_before = sorted(p.relative_to(db.parent) for p in Path(first["parquet"]).rglob("*"))
    (raw / "2019" / "430181102-shegang.md").write_text(
        _variant((raw / "2019" / "430181002-jili.md").read_text(encoding="utf-8"), "社港镇"),
        encoding="utf-8")
    (raw / "2019" / "430181003-hehua.md").write_text("changed: 荷花街道", encoding="utf-8")
    calls = []
    original = load_module.append_rows

    def failing_append(con, rows, *args, **kwargs):
        calls.append(rows.count)
        raise RuntimeError("disk full (injected)")

    monkeypatch.setattr(load_module, "append_rows", failing_append)
    with pytest.raises(RuntimeError, match="injected"):
        _run(raw, tmp_path)
    assert calls == [2]  # the crash came while the batch of both changed files was written
    # the data is as it was; only the failed run's row was added
    assert _data(db) == published
    assert _query(db, "select status, failed_stage from runs order by started_at, run_id") == [
        ("completed", None), ("failed", "load")]
    assert sorted(p.relative_to(db.parent) for p in Path(first["parquet"]).rglob("*")) == \
        parquet_before
    runs_parquet = Path(first["parquet"]) / "runs" / "runs.parquet"
    assert duckdb.sql(f"select count(*) from read_parquet('{runs_parquet}') "
                      "where status = 'failed'").fetchall() == [(1,)]
    assert [p.name for p in db.parent.iterdir() if p.name.endswith((".tmp", ".wal"))] == []
    # the next run (the fault gone) loads everything
    monkeypatch.setattr(load_module, "append_rows", original)
    after = _run(raw, tmp_path)
    assert after["counts"]["read"] == 2
    assert _query(db, "select count(*) from runs where status = 'completed'")[0][0] == 2


READER = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from submissions").fetchone()[0], flush=True)
    sys.stdin.readline()
    print(con.execute("select count(*) from submissions").fetchone()[0], flush=True)
    con.close()  # connections to one path in one process share a database instance
    fresh = duckdb.connect(sys.argv[1], read_only=True)
    print(fresh.execute("select count(*) from submissions").fetchone()[0], flush=True)
""")


def test_reader_holding_published_file_is_not_disturbed(prefect_harness, raw, tmp_path):
    first = _run(raw, tmp_path)
    db = first["warehouse"]
    reader = subprocess.Popen([sys.executable, "-c", READER, db], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "4"  # the reader holds the file open
        (raw / "2019" / "430181102-shegang.md").write_text(
            _variant((raw / "2019" / "430181002-jili.md").read_text(encoding="utf-8"), "社港镇"),
            encoding="utf-8")
        second = _run(raw, tmp_path)  # publishes while the reader is connected
        assert second["counts"]["loaded"] == 1
        out, err = reader.communicate("go\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err
    assert out.split() == ["4", "5"]  # old connection: old snapshot; new connection: new file


def test_url_manifest_with_404_and_timeout(prefect_harness, seed_path, tmp_path, http_server):
    seed = seed_path.read_bytes()
    http_server.routes["/r/jili.md"] = (200, seed, 0)
    http_server.routes["/r/hehua.md"] = (200, _variant(seed.decode(), "荷花街道").encode(), 0)
    http_server.routes["/r/slow.md"] = (200, seed, 3)
    base = http_server.base_url
    urls = tmp_path / "urls.csv"
    urls.write_text(
        "unit,year,url\n"
        f"430181002,2019,{base}/r/jili.md\n"
        f"荷花街道,2019,{base}/r/hehua.md\n"
        f"430181004,2019,{base}/r/gone.md\n"
        f"430181104,2019,{base}/r/slow.md\n",
        encoding="utf-8")
    raw_dir = tmp_path / "raw"
    result = _run(urls, tmp_path, raw_dir=str(raw_dir), fetch_timeout=0.5,
                  fetch_retries=1, fetch_retry_delay=0)
    db = result["warehouse"]
    assert result["counts"]["loaded"] == 2 and result["counts"]["rejected"] == 2
    rows = _query(db, "select unit_code, status, source_url, reject_reason, file_path "
                      "from submissions order by unit_code")
    assert [(r[0], r[1]) for r in rows] == [("430181002", "loaded"), ("430181003", "loaded"),
                                            ("430181004", "rejected"), ("430181104", "rejected")]
    assert "HTTP 404" in rows[2][3] and rows[2][2].endswith("/r/gone.md")
    assert "timeout" in rows[3][3]
    assert http_server.hits["/r/slow.md"] == 2  # one retry through Prefect
    assert http_server.hits["/r/gone.md"] == 1  # a 404 is not retried
    kept = raw_dir / rows[0][4]
    assert kept.read_bytes() == seed
    # a folder run over the kept bytes sees the same submissions
    again = _run(raw_dir, tmp_path)
    assert again["counts"]["read"] == 0 and again["counts"]["unchanged"] == 2


def test_fetch_task_fn_returns_rejection_for_permanent_failure(tmp_path, http_server):
    from flows.annual import fetch

    row = manifest.ManifestRow(2, "430181002", "430181002", 2019, http_server.base_url + "/nope")
    sub = fetch.fn(row, str(tmp_path), 2.0, 1024, 2)
    assert sub.path is None and "HTTP 404" in sub.error and sub.filed_unit_code == "430181002"
    bad = manifest.ManifestRow(3, "x", None, None, "http://h/x", problem="line 3: bad year")
    assert fetch.fn(bad, str(tmp_path), 2.0, 1024, 2).error == "line 3: bad year"


def test_cli_run_is_clean(tmp_path, seed_path):
    raw_dir = tmp_path / "raw" / "2019"
    raw_dir.mkdir(parents=True)
    (raw_dir / seed_path.name).write_bytes(seed_path.read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    proc = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "run", "--source", str(tmp_path / "raw"),
         "--warehouse", str(tmp_path / "wh" / "g.duckdb"), "--out", str(tmp_path / "out")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Traceback" not in output
    assert "| ERROR" not in output and "| WARNING" not in output
    assert "1 found: 1 loaded" in output
    assert str(tmp_path / "wh" / "g.duckdb") in output


def test_newer_reader_rereads_unchanged_files(prefect_harness, raw, tmp_path, monkeypatch):
    first = _run(raw, tmp_path)
    db = Path(first["warehouse"])
    monkeypatch.setattr(pipeline, "READER_VERSION", "99.0.0")
    second = _run(raw, tmp_path)
    assert second["counts"]["read"] == 4
    assert _query(db, "select count(*) from submissions")[0][0] == 4  # replaced, not duplicated
    assert _query(db, "select count(*) from cells")[0][0] == 3 * 198
    assert repeated_keys(db) == {}


def test_one_writer_at_a_time(tmp_path):
    target = tmp_path / "wh" / "g.duckdb"
    with wh.writer_lock(target):
        with pytest.raises(RuntimeError, match="already writing"):
            with wh.writer_lock(target):
                pass
    with wh.writer_lock(target):  # released
        pass


def test_cli_rejects_missing_source_and_bad_years(tmp_path, capsys):
    from gongkai.cli import main

    assert main(["run", "--source", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["run", "--years", "2024-2019"]) == 2
    assert "backwards" in capsys.readouterr().err
    assert main(["run", "--source", str(tmp_path / "urls.csv")]) == 2
    assert "manifest" in capsys.readouterr().err


def test_run_finding_no_files_warns_and_publishes_nothing(prefect_harness, raw, tmp_path, capsys):
    from gongkai.cli import main

    first = _run(raw, tmp_path, with_render=True)
    db = Path(first["warehouse"])
    out = tmp_path / "out"
    before = {p: (p.stat().st_mtime_ns, p.read_bytes())
              for p in [db, *out.rglob("*")] if p.is_file()}
    capsys.readouterr()
    status = main(["run", "--year", "1999", "--source", str(raw), "--warehouse", str(db),
                   "--out", str(out), "--workers", "1"])
    err = capsys.readouterr().err
    assert status == 1
    assert "没有找到 1999 年度的报告文件" in err and "未更新" in err
    assert "no report files found" in err
    after = {p: (p.stat().st_mtime_ns, p.read_bytes())
             for p in [db, *out.rglob("*")] if p.is_file()}
    assert after == before


def test_failed_render_is_recorded_after_publishing(prefect_harness, raw, tmp_path, monkeypatch):
    def broken_render(*args, **kwargs):
        raise RuntimeError("renderer broke (injected)")

    monkeypatch.setattr(pipeline, "render", broken_render)
    with pytest.raises(RuntimeError, match="injected"):
        _run(raw, tmp_path, with_render=True)
    db = tmp_path / "wh" / "gongkai.duckdb"
    # the data was published before the render: analysts have it, and the row says where the
    # run stopped
    assert _query(db, "select status, failed_stage from runs") == [("failed", "render")]
    assert _query(db, "select count(*) from v_current_submissions") == [(3,)]


KILLED_IN_RENDER = textwrap.dedent("""
    import os, sys
    from gongkai import pipeline
    pipeline.render = lambda *args, **kwargs: os._exit(3)  # the process dies in the render
    from flows.annual import annual
    annual(source=sys.argv[1], warehouse=sys.argv[2], out=sys.argv[3], workers=1)
""")


def test_run_killed_during_render_stays_published(prefect_harness, raw, tmp_path):
    from prefect.settings import PREFECT_API_URL

    db = tmp_path / "wh" / "gongkai.duckdb"
    # the killed process uses the session's server: a temporary server of its own would be
    # left running when the process dies
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    proc = subprocess.run([sys.executable, "-c", KILLED_IN_RENDER, str(raw), str(db),
                           str(tmp_path / "out")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    # published, never completed: the data is there, the reports are not confirmed
    assert _query(db, "select status, failed_stage from runs") == [("published", None)]
    assert _query(db, "select count(*) from v_current_submissions") == [(3,)]
