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
from gongkai.warehouse.sqlfiles import basis_digest, execute, run_step

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
    """One rule file: its id, severity, kind, what it evaluates, and its SQL; ``batch`` is
    ``area`` for a rule that compares a report only with reports of its own city or county,
    run on batches of whole areas (``BATCH_ROWS``)."""

    rule_id: str
    severity: str
    kind: str
    evaluates: str
    path: Path
    sql: str
    batch: str = ""


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
        batch = meta.get("batch", "")
        if batch not in ("", "area"):
            raise ValueError(f"{path.name}: 'batch' may only be 'area', got {batch!r}")
        rules.append(Rule(
            rule_id=meta["id"],
            severity=meta["severity"],
            kind=meta.get("kind", ""),
            evaluates=evaluates,
            path=path,
            sql=sql.strip().rstrip(";"),
            batch=batch,
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


def prepare(con, *, config: dict[str, Any] | None = None, history_attached: bool = False,
            previous_run: str | None = None) -> None:
    """Load the config tables and the relations every rule reads into a connection.

    With ``history_attached`` the previous-year lookup and R-COPY also see the current
    submissions of a warehouse attached read-only as ``hist``. With ``previous_run`` (a run
    whose findings are reused: ``run_checks``) the rules evaluate only the scope of
    sql/intermediate/check_scope.sql, and read its context as history; the fingerprints of
    the reports (step ``check_fingerprints``) must be made first.
    """
    load_config_tables(con, config or load_config())
    run_step(con, "check_inputs")
    if previous_run is not None:
        run_step(con, "check_scope", {"previous_run": previous_run})
    run_step(con, "check_reports")
    if history_attached:
        run_step(con, "check_history_attached")
    if previous_run is not None:
        run_step(con, "check_scope_history")
    removed, elided = con.execute(_PATTERNS_SQL).fetchone()
    run_step(con, "check_tables", {"removed_pattern": removed, "elided_pattern": elided})


# a rule with `batch: area` is run on batches of whole cities or counties holding at most this
# many of the reports evaluated (one area may hold more): the memory it needs follows the
# batch, not the country (R-COPY over 40,000 texts at once does not fit a 2 GB budget)
BATCH_ROWS = 4096
# the relations a batch narrows to its areas: the reports evaluated and those compared with
_BATCH_RELATIONS = ("int_submissions_current", "int_history_submissions")


def _area_batches(con) -> list[list[str]]:
    """The areas (the registry's city; '' for none) of the reports evaluated, in batches of
    at most ``BATCH_ROWS`` reports."""
    batches: list[list[str]] = [[]]
    size = 0
    for area, n in con.execute(
            "select coalesce(u.city, '') as area, count(*) from int_submissions_current as s "
            "left join units as u on u.unit_code = s.unit_code group by 1 order by 1").fetchall():
        if batches[-1] and size + n > BATCH_ROWS:
            batches.append([])
            size = 0
        batches[-1].append(area)
        size += n
    return batches


def _in_batch(rule: Rule) -> str:
    """A batched rule's query with the relations it evaluates and compares with narrowed to
    the areas of ``$batch_areas`` (common table expressions named like them shadow them)."""
    body = "\n".join(line for line in rule.sql.splitlines()
                     if not line.lstrip().startswith("--")).lstrip()
    if not body.lower().startswith("with"):
        raise ValueError(f"{rule.path.name}: a batched rule is one query starting with WITH")
    narrowed = [
        f"{name} as (select r.* from {name} as r left join units as u "
        f"on u.unit_code = r.unit_code where coalesce(u.city, '') in "
        f"(select unnest($batch_areas)))" for name in _BATCH_RELATIONS]
    # the texts compared, of the batch's reports only
    narrowed.append("chk_copy_texts as (select t.* from chk_copy_texts as t "
                    "semi join int_history_submissions as h "
                    "on h.submission_id = t.submission_id)")
    return "with " + ",\n".join(narrowed) + ",\n" + body[4:]


def _status(severity: str, n_fail: int, n_findings: int) -> str:
    if n_fail and severity == "error":
        return "fail"
    return "warn" if n_findings else "pass"


# the rows each relation a rule may evaluate has over every current submission, counted
# from the fingerprints (a run with a scope builds the relations for the scope only):
# int_previous_year_pairs has a row per submission with a current report of its unit for
# the year before (sql/intermediate/int_previous_year_pairs.sql)
_EVALUATED_IN_FULL = {
    "int_submissions_current": "select count(*) from chk_fingerprints_now",
    "int_previous_year_pairs": (
        "select count(*) from chk_fingerprints_now as s where exists ("
        "select 1 from chk_fingerprints_now as p "
        "where p.unit_code = s.unit_code and p.report_year = s.report_year - 1)"),
}
# a scope larger than this share of the current submissions is checked whole: the rules
# over everything cost about what the scope's bookkeeping would
_SCOPE_AT_MOST = 0.5


def basis(con, rules: list[Rule], config: dict[str, Any]) -> str:
    """A hash of everything a check run depends on besides the reports: the rules and the
    SQL they are built on, this runner, the checks' settings, the registry and the other
    reference tables. Findings of a run with another basis are never reused."""
    return basis_digest(
        con,
        ("check_fingerprints", "check_inputs", "check_scope", "check_reports",
         "check_scope_history", "check_tables", "finding_keys"),
        ("units", "unit_periods", "unit_changes", "cell_codes"),
        *(f"{r.rule_id}\0{r.severity}\0{r.sql}".encode() for r in rules),
        Path(__file__).read_bytes(),
        json.dumps(config, sort_keys=True, default=str).encode())


def _reusable_run(con, run_basis: str, rules: list[Rule]) -> str | None:
    """The latest check run, when its findings may be reused: same basis, no rule broken,
    fingerprints kept, and every relation a rule evaluates countable in full."""
    if any(rule.evaluates not in _EVALUATED_IN_FULL for rule in rules):
        return None
    row = con.execute(
        "select l.run_id, bool_and(c.basis is not distinct from ?), "
        "bool_or(c.status = 'error') "
        "from v_latest_check_run as l join check_runs as c using (run_id) group by l.run_id",
        [run_basis]).fetchone()
    if row is None or not row[1] or row[2]:
        return None
    kept = con.execute("select count(*) from check_fingerprints where run_id = ?",
                       [row[0]]).fetchone()[0]
    return row[0] if kept else None


def run_checks(
    con,
    run_id: str,
    *,
    config: dict[str, Any] | None = None,
    history_attached: bool = False,
    rules: list[Rule] | None = None,
    reuse: bool = False,
) -> list[dict[str, Any]]:
    """Run every rule over the current submissions; store findings and check runs.

    Findings of an earlier call with the same ``run_id`` are replaced. Returns one dict
    per rule (ordered by rule id): rule_id, severity, status (pass/warn/fail/error),
    rows_evaluated (current submissions in the rule's scope), rows_failing (findings with
    status fail), rows_not_assessable, duration_ms and error.

    With ``reuse``, the findings of the latest check run are carried over for the reports
    whose rules' inputs are unchanged since (same fingerprint, same basis: ``basis``), and
    the rules evaluate the rest: the changed reports and those they are compared with
    (sql/intermediate/check_scope.sql). The findings and counts are those of a run over
    everything (tests/test_check_reuse.py).
    """
    config = config or load_config()
    rules = rules if rules is not None else load_rules()
    run_basis = basis(con, rules, config)
    run_step(con, "check_fingerprints")
    previous = None
    if reuse and not history_attached:
        previous = _reusable_run(con, run_basis, rules)
    in_full = {}
    if previous is not None:
        in_full = {name: con.execute(sql).fetchone()[0]
                   for name, sql in _EVALUATED_IN_FULL.items()}
        prepare(con, config=config, previous_run=previous)
        scope = con.execute("select count(*) from chk_scope").fetchone()[0]
        if scope > _SCOPE_AT_MOST * in_full["int_submissions_current"]:
            previous, in_full = None, {}
    if previous is None:
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
    # rows of each `evaluates` relation, counted once per run
    in_scope: dict[str, int] = dict(in_full)
    for rule in rules:
        started = time.perf_counter()
        error = None
        try:
            params = {"run_id": run_id, "rule_id": rule.rule_id, "severity": rule.severity}
            batches = _area_batches(con) if rule.batch else [[]]
            if len(batches) == 1:
                statuses = [row[0] for row in execute(
                    con, insert.replace("{rule}", rule.sql), params).fetchall()]
            else:
                statuses = []
                for areas in batches:
                    statuses += [row[0] for row in execute(
                        con, insert.replace("{rule}", _in_batch(rule)),
                        {**params, "batch_areas": areas}).fetchall()]
            if previous is not None:
                statuses += _carry_over(con, run_id, previous, rule.rule_id)
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
            "rows_failing, duration_ms, error, checked_at, basis) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, rule.rule_id, rule.severity, status, evaluated, n_fail, duration_ms,
             error, dt.datetime.now(), run_basis],
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
    # the fingerprints of what this run read, for the next one (this run's only)
    con.execute("delete from check_fingerprints")
    con.execute("insert into check_fingerprints select ?, submission_id, unit_code, "
                "report_year, area, fingerprint from chk_fingerprints_now", [run_id])
    return summary


def _carry_over(con, run_id: str, previous: str, rule_id: str) -> list[str]:
    """Copy one rule's findings of ``previous`` on the current reports outside this run's
    scope into ``run_id`` (their review keys with them); returns their statuses."""
    return [row[0] for row in con.execute(
        "insert into findings select * replace (? as run_id) from findings "
        "where run_id = ? and rule_id = ? "
        "and submission_id in (select submission_id from chk_fingerprints_now) "
        "and submission_id not in (select submission_id from chk_scope) "
        "returning status", [run_id, previous, rule_id]).fetchall()]


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
