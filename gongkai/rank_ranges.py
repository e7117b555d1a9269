"""The rank ranges, computed in arrays: the rows of ``v_rank_ranges`` without its join.

``sql/intermediate/v_rank_ranges.sql`` says what a rank range is: every weight scenario of
``rank_scenarios`` scores each report (``rank_composite``: 100 × Σ weight × score ÷ Σ weight
over the metrics it was assessed on, rounded half up, exactly) and ranks it among its peers
(``rank()`` within report year, city and peer group, higher score first); a report's range is
its best and worst rank over the scenarios. Written as a query, that joins every score with
every scenario: units × metrics × scenarios rows (81 million for 8,000 reports and the 1,025
scenarios of ten weights), most of the materialise stage's time.

Here the same numbers are computed with no such join. Each term ``weight × score`` can take
only as many values as there are distinct weights of its metric (the weight as set, −delta,
+delta) times distinct scores of that metric: those few terms are computed by DuckDB exactly
as the view computes them (``rank_weight``, 9 decimals) and read as integers of 10⁻⁹. A
report's scenario totals are then sums of those integers, its score the same integer
rounding as ``rank_round``, and its rank one plus the peers with a higher score: integer
arithmetic throughout, so the rows equal the view's (tests/test_rank_ranges.py compares
them). Peer groups are worked one at a time, so memory follows the largest group, not the
country.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import numpy as np
import pyarrow as pa

# the view the rows replace, and the temporary table that holds them
VIEW = "v_rank_ranges"
TABLE = "computed_v_rank_ranges"
# integer sums stay below this (int64 with room): beyond it the view itself is used
_INT_LIMIT = 2 ** 62

_SCENARIOS_SQL = """
select scenario_id, metric_id, weight,
    cast(rank_weight(weight)::decimal(38, 9) * 1000000000 as hugeint) as weight_nano
from rank_scenarios
where weight > 0
order by scenario_id, metric_id
"""

_SCORES_SQL = """
select s.unit_code, s.report_year, s.metric_id, s.score, u.city, u.peer_group
from v_indicator_scores as s
inner join v_rank_unit_years as u
    on u.unit_code = s.unit_code and u.report_year = s.report_year
where s.score is not null and u.has_report
  and s.metric_id in (select metric_id from rank_scenarios where weight > 0)
order by u.report_year, u.city, u.peer_group, s.unit_code, s.metric_id
"""

# the exact term weight × score of every weight and score a metric has, as the view sums it
_TERMS_SQL = """
with
weights as (select distinct metric_id, weight from rank_scenarios where weight > 0),
scores as (select distinct metric_id, score from term_scores)
select w.metric_id, w.weight, s.score,
    cast(rank_weight(w.weight * s.score)::decimal(38, 9) * 1000000000 as hugeint) as term_nano
from weights as w
inner join scores as s on s.metric_id = w.metric_id
"""


def _index(values) -> dict:
    """Each distinct value's position, in first-seen order."""
    out: dict = {}
    for v in values:
        out.setdefault(v, len(out))
    return out


def compute(con: duckdb.DuckDBPyConnection) -> pa.Table | None:
    """The rows of ``v_rank_ranges`` (unit_code, report_year, rank_min, rank_max,
    n_scenarios) on a connection with the ranking views loaded; None when the numbers would
    not fit the integer arithmetic (weights and decimals far beyond any method's), in which
    case the view is the answer."""
    scen = con.execute(_SCENARIOS_SQL).fetchall()
    decimals = int(con.execute("select rank_param('score_decimals')").fetchone()[0])
    empty = pa.table({"unit_code": pa.array([], pa.string()),
                      "report_year": pa.array([], pa.int32()),
                      "rank_min": pa.array([], pa.int64()),
                      "rank_max": pa.array([], pa.int64()),
                      "n_scenarios": pa.array([], pa.int64())})
    if not scen:
        return empty
    scenario_ids = _index(r[0] for r in scen)
    metric_ids = _index(sorted({r[1] for r in scen}))
    n_s, n_m = len(scenario_ids), len(metric_ids)
    # per metric: its distinct weights, and which one each scenario gives it (−1: none)
    weight_ix = [_index([]) for _ in range(n_m)]
    weight_of = np.full((n_s, n_m), -1, dtype=np.int64)
    weight_nano: list[dict[int, int]] = [{} for _ in range(n_m)]
    for sid, mid, weight, nano in scen:
        m = metric_ids[mid]
        w = weight_ix[m].setdefault(weight, len(weight_ix[m]))
        weight_of[scenario_ids[sid], m] = w
        weight_nano[m][w] = int(nano)

    rows = con.execute(_SCORES_SQL).fetchall()
    if not rows:
        return empty
    score_ix = [_index([]) for _ in range(n_m)]
    for _unit, _year, mid, score, _city, _group in rows:
        score_ix[metric_ids[mid]].setdefault(score, len(score_ix[metric_ids[mid]]))
    con.execute("create or replace temp table term_scores (metric_id varchar, score double)")
    con.execute("insert into term_scores select unnest(?), unnest(?)",
                [[mid for mid, m in metric_ids.items() for _ in score_ix[m]],
                 [s for m in metric_ids.values() for s in score_ix[m]]])
    terms = [np.zeros((len(weight_ix[m]), len(score_ix[m])), dtype=np.int64)
             for m in range(n_m)]
    biggest = 0
    for mid, weight, score, nano in con.execute(_TERMS_SQL).fetchall():
        m = metric_ids[mid]
        terms[m][weight_ix[m][weight], score_ix[m][score]] = int(nano)
        biggest = max(biggest, abs(int(nano)))
    con.execute("drop table term_scores")
    scale = 200 * 10 ** decimals
    most_weight = max(max(d.values()) for d in weight_nano if d)
    if (biggest * n_m + most_weight * n_m) * scale >= _INT_LIMIT:
        return None
    # per metric: each scenario's term for each score, and each scenario's weight, with 0
    # where a scenario leaves the metric out
    scenario_terms, weight_cols = [], []
    for m in range(n_m):
        padded = np.vstack([terms[m], np.zeros((1, terms[m].shape[1]), dtype=np.int64)])
        scenario_terms.append(padded[weight_of[:, m]])  # index −1 takes the trailing 0s
        nanos = np.array([weight_nano[m][w] for w in range(len(weight_ix[m]))] + [0],
                         dtype=np.int64)
        weight_cols.append(nanos[weight_of[:, m]])  # index −1 takes the trailing 0

    # the unit-years of each peer group, with their metric scores as indices
    groups: dict[tuple, dict[tuple, dict[int, int]]] = defaultdict(dict)
    for unit, year, mid, score, city, group in rows:
        m = metric_ids[mid]
        groups[(year, city, group)].setdefault((unit, year), {})[m] = score_ix[m][score]

    out_unit, out_year, out_min, out_max, out_n = [], [], [], [], []
    for members in groups.values():
        keys = list(members)
        g = len(keys)
        num = np.zeros((g, n_s), dtype=np.int64)
        den = np.zeros((g, n_s), dtype=np.int64)
        for m in range(n_m):
            have = [i for i, k in enumerate(keys) if m in members[k]]
            if not have:
                continue
            idx = np.array([members[keys[i]][m] for i in have], dtype=np.int64)
            num[have] += scenario_terms[m][:, idx].T
            den[have] += weight_cols[m]
        scored = den > 0  # the unit-year has a term in this scenario
        safe = np.where(scored, den, 1)
        score = np.where(scored, (scale * num + safe) // (2 * safe), -1)
        # rank = 1 + the peers scored higher in the same scenario. Each scenario's scores
        # are lifted into a band of their own (scenario × span + score + 1), so one sort
        # and one search serve every scenario: in band s the search ends after the s
        # bands below and the scores not above this one
        span = int(score.max()) + 2
        lifted = score + 1 + np.arange(n_s, dtype=np.int64) * span
        bands = np.sort(lifted, axis=0).T.ravel()
        ends = np.searchsorted(bands, lifted.T.ravel(), side="right").reshape(n_s, g).T
        above = np.arange(1, n_s + 1, dtype=np.int64) * g - ends
        rank = np.where(scored, above + 1, 0)
        n_scen = scored.sum(axis=1)
        best = np.where(scored, rank, np.iinfo(np.int64).max).min(axis=1)
        worst = rank.max(axis=1)
        for i, (unit, year) in enumerate(keys):
            if n_scen[i]:
                out_unit.append(unit)
                out_year.append(year)
                out_min.append(int(best[i]))
                out_max.append(int(worst[i]))
                out_n.append(int(n_scen[i]))
    return pa.table({"unit_code": pa.array(out_unit, pa.string()),
                     "report_year": pa.array(out_year, pa.int32()),
                     "rank_min": pa.array(out_min, pa.int64()),
                     "rank_max": pa.array(out_max, pa.int64()),
                     "n_scenarios": pa.array(out_n, pa.int64())})


def use_arrays(con: duckdb.DuckDBPyConnection) -> bool:
    """Point ``v_rank_ranges`` at its rows computed by ``compute``, held in a temporary
    table (ordered as the view orders them). False, and the view left as it is, when
    ``compute`` declines."""
    rows = compute(con)
    if rows is None:
        return False
    # identifiers are this module's constants
    con.execute(f"create or replace temp table {TABLE} as "
                "select unit_code, report_year, rank_min, rank_max, n_scenarios "
                "from rows order by report_year, unit_code")
    con.execute(f"create or replace temp view {VIEW} as select * from {TABLE}")
    return True
