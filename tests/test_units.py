"""The unit registry: validation with file, line and column; renames, merges and splits over
the years; peer groups per year; name matching at national scale; ``gongkai units``."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from gongkai import sources
from gongkai import warehouse as wh
from gongkai.cli import main
from gongkai.manifest import read_manifest
from gongkai.synth.registry import synthetic_units
from gongkai.units import (
    REGISTRY_ENV,
    RegistryError,
    default_registry,
    load_registry,
    read_registry,
    registry_scope,
    write_registry,
)
from gongkai.units.diff import diff_registries
from gongkai.units.missing import deadline_for, missing_reports
from gongkai.warehouse.schema import store_registry

# the bundled registry with one rename (普迹镇 → 普迹街道, a new code and peer group, in
# 2022) and one merge (葛家镇 into 淳口镇 in 2021); hypothetical changes, for tests only
CHANGES = Path(__file__).parent / "registry" / "liuyang-changes.csv"
HEADER = "code,name,short_name,type,city,valid_from,valid_to,aliases,note,successor\n"


def write(tmp_path, text: str, name: str = "units.csv") -> Path:
    """A registry file with the given rows under the standard header."""
    path = tmp_path / name
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list:
    registry, problems = read_registry(path)
    assert registry is None
    return problems


# ---------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------

def test_bundled_and_fixture_registries_are_clean():
    registry, problems = read_registry()
    assert problems == [] and len(registry.units) == 32 and registry.changes == []
    registry, problems = read_registry(CHANGES)
    assert problems == [] and len(registry.units) == 33


@pytest.mark.parametrize("rows, code, line, column, zh, en", [
    ("1,甲镇,甲,镇,某县,2015,,,,\n1,甲镇,甲,镇,某县,2015,,,,\n",
     "duplicate_code", 3, "code", "单位代码 1 重复：第 2 行", "line 2 has it already"),
    ("1,甲镇,甲,镇,某县,2015,2020,,,\n1,甲街道,甲,街道,某县,2019,,,,\n",
     "overlapping_validity", 3, "valid_from", "在 2019–2020 年重叠", "overlaps the period"),
    ("1,甲镇,甲,镇,某县,2015,2020,,,99\n",
     "unknown_successor", 2, "successor", "承继单位代码 99 不在名录中", "successor code 99"),
    ("1,甲镇,甲,镇,某县,2015,2019,,,2\n2,乙镇,乙,镇,某县,2021,,,,\n",
     "successor_not_live", 2, "successor", "在 2020 年", "not valid in 2020"),
    ("1,甲镇,甲,镇,某县,2015,,,,2\n2,乙镇,乙,镇,某县,2015,,,,\n",
     "successor_without_end", 2, "successor", "valid_to 为空", "valid_to is blank"),
    ("1,甲镇,甲,镇,某县,2015,2019,,,1\n",
     "self_successor", 2, "successor", "不能承继自身", "cannot succeed itself"),
    ("1,甲镇,甲,镇,某县,２０１５,,,,\n",
     "malformed_year", 2, "valid_from", "不是 1949–2100 之间的四位年份", "four-digit year"),
    ("1,甲镇,甲,镇,某县,15,,,,\n", "malformed_year", 2, "valid_from", "“15”", "'15'"),
    ("1,甲镇,甲,镇,某县,2020,2018,,,\n",
     "inverted_validity", 2, "valid_to", "止于 2018 年，早于起始年 2020", "ends in 2018"),
    ("1,甲镇,甲,镇,某县,2015,,甲镇人民政府,,\n2,乙镇,乙,镇,某县,2015,,甲镇人民政府,,\n",
     "name_clash", 3, "aliases", "名称“甲镇”同时属于两个有效单位", "belongs to two live units"),
    ("1,甲镇,甲,村,某县,2015,,,,\n", "unknown_type", 2, "type", "“村”", "'村'"),
    ("1,甲镇,甲,,某县,2015,,,,\n", "missing_value", 2, "type", "type 不能为空", "peer group"),
    ("1 2,甲镇,甲,镇,某县,2015,,,,\n", "bad_code", 2, "code", "“1 2”", "'1 2'"),
    ("1,甲镇,甲,镇,某县,2015,,,其一,其二,\n", "extra_fields", 2, None, "多于表头", "stray comma"),
])
def test_each_problem_names_file_line_column_in_both_languages(tmp_path, rows, code, line,
                                                                 column, zh, en):
    path = write(tmp_path, rows)
    found = [p for p in problems_of(path) if p.code == code]
    assert len(found) == 1, problems_of(path)
    p = found[0]
    assert (p.file, p.line, p.column, p.severity) == ("units.csv", line, column, "error")
    assert zh in p.message_zh and en in p.message_en
    text = p.text()
    assert f"units.csv 第 {line} 行" in text and f"units.csv line {line}" in text
    assert str(tmp_path) not in text  # the file's name, never the machine path
    with pytest.raises(RegistryError, match=code):
        load_registry(path)


def test_a_successor_starting_before_its_predecessor_ends_is_a_warning(tmp_path):
    # 普迹街道 from 2021 while 普迹镇 runs to 2021: both expected in 2021
    path = write(tmp_path, "1,甲镇,甲,镇,某县,2015,2021,,,2\n2,甲街道,甲,街道,某县,2021,,,,\n"
                           "3,乙镇,乙,镇,某县,2015,2020,,,4\n4,丙镇,丙,镇,某县,2015,,,,\n")
    registry, problems = read_registry(path)
    assert registry is not None  # a warning: the registry is usable
    assert [(p.code, p.line, p.column, p.severity) for p in problems] == [
        ("successor_starts_early", 2, "valid_to", "warning")]
    assert "2021 年两者都应报送" in problems[0].message_zh
    # worded as every report words a warning: 提醒, never 警告
    assert "提醒" in problems[0].text() and "警告" not in problems[0].text()
    # a merge into a unit that existed all along is no warning (line 4: 乙镇 into 丙镇)


def test_names_shared_across_counties_or_years_are_fine(tmp_path):
    # 城关镇 of two counties, and a name reused after the first unit ended
    path = write(tmp_path, "1,城关镇,城关,镇,甲县,2015,,,,\n2,城关镇,城关,镇,乙县,2015,,,,\n"
                           "3,新镇,新,镇,甲县,2015,2018,,,\n4,新镇,新,镇,甲县,2019,,,,\n")
    registry, problems = read_registry(path)
    assert problems == [] and registry is not None


def test_file_level_problems(tmp_path):
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    assert [p.code for p in problems_of(tmp_path / "empty.csv")] == ["empty_file"]
    (tmp_path / "cols.csv").write_text("code,name\n1,甲镇\n", encoding="utf-8")
    (p,) = problems_of(tmp_path / "cols.csv")
    assert (p.code, p.line) == ("missing_column", 1) and "type" in p.message_en
    (tmp_path / "gbk.csv").write_bytes(HEADER.encode() + "1,甲镇,甲,镇,某县,,,,,\n".encode("gbk"))
    assert [p.code for p in problems_of(tmp_path / "gbk.csv")] == ["not_utf8"]
    assert [p.code for p in problems_of(tmp_path / "nope.csv")] == ["file_not_found"]
    path = tmp_path / "extra.csv"
    path.write_text("code,name,type,contact\n1,甲镇,镇,x\n", encoding="utf-8")
    registry, problems = read_registry(path)
    assert registry is not None and [(p.code, p.severity) for p in problems] == [
        ("unknown_column", "warning")]


# ---------------------------------------------------------------------------------------------
# history: a rename and a merge (the fixture registry)
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def changes():
    return load_registry(CHANGES)


def test_changes_are_derived_from_successor_links(changes):
    assert [(c.year, c.kind, c.from_code, c.to_code, c.to_name) for c in changes.changes] == [
        (2021, "merge", "430181131", "430181127", "淳口镇"),
        (2022, "rename", "430181116", "430181005", "普迹街道"),
    ]
    assert [c.to_code for c in changes.successors("430181131")] == ["430181127"]
    assert [c.from_code for c in changes.predecessors("430181005")] == ["430181116"]


def test_peer_groups_per_year(changes):
    sizes = {}
    for year in (2020, 2021, 2022):
        groups = changes.peer_groups(year)
        sizes[year] = (len(groups), sum(g == "街道" for g in groups.values()))
    # 2021: 葛家镇 gone into 淳口镇; 2022: 普迹 moves from the 乡镇 group to the 街道 group
    assert sizes == {2020: (32, 4), 2021: (31, 4), 2022: (31, 5)}
    assert changes.peer_groups(2021)["430181116"] == "乡镇"
    assert changes.peer_groups(2022)["430181005"] == "街道"
    assert "430181116" not in changes.peer_groups(2022)
    assert "430181131" in changes.peer_groups(2020) and "430181131" not in changes.peer_groups(2021)


@pytest.mark.parametrize("printed, year, code, how", [
    ("普迹镇", 2019, "430181116", "exact"),
    ("浏阳市普迹镇人民政府", 2021, "430181116", "exact"),
    ("普迹镇", 2023, "430181005", "former_name"),   # the old name, after the rename
    ("普迹街道", 2020, "430181116", "later_name"),  # the new name for a year before it
    ("普迹街道", 2022, "430181005", "exact"),
    ("葛家镇", 2020, "430181131", "exact"),
    ("葛家镇人民政府", 2022, "430181127", "merged"),
    ("淳口镇", 2019, "430181127", "exact"),
    ("普迹镇", None, "430181116", "exact"),   # without a year: the unit bearing the name
    ("普迹街道", None, "430181005", "exact"),
    ("葛家镇", None, "430181131", "exact"),
])
def test_a_name_resolves_to_the_unit_of_its_year(changes, printed, year, code, how):
    got = changes.resolve(printed, year)
    assert (got.unit.code, got.how) == (code, how)
    title = f"浏阳市{printed}{year or 2024}年政府信息公开工作年度报告"
    assert changes.find_in_text(title, year).unit.code == code


def test_a_code_resolves_to_the_unit_of_its_year(changes):
    assert changes.unit_for("430181131", 2020).unit.name == "葛家镇"
    assert (changes.unit_for("430181131", 2024).unit.code,
            changes.unit_for("430181131", 2024).how) == ("430181127", "merged")
    assert changes.unit_for("430181116", 2022).unit.code == "430181005"
    assert changes.unit_for("430181005", 2019).unit.code == "430181116"
    assert changes.unit_for("430181999", 2019).unit is None


def test_files_filed_under_old_names_and_codes_land_on_the_unit_of_their_year(changes,
                                                                              tmp_path):
    raw = tmp_path / "raw"
    files = {"2020/430181131-gejia.md": "430181131", "2022/430181131-gejia.md": "430181127",
             "2022/浏阳市葛家镇2022年报.md": "430181127", "2021/普迹街道2021年报.md": "430181116",
             "2023/430181116-puji.md": "430181005", "2023/普迹镇2023年报.md": "430181005"}
    for i, name in enumerate(files):
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_text(f"report {i}", encoding="utf-8")
    subs = sources.discover_folder(raw, registry=changes)
    assert {s.file_path: s.filed_unit_code for s in subs} == files
    manifest = tmp_path / "urls.csv"
    manifest.write_text("unit,year,url\n葛家镇,2022,http://127.0.0.1/a\n430181116,2019,"
                        "http://127.0.0.1/b\n430181116,2024,http://127.0.0.1/c\n", encoding="utf-8")
    rows = read_manifest(manifest, registry=changes)
    assert [r.unit_code for r in rows] == ["430181127", "430181116", "430181005"]


def test_same_code_renamed_and_a_split(tmp_path):
    path = write(tmp_path,
                 "1,东乡,东,乡,某县,2015,2019,东乡人民政府,,\n"
                 "1,东镇,东,镇,某县,2020,,东镇人民政府,,\n"
                 "2,西镇,西,镇,某县,2015,2020,,,3;4\n"
                 "3,西一街道,西一,街道,某县,2021,,,,\n"
                 "4,西二镇,西二,镇,某县,2021,,,,\n")
    registry = load_registry(path)
    assert [(c.year, c.kind, c.from_name, c.to_name) for c in registry.changes] == [
        (2020, "rename", "东乡", "东镇"), (2021, "split", "西镇", "西一街道"),
        (2021, "split", "西镇", "西二镇")]
    assert [u.name for u in registry.history("1")] == ["东乡", "东镇"]
    assert registry.by_code["1"].name == "东镇" and len(registry.units) == 4
    assert [u.name for u in registry.current(2019) if u.code == "1"] == ["东乡"]
    got = registry.resolve("东乡", 2022)
    assert (got.unit.name, got.how) == ("东镇", "former_name")
    got = registry.resolve("东镇人民政府", 2016)
    assert (got.unit.name, got.how) == ("东乡", "later_name")
    # a split cannot tell which successor a report under the old name belongs to
    got = registry.resolve("西镇", 2022)
    assert (got.unit.code, got.how) == ("2", "split")
    assert registry.unit_for("2", 2022).how == "split"
    assert registry.peer_groups(2021) == {"1": "乡镇", "3": "街道", "4": "乡镇"}


# ---------------------------------------------------------------------------------------------
# national scale
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def national(tmp_path_factory):
    path = tmp_path_factory.mktemp("national") / "units.csv"
    with path.open("w", encoding="utf-8") as fh:
        write_registry(synthetic_units(3000, seed=3), fh)
    return path


def test_a_synthetic_national_registry_is_valid_and_names_repeat_across_counties(national):
    registry, problems = read_registry(national)
    assert problems == []
    names = [u.name for u in registry.current(2023)]
    assert len(set(names)) < len(names)  # e.g. 城关镇 in several counties
    assert len({u.province for u in registry.units}) >= 2
    assert {c.kind for c in registry.changes} == {"rename", "merge"}


def test_a_shared_name_needs_its_county(national):
    registry = load_registry(national)
    live = registry.current(2023)
    counts: dict[str, list] = {}
    for u in live:
        counts.setdefault(u.name, []).append(u)
    shared = next(units for units in counts.values() if len(units) > 1)
    assert registry.resolve(shared[0].name, 2023).how == "ambiguous"
    for u in shared:
        assert registry.resolve(f"{u.city}{u.name}", 2023).unit.code == u.code
        assert registry.resolve(f"{u.province}{u.city}{u.aliases[0]}", 2023).unit.code == u.code
        assert registry.find_in_text(f"{u.city}{u.name}2023年年报", 2023).unit.code == u.code
    unique = next(units[0] for units in counts.values() if len(units) == 1)
    assert registry.resolve(unique.name, 2023).unit.code == unique.code


# ---------------------------------------------------------------------------------------------
# diff, warehouse tables, missing reports
# ---------------------------------------------------------------------------------------------

def test_diff_names_added_removed_renamed_merged(changes, tmp_path):
    d = diff_registries(default_registry(), changes)
    assert [u.code for u in d.added] == ["430181005"] and d.removed == []
    assert [(c.from_code, c.to_code) for c in d.of_kind("rename")] == [("430181116", "430181005")]
    assert [(c.from_code, c.to_code) for c in d.of_kind("merge")] == [("430181131", "430181127")]
    assert {b.code: fields for _, b, fields in d.changed} == {
        "430181116": ["period", "successor"], "430181131": ["period", "successor"]}
    back = diff_registries(changes, default_registry())
    assert [u.code for u in back.removed] == ["430181005"] and len(back.dropped_changes) == 2
    same_code = write(tmp_path, "430181001,淮川街道新名,淮川,街道,浏阳市,2015,,,,\n")
    d = diff_registries(default_registry(), load_registry(same_code))
    assert [(a.name, b.name) for a, b in d.renamed] == [("淮川街道", "淮川街道新名")]
    assert len(d.removed) == 31


def test_store_registry_gives_peer_groups_per_report_year(changes):
    con = duckdb.connect()
    wh.create_schema(con)
    counts = store_registry(con, changes)
    assert counts == {"units": 33, "unit_periods": 33, "unit_changes": 2}
    con.execute("insert into submissions (submission_id, file_path, file_name, sha256, status, "
                "report_year) values ('a', 'a', 'a', 'x', 'loaded', 2021), "
                "('b', 'b', 'b', 'x', 'loaded', 2022)")
    rows = con.execute("select report_year, peer_group, count(*) from v_unit_years "
                       "group by all order by all").fetchall()
    assert rows == [(2021, "乡镇", 27), (2021, "街道", 4), (2022, "乡镇", 26), (2022, "街道", 5)]
    assert con.execute("select change_kind, from_name, to_name from unit_changes "
                       "order by change_year").fetchall() == [
        ("merge", "葛家镇", "淳口镇"), ("rename", "普迹镇", "普迹街道")]


@pytest.fixture
def warehouse_2022(tmp_path, changes):
    """A warehouse file with 2022 submissions: most units loaded, 葛家镇's file (merged into
    淳口镇 in 2021) under its old code, 官桥镇 only rejected, 小河乡 nothing."""
    path = tmp_path / "wh.duckdb"
    con = wh.connect(path)
    store_registry(con, changes)
    rows = []
    for u in changes.current(2022):
        if u.code in ("430181127", "430181130", "430181201"):
            continue
        rows.append((f"s{u.code}", u.code, "loaded", True))
    rows += [("old-gejia", "430181131", "loaded", True), ("bad", "430181130", "rejected", False)]
    for sid, code, status, current in rows:
        con.execute("insert into submissions (submission_id, file_path, file_name, sha256, "
                    "unit_code, report_year, status, is_current) values (?, ?, ?, 'x', ?, "
                    "2022, ?, ?)", [sid, sid, sid, code, status, current])
    con.close()
    return path


def test_missing_reports_with_deadline(changes, warehouse_2022, tmp_path):
    import datetime as dt

    rows = missing_reports(changes, warehouse_2022, 2022, as_of=dt.date(2023, 2, 10))
    assert [(m.unit.code, m.status, m.deadline.isoformat(), m.days_overdue, m.rejected_files)
            for m in rows] == [("430181130", "无法读取", "2023-01-31", 10, 1),
                               ("430181201", "未报送", "2023-01-31", 10, 0)]
    config = tmp_path / "checks.toml"
    config.write_text('[deadline]\ndefault = "01-31"\n[deadline.years]\n2022 = "2023-02-15"\n'
                      '[deadline.cities]\n"浏阳市" = { default = "01-20" }\n', encoding="utf-8")
    rows = missing_reports(changes, warehouse_2022, 2022, config_path=config,
                           as_of=dt.date(2023, 2, 10))
    assert {m.deadline.isoformat() for m in rows} == {"2023-01-20"}  # city beats year


def test_deadline_precedence():
    rules = [(None, None, None, 1, 31), (None, 2022, __import__("datetime").date(2023, 2, 15),
                                         None, None),
             ("甲市", None, None, 1, 20)]
    assert deadline_for(rules, "乙市", 2021).isoformat() == "2022-01-31"
    assert deadline_for(rules, "乙市", 2022).isoformat() == "2023-02-15"
    assert deadline_for(rules, "甲市", 2022).isoformat() == "2023-01-20"


# ---------------------------------------------------------------------------------------------
# the registry in use: --registry, GONGKAI_REGISTRY, child processes
# ---------------------------------------------------------------------------------------------

def test_registry_scope_sets_and_restores_the_default(monkeypatch):
    monkeypatch.delenv(REGISTRY_ENV, raising=False)
    assert len(default_registry().units) == 32
    with registry_scope(CHANGES) as registry:
        assert len(registry.units) == 33 and len(default_registry().units) == 33
        # a reader process started by the flow sees the same registry
        out = subprocess.run([sys.executable, "-c", "from gongkai.units import "
                              "default_registry; print(len(default_registry().units))"],
                             capture_output=True, text=True, check=True, env=dict(os.environ))
        assert out.stdout.strip() == "33"
    assert REGISTRY_ENV not in os.environ and len(default_registry().units) == 32


def test_units_cli(tmp_path, capsys, changes, warehouse_2022, monkeypatch):
    monkeypatch.delenv(REGISTRY_ENV, raising=False)
    own = tmp_path / "data" / "units" / "liuyang.csv"
    assert main(["units", "init", str(own)]) == 0 and own.read_text(encoding="utf-8")
    assert main(["units", "init", str(own)]) == 2  # never overwritten silently
    assert main(["units", "check", str(own)]) == 0
    assert "32 units, 32 rows, 0 changes; 0 errors" in capsys.readouterr().out

    bad = write(tmp_path, "1,甲镇,甲,镇,某县,2015,2019,,,9\n")
    assert main(["units", "check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "units.csv 第 2 行 successor 列" in out and "unknown_successor" in out
    assert main(["units", "check", str(bad), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)[0]["code"] == "unknown_successor"

    assert main(["units", "list", "--registry", str(CHANGES), "--year", "2022", "--csv"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert len(rows) == 31 and {"430181005", "430181127"} <= {r["code"] for r in rows}

    assert main(["units", "diff", str(own), str(CHANGES)]) == 0
    out = capsys.readouterr().out
    assert "2021 年 430181131 葛家镇 并入 430181127 淳口镇" in out
    assert "2022 年 430181116 普迹镇 → 430181005 普迹街道" in out

    assert main(["units", "missing", "--registry", str(CHANGES), "--year", "2022",
                 "--warehouse", str(warehouse_2022), "--as-of", "2023-01-01", "--csv"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert [(r["unit_code"], r["status"], r["deadline"], r["days_overdue"]) for r in rows] == [
        ("430181130", "无法读取", "2023-01-31", "0"), ("430181201", "未报送", "2023-01-31", "0")]
    assert main(["units", "missing", "--year", "2022", "--warehouse",
                 str(tmp_path / "none.duckdb")]) == 2


def test_commands_refuse_a_registry_with_errors(tmp_path, capsys, seed_path, monkeypatch):
    monkeypatch.delenv(REGISTRY_ENV, raising=False)
    bad = write(tmp_path, "1,甲镇,甲,镇,某县,2015,2019,,,9\n")
    assert main(["run", "--registry", str(bad), "--source", str(tmp_path)]) == 2
    assert main(["check", "--registry", str(bad), str(seed_path)]) == 2
    assert main(["synth", "--registry", str(bad), "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr()
    assert err.err.count("unknown_successor") == 3 and "unknown_successor" not in err.out
    assert not (tmp_path / "s").exists()


def test_check_and_synth_use_the_registry(tmp_path, capsys, seed_path, monkeypatch):
    monkeypatch.delenv(REGISTRY_ENV, raising=False)
    # the seed with 本年新收 总计 printed as 5: findings that carry the unit code
    row = "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0"
    broken = tmp_path / "jili.md"
    broken.write_text(seed_path.read_text(encoding="utf-8").replace(row, row[:-1] + "5"),
                      encoding="utf-8")
    assert main(["check", "--json", str(broken)]) == 1
    assert {f["unit_code"] for f in json.loads(capsys.readouterr().out)} == {"430181002"}
    # another city's registry: the unit is not in it
    other = write(tmp_path, "1,甲镇,甲,镇,某县,2015,,,,\n", name="other.csv")
    assert main(["check", "--registry", str(other), "--json", str(broken)]) == 1
    assert {f["unit_code"] for f in json.loads(capsys.readouterr().out)} == {None}
    assert REGISTRY_ENV not in os.environ

    out = tmp_path / "synth"
    assert main(["synth", "--registry", str(CHANGES), "--units", "430181131,430181005",
                 "--years", "2020-2022", "--out", str(out), "--layouts", "markdown"]) == 0
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    # 葛家镇 reports until its merge (2020), 普迹街道 from its first year (2022)
    assert [m.split("-")[0] for m in made] == ["2020/430181131", "2022/430181005"]


@pytest.mark.flow
def test_the_flow_ranks_a_renamed_and_a_merged_unit_in_the_peer_group_of_each_year(
        prefect_harness, tmp_path, monkeypatch):
    """Reports generated for the fixture registry (2020–2022), loaded by the annual flow with
    it: 葛家镇 reports until its merge, 普迹 is a 镇 until 2021 and a 街道 from 2022, and no
    report is read as another unit's."""
    from flows.annual import annual

    monkeypatch.delenv(REGISTRY_ENV, raising=False)
    raw = tmp_path / "raw"
    assert main(["synth", "--registry", str(CHANGES), "--years", "2020-2022", "--out", str(raw),
                 "--truth-dir", str(tmp_path / "truth"), "--seed", "3"]) == 0
    warehouse = tmp_path / "wh" / "gongkai.duckdb"
    with registry_scope(CHANGES):
        annual(source=str(raw), warehouse=str(warehouse), out=str(tmp_path / "out"),
               with_render=False)
    con = duckdb.connect(str(warehouse), read_only=True)
    groups = con.execute("select report_year, peer_group, max(group_size) from rankings "
                         "group by all order by all").fetchall()
    assert groups == [(2020, "乡镇", 28), (2020, "街道", 4), (2021, "乡镇", 27), (2021, "街道", 4),
                      (2022, "乡镇", 26), (2022, "街道", 5)]
    units = con.execute("select report_year, unit_code, peer_group from rankings where "
                        "unit_code in ('430181116', '430181005', '430181131') and has_report "
                        "order by all").fetchall()
    assert units == [(2020, "430181116", "乡镇"), (2020, "430181131", "乡镇"),
                     (2021, "430181116", "乡镇"), (2022, "430181005", "街道")]
    mismatches = con.execute("select count(*) from parse_issues where issue_code in "
                             "('unit_mismatch', 'unit_renamed')").fetchone()[0]
    assert mismatches == 0
    con.close()
