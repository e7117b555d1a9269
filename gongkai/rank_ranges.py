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
them). The scores come as Arrow columns ordered so that a peer group's rows and a
unit-year's are runs; no Python loop runs per score or per group. Peer groups are small
(a city's 街道 or 乡镇: at most 17 unit-years in the generated 8,000), so the groups of one
size are ranked together, each member compared with each (a larger group by sorting its
scores, ``PAIRWISE_MAX``), a slice of them at a time (``SLICE``): memory follows the slice,
not the country.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
select s.unit_code, s.report_year, s.metric_id, s.score,
    -- the peer group, numbered in the order of the rows
    dense_rank() over (order by u.report_year, u.city, u.peer_group) as group_no
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
    decimals = int(con.execute("select rank_param('score_decimals')").fetchall()[0][0])
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

    data = con.sql(_SCORES_SQL).to_arrow_table()
    if not data.num_rows:
        return empty
    n = data.num_rows
    # per row: its metric, the position of its score among the metric's distinct scores,
    # and its unit-year: the rows come ordered by peer group, unit and metric, so a peer
    # group's rows and a unit-year's are runs
    metric = pc.index_in(data.column("metric_id"),
                         value_set=pa.array(list(metric_ids), pa.string())
                         ).to_numpy(zero_copy_only=False).astype(np.int64)
    scores = data.column("score").to_numpy(zero_copy_only=False).astype(np.float64)
    group_no = data.column("group_no").to_numpy(zero_copy_only=False).astype(np.int64)
    units = data.column("unit_code").combine_chunks()
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = group_no[1:] != group_no[:-1]
    new_unit = new_group.copy()
    new_unit[1:] |= pc.not_equal(units.slice(1), units.slice(0, n - 1)).to_numpy(
        zero_copy_only=False)
    unit_year = np.cumsum(new_unit) - 1
    first_rows = np.flatnonzero(new_unit)  # each unit-year's first row
    n_u = len(first_rows)
    score_at = np.zeros(n, dtype=np.int64)
    distinct: list[np.ndarray] = []
    for m in range(n_m):
        rows_m = np.flatnonzero(metric == m)
        values, at = np.unique(scores[rows_m], return_inverse=True)
        score_at[rows_m] = at.reshape(-1)
        distinct.append(values)
    con.execute("create or replace temp table term_scores (metric_id varchar, score double)")
    con.execute("insert into term_scores select unnest(?), unnest(?)",
                [[mid for mid, m in metric_ids.items() for _ in distinct[m]],
                 [float(v) for m in metric_ids.values() for v in distinct[m]]])
    score_ix = [{float(v): i for i, v in enumerate(values)} for values in distinct]
    terms = [np.zeros((len(weight_ix[m]), len(distinct[m])), dtype=np.int64)
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
    # per metric: the term of each score in each scenario, with a last score of zeros (a
    # unit-year not scored on the metric) and zeros where a scenario leaves the metric out;
    # and each scenario's weight of each metric (0: left out)
    scenario_terms = []
    weights = np.zeros((n_m, n_s), dtype=np.int64)
    for m in range(n_m):
        padded = np.zeros((terms[m].shape[0] + 1, terms[m].shape[1] + 1), dtype=np.int64)
        padded[:-1, :-1] = terms[m]
        # scores × scenarios: a unit-year's terms are a row (index −1 takes the trailing 0s)
        scenario_terms.append(np.ascontiguousarray(padded[weight_of[:, m]].T))
        nanos = np.array([weight_nano[m][w] for w in range(len(weight_ix[m]))] + [0],
                         dtype=np.int64)
        weights[m] = nanos[weight_of[:, m]]  # index −1 takes the trailing 0
    # each unit-year's score position of each metric (the zero column when not scored)
    score_of = np.empty((n_u, n_m), dtype=np.int64)
    for m in range(n_m):
        score_of[:, m] = len(distinct[m])
    score_of[unit_year, metric] = score_at
    scored_on = (score_of < np.array([len(d) for d in distinct], dtype=np.int64)
                 ).astype(np.int64)

    # the peer groups by size: the groups of one size are worked together, as an array of
    # groups × members × scenarios, a slice of about SLICE numbers at a time
    group_start = np.flatnonzero(new_group[first_rows])  # first unit-year of each group
    sizes = np.diff(np.append(group_start, n_u))
    best = np.zeros(n_u, dtype=np.int64)
    worst = np.zeros(n_u, dtype=np.int64)
    n_scen = np.zeros(n_u, dtype=np.int64)
    for size in np.unique(sizes):
        starts = group_start[sizes == size]
        # a slice holds at most SLICE unit-year × scenario numbers, and compares at most
        # SLICE × PAIRWISE_MAX pairs of them (one group at least)
        step = max(1, SLICE // (int(size) * n_s * min(int(size), PAIRWISE_MAX)))
        for at in range(0, len(starts), step):
            members = (starts[at:at + step, None]
                       + np.arange(size, dtype=np.int64)).reshape(-1)
            lo, hi, count = _ranks(members, int(size), score_of, scored_on, scenario_terms,
                                   weights, scale)
            best[members], worst[members], n_scen[members] = lo, hi, count
    keep = np.flatnonzero(n_scen > 0)
    rows = pa.array(first_rows[keep])
    return pa.table({"unit_code": units.take(rows),
                     "report_year": data.column("report_year").take(rows).cast(pa.int32()),
                     "rank_min": pa.array(best[keep], pa.int64()),
                     "rank_max": pa.array(worst[keep], pa.int64()),
                     "n_scenarios": pa.array(n_scen[keep], pa.int64())})


# the unit-year × scenario numbers of a slice of peer groups ranked at once (8 MB an array
# of them)
SLICE = 1_000_000
# a peer group of more unit-years is ranked by sorting its scores in each scenario, not by
# comparing each member with each (whose work and memory grow with the square of the size)
PAIRWISE_MAX = 32


def _ranks(members: np.ndarray, size: int, score_of: np.ndarray, scored_on: np.ndarray,
           scenario_terms: list[np.ndarray], weights: np.ndarray, scale: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The best and worst rank over the scenarios of the unit-years ``members`` (whole peer
    groups of ``size`` unit-years each, one after another), and the scenarios each was
    scored in."""
    n_s = weights.shape[1]
    # members × scenarios: the terms summed (a row of each metric's table a member) …
    num = scenario_terms[0].take(score_of[members, 0], axis=0)
    for m in range(1, len(scenario_terms)):
        np.add(num, scenario_terms[m].take(score_of[members, m], axis=0), out=num)
    # … and the weights of the metrics it was scored on
    den = scored_on[members] @ weights
    scored = den > 0  # the unit-year has a term in this scenario
    safe = np.where(scored, den, 1)
    score = np.where(scored, (scale * num + safe) // (2 * safe), -1).reshape(-1, size, n_s)
    # rank = 1 + the peers scored higher in the same scenario
    if size <= PAIRWISE_MAX:  # each member compared with each
        above = (score[:, None, :, :] > score[:, :, None, :]).sum(axis=2).reshape(-1, n_s)
    else:
        above = np.concatenate([_above_sorted(group) for group in score])
    rank = np.where(scored, above + 1, 0)
    best = np.where(scored, rank, np.iinfo(np.int64).max).min(axis=1)
    return best, rank.max(axis=1), scored.sum(axis=1)


def _above_sorted(score: np.ndarray) -> np.ndarray:
    """For one peer group's scores (members × scenarios): how many members scored higher
    in each scenario. Each scenario's scores are lifted into a band of their own (scenario
    × span + score + 1), so one sort and one search serve every scenario: in band s the
    search ends after the s bands below and the scores not above this one."""
    g, n_s = score.shape
    span = int(score.max()) + 2
    lifted = score + 1 + np.arange(n_s, dtype=np.int64) * span
    bands = np.sort(lifted, axis=0).T.ravel()
    ends = np.searchsorted(bands, lifted.T.ravel(), side="right").reshape(n_s, g).T
    return np.arange(1, n_s + 1, dtype=np.int64) * g - ends


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
