"""The warehouse's tables and views, and the reference rows every warehouse holds.

``create_schema`` runs the ``schema`` step of ``sql/manifest.toml`` (tables, then the staging
and mart views) and fills ``cell_codes`` and the city lines (``city_lines``,
``city_line_cells``) from the template spec; ``load_units`` stores the unit registry with its
history (``units``, ``unit_periods``, ``unit_changes``). Safe on an existing warehouse: tables
use ``if not exists``, columns ``add column if not exists``, views ``create or replace``.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from gongkai import template as tpl
from gongkai.paths import SQL_DIR
from gongkai.template import split_code
from gongkai.units import Registry
from gongkai.units.tables import change_rows, period_rows, unit_rows
from gongkai.warehouse.rows import insert_rows, replace_rows
from gongkai.warehouse.sqlfiles import run_step

REGISTRY_SCHEMA = SQL_DIR / "schema" / "unit_registry.sql"

WIDE_TABLES = ("t2", "t3", "t4")


def create_schema(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> None:
    """Create every table and analyst view, and fill the reference tables of the template."""
    run_step(con, "schema", sql_dir=sql_dir)
    load_cell_codes(con)
    load_city_lines(con)


# DuckDB takes up to 80 % of the machine's memory by default, and a run's check and ranking
# queries over a province's or the country's reports would take it. The run's writer keeps to
# a budget instead and spills what does not fit to a folder beside the staging copy (DuckDB's
# joins, aggregates, sorts and windows work out of core). GONGKAI_DUCKDB_MEMORY sets it (a
# DuckDB size: 512MB, 4GB …).
WRITER_MEMORY_ENV = "GONGKAI_DUCKDB_MEMORY"
# 1 GB: with the Python side of the run (~0.4 GB for Prefect and the libraries, the batches
# in flight) the writer stays near 2 GB at 40,000 reports (bench/README.md); R-COPY works in
# batches of counties and the rank ranges outside DuckDB, so no query needs more
WRITER_MEMORY = "1GB"


def writer_memory() -> str:
    """The writer's DuckDB memory budget (``GONGKAI_DUCKDB_MEMORY``, else ``WRITER_MEMORY``)."""
    return os.environ.get(WRITER_MEMORY_ENV) or WRITER_MEMORY


def open_writer(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open the run's staging copy (or a warehouse being built) for writing, within the
    writer's memory budget; a file spills beside itself, an in-memory one (``:memory:``)
    where DuckDB puts it by default."""
    config = {"memory_limit": writer_memory()}
    if str(path) != ":memory:":
        config["temp_directory"] = f"{path}.spill"
    return duckdb.connect(str(path), config=config)


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file (creating the schema when opened for writing)."""
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        create_schema(con)
    return con


def load_units(con: duckdb.DuckDBPyConnection, registry: Registry) -> int:
    """Store the registry with its history (``units``, ``unit_periods``, ``unit_changes``;
    ``store_registry``); returns the number of units (codes)."""
    return store_registry(con, registry)["units"]


def store_registry(con: duckdb.DuckDBPyConnection, registry: Registry) -> dict[str, int]:
    """Replace ``units``, ``unit_periods`` and ``unit_changes`` with the registry's rows
    (``gongkai.units.tables``), creating the registry's tables first; returns the row count
    of each."""
    con.execute(REGISTRY_SCHEMA.read_text(encoding="utf-8"))
    counts = {}
    for table, rows in (("units", unit_rows(registry)), ("unit_periods", period_rows(registry)),
                        ("unit_changes", change_rows(registry))):
        counts[table] = replace_rows(con, table, rows)
    return counts


def wide_column(cell_code: str) -> str:
    """The column of a cell code in the wide views: dots become double underscores.

    ``t3.denied.state_secret.natural`` → ``t3__denied__state_secret__natural`` (codes use
    single underscores inside words, so the mapping is reversible).
    """
    return cell_code.replace(".", "__")


def cell_code_rows() -> list[dict]:
    """Every cell code of either template version with its labels, in template order."""
    labels = tpl.cell_labels()
    versions: dict[str, set[str]] = {}
    for version in tpl.VERSIONS:
        for code in tpl.get(version).cell_codes:
            versions.setdefault(code, set()).add(version)
    out = []
    for position, code in enumerate(tpl.all_codes(), start=1):
        table, row, col = split_code(code)
        row_label, col_label = labels.get(code, (None, None))
        out.append({
            "cell_code": code, "table_code": table, "row_code": row, "col_code": col,
            "position": position, "wide_column": wide_column(code),
            "row_label": row_label, "col_label": col_label,
            "in_v2019": "v2019" in versions[code], "in_v2021": "v2021" in versions[code],
            "is_money": tpl.get("v2021").is_money(code),
        })
    return out


def load_cell_codes(con: duckdb.DuckDBPyConnection) -> int:
    """Replace the ``cell_codes`` reference table with the template's codes; returns the count."""
    rows = cell_code_rows()
    con.execute("delete from cell_codes")
    return insert_rows(con, "cell_codes", rows)


def city_line_rows() -> tuple[list[dict], list[dict]]:
    """The lines the city totals are counted on, and the cells each line adds up.

    A line is a cell of a template version, or a group of table 三's sub-rows (（三）不予公开,
    …, （六）其他处理: the group's code with the column, ``t3.denied.total``). A line adds the
    cells of its code whichever version a unit used; a group line adds its sub-rows and the
    group's own row where a version has one (the 2019 version's 其他处理 is one row, the 2021
    version's three), so a unit that used the 2019 version counts in the 2021 version's
    其他处理 and nothing counts twice. A cell that has another meaning in the other version
    (table 二's columns were reworded and changed) has no line there. Returns one row per
    version × line, in the version's template order (a group before its first sub-row), and
    one row per line × cell it adds.
    """
    labels = {r["cell_code"]: r for r in cell_code_rows()}
    groups = {g.code: g.labels[0] for g in tpl.t3_groups()}
    lines: list[dict] = []
    members: dict[str, set[str]] = {}
    for version in tpl.VERSIONS:
        t = tpl.get(version)
        ordered: list[tuple[str, str, str, str, str | None, str | None, bool]] = []
        for code in t.cell_codes:
            table, row, col = split_code(code)
            group = row.split(".")[0] if table == "t3" else None
            if group in groups:
                group_code = f"t3.{group}.{col}"
                members.setdefault(group_code, set()).add(code)
                if "." in row and not any(x[0] == group_code for x in ordered):
                    # the group's line, before its first sub-row
                    ordered.append((group_code, "t3", group, col, groups[group],
                                    labels[code]["col_label"], True))
            members.setdefault(code, set()).add(code)
            ordered.append((code, table, row, col, *_version_labels(t, code, labels), False))
        lines += [{"template": version, "line_code": code, "table_code": table,
                   "row_code": row, "col_code": col, "row_label": row_label,
                   "col_label": col_label, "position": position, "is_group": is_group}
                  for position, (code, table, row, col, row_label, col_label, is_group)
                  in enumerate(ordered, start=1)]
    line_cells = [{"line_code": line, "cell_code": cell}
                  for line in sorted(members) for cell in sorted(members[line])]
    return lines, line_cells


def _version_labels(t: tpl.Template, code: str, labels: dict) -> tuple[str | None, str | None]:
    """A cell's official row and column labels in this version (table 二 is worded per
    version: 处理决定数量 in 2019, 本年处理决定数量 in 2021)."""
    table, row, col = split_code(code)
    if table == "t2":
        for b in t.t2_blocks:
            for r in b.rows:
                if r.code == row:
                    return r.labels[0], next(c.labels[0] for c in b.cols if c.code == col)
    return labels[code]["row_label"], labels[code]["col_label"]


def load_city_lines(con: duckdb.DuckDBPyConnection) -> int:
    """Replace ``city_lines`` and ``city_line_cells`` with the lines of the template spec;
    returns the number of lines."""
    lines, line_cells = city_line_rows()
    con.execute("delete from city_lines")
    con.execute("delete from city_line_cells")
    insert_rows(con, "city_line_cells", line_cells)
    return insert_rows(con, "city_lines", lines)
