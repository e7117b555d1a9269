"""Fair scoring on the bundled demo: one wrong value counts once for 无差错 however many rules
it breaks (the digest still lists every finding), and the bands tell the units apart."""

from __future__ import annotations

from collections import Counter

import pytest

from gongkai import rankings
from gongkai.render import data

# 官渡镇 2019: a −1 in 部分公开 (T3-INTEGER, T3-ROWSUM, T3-OUTCOMES) and one warning
GUANDU, GUANDU_YEAR = "430181104", 2019
# 忠和镇 2024: a −1 in table 三 (three rules) and a unit name that does not match (R-UNIT)
ZHONGHE, ZHONGHE_YEAR = "430181122", 2024
ONE_CELL_RULES = {"T3-INTEGER", "T3-ROWSUM", "T3-OUTCOMES"}


@pytest.fixture(scope="module")
def scored(demo):
    """The demo's warehouse opened with the ranking views."""
    con, method = rankings.connect(demo[0])
    yield con, method
    con.close()


def _failing(con, unit: str, year: int) -> list[tuple[str, str]]:
    return con.execute("select rule_id, severity from v_rank_findings "
                       "where unit_code = ? and report_year = ? and status = 'fail' "
                       "and responsibility = 'source' order by all", [unit, year]).fetchall()


def _no_errors(con, unit: str, year: int) -> tuple[float, str]:
    return con.execute("select score, evidence from v_indicator_scores where metric_id = "
                       "'no_errors' and unit_code = ? and report_year = ?", [unit, year]).fetchone()


def test_a_single_negative_count_costs_one_error_not_three(scored):
    con, method = scored
    failing = _failing(con, GUANDU, GUANDU_YEAR)
    errors = {r for r, s in failing if s == "error"}
    warnings = [r for r, s in failing if s == "warning"]
    assert errors == ONE_CELL_RULES and len(warnings) == 1
    score, evidence = _no_errors(con, GUANDU, GUANDU_YEAR)
    penalty = method.params["error_penalty"], method.params["warning_penalty"]
    # one error and one warning, not three errors and a warning (1 − 0.75 − 0.1 = 0.15)
    assert score == pytest.approx(1 - penalty[0] - penalty[1])
    assert evidence == "3条错误（源自1处差错）、1条提醒"


def test_separate_mistakes_still_count_separately(scored):
    con, method = scored
    failing = _failing(con, ZHONGHE, ZHONGHE_YEAR)
    assert {r for r, s in failing if s == "error"} == ONE_CELL_RULES | {"R-UNIT"}
    score, evidence = _no_errors(con, ZHONGHE, ZHONGHE_YEAR)
    assert score == pytest.approx(1 - 2 * method.params["error_penalty"])
    assert evidence.startswith("4条错误（源自2处差错）")


def test_the_digest_still_lists_every_finding(demo):
    con, method = data.connect(demo[0])
    try:
        city = data.city_report(con, method, ZHONGHE_YEAR)
        digest = next(d for d in data.digests(con, method, city)
                      if d.unit.unit_code == ZHONGHE)
    finally:
        con.close()
    listed = {f.rule_id for f in digest.findings if f.kind == "错误"}
    assert listed == ONE_CELL_RULES | {"R-UNIT"}
    no_errors = next(i for i in digest.indicators if i.metric_id == "no_errors")
    assert "源自2处差错" in no_errors.evidence_text


def test_bands_tell_the_demo_units_apart(scored):
    con, method = scored
    names = [name for name, _ in method.bands]
    for year in range(2019, 2025):
        bands = Counter(b for (b,) in con.execute(
            "select band from v_rankings where report_year = ? and has_report", [year]
        ).fetchall())
        total = sum(bands.values())
        assert total == 32
        # under method 2.0 (bands at 90/80/60) 27 to 31 of the 32 units were 优秀 every year
        assert max(bands.values()) <= total * 2 / 3, (year, bands)
        assert bands[names[0]] > 0 and bands[names[1]] > 0, (year, bands)
        assert len(bands) >= 3, (year, bands)


def test_a_report_with_an_error_is_never_in_the_top_band(scored):
    con, method = scored
    top = method.bands[0][0]
    with_errors = con.execute(
        "select count(*), count(*) filter (where r.band = ?) from v_rankings as r "
        "where r.has_report and exists (select 1 from v_rank_findings as f "
        "where f.submission_id = r.submission_id and f.severity = 'error' "
        "and f.status = 'fail' and f.responsibility = 'source')", [top]).fetchone()
    assert with_errors[0] > 10 and with_errors[1] == 0
