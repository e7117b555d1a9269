"""A check run that reuses the last run's findings (``run_checks(..., reuse=True)``, what the
flow's check stage does) stores the same findings and rule counts as a run over every
report, after each kind of change a year brings: a corrected figure, a text copied from a
peer, a report withdrawn, a new report; and it evaluates only a few reports to do so. When
the rules, the settings or the registry change, nothing is reused."""

from __future__ import annotations

import shutil

import pytest

from gongkai import warehouse as wh
from gongkai.checks import load_config
from gongkai.checks.runner import _reusable_run, basis, load_rules
from gongkai.pipeline import build_warehouse, check_into
from gongkai.synth.generate import SynthOptions, generate
from gongkai.synth.registry import synthetic_units
from gongkai.units import Registry

pytestmark = pytest.mark.slow
YEARS = [2022, 2023]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Two years of generated reports (a quarter with injected errors) for ~150 townships in
    about ten counties, checked once: the warehouse every case starts from."""
    root = tmp_path_factory.mktemp("reuse")
    registry = Registry(synthetic_units(150, seed=3, history=False))
    generate(SynthOptions(out=root / "raw", years=YEARS, seed=7, inject=0.25,
                          registry=registry, truth_dir=root / "truth"))
    path = root / "gongkai.duckdb"
    build_warehouse(root / "raw", path, registry=registry, years=YEARS, run_id="r1").con.close()
    return path


def _current(con, n: int, year: int | None = None) -> list[tuple]:
    return con.execute(
        "select submission_id, unit_code, report_year from submissions "
        "where is_current and status = 'loaded' and report_year = coalesce(?, report_year) "
        "order by submission_id limit ?", [year, n]).fetchall()


def corrected_figure(con):
    """A 2022 figure changes: what it carried over into 2023 no longer matches the unit's
    2023 report (T3-CARRY on the 2023 report, which did not change)."""
    sid, _, _ = _current(con, 3, 2022)[2]
    con.execute("update cells set value = coalesce(value, 0) + 7, status = 'value' "
                "where submission_id = ? and cell_code = 't3.carried_out.total'", [sid])


def copied_text(con):
    """A report takes the text of another township of its county and year: both are
    flagged by R-COPY."""
    sid, unit, year = _current(con, 9, 2023)[8]
    peer = con.execute(
        "select s.submission_id from submissions as s join units as u using (unit_code) "
        "where s.is_current and s.report_year = ? and s.unit_code <> ? "
        "and u.city = (select city from units where unit_code = ?) order by 1 limit 1",
        [year, unit, unit]).fetchone()[0]
    con.execute("delete from narratives where submission_id = ?", [sid])
    con.execute("insert into narratives select ? as submission_id, ? as unit_code, "
                "report_year, section_code, position, text from narratives "
                "where submission_id = ?", [sid, unit, peer])
    return sid, peer


def withdrawn(con):
    """A 2022 report is no longer current (its file was taken out of the raw folder)."""
    sid, _, _ = _current(con, 5, 2022)[4]
    con.execute("update submissions set is_current = false where submission_id = ?", [sid])


def new_report(con):
    """A unit without a 2023 report gets one: a copy of its 2022 report's rows, filed for
    2023."""
    sid, unit, _ = _current(con, 12, 2022)[11]
    con.execute("update submissions set is_current = false "
                "where unit_code = ? and report_year = 2023", [unit])
    new = "n" + sid[1:]
    con.execute("insert into submissions select * replace (? as submission_id, "
                "2023 as report_year, 2023 as filed_year, 'x' || sha256 as sha256, "
                "file_path || '.2023' as file_path) from submissions where submission_id = ?",
                [new, sid])
    for table in ("cells", "narratives", "narrative_figures", "parse_issues"):
        con.execute(f"insert into {table} select * replace (? as submission_id, "
                    f"2023 as report_year) from {table} where submission_id = ?", [new, sid])


def shorter_problems(con):
    """A 2022 report's section 五 is cut short: its problems_concrete score falls, and with
    it the previous-year score and rank the unit's 2023 row shows (nothing of the 2023
    report changed)."""
    sid, _, _ = _current(con, 7, 2022)[6]
    con.execute("update narratives set text = left(text, 12) "
                "where submission_id = ? and section_code = 's5'", [sid])


def _check(path, tmp_path, change, reuse: bool):
    copy = tmp_path / f"{change.__name__}-{reuse}.duckdb"
    shutil.copy(path, copy)
    con = wh.open_writer(copy)
    change(con)
    check_into(con, "r2", reuse=reuse)
    findings = con.execute("select * exclude (run_id) from findings where run_id = 'r2' "
                           "order by all").fetchall()
    runs = con.execute("select rule_id, severity, status, rows_evaluated, rows_failing, "
                       "error, basis from check_runs where run_id = 'r2' order by rule_id"
                       ).fetchall()
    scope = None
    if reuse:
        scope = con.execute("select count(*) from chk_scope").fetchone()[0]
    current = con.execute("select count(*) from chk_fingerprints_now").fetchone()[0]
    con.close()
    return findings, runs, scope, current


@pytest.mark.parametrize("change", [corrected_figure, copied_text, withdrawn, new_report])
def test_reuse_stores_what_a_whole_run_stores(built, tmp_path, change):
    whole, whole_runs, _, current = _check(built, tmp_path, change, reuse=False)
    reused, reused_runs, scope, _ = _check(built, tmp_path, change, reuse=True)
    assert reused == whole
    assert reused_runs == whole_runs
    # only the changed reports and their county's reports of the year and the year after
    assert 0 < scope < current / 3
    assert len(whole) > 50


def test_a_copied_text_is_found_on_both_reports(built, tmp_path):
    copy = tmp_path / "copied.duckdb"
    shutil.copy(built, copy)
    con = wh.open_writer(copy)
    sid, peer = copied_text(con)
    check_into(con, "r2", reuse=True)
    flagged = {r[0] for r in con.execute(
        "select submission_id from findings where run_id = 'r2' and rule_id = 'R-COPY'"
    ).fetchall()}
    con.close()
    assert {sid, peer} <= flagged


def test_nothing_is_reused_when_the_settings_or_the_registry_change(built, tmp_path):
    copy = tmp_path / "basis.duckdb"
    shutil.copy(built, copy)
    con = wh.open_writer(copy)
    rules, config = load_rules(), load_config()
    assert _reusable_run(con, basis(con, rules, config), rules) == "r1"
    changed = {**config, "thresholds": {**config["thresholds"], "yoy_factor": 9}}
    assert _reusable_run(con, basis(con, rules, changed), rules) is None
    assert _reusable_run(con, basis(con, rules[1:], config), rules[1:]) is None
    con.execute("update units set city = city || '新' where unit_code = "
                "(select min(unit_code) from units)")
    assert _reusable_run(con, basis(con, rules, config), rules) is None
    con.close()


def test_a_rule_run_in_batches_of_areas_finds_what_one_query_finds(built, tmp_path,
                                                                    monkeypatch):
    """R-COPY (`batch: area`) on batches of a few counties stores the findings it stores in
    one query over every report."""
    from gongkai.checks import runner

    copy = tmp_path / "batches.duckdb"
    shutil.copy(built, copy)
    con = wh.open_writer(copy)
    copied_text(con)
    found = {}
    for run_id, rows in (("whole", runner.BATCH_ROWS), ("batched", 40)):
        monkeypatch.setattr(runner, "BATCH_ROWS", rows)
        check_into(con, run_id)
        found[run_id] = con.execute(
            "select * exclude (run_id) from findings where run_id = ? and rule_id = 'R-COPY' "
            "order by all", [run_id]).fetchall()
    batches = runner._area_batches(con)
    con.close()
    assert len(batches) > 3 and all(batches)
    assert found["batched"] == found["whole"] and len(found["whole"]) >= 2


STORED = ("indicator_scores", "context_figures", "dimension_scores", "rank_ranges", "rankings")


def _scored(path, tmp_path, change, reuse: bool):
    """The stored ranking tables after a change, checked and scored keeping what did not
    change (``reuse``) or whole; rows in their stored order."""
    from gongkai import rankings

    copy = tmp_path / f"scored-{change.__name__}-{reuse}.duckdb"
    shutil.copy(path, copy)
    con = wh.open_writer(copy)
    rankings.materialise(con, "r1")
    change(con)
    check_into(con, "r2", reuse=reuse)
    rankings.materialise(con, "r2", reuse=reuse)
    tables = {t: con.execute(f"select * from {t}").fetchall() for t in STORED}
    scope = None
    if reuse:
        scope = con.execute("select count(*) from rank_unit_years_scoped where in_scope"
                            ).fetchone()[0]
    con.close()
    return tables, scope


@pytest.mark.parametrize("change", [corrected_figure, copied_text, withdrawn, new_report,
                                    shorter_problems])
def test_scores_kept_where_nothing_changed_are_those_of_a_whole_run(built, tmp_path, change):
    whole, _ = _scored(built, tmp_path, change, reuse=False)
    kept, scope = _scored(built, tmp_path, change, reuse=True)
    for table in STORED:
        assert kept[table] == whole[table], table
    assert 0 < scope < len(whole["rankings"]) / 3
