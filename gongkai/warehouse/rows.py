"""Rows handed to DuckDB as Arrow tables, never as SQL text."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

import duckdb
import pyarrow as pa


def insert_arrow(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, pa.Array]) -> None:
    """Insert rows given as Arrow columns into ``table`` with one statement."""
    insert_table(con, table, pa.table(columns))


def insert_table(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    """Insert an Arrow table's rows into ``table`` (columns by name) with one statement."""
    if data.num_rows == 0:
        return
    name = f"_rows_{uuid.uuid4().hex}"
    con.register(name, data)
    try:
        cols = ", ".join(data.column_names)
        # identifiers only (a table name of this package and fixed column names); values are
        # read from the registered Arrow table, never interpolated
        con.execute(f"insert into {table} ({cols}) select {cols} from {name}")
    finally:
        con.unregister(name)


def typed_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Mapping],
               **same: object) -> pa.Table:
    """Rows given as mappings as an Arrow table typed by ``table``'s own columns (those the
    rows or ``same`` name, in the table's order; see ``insert_rows``)."""
    schema = con.sql(f"select * from {table} limit 0").to_arrow_table().schema
    named = set(same).union(*(row.keys() for row in rows))
    fields = [f for f in schema if f.name in named]
    return pa.Table.from_pylist([{**row, **same} for row in rows], schema=pa.schema(fields))


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Mapping]) -> int:
    """Make ``rows`` the whole content of ``table`` (typed as ``typed_rows``); a table that
    holds them already, in any order, is left alone: every run stores the registry, and
    DuckDB deletes rows slowly from a table with a primary key (2 s for 40,000 units).
    Returns the number of rows."""
    data = typed_rows(con, table, rows)
    names = data.column_names
    if data.num_rows and con.execute(f"select count(*) from {table}").fetchall()[0][0] \
            == data.num_rows:
        order = [(name, "ascending") for name in names]
        stored = con.sql(f"select {', '.join(names)} from {table}").to_arrow_table()
        if stored.cast(data.schema).sort_by(order).equals(data.sort_by(order)):
            return data.num_rows
    con.execute(f"delete from {table}")
    insert_table(con, table, data)
    return data.num_rows


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Mapping],
                **same: object) -> int:
    """Insert rows given as mappings of column name → value into ``table``, typed by the
    table's own columns (the schema in sql/ is the one place a column's type is written).

    A row may carry keys the table has no column for (one record can fill two tables: a
    unit's ``units`` and ``unit_periods`` rows); columns no row names are left to their
    defaults. ``same`` gives columns whose value is the same in every row (the run id).
    Returns the number of rows."""
    if not rows:
        return 0
    data = typed_rows(con, table, rows, **same)
    insert_table(con, table, data)
    return data.num_rows


def renamed(record: Mapping, names: Mapping[str, str]) -> dict:
    """``record`` with the keys ``names`` maps renamed (a dataclass's fields as the columns of
    its table)."""
    return {names.get(key, key): value for key, value in record.items()}
