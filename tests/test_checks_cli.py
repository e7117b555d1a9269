"""``gongkai check``: exit status 0/1/2, readable and JSON output, and the cross-year rules
with a warehouse of earlier years attached read-only."""

from __future__ import annotations

import json
import re

import pytest

from gongkai import sources, wording
from gongkai import warehouse as wh
from gongkai.checks.runner import FINDING_FIELDS
from gongkai.cli import main
from gongkai.paths import RAW_DIR
from gongkai.read import parse_file
from gongkai.units import default_registry

SEED = RAW_DIR / "2019" / "430181002-jili.md"
NEW_ROW = "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0"
CARRIED_IN_ROW = "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0"
CARRIED_OUT_ROW = "四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0"
# what T3-BALANCE checks, as the clerk reads it
BALANCE = wording.rule_name("T3-BALANCE")
# what check --json adds to a finding: the file, where its cells were read, the rule's name
EXTRA_FIELDS = {"file", "locations", "locations_zh", "rule_name_zh"}


def seed_text() -> str:
    """The seed report's text."""
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def broken_seed(tmp_path):
    """The seed with 本年新收 总计 printed as 5 (rows and columns no longer add up)."""
    text = seed_text()
    assert NEW_ROW in text
    path = tmp_path / "430181002-jili.md"
    path.write_text(text.replace(NEW_ROW, NEW_ROW[:-1] + "5"), encoding="utf-8")
    return path


@pytest.fixture
def seed_2020(tmp_path):
    """The seed as if it were the 2020 report, carrying in 2 applications (natural persons)
    and carrying 2 over again: balanced, but last year's report carried out 0."""
    text = seed_text().replace("2019 年", "2020 年").replace("2020年1月3日", "2021年1月3日")
    for row in (CARRIED_IN_ROW, CARRIED_OUT_ROW):
        assert row in text
        cells = row.split("\t")
        cells[2], cells[-1] = "2", "2"
        text = text.replace(row, "\t".join(cells))
    folder = tmp_path / "2020"
    folder.mkdir()
    path = folder / "430181002-jili.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def warehouse_2019(tmp_path):
    """A warehouse file holding the seed as the unit's 2019 report."""
    path = tmp_path / "warehouse.duckdb"
    con = wh.connect(path)
    wh.load_units(con, default_registry())
    sha256, size = sources.file_sha256(SEED)
    wh.insert_report(con, parse_file(SEED), submission_id="seed", sha256=sha256,
                     size_bytes=size, file_path=str(SEED), filed_unit_code="430181002",
                     filed_year=2019)
    con.close()
    return path


def test_clean_report_exits_0(capsys):
    assert main(["check", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert "430181002-jili.md" in out and "通过全部核对" in out


def test_error_finding_exits_1_and_names_the_rule_in_chinese(broken_seed, capsys):
    assert main(["check", str(broken_seed)]) == 1
    out = capsys.readouterr().out
    assert BALANCE in out and "[错误]" in out
    assert "表三“总计”列" in out


def test_unreadable_file_exits_2_and_the_others_are_still_checked(tmp_path, broken_seed,
                                                                   capsys):
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    assert main(["check", str(broken_seed), str(empty), str(tmp_path / "missing.md")]) == 2
    out = capsys.readouterr().out
    assert "无法读取" in out and BALANCE in out


def test_json_output_is_a_list_of_findings(broken_seed, capsys):
    assert main(["check", "--json", str(broken_seed)]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert findings and all(set(FINDING_FIELDS) | EXTRA_FIELDS == set(f) for f in findings)
    balance = [f for f in findings if f["rule_id"] == "T3-BALANCE" and f["status"] == "fail"]
    assert balance[0]["cells"]["t3.new.total"] == 5
    assert balance[0]["file"] == str(broken_seed)


def test_cross_year_rules_see_an_attached_warehouse(seed_2020, warehouse_2019, capsys):
    assert main(["check", "--json", str(seed_2020)]) == 0
    alone = {f["rule_id"] for f in json.loads(capsys.readouterr().out)}
    assert "T3-CARRY" not in alone

    assert main(["check", "--json", "--warehouse", str(warehouse_2019), str(seed_2020)]) == 1
    findings = json.loads(capsys.readouterr().out)
    carry = [f for f in findings if f["rule_id"] == "T3-CARRY"]
    assert {f["detail"]["column"] for f in carry} == {"natural", "total"}
    assert all(f["status"] == "fail" and f["expected"] == 0 and f["actual"] == 2 for f in carry)
    assert carry[0]["cells"]["2019:t3.carried_out.natural"] == 0


def test_missing_warehouse_exits_2(seed_2020, tmp_path):
    assert main(["check", "--warehouse", str(tmp_path / "none.duckdb"), str(seed_2020)]) == 2


def test_two_drafts_of_one_unit_year_are_each_checked(broken_seed, capsys):
    assert main(["check", str(SEED), str(broken_seed)]) == 1
    out = capsys.readouterr().out
    seed_part, broken_part = out.split(f"== {broken_seed}")
    assert f"== {SEED}" in seed_part and "通过全部核对" in seed_part
    assert BALANCE not in seed_part
    assert BALANCE in broken_part

    assert main(["check", "--json", str(broken_seed), str(SEED)]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert {f["file"] for f in findings if f["rule_id"] == "T3-BALANCE"} == {str(broken_seed)}


def test_the_same_file_given_twice_is_reported_twice(broken_seed, capsys):
    assert main(["check", "--json", str(broken_seed), str(broken_seed)]) == 1
    findings = json.loads(capsys.readouterr().out)
    balance = [f for f in findings if f["rule_id"] == "T3-BALANCE" and f["status"] == "fail"]
    assert len({f["submission_id"] for f in balance}) == 2
    assert {f["file"] for f in balance} == {str(broken_seed)}


def test_text_output_is_chinese_with_severities_of_the_wording_and_locations(broken_seed,
                                                                             tmp_path, capsys):
    assert main(["check", str(broken_seed), str(tmp_path / "missing.md")]) == 2
    out = capsys.readouterr().out
    # severities as every report words them (a warning is a 提醒, never a 警告)
    assert "警告" not in out and re.search(r"提醒 \d+ 条", out)
    # no rule id, no cell code, no English reason
    assert not re.search(r"\b[TRQ]\d?-[A-Z]+", out)
    assert not re.search(r"\bt[234]\.[a-z_]+\.[a-z_]+", out)
    assert "找不到该文件" in out and "file not found" not in out
    # where the values were read: the line and column of the text file
    places = [ln for ln in out.splitlines() if ln.strip().startswith("位置：")]
    assert places and all(re.search(r"第\d+行", ln) for ln in places)
    assert "本年新收申请／总计 第" in out


def test_json_names_the_reason_a_file_could_not_be_read(tmp_path, capsys):
    ole = tmp_path / "report.doc"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 not a compound document")
    assert main(["check", "--json", str(tmp_path / "missing.md"), str(ole)]) == 2
    entries = json.loads(capsys.readouterr().out)
    assert [(e["file"], e["status"]) for e in entries] == [
        (str(tmp_path / "missing.md"), "unreadable"), (str(ole), "unreadable")]
    assert entries[0]["message_zh"].startswith("找不到该文件")
    assert entries[0]["message_en"].startswith("file not found")
    assert re.search(r"[\u4e00-\u9fff]", entries[1]["message_zh"]) and entries[1]["message_en"]
    assert all(set(FINDING_FIELDS) | EXTRA_FIELDS | {"message_en"} == set(e) for e in entries)


def test_json_findings_carry_where_their_cells_were_read(broken_seed, capsys):
    assert main(["check", "--json", str(broken_seed)]) == 1
    findings = json.loads(capsys.readouterr().out)
    balance = next(f for f in findings if f["rule_id"] == "T3-BALANCE" and f["status"] == "fail")
    assert re.fullmatch(r"line \d+ col \d+", balance["locations"]["t3.new.total"])
    assert re.fullmatch(r"第\d+行第\d+列", balance["locations_zh"]["表三 本年新收申请／总计"])
    assert balance["rule_name_zh"] == BALANCE


@pytest.mark.parametrize("argv", [[], ["check"], ["parse"], ["run"]])
def test_help_is_in_chinese_and_english(argv, capsys):
    with pytest.raises(SystemExit):
        main([*argv, "--help"])
    text = capsys.readouterr().out
    assert re.search(r"[\u4e00-\u9fff]{4}", text) and re.search(r"[a-z]+ [a-z]+ [a-z]+", text)


def test_parse_summary_labels_rows_and_columns_in_chinese(broken_seed, capsys):
    assert main(["parse", str(broken_seed)]) == 0
    out = capsys.readouterr().out
    assert "本年新收申请" in out and "属于国家秘密" in out and "自然人" in out
    assert "行政复议" in out and "结果维持" in out
    assert not re.search(r"\b(denied|not_processed|carried_in|natural|upheld|suit_direct)\b", out)
    row = next(ln for ln in out.splitlines() if ln.startswith("本年新收申请"))
    assert row.split()[-1] == "5"
