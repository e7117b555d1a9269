"""What several test modules do with a warehouse: query a file read-only, run the flow."""

from __future__ import annotations

import duckdb


def query(path, sql, params=None):
    """The rows of one query on a warehouse file, opened read-only and closed again."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def run_flow(raw, tmp_path, **kw):
    """Run the annual flow from ``raw`` into ``tmp_path`` (wh/ and out/), one reader, rendering
    only when a test asks for it (it is slow)."""
    from flows.annual import annual

    kw.setdefault("with_render", False)
    return annual(source=str(raw), warehouse=str(tmp_path / "wh" / "gongkai.duckdb"),
                  out=str(tmp_path / "out"), workers=1, **kw)
