"""Rows handed to DuckDB as Arrow tables, never as SQL text; a buffer for batches of reports."""

from __future__ import annotations

import uuid

import duckdb
import pyarrow as pa


def insert_arrow(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, pa.Array],
                 buffer: RowBuffer | None = None) -> None:
    """Insert rows given as Arrow columns into ``table`` (now, or at ``buffer.flush``)."""
    data = pa.table(columns)
    if data.num_rows == 0:
        return
    if buffer is not None:
        buffer.add(table, data)
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


class RowBuffer:
    """Child rows of many submissions, written with one insert per table on ``flush``.

    Loading a few hundred reports one insert at a time spends most of its time in per-insert
    overhead; the load stage buffers a batch of reports and flushes it.
    """

    def __init__(self) -> None:
        self._tables: dict[str, list[pa.Table]] = {}

    def add(self, table: str, data: pa.Table) -> None:
        """Queue rows for ``table``."""
        self._tables.setdefault(table, []).append(data)

    def pending(self) -> int:
        """The number of rows waiting."""
        return sum(t.num_rows for parts in self._tables.values() for t in parts)

    def flush(self, con: duckdb.DuckDBPyConnection) -> None:
        """Write every queued row and empty the buffer."""
        tables, self._tables = self._tables, {}
        for table in sorted(tables):
            data = pa.concat_tables(tables[table])
            insert_arrow(con, table, {n: data.column(n) for n in data.column_names})
