"""The rank ranges computed in arrays (gongkai.rank_ranges) equal the rows of their
definition, the query of sql/intermediate/v_rank_ranges.sql: on random scores with ties,
blank metrics, scenarios that leave a metric out, several years, cities and peer groups,
units without a report; and on the constructed and generated warehouses."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ranking_data import build_constructed, generated_warehouse

from gongkai import rank_ranges, rankings
from gongkai.paths import SQL_DIR
from gongkai.warehouse.sqlfiles import run_file

ORDER = "select * from v_rank_ranges order by report_year, unit_code"


def _both(con) -> tuple[list, list]:
    """The view's rows, then the arrays' rows (the view replaced by them)."""
    by_query = con.execute(ORDER).fetchall()
    assert rank_ranges.use_arrays(con)
    return by_query, con.execute(ORDER).fetchall()


def _inputs(con, scores, units, scenarios, decimals):
    con.execute("create temp table rank_params (key varchar, value double)")
    con.execute("insert into rank_params values ('score_decimals', ?)", [decimals])
    con.execute("create temp table rank_scenarios (scenario_id integer, metric_id varchar, "
                "weight double)")
    con.executemany("insert into rank_scenarios values (?, ?, ?)", scenarios)
    con.execute("create temp table v_indicator_scores (unit_code varchar, report_year integer, "
                "metric_id varchar, score double)")
    con.executemany("insert into v_indicator_scores values (?, ?, ?, ?)", scores)
    con.execute("create temp table v_rank_unit_years (unit_code varchar, report_year integer, "
                "city varchar, peer_group varchar, has_report boolean)")
    con.executemany("insert into v_rank_unit_years values (?, ?, ?, ?, ?)", units)
    run_file(con, SQL_DIR / "intermediate" / "rank_macros.sql")
    run_file(con, SQL_DIR / "intermediate" / "v_rank_ranges.sql")


METRICS = ("a", "b", "c", "d")
# few distinct scores, so ties are common; None is a blank (not assessed) metric
SCORE = st.one_of(st.none(), st.sampled_from([0.0, 0.25, 0.5, 1 / 3, 0.7, 0.95, 1.0]),
                  st.floats(0, 1))


@st.composite
def cases(draw):
    weights = {m: draw(st.sampled_from([0, 1, 2.5, 15, 40, 1000])) for m in METRICS}
    scenarios = [(0, m, w) for m, w in weights.items()]
    for sid in range(1, draw(st.integers(0, 12)) + 1):
        for m, w in weights.items():
            # a scenario may leave a metric out (weight 0 or no row)
            if draw(st.booleans()) or sid % 5:
                scenarios.append((sid, m, w * draw(st.sampled_from([0, 0.8, 1.2, 1.0]))))
    units, scores = [], []
    for i in range(draw(st.integers(1, 30))):
        code = f"u{i:03d}"
        city = draw(st.sampled_from(["x", "y", None]))
        group = draw(st.sampled_from(["街道", "乡镇", None]))
        for year in draw(st.sets(st.sampled_from([2022, 2023]), min_size=1)):
            units.append((code, year, city, group, draw(st.booleans()) or i % 3 > 0))
            scores += [(code, year, m, draw(SCORE)) for m in METRICS]
    return (scores, units, scenarios, draw(st.sampled_from([0, 1, 2])),
            draw(st.sampled_from([1, 50, rank_ranges.SLICE])),
            draw(st.sampled_from([1, 3, rank_ranges.PAIRWISE_MAX])))


@settings(max_examples=150, deadline=None)
@given(cases())
def test_arrays_equal_the_query_on_random_scores(case):
    # peer groups of one size are ranked a slice at a time: one group a slice (the slice
    # is smaller than any group), a few, all of them; and groups above a size by sorting
    scores, units, scenarios, decimals, numbers, pairwise = case
    con = duckdb.connect()
    default = rank_ranges.SLICE, rank_ranges.PAIRWISE_MAX
    rank_ranges.SLICE, rank_ranges.PAIRWISE_MAX = numbers, pairwise
    try:
        _inputs(con, scores, units, scenarios, decimals)
        by_query, by_arrays = _both(con)
        assert by_arrays == by_query
    finally:
        rank_ranges.SLICE, rank_ranges.PAIRWISE_MAX = default
        con.close()


def test_the_ranges_are_not_trivial_here():
    """The random cases include ranges wider than one rank (what the comparison is for)."""
    con = duckdb.connect()
    scores = [(f"u{i}", 2023, m, s) for i, row in enumerate(
        [(1.0, 0.0), (0.0, 1.0), (0.6, 0.5), (0.5, 0.6)]) for m, s in zip("ab", row, strict=True)]
    units = [(f"u{i}", 2023, "x", "街道", True) for i in range(4)]
    scenarios = [(0, "a", 10), (0, "b", 10), (1, "a", 8), (1, "b", 12), (2, "a", 12),
                 (2, "b", 8)]
    _inputs(con, scores, units, scenarios, 1)
    by_query, by_arrays = _both(con)
    assert by_arrays == by_query
    ranges = {r[0]: (r[2], r[3]) for r in by_arrays}
    assert ranges["u0"] == (1, 4) and ranges["u1"] == (1, 4)
    con.close()


@pytest.mark.slow
@pytest.mark.parametrize("build", ["constructed", "generated"])
def test_arrays_equal_the_query_on_warehouses(build, tmp_path):
    path = (build_constructed(tmp_path / "w.duckdb") if build == "constructed"
            else generated_warehouse())
    con = duckdb.connect(str(path), read_only=True)
    try:
        rankings.prepare(con)
        by_query, by_arrays = _both(con)
        assert by_arrays == by_query and len(by_arrays) > 10
    finally:
        con.close()


def test_materialise_stores_the_arrays_rows(tmp_path):
    """The stored rank_ranges table holds the arrays' rows, equal to the view's."""
    path = build_constructed(tmp_path / "w.duckdb")
    con = duckdb.connect(str(path))
    try:
        rankings.prepare(con)
        by_query = con.execute(ORDER).fetchall()
        rankings.materialise(con, "run-x")
        stored = con.execute("select * exclude (run_id, method_version) from rank_ranges "
                             "order by report_year, unit_code").fetchall()
        assert stored == by_query
        assert con.execute("select count(*) from duckdb_tables() "
                           "where table_name = 'computed_v_rank_ranges'").fetchone()[0] == 1
    finally:
        con.close()
