"""Rows handed to DuckDB as Arrow tables, never as SQL text."""

from __future__ import annotations

import uuid

import duckdb
import pyarrow as pa


def insert_arrow(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, pa.Array]) -> None:
    """Insert rows given as Arrow columns into ``table`` with one statement."""
    data = pa.table(columns)
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
