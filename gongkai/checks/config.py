"""Settings of the checks (thresholds, deadlines, boilerplate) and the tables that carry them.

The settings live in ``gongkai/data/checks.toml`` (documented in docs/checks.md); another
file with the same sections can be passed instead. They reach the SQL only through
connection-scoped tables filled with parameterised inserts:

- ``check_config(key, value)``: the numeric thresholds;
- ``check_deadline_rules(city, report_year, due_date, due_month, due_day)``: R-DEADLINE;
- ``check_boilerplate(kind, text)``: template sentences (``pattern``), empty-in-effect
  texts (``empty_text``) and markers of prose left out of a copy (``elided``);
- ``chk_template_cells(template, cell_code, table_code, row_code, col_code, row_ord,
  col_ord)``: the cell grid of both template versions.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from gongkai import template

DEFAULT_THRESHOLDS = {
    "backlog_ratio": 0.5,
    "backlog_min_new": 10,
    "money_yuan_township": 10000,
    "yoy_factor": 5,
    "yoy_min": 10,
    "copy_threshold": 0.7,
    "copy_min_chars": 120,
    "problems_min_chars": 20,
}


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """The check settings: the bundled ``checks.toml`` by default, or the given TOML file."""
    if path is None:
        text = resources.files("gongkai.data").joinpath("checks.toml").read_text("utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    thresholds = dict(DEFAULT_THRESHOLDS)
    thresholds.update(raw.get("thresholds", {}))
    return {
        "thresholds": thresholds,
        "deadline": raw.get("deadline", {}),
        "boilerplate": raw.get("boilerplate", {}),
    }


def _month_day(text: str) -> tuple[int, int]:
    month, day = (int(part) for part in str(text).split("-"))
    dt.date(2001, month, day)  # validates the pair (2001: not a leap year, so no 02-29)
    return month, day


def deadline_rules(deadline: dict[str, Any]) -> list[tuple]:
    """Rows of ``check_deadline_rules`` from the ``[deadline]`` section.

    Each row is ``(city, report_year, due_date, due_month, due_day)``; ``None`` in city or
    year means any. A rule gives either a fixed date or a month-day of the next year.
    """
    rows: list[tuple] = []
    month, day = _month_day(deadline.get("default", "01-31"))
    rows.append((None, None, None, month, day))
    for year, date in sorted(deadline.get("years", {}).items()):
        rows.append((None, int(year), dt.date.fromisoformat(str(date)), None, None))
    for city, rules in sorted(deadline.get("cities", {}).items()):
        for key, value in sorted(rules.items()):
            if key == "default":
                m, d = _month_day(value)
                rows.append((city, None, None, m, d))
            else:
                rows.append((city, int(key), dt.date.fromisoformat(str(value)), None, None))
    return rows


def template_grid() -> list[tuple]:
    """Rows of ``chk_template_cells``: every cell code of both versions with its position."""
    rows = []
    for version in template.VERSIONS:
        tpl = template.get(version)
        t3_rows = {r.code: i for i, r in enumerate(tpl.t3_rows, 1)}
        t3_cols = {c.code: i for i, c in enumerate(tpl.t3_cols, 1)}
        t4_rows = {b.code: i for i, b in enumerate(tpl.t4_blocks, 1)}
        t4_cols = {c.code: i for i, c in enumerate(tpl.t4_cols, 1)}
        t2_rows: dict[str, int] = {}
        t2_cols: dict[str, int] = {}
        for block in tpl.t2_blocks:
            for r in block.rows:
                t2_rows.setdefault(r.code, len(t2_rows) + 1)
            for c in block.cols:
                t2_cols.setdefault(c.code, len(t2_cols) + 1)
        order = {"t2": (t2_rows, t2_cols), "t3": (t3_rows, t3_cols), "t4": (t4_rows, t4_cols)}
        for code in tpl.cell_codes:
            table, rest = code.split(".", 1)
            row, col = rest.rsplit(".", 1)
            row_ord, col_ord = order[table][0][row], order[table][1][col]
            rows.append((version, code, table, row, col, row_ord, col_ord))
    return rows


def _insert_rows(con, table: str, rows: list[tuple], n_columns: int) -> None:
    """Insert rows with one statement: each column is passed as a list parameter and the
    lists are unnested side by side (``executemany`` runs one statement per row)."""
    if not rows:
        return
    columns = [list(column) for column in zip(*rows, strict=True)]
    unnests = ", ".join("unnest(?)" for _ in range(n_columns))
    con.execute(f"insert into {table} select {unnests}", columns)


def load_config_tables(con, config: dict[str, Any]) -> None:
    """Create and fill the connection-scoped config tables the check SQL reads."""
    con.execute("create or replace temp table check_config (key varchar, value double)")
    _insert_rows(
        con,
        "check_config",
        [(k, float(v)) for k, v in sorted(config["thresholds"].items())],
        2,
    )
    con.execute(
        "create or replace temp table check_deadline_rules ("
        "city varchar, report_year integer, due_date date, due_month integer, due_day integer)"
    )
    _insert_rows(con, "check_deadline_rules", deadline_rules(config["deadline"]), 5)
    con.execute("create or replace temp table check_boilerplate (kind varchar, text varchar)")
    boiler = config["boilerplate"]
    rows = [("pattern", p) for p in boiler.get("patterns", [])]
    rows += [("empty_text", t) for t in boiler.get("empty_texts", [])]
    rows += [("elided", t) for t in boiler.get("elided", [])]
    _insert_rows(con, "check_boilerplate", rows, 2)
    con.execute(
        "create or replace temp table chk_template_cells ("
        "template varchar, cell_code varchar, table_code varchar, row_code varchar, "
        "col_code varchar, row_ord integer, col_ord integer)"
    )
    _insert_rows(con, "chk_template_cells", template_grid(), 7)
