"""docs/warehouse.md documents every table, view and column, and its example queries run."""

from __future__ import annotations

import re

import duckdb
import pytest
from conftest import build_report

from gongkai import checks, rankings
from gongkai import warehouse as wh
from gongkai.paths import ROOT
from gongkai.units import default_registry

DOC = ROOT / "docs" / "warehouse.md"


def _documented() -> dict[str, set[str]]:
    """Object name → the backticked names in the first column of its section's table."""
    text = DOC.read_text(encoding="utf-8")
    sections: dict[str, set[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        heading = re.match(r"^###\s+(.*)$", line)
        if heading:
            current = re.findall(r"`([a-z_0-9]+)`", heading.group(1))
            for name in current:
                sections.setdefault(name, set())
            continue
        if line.startswith("## "):
            current = []
        if current and line.startswith("| `"):
            first = line.split("|")[1]
            for name in current:
                sections[name].update(re.findall(r"`([^`]+)`", first))
    return sections


def _generated_columns() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- cell-columns:begin -->", 1)[1].split("<!-- cell-columns:end -->", 1)[0]
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", block, flags=re.MULTILINE))


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    wh.create_schema(con)
    wh.load_units(con, default_registry())
    checks.prepare(con)  # the relations the rules read (temporary)
    rankings.materialise(con, "run-1")  # the stored ranking tables and the ranking views
    rankings.prepare(con)
    for i, (unit, year, template) in enumerate(
            [("430181002", 2019, "v2019"), ("430181003", 2019, "v2019"),
             ("430181002", 2023, "v2021")]):
        report = build_report(unit_code=unit, year=year, template=template,
                                    blanks=("t4.review.total",))
        sha = f"{i}" * 64
        wh.insert_report(con, report, submission_id=wh.submission_id_for(sha, unit, year),
                         sha256=sha, size_bytes=1, file_path=f"{year}/{unit}.md",
                         filed_unit_code=unit, filed_year=year, run_id="run-1")
    wh.start_run(con, "run-1", source="data/raw", years=None, reader_version="1")
    yield con
    con.close()


def _objects(con) -> dict[str, list[str]]:
    """Tables and views of the warehouse, and the analysts' temporary ``v_`` views."""
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'main' and (table_catalog = current_database() "
        "or (table_catalog = 'temp' and table_name like 'v\\_%' escape '\\')) "
        "order by table_name, ordinal_position").fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


def test_every_table_view_and_column_is_documented(con):
    documented = _documented()
    generated = _generated_columns()
    missing = []
    for table, columns in _objects(con).items():
        if table not in documented:
            missing.append(f"{table} (no section '### `{table}`')")
            continue
        for column in columns:
            if column in documented[table]:
                continue
            if table in ("v_t2", "v_t3", "v_t4") and column in generated:
                continue
            missing.append(f"{table}.{column}")
    assert not missing, "undocumented in docs/warehouse.md: " + ", ".join(missing)


def test_documented_objects_exist(con):
    objects = _objects(con)
    stale = [name for name in _documented() if name not in objects]
    assert not stale, f"documented but not in the warehouse: {stale}"


def test_example_queries_run(con):
    text = DOC.read_text(encoding="utf-8")
    queries = re.findall(r"```sql\n(.*?)```", text, flags=re.DOTALL)
    assert len(queries) >= 5
    for query in queries:
        con.execute(query).fetchall()
