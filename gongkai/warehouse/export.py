"""The Parquet export beside a published warehouse (``gongkai.duckdb`` → ``parquet/``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import duckdb

# tables that carry report_year and are exported to Parquet partitioned by it
PARTITIONED_TABLES = ("submissions", "cells", "narratives", "narrative_figures", "parse_issues",
                      "findings")
# small tables exported to Parquet as a single file each
PLAIN_TABLES = ("units", "runs", "check_runs")


def _sql_path(path: Path) -> str:
    """A file path as a SQL string literal (COPY takes no parameter for its target)."""
    return "'" + str(path).replace("'", "''") + "'"


def parquet_dir(published: str | Path) -> Path:
    """The Parquet export folder beside a warehouse file (``gongkai.duckdb`` → ``parquet/``)."""
    return Path(published).with_name("parquet")


def _copy_plain(con: duckdb.DuckDBPyConnection, table: str, target: Path) -> None:
    """One small table (a constant of this module) to one Parquet file."""
    con.execute(f"copy (select * from {table}) to {_sql_path(target)} "
                "(format parquet, compression zstd)")


def export_parquet(warehouse: str | Path, out_dir: str | Path,
                   tables: Iterable[str] | None = None) -> Path:
    """Export the warehouse's tables to Parquet, swapping the folder in when complete.

    Tables with ``report_year`` are partitioned by it (``cells/report_year=2019/…``); the
    small tables become one file each. The previous export stays in place until the new
    one is written.
    """
    build_parquet(warehouse, out_dir, tables)
    return swap_parquet(out_dir)


def building_dir(out_dir: str | Path) -> Path:
    """Where an export is written before it is swapped in (``.parquet.building``)."""
    out_dir = Path(out_dir)
    return out_dir.with_name(f".{out_dir.name}.building")


def build_parquet(warehouse: str | Path, out_dir: str | Path,
                  tables: Iterable[str] | None = None) -> Path:
    """Write the export of ``export_parquet`` beside ``out_dir`` (``building_dir``), not yet
    swapped in: a run exports its staging copy before publishing it, so that once the
    warehouse is renamed into place only ``swap_parquet`` is left to do."""
    out_dir = Path(out_dir)
    building = building_dir(out_dir)
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        present = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()}
        wanted = set(tables) if tables is not None else None
        for table in PARTITIONED_TABLES + PLAIN_TABLES:
            if table not in present or (wanted is not None and table not in wanted):
                continue
            rows = con.execute(f"select count(*) from {table}").fetchall()[0][0]
            if rows == 0:
                continue
            target = building / table
            if table in PARTITIONED_TABLES:
                con.execute(
                    f"copy (select * from {table}) to {_sql_path(target)} "
                    "(format parquet, partition_by (report_year), compression zstd)"
                )
            else:
                target.mkdir()
                _copy_plain(con, table, target / f"{table}.parquet")
    finally:
        con.close()
    return building


def swap_parquet(out_dir: str | Path) -> Path:
    """Put a finished ``build_parquet`` in place of the previous export (two renames)."""
    out_dir = Path(out_dir)
    old = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(building_dir(out_dir), out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return out_dir


def refresh_plain_table(warehouse: str | Path, out_dir: str | Path, table: str) -> Path:
    """Rewrite one small table's Parquet file in an existing export (atomic per file): used
    when only a run's row changed after publishing."""
    if table not in PLAIN_TABLES:
        raise ValueError(f"{table!r} is not one of the single-file tables {PLAIN_TABLES}")
    folder = Path(out_dir) / table
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{table}.parquet"
    partial = folder / f".{table}.parquet.part"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        _copy_plain(con, table, partial)
    finally:
        con.close()
    os.replace(partial, target)
    return target
