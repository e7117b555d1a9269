"""Roll-ups by level: cities and counties, prefectures and provinces (v_area_figures), and the
province report that lists a province's cities, from a generated registry with provinces."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest

from gongkai.pipeline import build_warehouse
from gongkai.render import _environment, province
from gongkai.synth.generate import SynthOptions, generate
from gongkai.synth.registry import synthetic_units
from gongkai.units import Registry
from gongkai.units.load import load_registry, write_registry

YEAR = 2023


@pytest.fixture(scope="module")
def provinces(tmp_path_factory) -> tuple[Path, Registry]:
    """A warehouse of ~100 generated townships (two provinces, two prefectures each, two
    counties a prefecture), one report each, seven townships not reporting."""
    tmp = tmp_path_factory.mktemp("provinces")
    counties: dict[tuple[str, str], list[str]] = {}
    for unit in synthetic_units(2000, seed=5, history=False):
        counties.setdefault((unit.province, unit.prefecture), [])
        if unit.city not in counties[unit.province, unit.prefecture]:
            counties[unit.province, unit.prefecture].append(unit.city)
    provinces = list(dict.fromkeys(p for p, _ in counties))[:2]
    keep = {(p, f, c) for p in provinces for f in [f for q, f in counties if q == p][:2]
            for c in counties[p, f][:2]}
    units = [u for u in synthetic_units(2000, seed=5, history=False)
             if (u.province, u.prefecture, u.city) in keep]
    registry_csv = tmp / "units.csv"
    with registry_csv.open("w", encoding="utf-8") as fh:
        write_registry(units, fh)
    registry = load_registry(registry_csv)
    raw = tmp / "raw"
    generate(SynthOptions(out=raw, years=[YEAR], registry=registry, seed=5, formats=["txt"],
                          truth_dir=tmp / "truth"))
    files = sorted((raw / str(YEAR)).glob("*.txt"))
    for path in random.Random(5).sample(files, 7):  # seven townships did not report
        path.unlink()
    warehouse = tmp / "g.duckdb"
    build_warehouse(raw, warehouse, years=[YEAR], registry=registry).con.close()
    return warehouse, registry


def test_every_level_adds_up_to_the_registry(provinces):
    warehouse, registry = provinces
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select level, province, prefecture, city, units_expected, units_reporting, "
            "units_accepted, applications, applications_units from v_area_figures "
            "where report_year = ?", [YEAR]).fetchall()
        per_unit = con.execute(
            "select count(*), sum(applications_units) from (select 1 as applications_units "
            "from v_t3 where t3__new__total is not null and unit_code is not null)").fetchone()
    finally:
        con.close()
    live = [u for u in registry.units
            if (u.valid_from or 0) <= YEAR <= (u.valid_to or 9999)]
    by_level: dict[str, list] = {}
    for row in rows:
        by_level.setdefault(row[0], []).append(row)
    assert len(by_level["province"]) == len({u.province for u in live}) >= 2
    assert len(by_level["prefecture"]) == len({(u.province, u.prefecture) for u in live})
    assert len(by_level["city"]) == len({(u.province, u.prefecture, u.city) for u in live})
    for level in ("province", "prefecture", "city"):
        assert sum(r[4] for r in by_level[level]) == len(live)
        assert sum(r[5] for r in by_level[level]) == len(live) - 7
        assert sum(r[8] for r in by_level[level]) == per_unit[0]
    # a province's figures are the sums of its prefectures', a prefecture's of its cities'
    for prov in by_level["province"]:
        prefs = [r for r in by_level["prefecture"] if r[1] == prov[1]]
        assert sum(r[4] for r in prefs) == prov[4]
        assert sum(r[6] for r in prefs) == prov[6]
        assert sum(r[7] or 0 for r in prefs) == (prov[7] or 0)
    for pref in by_level["prefecture"]:
        cities = [r for r in by_level["city"] if r[1:3] == pref[1:3]]
        assert sum(r[5] for r in cities) == pref[5]


def test_a_registry_without_provinces_has_only_its_city(tmp_path):
    built = build_warehouse(Path(__file__).resolve().parents[1] / "data" / "raw",
                            tmp_path / "g.duckdb", years=[YEAR])
    try:
        levels = built.con.execute("select distinct level, area from v_area_figures").fetchall()
        assert levels == [("city", "浏阳市")]
        assert province.province_reports(built.con, YEAR) == []
    finally:
        built.con.close()


def test_the_province_report_lists_its_prefectures_and_cities(provinces, tmp_path):
    warehouse, registry = provinces
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        reports = province.province_reports(con, YEAR)
    finally:
        con.close()
    assert [r.total.area for r in reports] == sorted(
        {u.province for u in registry.units}, key=lambda p: next(
            u.code for u in sorted(registry.units, key=lambda u: u.code) if u.province == p))
    paths = province.write_province_reports(reports, tmp_path, _environment())
    first = reports[0]
    html = paths[0].read_text(encoding="utf-8")
    assert paths[0].name == f"province-{first.code}.html"
    cities = {u.city for u in registry.units if u.province == first.total.area}
    prefectures = {u.prefecture for u in registry.units if u.province == first.total.area}
    assert {c.area for p in first.prefectures for c in p.cities} == cities
    for name in cities | prefectures:
        assert f"<td class=\"nw\">{name}</td>" in html
    assert f"{first.total.area}{YEAR}年度" in html
    # within a prefecture the cities go from the lowest share of reports without errors up
    for pref in first.prefectures:
        rates = [c.acceptance_rate for c in pref.cities]
        assert rates == sorted(rates)


def test_gongkai_render_writes_a_page_for_each_province(provinces, tmp_path):
    from gongkai.render import render

    warehouse, registry = provinces
    done = render(warehouse, tmp_path, [YEAR], workers=1, pdf=False)
    pages = sorted(p.name for p in (tmp_path / str(YEAR)).glob("province-*.html"))
    assert len(pages) == len({u.province for u in registry.units}) == 2
    assert {tmp_path / str(YEAR) / p for p in pages} <= set(done.files)
    # rendered again with nothing changed, the pages keep their bytes and are not rewritten
    again = render(warehouse, tmp_path, [YEAR], workers=1, pdf=False)
    assert not [p for p in again.written if p.name.startswith("province-")]
