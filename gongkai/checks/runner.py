"""Run the rule files of ``sql/checks/`` against a DuckDB connection and store the results.

Each rule file starts with a header comment (``-- id:``, ``-- severity:``, ``-- kind:``,
``-- evaluates:`` …) and is one query returning the violating rows; the rule id and severity
are stated there once and stamped on every finding by the runner. What the rules read is
built first by ``prepare``: the config tables of checks.toml, then the ``check_inputs``,
(``check_history_attached``) and ``check_tables`` steps of ``sql/manifest.toml``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongkai.checks.config import load_config, load_config_tables
from gongkai.paths import SQL_DIR
from gongkai.warehouse.sqlfiles import execute, run_step

CHECKS_DIR = SQL_DIR / "checks"

# the columns of a finding, in this order: a rule file returns them all but rule_id and
# severity, which come from its header (RULE_FIELDS)
FINDING_FIELDS = (
    "submission_id",
    "unit_code",
    "report_year",
    "rule_id",
    "severity",
    "status",
    "cells",
    "expected",
    "actual",
    "message_zh",
    "responsibility",
    "detail",
)

RULE_FIELDS = tuple(f for f in FINDING_FIELDS if f not in ("rule_id", "severity"))

# findings in a stable order: unit-year, rule, then the position the rule gives in its detail
# (`ord`: row, column, block or figure in template order), then the rest
_WITHIN_RULE_ORDER = (
    "try_cast(json_extract_string(detail, '$.ord') as integer) nulls first, detail, message_zh"
)
_FINDING_ORDER = (
    "unit_code nulls last, report_year nulls last, submission_id, rule_id, " + _WITHIN_RULE_ORDER
)
_RULE_ORDER = (
    "unit_code nulls last, report_year nulls last, submission_id, " + _WITHIN_RULE_ORDER
)

_HEADER = re.compile(r"^--\s*([a-z ]+):\s*(.*?)\s*$")
_VIEW_NAME = re.compile(r"^int_[a-z0-9_]+$")


@dataclass(frozen=True)
class Rule:
    """One rule file: its id, severity, kind, what it evaluates, and its SQL."""

    rule_id: str
    severity: str
    kind: str
    evaluates: str
    path: Path
    sql: str


def _header(sql: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        m = _HEADER.match(line)
        if m and m.group(1) not in meta:
            meta[m.group(1)] = m.group(2)
    return meta


def load_rules(directory: Path = CHECKS_DIR) -> list[Rule]:
    """Every rule file of ``sql/checks/`` (one per rule; ``shared/`` is not a rule), ordered
    by rule id."""
    rules = []
    for path in sorted(directory.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        meta = _header(sql)
        evaluates = meta.get("evaluates", "int_submissions_current")
        if not _VIEW_NAME.match(evaluates):
            raise ValueError(f"{path.name}: 'evaluates' must name a chk_ view, got {evaluates!r}")
        rules.append(Rule(
            rule_id=meta["id"],
            severity=meta["severity"],
            kind=meta.get("kind", ""),
            evaluates=evaluates,
            path=path,
            sql=sql.strip().rstrip(";"),
        ))
    return sorted(rules, key=lambda r: r.rule_id)


# the boilerplate removed from texts, and the elided-prose markers, each as one alternation
_PATTERNS_SQL = """
select
    coalesce(
        string_agg('(?:' || text || ')', '|' order by text)
            filter (where kind in ('pattern', 'elided')),
        '$^'
    ) as removed_pattern,
    string_agg('(?:' || text || ')', '|' order by text) filter (where kind = 'elided')
        as elided_pattern
from check_boilerplate
"""


def prepare(con, *, config: dict[str, Any] | None = None, history_attached: bool = False) -> None:
    """Load the config tables and the relations every rule reads into a connection.

    With ``history_attached`` the previous-year lookup and R-COPY also see the current
    submissions of a warehouse attached read-only as ``hist``.
    """
    load_config_tables(con, config or load_config())
    run_step(con, "check_inputs")
    if history_attached:
        run_step(con, "check_history_attached")
    removed, elided = con.execute(_PATTERNS_SQL).fetchone()
    run_step(con, "check_tables", {"removed_pattern": removed, "elided_pattern": elided})


def _status(severity: str, n_fail: int, n_findings: int) -> str:
    if n_fail and severity == "error":
        return "fail"
    return "warn" if n_findings else "pass"


def run_checks(
    con,
    run_id: str,
    *,
    config: dict[str, Any] | None = None,
    history_attached: bool = False,
    rules: list[Rule] | None = None,
) -> list[dict[str, Any]]:
    """Run every rule over the current submissions; store findings and check runs.

    Findings of an earlier call with the same ``run_id`` are replaced. Returns one dict
    per rule (ordered by rule id): rule_id, severity, status (pass/warn/fail/error),
    rows_evaluated (current submissions in the rule's scope), rows_failing (findings with
    status fail), rows_not_assessable, duration_ms and error.
    """
    prepare(con, config=config, history_attached=history_attached)
    con.execute("delete from findings where run_id = ?", [run_id])
    con.execute("delete from check_runs where run_id = ?", [run_id])
    # a failing finding that names a cell the reader placed by inference is a doubt about
    # our reading, whatever the rule (chk_doubt_if_inferred)
    selected = ", ".join(
        "chk_doubt_if_inferred(status, responsibility, cells, inferred.codes) as responsibility"
        if f == "responsibility" else f for f in RULE_FIELDS)
    insert = (
        f"insert into findings (run_id, rule_id, severity, {', '.join(RULE_FIELDS)}) "
        f"select $run_id, $rule_id, $severity, {selected} "
        "from ({rule}) as rule_rows "
        "left join int_inferred_cells as inferred using (submission_id) "
        f"order by {_RULE_ORDER} "
        "returning status"
    )
    summary = []
    in_scope: dict[str, int] = {}  # rows of each `evaluates` relation, counted once per run
    for rule in rules if rules is not None else load_rules():
        started = time.perf_counter()
        error = None
        try:
            statuses = [row[0] for row in execute(
                con, insert.replace("{rule}", rule.sql),
                {"run_id": run_id, "rule_id": rule.rule_id, "severity": rule.severity},
            ).fetchall()]
            if rule.evaluates not in in_scope:
                in_scope[rule.evaluates] = con.execute(
                    f"select count(*) from {rule.evaluates}").fetchone()[0]
            evaluated = in_scope[rule.evaluates]
            n_fail, n_na = statuses.count("fail"), statuses.count("not_assessable")
            status = _status(rule.severity, n_fail, n_fail + n_na)
        except Exception as exc:  # a broken rule is reported, the others still run
            error = f"{type(exc).__name__}: {exc}"
            evaluated, n_fail, n_na, status = None, None, None, "error"
        duration_ms = round((time.perf_counter() - started) * 1000, 3)
        con.execute(
            "insert into check_runs (run_id, rule_id, severity, status, rows_evaluated, "
            "rows_failing, duration_ms, error, checked_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, rule.rule_id, rule.severity, status, evaluated, n_fail, duration_ms,
             error, dt.datetime.now()],
        )
        summary.append({
            "rule_id": rule.rule_id,
            "severity": rule.severity,
            "status": status,
            "rows_evaluated": evaluated,
            "rows_failing": n_fail,
            "rows_not_assessable": n_na,
            "duration_ms": duration_ms,
            "error": error,
        })
    return summary


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def fetch_findings(con, run_id: str) -> list[dict[str, Any]]:
    """The findings of one run as JSON-ready dicts (cells and detail decoded), in a
    stable order: unit, year, submission, rule, then the position within the report."""
    rows = con.execute(
        f"select {', '.join(FINDING_FIELDS)} from findings where run_id = ? "
        f"order by {_FINDING_ORDER}",
        [run_id],
    ).fetchall()
    out = []
    for row in rows:
        item = dict(zip(FINDING_FIELDS, row, strict=True))
        for key in ("cells", "detail"):
            if item[key]:
                decoded = json.loads(item[key])
                if isinstance(decoded, dict):
                    decoded = {k: _plain(v) for k, v in decoded.items()}
                item[key] = decoded
        item["expected"] = _plain(item["expected"])
        item["actual"] = _plain(item["actual"])
        out.append(item)
    return out
