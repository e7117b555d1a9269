"""The league table: scores, shared ranks, bands, rank ranges, n/a handling, method config."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest
from ranking_data import STREET_CASES, TOWN_CASES, build_constructed

from gongkai import rankings


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build_constructed(tmp_path_factory.mktemp("rank") / "w.duckdb")
    con, _ = rankings.connect(path)
    yield con
    con.close()


def _league(con, year=2024):
    cur = con.execute("select * from v_rankings where report_year = ? order by display_order",
                      [year])
    names = [d[0] for d in cur.description]
    return {r[names.index("unit_code")]: dict(zip(names, r, strict=True))
            for r in cur.fetchall()}


def test_scores_follow_the_weights(con):
    league = _league(con)
    expected = {code: score for code, (_, score) in {**STREET_CASES, **TOWN_CASES}.items()}
    # 官渡 is 40 days late (on_time 0: −15) and left two cells of table 三 blank: 2 of 190
    # cells unfilled; its new applications are blank, so backlog (5) is not assessed
    expected["430181104"] = round(100 * (95 - 15 - 15 * 2 / 190) / 95, 1)
    assert {c: league[c]["score"] for c in expected} == expected


def test_ties_share_a_rank_and_the_next_rank_is_skipped(con):
    league = _league(con)
    streets = sorted((r for r in league.values() if r["peer_group"] == "街道" and r["has_report"]),
                     key=lambda r: r["display_order"])
    assert [r["rank_in_group"] for r in streets] == [1, 2, 2, 4]
    # the tie is broken by unit code for display only
    assert [r["unit_code"] for r in streets] == ["430181001", "430181002", "430181003",
                                                 "430181004"]
    assert all(r["group_size"] == 4 for r in streets)


def test_bands(con):
    league = _league(con)
    # 100, 90 (two errors), 83.9 (40 days late), 65 and 50
    assert {c: league[c]["band"] for c in ("430181102", "430181003", "430181104", "430181106",
                                           "430181107")} == {
        "430181102": "优秀", "430181003": "合格", "430181104": "不合格", "430181106": "不合格",
        "430181107": "不合格"}
    # each band starts at its threshold (ranking.toml 2.1: 98, 95, 85)
    method = rankings.load_method()
    assert [method.band_of(s) for s in (100, 98, 97.9, 95, 94.9, 85, 84.9, 0, None)] == [
        "优秀", "优秀", "良好", "良好", "合格", "合格", "不合格", "不合格", None]


def test_units_without_a_report_are_listed_not_ranked(con):
    league = _league(con)
    missing = [r for r in league.values() if not r["has_report"]]
    assert len(missing) == 32 - len(STREET_CASES) - len(TOWN_CASES)
    assert all(r["score"] is None and r["rank_in_group"] is None and r["band"] is None
               for r in missing)
    # they come after the ranked units of their group
    towns = sorted((r for r in league.values() if r["peer_group"] == "乡镇"),
                   key=lambda r: r["display_order"])
    assert [r["has_report"] for r in towns] == sorted([r["has_report"] for r in towns],
                                                      reverse=True)


def test_rank_ranges_contain_the_rank_and_are_narrow_for_a_clear_leader(con):
    league = _league(con)
    for r in league.values():
        if r["has_report"]:
            assert r["rank_min"] <= r["rank_in_group"] <= r["rank_max"]
    assert (league["430181102"]["rank_min"], league["430181102"]["rank_max"]) == (1, 1)
    # 官渡 (late: −15) and 张坊 (copied and no concrete problems: −10 −10) swap places when
    # the weights move by 20%
    assert (league["430181104"]["rank_min"], league["430181104"]["rank_max"]) == (2, 3)
    assert (league["430181105"]["rank_min"], league["430181105"]["rank_max"]) == (2, 3)
    n = con.execute("select max(n_scenarios) from v_rank_ranges").fetchone()[0]
    assert n == 2 ** len(rankings.load_method().weights) + 1 == 2 ** 10 + 1


def test_change_since_last_year(con):
    league = _league(con)
    huaichuan = league["430181001"]
    # 2023: one error and no previous year (continuity, weight 5, not assessed):
    # 100 × (95 − 5) / 95
    assert huaichuan["prev_score"] == 94.7
    assert huaichuan["score_change"] == pytest.approx(5.3)
    assert (huaichuan["prev_rank_in_group"], huaichuan["rank_in_group"]) == (4, 1)
    assert huaichuan["rank_change"] == 3
    assert league["430181004"]["rank_change"] == 1 - 4


def test_unassessed_indicators_are_left_out_not_zero(con):
    row = con.execute("select score, evidence from v_indicator_scores where report_year = 2023 "
                      "and unit_code = '430181002' and metric_id = 'continuity'").fetchone()
    assert row == (None, "无上年报告")
    coverage = con.execute("select coverage from v_rankings where report_year = 2023 "
                           "and unit_code = '430181002'").fetchone()[0]
    assert coverage == pytest.approx(0.95)


def test_context_figures_na_small_samples_and_blanks(con):
    rows = con.execute("""
        select unit_code, disclosure_status, disclosure_rate, review_correction_status
        from v_context_figures where report_year = 2024 order by unit_code""").fetchall()
    by_unit = {r[0]: r[1:] for r in rows}
    assert by_unit["430181001"] == ("rate", 0.75, "zero")
    assert by_unit["430181002"] == ("small", None, "zero")      # 3 of 5: counts, no rate
    assert by_unit["430181003"] == ("zero", None, "zero")       # nothing handled: n/a
    assert by_unit["430181104"][0] == "blank"                   # blank is not zero
    assert by_unit["430181102"][2] == "zero"                    # both reviews still pending


def test_city_sums_skip_blanks_and_count_them(con):
    f = con.execute("select applications, applications_blank, applications_units, "
                    "disclosed, disclosure_base from v_city_figures "
                    "where report_year = 2024").fetchone()
    # 20 + 5 + 0 from the cases, 官渡 blank (not counted as 0 but counted as blank)
    assert f[0] == 25 and f[1] == 1 and f[2] == 8
    # the disclosure base leaves out 官渡, whose 予以公开 is blank
    assert (f[3], f[4]) == (15 + 3, 25)


def test_no_errors_does_not_count_rules_another_metric_stands_for(con):
    rows = dict(con.execute("select metric_id, score from v_indicator_scores "
                            "where report_year = 2024 and unit_code = '430181107'").fetchall())
    assert rows["template"] == 0 and rows["on_time"] == 0
    assert rows["no_errors"] == 0  # the four T3-BALANCE errors, not R-TEMPLATE


def test_extraction_doubts_are_not_held_against_the_unit(tmp_path):
    import duckdb
    from ranking_data import RUN_ID, finding

    path = build_constructed(tmp_path / "w.duckdb")
    w = duckdb.connect(str(path))
    sid = w.execute("select submission_id from submissions where unit_code = '430181001' "
                    "and report_year = 2024").fetchone()[0]
    finding(w, sid, "430181001", 2024, "T3-BALANCE", responsibility="extraction")
    finding(w, sid, "430181001", 2024, "R-DEADLINE", severity="warning",
            status="not_assessable", responsibility="extraction")
    assert RUN_ID
    w.close()
    con, _ = rankings.connect(path)
    rows = dict(con.execute("select metric_id, score from v_indicator_scores "
                            "where report_year = 2024 and unit_code = '430181001'").fetchall())
    con.close()
    assert rows["no_errors"] == 1.0
    assert rows["on_time"] is None


def test_no_check_run_means_not_assessed(tmp_path):
    import duckdb

    path = build_constructed(tmp_path / "w.duckdb")
    w = duckdb.connect(str(path))
    w.execute("delete from check_runs")
    w.execute("delete from findings")
    w.close()
    con, _ = rankings.connect(path)
    rows = con.execute("select metric_id, count(score) from v_indicator_scores "
                       "group by metric_id order by metric_id").fetchall()
    scores = con.execute("select distinct score from v_rankings where has_report").fetchall()
    con.close()
    assessed = dict(rows)
    assert assessed["no_errors"] == 0 and assessed["on_time"] == 0
    assert assessed["sections"] > 0 and assessed["cells_filled"] > 0
    assert all(s[0] is not None for s in scores)


def test_method_is_versioned_and_validated(tmp_path):
    method = rankings.load_method()
    assert method.metrics_version and method.ranking_version and len(method.fingerprint) == 8
    assert method.version in rankings.method_lines(method)[0]
    assert set(method.weights) == {m.metric_id for m in method.scored()}
    assert {m.dimension for m in method.scored()} == set(method.dimensions)
    bad = tmp_path / "ranking.toml"
    bad.write_text('version = "x"\n[weights]\ndisclosure_rate = 10\n'
                   '[[band]]\nname = "合格"\nmin_score = 0\n', encoding="utf-8")
    with pytest.raises(ValueError, match="not a scored metric"):
        rankings.load_method(ranking_path=bad)
    text = rankings.resources.files("gongkai.data").joinpath("ranking.toml").read_text("utf-8")
    bad.write_text(text.replace("not_copied = 10", "not_copied = 5000"), encoding="utf-8")
    with pytest.raises(ValueError, match="not_copied.*over 1000"):
        rankings.load_method(ranking_path=bad)


def test_weights_come_from_the_config(tmp_path):
    text = rankings.resources.files("gongkai.data").joinpath("ranking.toml").read_text("utf-8")
    heavier = tmp_path / "ranking.toml"
    heavier.write_text(text.replace("not_copied = 10", "not_copied = 90"), encoding="utf-8")
    method = rankings.load_method(ranking_path=heavier)
    assert method.fingerprint != rankings.load_method().fingerprint
    path = build_constructed(tmp_path / "w.duckdb")
    con, _ = rankings.connect(path, method)
    score = con.execute("select score from v_rankings where report_year = 2024 "
                        "and unit_code = '430181002'").fetchone()[0]
    con.close()
    assert score == round(100 * (180 - 90) / 180, 1)


def test_scenarios_are_deterministic_and_include_the_weights_as_set():
    method = rankings.load_method()
    rows = rankings.scenarios(method)
    assert rows == rankings.scenarios(method)
    base = {m: w for s, m, w in rows if s == 0}
    assert base == {k: v for k, v in method.weights.items() if v > 0}
    many = dataclasses.replace(method, sensitivity={**method.sensitivity,
                                                    "max_grid_weights": 2, "draws": 7})
    drawn = rankings.scenarios(many)
    assert max(s for s, _, _ in drawn) == 7 and drawn == rankings.scenarios(many)
    delta = method.sensitivity["delta"]
    assert all(method.weights[m] * (1 - delta) - 1e-9 <= w <= method.weights[m] * (1 + delta)
               + 1e-9 for _, m, w in drawn)


def test_every_ranking_view_column_is_documented(con):
    import re

    from gongkai.paths import ROOT

    text = (ROOT / "docs" / "warehouse.md").read_text("utf-8").split("## Ranking views", 1)[1]
    documented: dict[str, set[str]] = {}
    for block in re.split(r"\n### ", text)[1:]:
        view = re.match(r"`(\w+)`", block).group(1)
        documented[view] = set(re.findall(r"^\| `(\w+)` \|", block, flags=re.M))
    views = {r[0] for r in con.execute(
        "select view_name from duckdb_views() where temporary and view_name like 'v\\_%' escape '\\' "
        "and view_name not in ('v_t3', 'v_t4', 'v_city_totals')").fetchall()}
    assert views == set(documented)
    for view in sorted(views):
        columns = {r[0] for r in con.execute(f"describe {view}").fetchall()}
        assert columns == documented[view], view


def test_indicators_are_graded(tmp_path):
    """Timeliness by days, findings by severity, the narrative by the share of figures that
    agree, section 五 by its items and length, the backlog by the share carried over."""
    import re

    import duckdb
    from ranking_data import finding

    path = build_constructed(tmp_path / "w.duckdb")
    w = duckdb.connect(str(path))
    sid = {code: w.execute("select submission_id from submissions where unit_code = ? "
                           "and report_year = 2024", [code]).fetchone()[0]
           for code in ("430181001", "430181002", "430181003", "430181004", "430181102")}
    # 淮川 10 days early; 社港 6 days late (and R-DEADLINE says so)
    w.execute("update submissions set published_date = '2025-01-21' where submission_id = ?",
              [sid["430181001"]])
    w.execute("update submissions set published_date = '2025-02-06' where submission_id = ?",
              [sid["430181102"]])
    finding(w, sid["430181102"], "430181102", 2024, "R-DEADLINE", severity="warning")
    # 社港: a warning no other indicator stands for counts; info and extraction doubts do not
    finding(w, sid["430181102"], "430181102", 2024, "T2-UNPUBLISHED", severity="warning")
    finding(w, sid["430181102"], "430181102", 2024, "Q-YOY", severity="info")
    finding(w, sid["430181102"], "430181102", 2024, "Q-SPLIT", severity="warning",
            responsibility="extraction")
    # 荷花 states three figures: one disagrees, one could not be read
    for n in (2, 3):
        w.execute("insert into narrative_figures values (?, '430181003', 2024, ?, '复议', 1, "
                  "'t4.review.total', 's4')", [sid["430181003"], n])
    finding(w, sid["430181003"], "430181003", 2024, "R-NARRATIVE", severity="warning",
            message="正文与表格不符")
    finding(w, sid["430181003"], "430181003", 2024, "R-NARRATIVE", severity="warning",
            status="not_assessable", responsibility="extraction", message="无法识别")
    # 集里: a short section 五 with two concrete items
    short = "一是政策解读材料发布不及时，有滞后现象；二是建立解读材料与文件同步发布机制。"
    w.execute("update narratives set text = ? where submission_id = ? and section_code = 's5'",
              [short, sid["430181002"]])
    # 关口 carries over 10 of 20 new applications; 淮川 3 of 4 (counted against 10)
    for code, new, carried in (("430181004", 20, 10), ("430181001", 4, 3)):
        w.execute("update cells set value = ? where submission_id = ? "
                  "and cell_code = 't3.new.total'", [new, sid[code]])
        w.execute("update cells set value = ? where submission_id = ? "
                  "and cell_code = 't3.carried_out.total'", [carried, sid[code]])
    w.close()
    con, _ = rankings.connect(path)
    scores = {(u, m): s for u, m, s in con.execute(
        "select unit_code, metric_id, score from v_indicator_scores "
        "where report_year = 2024").fetchall()}
    con.close()
    assert scores[("430181001", "on_time")] == pytest.approx(0.8 + 0.2 * 10 / 20)
    assert scores[("430181102", "on_time")] == pytest.approx(0.5 * (1 - 6 / 30))
    assert scores[("430181002", "on_time")] == 1.0  # 26 days early: the cap
    assert scores[("430181102", "no_errors")] == pytest.approx(0.9)
    assert scores[("430181004", "no_errors")] == 0.0  # four errors: 1 − 4 × 0.25
    assert scores[("430181003", "narrative")] == pytest.approx(1 / 2)
    chars = len(re.sub(r"[^\u4e00-\u9fff]", "", short))
    assert scores[("430181002", "problems_concrete")] == pytest.approx(
        0.6 * 2 / 6 + 0.4 * chars / 240)
    assert scores[("430181105", "problems_concrete")] == 0.0  # R-PROBLEMS fails
    assert scores[("430181004", "backlog")] == pytest.approx((1 - 10 / 20) / 0.75)
    assert scores[("430181001", "backlog")] == pytest.approx((1 - 3 / 10) / 0.75)
    assert scores[("430181104", "backlog")] is None  # new applications blank


def test_method_needs_the_parameters_of_its_graded_indicators(tmp_path):
    text = rankings.resources.files("gongkai.data").joinpath("metrics.toml").read_text("utf-8")
    broken = tmp_path / "metrics.toml"
    broken.write_text(text.replace("on_time_full_days_early = 20\n", ""), encoding="utf-8")
    with pytest.raises(ValueError, match="on_time_full_days_early"):
        rankings.load_method(metrics_path=broken)


def test_the_printed_method_speaks_a_readers_language():
    import re

    method = rankings.load_method()
    printed = [m.method for m in method.metrics] + rankings.method_lines(method)
    for text in printed:
        assert not re.search(r"\b[TRQ]\d?-[A-Z]+", text), text  # no rule id
        assert not re.search(r"\w+\.(toml|sql|py)\b|/\w+/", text), text  # no file or path
    assert "一处错误扣5分" in rankings.method_lines(method)[2]


def test_townships_are_ranked_within_their_own_city(tmp_path):
    """A registry of several cities (a province's): each city's 街道 and 乡镇 are ranked among
    themselves; a city's ranks, group sizes and rank ranges do not count another city's."""
    path = build_constructed(tmp_path / "w.duckdb")
    other = ("430181002", "430181004")  # 集里 (90) and 关口 (80) move to another county
    con = duckdb.connect(str(path))
    for table in ("units", "unit_periods"):
        con.execute(f"update {table} set city = '另一县' where unit_code in (?, ?)", list(other))
    con.close()
    con, _ = rankings.connect(path)
    try:
        league = _league(con)
    finally:
        con.close()
    streets = [r for r in sorted(league.values(), key=lambda r: r["display_order"])
               if r["peer_group"] == "街道" and r["has_report"]]
    by_city = {}
    for r in streets:
        by_city.setdefault(r["city"], []).append(
            (r["unit_code"], r["rank_in_group"], r["group_size"], r["rank_min"], r["rank_max"]))
    # 淮川 100 and 荷花 90 stay; 集里 90 and 关口 80 rank first and second in their county
    assert by_city["浏阳市"] == [("430181001", 1, 2, 1, 1), ("430181003", 2, 2, 2, 2)]
    assert by_city["另一县"] == [("430181002", 1, 2, 1, 1), ("430181004", 2, 2, 2, 2)]
    overall = {r["unit_code"]: (r["rank_overall"], r["city_size"]) for r in league.values()
               if r["has_report"] and r["city"] == "另一县"}
    assert overall == {"430181002": (1, 2), "430181004": (2, 2)}
    # the display lists one city after the other
    cities = [r["city"] for r in sorted(league.values(), key=lambda r: r["display_order"])]
    assert cities == sorted(cities, key=lambda c: c != cities[0])
