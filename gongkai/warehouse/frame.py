"""Analysts' Python access to a published warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl


def frame(path: str | Path, sql: str, params: list | dict | None = None) -> pl.DataFrame:
    """Run one query on a published warehouse, read-only, and return a Polars DataFrame.

    For analysts working in Python: ``frame("warehouse/gongkai.duckdb", "select * from v_t3
    where report_year = ?", [2024])``. Parameters are bound, never formatted into the SQL;
    null cells stay null (blank is not zero).
    """
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql, params=params).pl()
    finally:
        con.close()
