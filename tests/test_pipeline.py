"""The pipeline without Prefect: build_warehouse, the stored rankings, the run's status."""

from __future__ import annotations

import duckdb
import pytest
from ranking_data import build_constructed

from gongkai import pipeline, rankings
from gongkai import warehouse as wh


def _raw(tmp_path, seed_path):
    """A raw folder: the seed and a copy filed for another unit."""
    root = tmp_path / "raw" / "2019"
    root.mkdir(parents=True)
    seed = seed_path.read_text(encoding="utf-8")
    (root / "430181002-jili.md").write_text(seed, encoding="utf-8")
    (root / "430181003-hehua.md").write_text(seed.replace("集里街道", "荷花街道"), encoding="utf-8")
    (root / "430181004-guankou.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    return tmp_path / "raw"


def test_build_warehouse_runs_the_stages_in_memory(tmp_path, seed_path):
    built = pipeline.build_warehouse(_raw(tmp_path, seed_path), run_id="b1")
    con = built.con
    try:
        assert built.loaded.counts() == {"loaded": 2, "rejected": 1, "unchanged": 0,
                                        "duplicate": 0}
        assert [f["file"] for f in built.loaded.rejected_files] == ["2019/430181004-guankou.pdf"]
        assert built.checks.as_dict()["rules"] == len(built.checks.summary) > 20
        assert con.execute("select count(*) from findings where run_id = 'b1'").fetchone()[0] \
            == sum(built.checks.failing_by_severity.values()) + built.checks.not_assessable
        assert con.execute("select status, files_seen, files_loaded from runs").fetchall() == [
            ("completed", 3, 2)]
        assert built.stored == []  # rankings only when asked
    finally:
        con.close()


def test_build_warehouse_into_a_file_twice_reads_nothing_again(tmp_path, seed_path):
    raw = _raw(tmp_path, seed_path)
    path = tmp_path / "w.duckdb"
    pipeline.build_warehouse(raw, path, run_id="b1", check=False).con.close()
    again = pipeline.build_warehouse(raw, path, run_id="b2", check=False)
    again.con.close()
    assert again.reports == {}
    # the unreadable file too: the same bytes read by the same reader are not read again
    assert again.loaded.counts() == {"loaded": 0, "rejected": 0, "unchanged": 3,
                                         "duplicate": 0}


def test_materialise_stores_what_the_views_compute(tmp_path):
    path = build_constructed(tmp_path / "w.duckdb")
    fresh = duckdb.connect(str(path), read_only=True)
    rankings.prepare(fresh)
    computed = {t: fresh.execute(f"select * from v_{t} order by all").fetchall()
                for t in rankings.stored_scores()}
    fresh.close()
    con = duckdb.connect(str(path))
    assert rankings.materialise(con, "run-m") == rankings.stored_scores()
    method = rankings.load_method()
    for table, rows in computed.items():
        assert con.execute(f"select distinct run_id, method_version from {table}").fetchall() \
            == [("run-m", method.stored_version)], table
        assert con.execute(f"select * exclude (run_id, method_version) from {table} "
                           "order by all").fetchall() == rows, table
    con.close()


def test_connect_reads_the_stored_rankings_made_with_its_method(tmp_path):
    path = build_constructed(tmp_path / "w.duckdb")
    con = duckdb.connect(str(path))
    rankings.materialise(con, "run-m")
    # a mark only a reader of the stored table can see
    con.execute("update rankings set score = -1 where unit_code = '430181001' "
                "and report_year = 2024")
    con.close()
    reader, _ = rankings.connect(path)
    assert reader.execute("select score from v_rankings where unit_code = '430181001' "
                          "and report_year = 2024").fetchone() == (-1.0,)
    reader.close()
    # other method files: the stored tables do not apply, the scores are computed
    text = rankings.resources.files("gongkai.data").joinpath("ranking.toml").read_text("utf-8")
    heavier = tmp_path / "ranking.toml"
    heavier.write_text(text.replace("not_copied = 10", "not_copied = 90"), encoding="utf-8")
    other, _ = rankings.connect(path, rankings.load_method(ranking_path=heavier))
    assert other.execute("select score from v_rankings where unit_code = '430181001' "
                         "and report_year = 2024").fetchone() == (100.0,)
    other.close()


def test_run_status_is_checked_where_it_is_written():
    con = duckdb.connect()
    wh.create_schema(con)
    wh.start_run(con, "r1", source="s", years=None, reader_version="1")
    assert con.execute("select status, failed_stage from runs").fetchall() == [("running", None)]
    with pytest.raises(ValueError, match="names its stage"):
        wh.set_status(con, "r1", "failed")
    with pytest.raises(ValueError, match="names its stage"):
        wh.set_status(con, "r1", "completed", failed_stage="load")
    with pytest.raises(ValueError, match="unknown stage"):
        wh.set_status(con, "r1", "failed", failed_stage="roll_up")
    with pytest.raises(ValueError, match="unknown run status"):
        wh.set_status(con, "r1", "done")
    wh.set_status(con, "r1", "failed", failed_stage="check", stage_seconds={"load": 1.5})
    assert con.execute("select status, failed_stage, stage_seconds from runs").fetchall() == [
        ("failed", "check", '{"load": 1.5}')]


def test_record_outcome_changes_only_the_runs_row(tmp_path, seed_path):
    path = tmp_path / "wh" / "g.duckdb"
    path.parent.mkdir()
    pipeline.build_warehouse(_raw(tmp_path, seed_path), path, run_id="b1").con.close()

    def data():
        con = duckdb.connect(str(path), read_only=True)
        try:
            tables = [r[0] for r in con.execute(
                "select table_name from duckdb_tables() where table_name <> 'runs'").fetchall()]
            return {t: con.execute(f"select * from {t} order by all").fetchall() for t in tables}
        finally:
            con.close()

    before = data()
    run = pipeline.RunInfo("r2", "data/raw", "2019")
    assert pipeline.record_outcome(path, run, "failed", failed_stage="load",
                                   stage_seconds={"discover": 0.1})
    assert data() == before
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select run_id, status, failed_stage, years from runs order by run_id"
                       ).fetchall() == [("b1", "completed", None, None),
                                        ("r2", "failed", "load", "2019")]
    con.close()
    assert [p.name for p in path.parent.iterdir() if p.name.endswith((".tmp", ".wal"))] == []
    assert not pipeline.record_outcome(tmp_path / "none.duckdb", run, "completed")


def test_stage_clock_keeps_the_failed_stage():
    clock = pipeline.StageClock()
    with clock.stage("read"):
        pass
    assert clock.current is None and set(clock.seconds) == {"read"}
    with pytest.raises(RuntimeError):
        with clock.stage("load"):
            raise RuntimeError("boom")
    assert clock.current == "load" and "load" not in clock.seconds
    with pytest.raises(ValueError, match="unknown stage"):
        with clock.stage("roll_up"):
            pass
