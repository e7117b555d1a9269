"""The league table: indicator dictionary, composite score, bands, ranks and rank ranges.

The method is data: ``gongkai/data/metrics.toml`` defines the indicators and
``gongkai/data/ranking.toml`` the weights, bands and the weight perturbation behind the rank
ranges; both carry a version that is printed with every table. The relational work is SQL
(``sql/marts/ranking/*.sql``, loaded in file-name order as temporary views), so a read-only
connection to a published warehouse can be ranked without writing to it::

    con = rankings.connect("warehouse/gongkai.duckdb")
    con.sql("select * from v_rankings where report_year = 2024").show()

Settings reach the SQL only through temporary tables filled with parameterised inserts.
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

from gongkai.paths import SQL_DIR

RANKING_SQL_DIR = SQL_DIR / "marts" / "ranking"
SCORED_KINDS = ("rule", "computed")
# the computed metrics the SQL knows how to score (sql/marts/ranking/20_v_indicator_scores.sql)
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
    con.execute("create or replace temp table rank_boilerplate (pattern_no integer, "
                "pattern varchar)")
    if method.boilerplate:
        con.executemany("insert into rank_boilerplate values (?, ?)",
                        list(enumerate(method.boilerplate, start=1)))
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


def prepare(con: duckdb.DuckDBPyConnection, method: Method | None = None) -> Method:
    """Load the method tables and every ranking view into a warehouse connection.

    Works on a read-only connection: everything created is temporary. Returns the method.
    """
    method = method or load_method()
    load_method_tables(con, method)
    for path in sorted(RANKING_SQL_DIR.glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
    return method


# the views of sql/marts/ranking/ (and the marts they read), dependencies first
SNAPSHOT_VIEWS = (
    "v_t3", "v_t4", "v_city_totals",
    "v_rank_unit_years", "v_rank_latest_run", "v_rank_findings", "v_rank_finding_cells",
    "v_indicator_scores", "v_context_figures", "v_dimension_scores", "v_rank_ranges",
    "v_rankings", "v_city_metric_rates", "v_city_figures", "v_city_outcomes",
    "v_city_totals_yoy",
)


def snapshot(con: duckdb.DuckDBPyConnection) -> None:
    """Compute the ranking views once and point them at the stored result.

    Each view of ``SNAPSHOT_VIEWS`` becomes a temporary view over a temporary table holding
    its rows, so the many small queries of a render do not recompute the rank ranges. Call
    after ``prepare`` on a connection that will not see new data.
    """
    for view in SNAPSHOT_VIEWS:
        table = f"snapshot_{view}"
        # identifiers from the constant above, never from input
        con.execute(f"create or replace temp table {table} as select * from {view}")
        con.execute(f"create or replace temp view {view} as select * from {table}")


def connect(warehouse: str | Path, method: Method | None = None
            ) -> tuple[duckdb.DuckDBPyConnection, Method]:
    """Open a published warehouse read-only with the ranking views loaded."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con, prepare(con, method)
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
    return [
        f"计分方法：{method.version}。",
        "综合得分 = 100 × Σ（权重 × 指标得分）÷ Σ权重，只计本单位可评价的指标（不可评价的指标"
        "不计入，其余指标的权重按比例放大）；权重：" + "、".join(parts) + "。",
        f"等次：{bands}。名次按保留{method.score_decimals}位小数的得分排列，得分相同者名次"
        "相同（如 1、2、2、4），同分单位按单位代码先后列出。街道与乡镇分组排名。",
        f"名次区间：每项权重分别上调、下调{delta * 100:.0f}%（全部组合）后重新排名，列出最好与"
        "最差名次；区间越窄，名次越稳定。",
        f"公开率、纠错率、申请数量等只作参考，不参与排名；分母少于{method.params.get('min_sample', 10):g}"
        "件时只列件数，分母为0时为“不适用”。空白不等于0。",
    ]
