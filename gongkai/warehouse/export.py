"""The Parquet export beside a published warehouse (``gongkai.duckdb`` → ``parquet/``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import duckdb

from gongkai.warehouse.schema import writer_memory

# Every table of the warehouse is exported (docs/warehouse.md lists them; a test compares):
# a table with a report_year column partitioned by it, any other as a single file. Views are
# not exported (they are queries over the tables), except the views of constants the docs
# list among the tables.
CONSTANT_VIEWS = ("value_rules",)
# the single-file tables a run rewrites after publishing (refresh_plain_table)
PLAIN_TABLES = ("units", "runs", "check_runs")


def _sql_path(path: Path) -> str:
    """A file path as a SQL string literal (COPY takes no parameter for its target)."""
    return "'" + str(path).replace("'", "''") + "'"


def _ident(name: str) -> str:
    """A table name of the catalog as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def parquet_dir(published: str | Path) -> Path:
    """The Parquet export folder beside a warehouse file (``gongkai.duckdb`` → ``parquet/``)."""
    return Path(published).with_name("parquet")


def _copy_plain(con: duckdb.DuckDBPyConnection, table: str, target: Path) -> None:
    """One table of the warehouse's own catalog to one Parquet file."""
    con.execute(f"copy (select * from {_ident(table)}) to {_sql_path(target)} "
                "(format parquet, compression zstd)")


def exported_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, bool]]:
    """The tables the export writes, as (name, partitioned by report_year), by name: every
    base table of the warehouse and the views of constants (CONSTANT_VIEWS)."""
    return [(name, bool(partitioned)) for name, partitioned in con.execute(
        "select t.table_name, exists (select 1 from information_schema.columns as c "
        "    where c.table_schema = t.table_schema and c.table_name = t.table_name "
        "    and c.column_name = 'report_year') "
        "from information_schema.tables as t "
        "where t.table_schema = 'main' and t.table_catalog = current_database() "
        "and (t.table_type = 'BASE TABLE' or t.table_name in (select unnest(?))) "
        "order by t.table_name", [list(CONSTANT_VIEWS)]).fetchall()]


def export_parquet(warehouse: str | Path, out_dir: str | Path,
                   tables: Iterable[str] | None = None) -> Path:
    """Export the warehouse's tables to Parquet, swapping the folder in when complete.

    Every table (``exported_tables``): those with ``report_year`` are partitioned by it
    (``cells/report_year=2019/…``), the others become one file each. The previous export
    stays in place until the new one is written.
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
    # within the writer's budget: the run exports its staging copy in the same process
    con = duckdb.connect(str(warehouse), read_only=True,
                         config={"memory_limit": writer_memory()})
    try:
        wanted = set(tables) if tables is not None else None
        for table, partitioned in exported_tables(con):
            if wanted is not None and table not in wanted:
                continue
            target = building / table
            if partitioned:
                rows = con.execute(f"select count(*) from {_ident(table)}").fetchall()[0][0]
                if rows == 0:
                    # no year to partition by: one empty file keeps the table and its columns
                    # (a warehouse with no reviews or corrections yet)
                    target.mkdir()
                    _copy_plain(con, table, target / f"{table}.parquet")
                    continue
                con.execute(
                    f"copy (select * from {_ident(table)}) to {_sql_path(target)} "
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
