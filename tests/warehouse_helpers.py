"""What several test modules do with a warehouse: query a file read-only, run the flow, write
the seed report with a table 四 of their own."""

from __future__ import annotations

import duckdb

from gongkai.paths import RAW_DIR

SEED = RAW_DIR / "2019" / "430181002-jili.md"
# where the seed goes in a raw folder
SEED_FILE = "2019/430181002-jili.md"
# table 四 of the seed: one line of 15 zeros (行政复议, then the two blocks of 行政诉讼)
T4_ROW = "\t".join(["0"] * 15)


def query(path, sql, params=None):
    """The rows of one query on a warehouse file, opened read-only and closed again."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# the keys of the child tables of submissions, which the schema does not declare (an index
# on 8 million cells costs more than it guards: docs/warehouse.md)
CHILD_KEYS = {"cells": "cell_code", "narratives": "section_code",
              "narrative_figures": "figure_no", "parse_issues": "issue_no"}


def repeated_keys(path) -> dict[str, int]:
    """Per child table of ``submissions``, the keys found on more than one row (none: {})."""
    out = {}
    for table, column in CHILD_KEYS.items():
        n = query(path, f"select count(*) from (select submission_id, {column} from {table} "
                        "group by all having count(*) > 1)")[0][0]
        if n:
            out[table] = n
    return out


def run_flow(raw, tmp_path, **kw):
    """Run the annual flow from ``raw`` into ``tmp_path`` (wh/ and out/), one reader, rendering
    only when a test asks for it (it is slow)."""
    from flows.annual import annual

    kw.setdefault("with_render", False)
    return annual(source=str(raw), warehouse=str(tmp_path / "wh" / "gongkai.duckdb"),
                  out=str(tmp_path / "out"), workers=1, **kw)


def write_seed(raw, upheld, total, note: str = "") -> None:
    """集里街道 2019 (the seed) into ``raw`` with 行政复议's 结果维持 printed as ``upheld`` and
    its 总计 as ``total`` (T4-SUM fails while they differ); ``note`` changes the file's bytes
    without touching the tables."""
    seed = SEED.read_text(encoding="utf-8")
    assert seed.count(T4_ROW) == 1
    row = "\t".join([str(upheld), "0", "0", "0", str(total)] + ["0"] * 10)
    (raw / "2019").mkdir(parents=True, exist_ok=True)
    (raw / SEED_FILE).write_text(seed.replace(T4_ROW, row) + note, encoding="utf-8")
