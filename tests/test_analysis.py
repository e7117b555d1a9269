"""Analysts' Python access: a published warehouse queried read-only into Polars."""

from __future__ import annotations

import polars as pl
from conftest import build_report

from gongkai import warehouse as wh
from gongkai.units import default_registry


def test_frame_reads_a_published_warehouse_without_writing(tmp_path):
    """frame() binds parameters, keeps blank cells null, and leaves the file untouched."""
    path = tmp_path / "w.duckdb"
    con = wh.connect(path)
    wh.load_units(con, default_registry())
    for unit, value in (("430181002", 7), ("430181003", None)):
        report = build_report(unit_code=unit, values={"t3.new.total": value} if value else {},
                              blanks=() if value else ("t3.new.total",))
        sha = unit * 4
        wh.insert_report(con, report, submission_id=wh.submission_id_for(sha, unit, 2019),
                         sha256=sha, size_bytes=1, file_path=f"2019/{unit}.md",
                         filed_unit_code=unit, filed_year=2019)
    con.close()
    before = path.read_bytes()
    df = wh.frame(path, "select unit_code, t3__new__total from v_t3 where report_year = ? "
                        "order by unit_code", [2019])
    assert isinstance(df, pl.DataFrame)
    assert df.to_dicts() == [{"unit_code": "430181002", "t3__new__total": 7.0},
                             {"unit_code": "430181003", "t3__new__total": None}]
    assert path.read_bytes() == before
