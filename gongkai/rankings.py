"""The league table: indicator dictionary, composite score, bands, ranks and rank ranges.

The method is data: ``gongkai/data/metrics.toml`` defines the indicators and
``gongkai/data/ranking.toml`` the weights, bands and the weight perturbation behind the rank
ranges; both carry a version that is printed with every table. The relational work is SQL:
temporary views of ``sql/intermediate/`` (the ``ranking_*`` steps of ``sql/manifest.toml``).

The scores are computed once per run: ``materialise`` stores them in the warehouse
(``rankings``, ``indicator_scores``, ``context_figures``, ``dimension_scores``,
``rank_ranges``: the ``materialise`` step), and ``connect`` opens a published warehouse
read-only with the views reading those stored tables::

    con, method = rankings.connect("warehouse/gongkai.duckdb")
    con.sql("select * from v_rankings where report_year = 2024").show()

Only when the stored tables are missing or were made with another method (the fingerprint of
the TOML files differs) does ``connect`` compute the scores itself, into temporary tables.
Settings reach the SQL only through temporary tables filled with parameterised inserts, and
one variable set with a parameter (the boilerplate patterns).
"""

from __future__ import annotations

import hashlib
import itertools
import random
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from gongkai import rank_ranges, rank_reuse
from gongkai.warehouse.sqlfiles import run_file, run_step, step_files

SCORED_KINDS = ("rule", "computed")
# the largest weight ranking.toml may give a metric: the composite is summed exactly in
# decimals of 18 digits (sql/intermediate/rank_macros.sql)
MAX_WEIGHT = 1000
# views every published warehouse of this version has (one without them was published by an
# older gongkai and is brought up to date by a run)
PUBLISHED_VIEWS = ("v_current_submissions", "v_unit_years", "v_finding_reviews")
# the computed metrics the SQL knows how to score (sql/intermediate/v_indicator_scores.sql)
# and the [params] of metrics.toml each one needs
COMPUTED_METRICS = {
    "on_time": ("on_time_on_deadline", "on_time_full_days_early", "on_time_late_start",
                "on_time_zero_days_late"),
    "sections": (),
    "cells_filled": (),
    "no_errors": ("error_penalty", "warning_penalty"),
    "narrative": (),
    "problems_concrete": ("problems_items_full", "problems_chars_full",
                          "problems_item_min_chars", "problems_items_share"),
    "backlog": ("backlog_full_share", "backlog_zero_share", "backlog_min_base"),
}


@dataclass(frozen=True)
class Metric:
    """One indicator of the dictionary."""

    metric_id: str
    name: str
    kind: str  # rule, computed, context
    dimension: str | None
    method: str
    rules: tuple[str, ...]
    needs_previous_year: bool
    order: int


@dataclass(frozen=True)
class Method:
    """The whole ranking method: indicators, weights, bands and sensitivity settings."""

    metrics_version: str
    ranking_version: str
    metrics: tuple[Metric, ...]
    dimensions: dict[str, str]
    params: dict[str, float]
    weights: dict[str, float]
    bands: tuple[tuple[str, float], ...]  # (name, min_score), highest first
    sensitivity: dict[str, Any]
    score_decimals: int
    fingerprint: str
    deadline_rules: tuple[tuple, ...] = ()  # R-DEADLINE's deadlines (check settings)
    boilerplate: tuple[str, ...] = ()  # template sentences, not counted in section 五

    @property
    def stored_version(self) -> str:
        """The version stamped on the stored ranking tables (``method_version``)."""
        return (f"metrics {self.metrics_version} · ranking {self.ranking_version} · "
                f"{self.fingerprint}")

    @property
    def version(self) -> str:
        """The printed version: ``指标 1.0 / 排名 1.0 / 配置 1a2b3c4d``."""
        return (f"指标体系 v{self.metrics_version} · 计分方法 v{self.ranking_version} · "
                f"配置指纹 {self.fingerprint}")

    def metric(self, metric_id: str) -> Metric:
        """The metric with this id."""
        for m in self.metrics:
            if m.metric_id == metric_id:
                return m
        raise KeyError(metric_id)

    def scored(self) -> list[Metric]:
        """The scored metrics (rule or computed) in dictionary order."""
        return [m for m in self.metrics if m.kind in SCORED_KINDS]

    def context(self) -> list[Metric]:
        """The context figures (shown, never ranked) in dictionary order."""
        return [m for m in self.metrics if m.kind == "context"]

    def band_of(self, score: float | None) -> str | None:
        """The band a composite score falls in (None for no score)."""
        if score is None:
            return None
        for name, minimum in self.bands:
            if score >= minimum:
                return name
        return None


def _read_toml(path: str | Path | None, default_name: str) -> tuple[dict, bytes]:
    if path is None:
        data = resources.files("gongkai.data").joinpath(default_name).read_bytes()
    else:
        data = Path(path).read_bytes()
    return tomllib.loads(data.decode("utf-8")), data


def load_method(metrics_path: str | Path | None = None,
                ranking_path: str | Path | None = None,
                checks_path: str | Path | None = None) -> Method:
    """Load and validate the method (the bundled TOML files by default).

    The deadlines and the boilerplate sentences come from the check settings
    (``gongkai/data/checks.toml``), so that on_time and problems_concrete judge a report as
    R-DEADLINE and R-PROBLEMS do; the fingerprint covers all three files.

    Raises ``ValueError`` for a weight on an unknown or unscored metric, a negative weight,
    a computed metric the SQL does not know or without its parameters, an unknown
    dimension, or bands that do not start from 0.
    """
    from gongkai.checks.config import deadline_rules, load_config

    raw_metrics, metrics_bytes = _read_toml(metrics_path, "metrics.toml")
    raw_ranking, ranking_bytes = _read_toml(ranking_path, "ranking.toml")
    _, checks_bytes = _read_toml(checks_path, "checks.toml")
    checks = load_config(checks_path)
    dimensions = dict(raw_metrics.get("dimensions", {}))
    metrics = []
    for order, item in enumerate(raw_metrics.get("metric", []), start=1):
        kind = item["kind"]
        if kind not in (*SCORED_KINDS, "context"):
            raise ValueError(f"metric {item['id']}: unknown kind {kind!r}")
        if kind == "computed" and item["id"] not in COMPUTED_METRICS:
            raise ValueError(f"metric {item['id']}: no SQL computes it (known: {COMPUTED_METRICS})")
        if kind in SCORED_KINDS and item.get("dimension") not in dimensions:
            raise ValueError(f"metric {item['id']}: unknown dimension {item.get('dimension')!r}")
        if kind == "rule" and not item.get("rules"):
            raise ValueError(f"metric {item['id']}: a rule metric needs its rules")
        metrics.append(Metric(
            metric_id=item["id"], name=item["name"], kind=kind,
            dimension=item.get("dimension"), method=item["method"],
            rules=tuple(item.get("rules", ())),
            needs_previous_year=bool(item.get("needs_previous_year", False)), order=order,
        ))
    ids = [m.metric_id for m in metrics]
    if len(set(ids)) != len(ids):
        raise ValueError("metric ids must be unique")
    scored = {m.metric_id for m in metrics if m.kind in SCORED_KINDS}
    weights = {k: float(v) for k, v in raw_ranking.get("weights", {}).items()}
    for key, weight in weights.items():
        if key not in scored:
            raise ValueError(f"weight for {key!r}, which is not a scored metric")
        if weight < 0:
            raise ValueError(f"weight for {key!r} is negative")
        if weight > MAX_WEIGHT:
            raise ValueError(f"weight for {key!r} is over {MAX_WEIGHT:g} (weights are points "
                             "of a total of about 100)")
    if not any(w > 0 for w in weights.values()):
        raise ValueError("at least one weight must be positive")
    bands = tuple(sorted(((b["name"], float(b["min_score"])) for b in raw_ranking["band"]),
                         key=lambda b: -b[1]))
    if bands[-1][1] != 0:
        raise ValueError("the lowest band must start at 0")
    params = {k: float(v) for k, v in raw_metrics.get("params", {}).items()}
    for m in metrics:
        missing = [k for k in COMPUTED_METRICS.get(m.metric_id, ()) if k not in params]
        if m.kind == "computed" and missing:
            raise ValueError(f"metric {m.metric_id}: [params] lacks {', '.join(missing)}")
    fingerprint = hashlib.sha256(metrics_bytes + b"\0" + ranking_bytes + b"\0"
                                 + checks_bytes).hexdigest()[:8]
    return Method(
        metrics_version=str(raw_metrics["version"]),
        ranking_version=str(raw_ranking["version"]),
        metrics=tuple(metrics), dimensions=dimensions, params=params, weights=weights,
        bands=bands, sensitivity=dict(raw_ranking.get("sensitivity", {})),
        score_decimals=int(raw_ranking.get("score_decimals", 1)), fingerprint=fingerprint,
        deadline_rules=tuple(deadline_rules(checks["deadline"])),
        boilerplate=tuple(checks["boilerplate"].get("patterns", ())),
    )


def scenarios(method: Method) -> list[tuple[int, str, float]]:
    """The weight scenarios of the rank ranges as rows ``(scenario_id, metric_id, weight)``.

    Scenario 0 is the weights as set. With n positive weights and n ≤ max_grid_weights,
    scenarios 1 … 2^n move every weight by −delta or +delta (every combination); beyond that,
    ``draws`` seeded draws, uniform in [1 − delta, 1 + delta] per weight. Deterministic.
    """
    sens = method.sensitivity
    delta = float(sens.get("delta", 0.2))
    active = sorted(k for k, w in method.weights.items() if w > 0)
    rows = [(0, k, method.weights[k]) for k in active]
    if len(active) <= int(sens.get("max_grid_weights", 12)):
        factors = itertools.product((1 - delta, 1 + delta), repeat=len(active))
    else:
        rng = random.Random(int(sens.get("seed", 0)))
        factors = ([rng.uniform(1 - delta, 1 + delta) for _ in active]
                   for _ in range(int(sens.get("draws", 500))))
    for scenario_id, combo in enumerate(factors, start=1):
        rows += [(scenario_id, k, method.weights[k] * f) for k, f in zip(active, combo,
                                                                        strict=True)]
    return rows


def load_method_tables(con: duckdb.DuckDBPyConnection, method: Method) -> None:
    """Create and fill the temporary tables the ranking SQL reads (parameterised inserts)."""
    con.execute(
        "create or replace temp table rank_metrics (metric_id varchar, name varchar, "
        "kind varchar, dimension varchar, needs_previous_year boolean, metric_order integer)"
    )
    con.executemany(
        "insert into rank_metrics values (?, ?, ?, ?, ?, ?)",
        [(m.metric_id, m.name, m.kind, m.dimension, m.needs_previous_year, m.order)
         for m in method.metrics],
    )
    con.execute("create or replace temp table rank_metric_rules (metric_id varchar, "
                "rule_id varchar)")
    rule_rows = [(m.metric_id, r) for m in method.scored() for r in m.rules]
    if rule_rows:
        con.executemany("insert into rank_metric_rules values (?, ?)", rule_rows)
    con.execute("create or replace temp table rank_params (key varchar, value double)")
    params = dict(method.params)
    params["score_decimals"] = method.score_decimals
    params.setdefault("min_sample", 10)
    con.executemany("insert into rank_params values (?, ?)", sorted(params.items()))
    con.execute("create or replace temp table rank_deadline_rules (city varchar, "
                "report_year integer, due_date date, due_month integer, due_day integer)")
    con.executemany("insert into rank_deadline_rules values (?, ?, ?, ?, ?)",
                    [list(r) for r in method.deadline_rules])
    # the boilerplate patterns as one alternation, bound as a parameter into a variable
    # the scores read as a constant (sql/intermediate/v_indicator_scores.sql)
    con.execute("set variable rank_boilerplate_pattern = ?",
                ["|".join(f"(?:{p})" for p in method.boilerplate) or "$^"])
    con.execute("create or replace temp table rank_weights (metric_id varchar, weight double)")
    con.executemany("insert into rank_weights values (?, ?)", sorted(method.weights.items()))
    con.execute("create or replace temp table rank_scenarios (scenario_id integer, "
                "metric_id varchar, weight double)")
    # thousands of rows (2^n scenarios): one insert of three list parameters, not one per row
    ids, metric_ids, weights = zip(*scenarios(method), strict=True)
    con.execute("insert into rank_scenarios select unnest(?), unnest(?), unnest(?)",
                [list(ids), list(metric_ids), list(weights)])
    con.execute("create or replace temp table rank_bands (band varchar, min_score double, "
                "band_order integer)")
    con.executemany("insert into rank_bands values (?, ?, ?)",
                    [(name, minimum, i) for i, (name, minimum) in enumerate(method.bands, 1)])


def _ranking_views(con: duckdb.DuckDBPyConnection, method: Method) -> None:
    """The method tables and the views the scores are computed from."""
    load_method_tables(con, method)
    run_step(con, "ranking_inputs")
    run_step(con, "ranking_scores")


def prepare(con: duckdb.DuckDBPyConnection, method: Method | None = None) -> Method:
    """Load the method tables and every ranking view into a warehouse connection.

    Works on a read-only connection: everything created is temporary, and every view
    computes when queried. Returns the method.
    """
    method = method or load_method()
    _ranking_views(con, method)
    run_step(con, "ranking_city")
    return method


def stored_scores() -> list[str]:
    """The stored ranking tables in the order they are made: each file
    ``sql/marts/<table>.sql`` of the ``materialise`` step stores the rows of ``v_<table>``."""
    return [path.stem for path in step_files("materialise")]


def read_stored(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """Point each view ``v_<table>`` at the rows of ``table`` (its run and method columns
    left out), so what reads the view reads the stored rows instead of computing them."""
    for table in tables:
        # identifiers from the manifest's file names, never from input
        con.execute(f"create or replace temp view v_{table} as "
                    f"select * exclude (run_id, method_version) from {table}")


def materialise(con: duckdb.DuckDBPyConnection, run_id: str,
                method: Method | None = None, *, reuse: bool = False) -> list[str]:
    """Compute the scores once and store them in the warehouse, stamped with the run and the
    method's version; returns the tables stored, in order.

    Each table is stored from its view, and the view then reads the stored rows, so a
    later table (the league table reads the indicator scores and the rank ranges) does not
    compute an earlier one again. With ``reuse`` the rows of the cities and years where
    nothing changed since the last stage are kept and the rest scored again
    (``gongkai.rank_reuse``).
    """
    method = method or load_method()
    _ranking_views(con, method)
    params = {"run_id": run_id, "method_version": method.stored_version}
    rank_reuse.fingerprint(con)
    run_basis = rank_reuse.basis(con, method.fingerprint)
    previous = rank_reuse.reusable_run(con, run_basis) if reuse else None
    if previous is not None and not rank_reuse.narrow(con, previous):
        previous = None
        _ranking_views(con, method)  # the views over every unit-year again
    for path in step_files("materialise"):
        _compute_stored(con, path.stem)
        if previous is not None:
            rank_reuse.merge(con, path.stem)
        run_file(con, path, params)
        read_stored(con, [path.stem])
    rank_reuse.keep(con, run_id, run_basis)
    return stored_scores()


def _stored_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The method version the stored tables were made with (None: not all of them stored,
    or made by two methods)."""
    tables = stored_scores()
    present = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'main'").fetchall()}
    if not set(tables) <= present:
        return None
    versions = set()
    for table in tables:
        versions |= {r[0] for r in con.execute(f"select distinct method_version from {table}")
                     .fetchall()}
    return versions.pop() if len(versions) == 1 else None


# the views a report reads many times over, dependencies first: ``connect`` computes each once
# into a temporary table (the scores are stored already)
READ_VIEWS = (
    "v_t3", "v_t4", "v_city_totals", "v_rank_unit_years", "v_rank_findings",
    "v_rank_finding_cells", "v_city_metric_rates", "v_city_figures", "v_city_outcomes",
    "v_city_totals_yoy",
)


# stored tables whose view's rows are computed in arrays, not by the view's query: the
# rank ranges (gongkai.rank_ranges; the view stays the definition, and the answer when the
# arrays decline)
ARRAY_COMPUTED = {"rank_ranges": rank_ranges.use_arrays}


def _compute_stored(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Compute the rows of ``v_<table>`` into a temporary table the view then reads, where
    ``ARRAY_COMPUTED`` has a way; True when done."""
    compute = ARRAY_COMPUTED.get(table)
    return compute is not None and compute(con)


def _compute_once(con: duckdb.DuckDBPyConnection, views: list[str]) -> None:
    """Point each view at a temporary table holding its rows, computed now."""
    for view in views:
        # identifiers from this module's constants and the manifest, never from input
        con.execute(f"create or replace temp table computed_{view} as select * from {view}")
        con.execute(f"create or replace temp view {view} as select * from computed_{view}")


def connect(warehouse: str | Path, method: Method | None = None
            ) -> tuple[duckdb.DuckDBPyConnection, Method]:
    """Open a published warehouse read-only with every ranking view loaded, for the many
    small queries of a render.

    The scores are read from the stored ranking tables when they were made with this
    method; else they are computed, once, on this connection. The views a report reads
    many times (``READ_VIEWS``) are computed once too. Everything created is temporary.
    """
    method = method or load_method()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        if con.execute("select count(*) from duckdb_views() where not temporary "
                       "and list_contains(?, view_name)",
                       [list(PUBLISHED_VIEWS)]).fetchall()[0][0] < len(PUBLISHED_VIEWS):
            raise RuntimeError(f"{Path(warehouse).name} was published by an older gongkai: "
                               "run `gongkai run` once to bring it up to date")
        if _stored_version(con) == method.stored_version:
            load_method_tables(con, method)
            run_step(con, "ranking_inputs")
            read_stored(con, stored_scores())
        else:
            _ranking_views(con, method)
            for table in stored_scores():
                if not _compute_stored(con, table):
                    _compute_once(con, [f"v_{table}"])
        run_step(con, "ranking_city")
        _compute_once(con, list(READ_VIEWS))
        return con, method
    except Exception:
        con.close()
        raise


def method_lines(method: Method) -> list[str]:
    """The method as short Chinese sentences, printed under every league table."""
    total = sum(w for w in method.weights.values() if w > 0)
    parts = []
    for m in method.scored():
        w = method.weights.get(m.metric_id, 0)
        if w > 0:
            parts.append(f"{m.name}{w / total * 100:.0f}%")
    bands = "、".join(
        f"{name}（≥{minimum:g}分）" if minimum > 0 else f"{name}（<{method.bands[i - 1][1]:g}分）"
        for i, (name, minimum) in enumerate(method.bands)
    )
    delta = float(method.sensitivity.get("delta", 0.2))
    # what one mistake costs, so the bands can be read in points lost
    costs = ""
    if method.weights.get("no_errors", 0) > 0 and total:
        share = method.weights["no_errors"] / total * 100
        costs = (f"一处错误扣{share * method.params.get('error_penalty', 0):g}分，一处“提醒”扣"
                 f"{share * method.params.get('warning_penalty', 0):g}分；")
    return [
        f"计分方法：{method.version}。",
        "综合得分 = 100 × Σ（权重 × 指标得分）÷ Σ权重，只计本单位可评价的指标（不可评价的指标"
        "不计入，其余指标的权重按比例放大）；权重：" + "、".join(parts) + "。",
        f"等次：{bands}（满分100，{costs}等次按失分划分）。名次按保留{method.score_decimals}位小数的得分排列，得分相同者名次"
        "相同（如 1、2、2、4），同分单位按单位代码先后列出。街道与乡镇分组排名。",
        f"名次区间：每项权重分别上调、下调{delta * 100:.0f}%（全部组合）后重新排名，列出最好与"
        "最差名次；区间越窄，名次越稳定。",
        f"公开率、纠错率、申请数量等只作参考，不参与排名；分母少于{method.params.get('min_sample', 10):g}"
        "件时只列件数，分母为0时为“不适用”。空白不等于0。",
    ]
