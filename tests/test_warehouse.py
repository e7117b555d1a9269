"""The warehouse: schema, loading parsed reports, versioning, publishing, wide views."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys

import duckdb
import pytest
from warehouse_helpers import CHILD_KEYS, repeated_keys

from gongkai import template as tpl
from gongkai import warehouse as wh
from gongkai.model import Issue, ParsedReport
from gongkai.paths import ROOT
from gongkai.units import default_registry
from gongkai.warehouse import export


def _load_codegen():
    """tools/codegen.py as a module (tools/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("codegen", ROOT / "tools" / "codegen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def con():
    con = duckdb.connect()
    wh.create_schema(con)
    wh.load_units(con, default_registry())
    yield con
    con.close()


def _insert(con, report, sha="a" * 64, unit="430181002", year=2019, path="2019/x.md", **kw):
    sid = wh.submission_id_for(sha, unit, year)
    status = wh.insert_report(con, report, submission_id=sid, sha256=sha, size_bytes=10,
                              file_path=path, filed_unit_code=unit, filed_year=year,
                              run_id="run-1", **kw)
    return sid, status


def test_schema_is_idempotent_and_has_core_tables(con):
    wh.create_schema(con)
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    for name in ("units", "runs", "submissions", "cells", "narratives", "narrative_figures",
                 "parse_issues", "findings", "check_runs", "cell_codes", "v_current_cells",
                 "v_t2", "v_t3", "v_t4", "v_city_totals"):
        assert name in tables
    assert con.execute("select count(*) from cell_codes").fetchone()[0] == len(tpl.all_codes())


def test_load_units(con):
    n = con.execute("select count(*) from units").fetchone()[0]
    assert n == len(default_registry().units)
    row = con.execute("select name, peer_group from units where unit_code = '430181002'").fetchone()
    assert row == ("集里街道", "街道")


def test_insert_report_writes_every_template_cell(con, make_report):
    report = make_report(values={"t3.new.natural": 3, "t3.new.total": None},
                         blanks=("t4.review.total",))
    sid, status = _insert(con, report)
    assert status == "loaded"
    n = con.execute("select count(*) from cells where submission_id = ?", [sid]).fetchone()[0]
    assert n == len(tpl.get("v2019").cell_codes)
    value, status_, raw = con.execute(
        "select value, status, raw_text from cells where submission_id = ? and cell_code = ?",
        [sid, "t3.new.natural"]).fetchone()
    assert (value, status_, raw) == (3.0, "value", "3")
    # not seen by the reader: null, not 0
    assert con.execute(
        "select value, status, raw_text from cells where submission_id = ? and cell_code = ?",
        [sid, "t3.new.total"]).fetchone() == (None, "unseen", "")
    # visibly blank: null, not 0
    assert con.execute(
        "select value, status from cells where submission_id = ? and cell_code = ?",
        [sid, "t4.review.total"]).fetchone() == (None, "blank")
    sub = con.execute(
        "select status, is_current, unit_code, report_year, template, published_date::varchar "
        "from submissions where submission_id = ?", [sid]).fetchone()
    assert sub == ("loaded", True, "430181002", 2019, "v2019", "2020-01-20")
    row, col = con.execute(
        "select row_code, col_code from cells where submission_id = ? and cell_code = ?",
        [sid, "t3.denied.state_secret.natural"]).fetchone()
    assert (row, col) == ("denied.state_secret", "natural")
    assert con.execute("select count(*) from narratives where submission_id = ?",
                       [sid]).fetchone()[0] == 2


def test_text_with_quotes_is_stored_verbatim(con, make_report):
    report = make_report()
    report.title = "x'); drop table cells; --"
    report.sections["s6"] = "它's \"quoted\" ; drop"
    report.add_issue("odd", "info", "说明'", "note'); --")
    sid, _ = _insert(con, report)
    assert con.execute("select title from submissions").fetchone()[0] == report.title
    assert con.execute("select count(*) from cells").fetchone()[0] > 0
    assert con.execute("select message_en from parse_issues where submission_id = ?",
                       [sid]).fetchone()[0] == "note'); --"


def test_unreadable_report_is_a_rejected_submission(con):
    report = ParsedReport(file="broken.pdf", format="pdf")
    report.add_issue("no_tables", "error", "未找到统计表", "no statistical table was found")
    sid, status = _insert(con, report)
    assert status == "rejected"
    row = con.execute("select status, reject_reason, is_current from submissions").fetchone()
    assert row[0] == "rejected" and "no statistical table" in row[1] and row[2] is False
    assert con.execute("select count(*) from cells").fetchone()[0] == 0
    assert con.execute("select issue_code from parse_issues").fetchone()[0] == "no_tables"


def test_filed_values_win_and_disagreement_is_an_issue(con, make_report):
    report = make_report(unit_code="430181001", unit_name="淮川街道", year=2018)
    sid, _ = _insert(con, report, unit="430181002", year=2019)
    row = con.execute(
        "select unit_code, report_year, filed_unit_code, text_unit_code, text_year "
        "from submissions").fetchone()
    assert row == ("430181002", 2019, "430181002", "430181001", 2018)
    codes = [r[0] for r in con.execute(
        "select issue_code from parse_issues order by issue_no").fetchall()]
    assert codes == ["filed_unit_mismatch", "filed_year_mismatch"]
    assert con.execute("select distinct unit_code from cells").fetchall() == [("430181002",)]


def test_text_values_used_when_nothing_filed(con, make_report):
    report = make_report(unit_code="430181003", year=2020)
    sid = wh.submission_id_for("b" * 64, None, None)
    wh.insert_report(con, report, submission_id=sid, sha256="b" * 64, size_bytes=1,
                     file_path="loose.md")
    assert con.execute("select unit_code, report_year, filed_unit_code from submissions"
                       ).fetchone() == ("430181003", 2020, None)


def test_resubmission_supersedes_and_rerun_is_idempotent(con, make_report):
    old, _ = _insert(con, make_report(values={"t3.new.natural": 1}), sha="1" * 64)
    new, _ = _insert(con, make_report(values={"t3.new.natural": 2}), sha="2" * 64)
    rows = con.execute("select submission_id, is_current, superseded_by from submissions "
                       "order by submission_id").fetchall()
    assert dict((r[0], (r[1], r[2])) for r in rows) == {old: (False, new), new: (True, None)}
    # the same file again: same id, no duplicate rows
    _insert(con, make_report(values={"t3.new.natural": 2}), sha="2" * 64)
    assert con.execute("select count(*) from submissions").fetchone()[0] == 2
    assert con.execute("select count(*) from cells where submission_id = ?",
                       [new]).fetchone()[0] == len(tpl.get("v2019").cell_codes)
    value = con.execute("select t3__new__natural from v_t3").fetchall()
    assert value == [(2.0,)]
    # the old file comes back: it becomes current again
    assert wh.promote(con, old)
    assert con.execute("select t3__new__natural from v_t3").fetchall() == [(1.0,)]
    assert wh.current_of(con, new) == old


def test_rejected_resubmission_does_not_replace_loaded(con, make_report):
    good, _ = _insert(con, make_report(), sha="1" * 64)
    bad, status = _insert(con, ParsedReport(file="x", format="pdf"), sha="2" * 64)
    assert status == "rejected"
    assert wh.current_of(con, good) == good
    assert con.execute("select count(*) from v_t3").fetchone()[0] == 1


def test_wide_views_and_city_totals(con, make_report):
    _insert(con, make_report(values={"t3.new.natural": 4}, blanks=("t3.new.commercial",)),
            sha="1" * 64, unit="430181002")
    _insert(con, make_report(unit_code="430181003", values={"t3.new.natural": 5}),
            sha="2" * 64, unit="430181003")
    _insert(con, make_report(template="v2021", year=2021, values={"t2.fee.amount": 1.5}),
            sha="3" * 64, unit="430181002", year=2021)
    rows = con.execute("select unit_code, report_year, t3__new__natural, t3__new__commercial "
                       "from v_t3").fetchall()
    assert rows == [("430181002", 2019, 4.0, None), ("430181003", 2019, 5.0, 0.0),
                    ("430181002", 2021, 0.0, 0.0)]
    assert con.execute("select t2__fee__amount, t2__fee__prev_items from v_t2 "
                       "where report_year = 2021").fetchone() == (1.5, None)
    assert con.execute("select count(*) from v_t4").fetchone()[0] == 3
    total = con.execute(
        "select total_value, units_reporting, units_with_value, blank_cells from v_city_totals "
        "where report_year = 2019 and cell_code = ?", ["t3.new.commercial"]).fetchone()
    assert total == (0.0, 2, 1, 1)
    assert con.execute(
        "select total_value from v_city_totals where report_year = 2019 and cell_code = ?",
        ["t3.new.natural"]).fetchone() == (9.0,)


def test_city_total_of_all_blank_cell_is_null(con, make_report):
    _insert(con, make_report(blanks=("t4.review.total",)), sha="1" * 64)
    assert con.execute(
        "select total_value, blank_cells from v_city_totals where cell_code = 't4.review.total'"
    ).fetchone() == (None, 1)


def test_generated_files_match_the_template():
    """The wide views and their column list in the docs are what tools/codegen.py makes."""
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "codegen.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_codegen_check_names_a_stale_file(tmp_path, monkeypatch):
    """The check above can fail: a wide view changed by hand is reported."""
    codegen = _load_codegen()
    stale = tmp_path / "v_t4.sql"
    stale.write_text("-- edited by hand\n", encoding="utf-8")
    generated = codegen.generated_files()
    monkeypatch.setattr(codegen, "generated_files",
                        lambda: {**generated, stale: codegen.wide_view_sql("t4")})
    monkeypatch.setattr(codegen, "ROOT", tmp_path)
    assert codegen.main(["--check"]) == 1


def test_wide_column_names_are_unique_and_reversible():
    cols = [wh.wide_column(c) for c in tpl.all_codes()]
    assert len(set(cols)) == len(cols)
    assert all(c.replace("__", ".") in tpl.all_codes() for c in cols)


def test_extra_issues_are_numbered_after_reader_issues(con, make_report):
    report = make_report()
    report.add_issue("r1", "warning", "甲", "a")
    sid, _ = _insert(con, report, extra_issues=[Issue("filed_unit_unknown", "warning", "乙", "b")])
    assert con.execute("select issue_no, issue_code from parse_issues order by issue_no"
                       ).fetchall() == [(1, "r1"), (2, "filed_unit_unknown")]


def test_stage_publish_and_parquet(tmp_path, make_report):
    published = tmp_path / "wh" / "gongkai.duckdb"
    staging = wh.stage_copy(published, "r1")
    con = wh.connect(staging)
    wh.load_units(con, default_registry())
    _insert(con, make_report())
    con.close()
    assert not published.exists()
    wh.publish(staging, published)
    assert published.exists() and not staging.exists()
    out = wh.export_parquet(published, wh.parquet_dir(published))
    assert (out / "cells" / "report_year=2019").is_dir()
    n = duckdb.sql(f"select count(*) from read_parquet('{out}/cells/*/*.parquet')").fetchall()[0][0]
    assert n == len(tpl.get("v2019").cell_codes)
    # a second staging copy starts from the published content
    staging2 = wh.stage_copy(published, "r2")
    con = duckdb.connect(str(staging2), read_only=True)
    assert con.execute("select count(*) from submissions").fetchone()[0] == 1
    con.close()
    wh.discard(staging2)
    assert not staging2.exists()


def _one_at_a_time(con, subs, reports, run_id):
    """The load stage as it was before it went set-wise: one statement group per submission,
    each loaded report promoted as it is written (the reference for ``load_submissions``)."""
    discovered = {s.submission_id for s in subs}
    done = set()
    for sub in subs:
        sid = sub.submission_id
        if sid in done:
            continue
        done.add(sid)
        common = dict(submission_id=sid, file_path=sub.file_path, run_id=run_id,
                      filed_unit_code=sub.filed_unit_code, filed_year=sub.filed_year)
        if sub.error:
            wh.insert_rejected(con, reason=sub.error, sha256=sub.sha256, issues=sub.issues,
                               size_bytes=sub.size_bytes, **common)
        elif sid in reports:
            wh.insert_report(con, reports[sid], sha256=sub.sha256, size_bytes=sub.size_bytes,
                             extra_issues=sub.issues, **common)
        else:
            wh.touch_submission(con, sid, run_id)
            current = wh.current_of(con, sid)
            if current is None or current not in discovered:
                wh.promote(con, sid)


_STATE = ("select submission_id, status, is_current, superseded_by, first_run_id, last_run_id, "
          "unit_code, report_year, reject_reason from submissions order by submission_id")
_CHILDREN = ("select 'cells', submission_id, count(*), count(value), string_agg(status, ',' "
             "order by cell_code) from cells group by all union all "
             "select 'issues', submission_id, count(*), 0, string_agg(issue_code, ',' "
             "order by issue_no) from parse_issues group by all order by all")


@pytest.mark.parametrize("commit_batches", [False, True])
def test_set_wise_load_settles_versions_as_one_at_a_time_did(make_report, commit_batches,
                                                              monkeypatch):
    """Runs of random submissions (new, unchanged, changed back, re-read, unreadable,
    rejected, two files of one unit-year, files without a unit) leave the same rows, flags
    and issues whether loaded set-wise or one by one in discovery order; and whether the
    set-wise load commits once or as its batches are written (a staging copy's load)."""
    import random

    from gongkai.sources import Submission
    from gongkai.warehouse import load

    monkeypatch.setattr(load, "COMMIT_EVERY", 1)

    units = ["430181002", "430181003", None]
    for seed in range(12):
        rng = random.Random(seed)
        pool = []
        for i in range(14):
            unit, year = rng.choice(units), rng.choice([2019, 2020])
            sha = f"{seed:02d}{i:02d}".ljust(64, "e")
            error = "the file cannot be read" if rng.random() < 0.1 else None
            report = make_report(unit_code=unit or "430181004")
            if rng.random() < 0.15:
                report.cells = {}  # no cell read: rejected
            pool.append((Submission(f"{year}/f{i}.md", None, sha, 10, unit, year, error=error),
                         report))
        a, b = duckdb.connect(), duckdb.connect()
        for c in (a, b):
            wh.create_schema(c)
            wh.load_units(c, default_registry())
        known: set[str] = set()
        for run in range(4):
            picked = rng.sample(pool, rng.randint(3, len(pool)))
            subs = [s for s, _ in picked]
            reread = run == 2 and rng.random() < 0.7  # a newer reader: every file read again
            reports = {s.submission_id: r for s, r in picked
                       if not s.error and (reread or s.submission_id not in known)}
            known |= {s.submission_id for s in subs}
            wh.load_submissions(a, subs, reports, f"run-{run}", batch_size=3,
                                commit_batches=commit_batches)
            _one_at_a_time(b, subs, reports, f"run-{run}")
            assert a.execute(_STATE).fetchall() == b.execute(_STATE).fetchall(), (seed, run)
            assert a.execute(_CHILDREN).fetchall() == b.execute(_CHILDREN).fetchall()


def test_load_counts_and_rejected_files_in_discovery_order(con, make_report):
    from gongkai.sources import Submission

    good = Submission("2019/a.md", None, "a" * 64, 1, "430181002", 2019)
    empty = make_report()
    empty.cells = {}
    bad = Submission("2019/b.md", None, "b" * 64, 1, "430181003", 2019)
    gone = Submission("2019/c.md", None, "", None, "430181004", 2019, error="cannot be read")
    result = wh.load_submissions(con, [bad, good, gone, gone],
                                 {good.submission_id: make_report(), bad.submission_id: empty},
                                 "r1")
    assert result.counts() == {"loaded": 1, "rejected": 2, "unchanged": 0, "duplicate": 0}
    assert [f["file"] for f in result.rejected_files] == ["2019/b.md", "2019/c.md"]
    again = wh.load_submissions(con, [good, bad], {}, "r2")
    assert again.counts() == {"loaded": 0, "rejected": 0, "unchanged": 2, "duplicate": 0}
    assert con.execute("select count(*) from submissions where last_run_id = 'r2'"
                       ).fetchall()[0][0] == 2


def test_publish_keeps_changes_of_an_unchecked_log(tmp_path, make_report):
    """A log left beside the published file is carried into the copy, then removed."""
    published = tmp_path / "g.duckdb"
    con = wh.connect(published)
    con.execute("checkpoint")
    con.execute("pragma disable_checkpoint_on_shutdown")
    _insert(con, make_report())
    con.close()
    wal = tmp_path / "g.duckdb.wal"
    assert wal.exists()
    staging = wh.stage_copy(published, "r1")
    check = duckdb.connect(str(staging))
    assert check.execute("select count(*) from submissions").fetchall() == [(1,)]
    check.close()
    wh.publish(staging, published)
    assert not wal.exists()
    assert duckdb.connect(str(published), read_only=True).execute(
        "select count(*) from submissions").fetchall() == [(1,)]


def _documented_tables() -> set[str]:
    """The tables docs/warehouse.md lists: the ### headings of its Tables and Stored
    rankings sections."""
    import re

    from gongkai.paths import ROOT

    text = (ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
    names: set[str] = set()
    for section in re.split(r"^## ", text, flags=re.M):
        if section.startswith(("Tables", "Stored rankings")):
            names |= set(re.findall(r"^### `(\w+)`", section, flags=re.M))
    return names


def test_child_tables_keep_their_undeclared_keys(demo, make_report, tmp_path):
    assert repeated_keys(demo[0]) == {}
    # the helper sees a repeat: a report's cells written twice
    path = tmp_path / "w.duckdb"
    con = wh.connect(path)
    sid, _ = _insert(con, make_report(), sha="1" * 64)
    con.execute("insert into cells select * from cells where submission_id = ? "
                "and cell_code = 't3.new.natural'", [sid])
    con.close()
    assert repeated_keys(path) == {"cells": 1}
    assert set(CHILD_KEYS) == set(wh.load.CHILD_TABLES)


def test_parquet_exports_every_table_the_docs_list(demo, tmp_path):
    path, _ = demo
    documented = _documented_tables()
    assert {"rankings", "indicator_scores", "context_figures", "cells", "value_rules"} <= documented
    out = wh.export_parquet(path, tmp_path / "parquet")
    # and what each file holds, for the next export (hidden: not a table)
    assert {p.name for p in out.iterdir()} == documented | {export.CONTENTS}
    con = duckdb.connect(str(path), read_only=True)
    try:
        for table in sorted(documented):
            expected = con.execute(f"select count(*) from {table}").fetchone()[0]
            got = duckdb.sql(f"select count(*) from read_parquet('{out}/{table}/**/*.parquet', "
                             "hive_partitioning = true)").fetchall()[0][0]
            assert got == expected, table
            # the office's decisions and the bundled registry's changes: the demo has none
            # (one empty file keeps each table)
            assert expected > 0 or table in {"cell_corrections", "finding_reviews",
                                             "unit_changes"}, table
    finally:
        con.close()
    assert (out / "rankings" / "report_year=2024").is_dir()


def _exported(out, table, columns):
    """The rows of an exported table (hive partitions read back), as a sorted list."""
    return sorted(duckdb.sql(
        f"select {columns} from read_parquet('{out}/{table}/**/*.parquet', "
        "hive_partitioning = true, union_by_name = true)").fetchall(), key=repr)


def test_parquet_export_writes_again_only_the_files_whose_rows_changed(demo, tmp_path,
                                                                      monkeypatch):
    import shutil

    path = tmp_path / "w.duckdb"
    shutil.copyfile(demo[0], path)
    # a year of more than 500 rows is written in buckets of at most 500 rows, as a country's
    # year would be in buckets of 100,000
    monkeypatch.setattr(export, "BUCKET_ROWS", 500)
    out = tmp_path / "parquet"
    wh.export_parquet(path, out)
    year = out / "cells" / "report_year=2023"
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute("select count(*) from cells where report_year = 2023").fetchone()[0]
    con.close()
    count = export.buckets_for(rows)
    assert count == 2 ** math.ceil(math.log2(rows / 500)) > 1
    names = {p.name for p in year.iterdir()}
    # a file a bucket holding any unit (a bucket no unit's code falls in has none)
    assert 1 < len(names) <= count
    assert names <= {f"data_{b}.parquet" for b in range(count)}
    inodes = {p.relative_to(out): p.stat().st_ino for p in out.rglob("*.parquet")}
    con = duckdb.connect(str(path))
    sid, unit = con.execute("select submission_id, unit_code from cells where report_year = 2023 "
                            "order by submission_id limit 1").fetchone()
    con.execute("update cells set value = 4242 where submission_id = ? "
                "and cell_code = 't3.new.natural'", [sid])
    columns = ", ".join(r[0] for r in con.execute("describe cells").fetchall())
    expected = sorted(con.execute(f"select {columns} from cells").fetchall(), key=repr)
    con.close()
    wh.export_parquet(path, out)
    changed = {rel for rel, ino in inodes.items() if (out / rel).stat().st_ino != ino}
    # one file is written again: the one holding that unit's 2023 cells; every other file
    # is the previous one, linked
    assert len(changed) == 1 and next(iter(changed)).parts[:2] == ("cells", "report_year=2023")
    assert _exported(out, "cells", columns) == expected
    rows = duckdb.sql(f"select unit_code from read_parquet('{out}/{changed.pop()}')").fetchall()
    assert (unit,) in rows
    # a file replaced after the export (the runs table after publishing) is written again
    # by the next export, whatever its digest says
    export.refresh_plain_table(path, out, "runs")
    assert "runs" not in json.loads((out / export.CONTENTS).read_text())["parts"]
    before = (out / "runs" / "runs.parquet").stat().st_ino
    wh.export_parquet(path, out)
    assert (out / "runs" / "runs.parquet").stat().st_ino != before
    # another writer's contents are not trusted: everything is written again
    data = json.loads((out / export.CONTENTS).read_text())
    data["writer"] = "another"
    (out / export.CONTENTS).write_text(json.dumps(data))
    inodes = {p.relative_to(out): p.stat().st_ino for p in out.rglob("*.parquet")}
    wh.export_parquet(path, out)
    assert all((out / rel).stat().st_ino != ino for rel, ino in inodes.items())
    assert _exported(out, "cells", columns) == expected
    # the contents file is trusted only with the export's own files of each table
    outside = tmp_path / "outside.parquet"
    outside.write_bytes(b"not the export's")
    data = json.loads((out / export.CONTENTS).read_text())
    data["parts"]["units"]["files"] = [str(outside)]
    data["parts"]["cell_codes"]["files"] = ["cell_codes/../../outside.parquet"]
    data["parts"]["runs"]["files"] = ["units/units.parquet"]
    (out / export.CONTENTS).write_text(json.dumps(data))
    wh.export_parquet(path, out)
    assert outside.read_bytes() == b"not the export's"
    con = duckdb.connect(str(path), read_only=True)
    for table in ("units", "cell_codes", "runs"):
        assert duckdb.sql(f"select count(*) from '{out}/{table}/{table}.parquet'").fetchall() \
            == con.execute(f"select count(*) from {table}").fetchall(), table
    con.close()


def test_rows_made_in_parts_join_in_discovery_order(make_report):
    """``ordered_rows`` joins the parts the reader processes made (batches of consecutive
    submissions, in the order they finished; a batch cut short finished in pieces; a file
    read again on its own) into the rows ``report_rows`` makes of the whole group in order."""
    import random

    from gongkai.report_tables import ordered_rows, report_rows
    from gongkai.sources import Submission

    items = []
    for i in range(23):
        report = make_report(unit_code=f"430181{i % 7:03d}")
        if i % 5 == 0:
            report.cells = {}  # rejected: no cell rows
        items.append((Submission(f"2019/f{i}.md", None, f"{i:02d}".ljust(64, "a"), 10,
                                 None, 2019), report))
    order = [s.submission_id for s, _ in items]
    whole = report_rows(items)
    tables = lambda r: [r.submissions, *(r.children[t] for t in sorted(r.children))]  # noqa: E731
    for seed in range(8):
        rng = random.Random(seed)
        cuts = sorted(rng.sample(range(1, len(items)), rng.randint(1, 8)))
        pieces = [items[a:b] for a, b in zip([0, *cuts], [*cuts, len(items)], strict=True)]
        if seed % 2:  # a piece made of files that are not consecutive (read again apart)
            pieces = [pieces[0][::-1], *pieces[1:]]
        rng.shuffle(pieces)
        joined = ordered_rows([report_rows(p) for p in pieces], order)
        assert all(a.equals(b) for a, b in zip(tables(joined), tables(whole), strict=True)), seed
        # one chunk a column: DuckDB inserts a table of many small chunks at half the speed
        assert {c.num_chunks for t in tables(joined) for c in t.columns} <= {0, 1}, seed
