"""SQL unit tests of every consistency rule (sql/checks/*.sql) on tiny in-memory warehouses.

Each case builds one or two submissions by inserting rows into the core tables (a clean
report: every cell 0, six sections, on time, a known unit), changes a few rows, runs one
rule and states what it must find: nothing (``pass``), a ``fail``, or only
``not_assessable`` findings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pytest

from gongkai import template as tpl
from gongkai.checks import fetch_findings, load_rules, run_checks, summary_markdown
from gongkai.checks.runner import RULE_FIELDS, Rule
from gongkai.units import default_registry
from gongkai.warehouse import create_schema, load_units

JILI = "430181002"      # 集里街道
HEHUA = "430181003"     # 荷花街道
SPEC_RULE_IDS = {
    "T3-BALANCE", "T3-OUTCOMES", "T3-ROWSUM", "T3-INTEGER", "T3-CARRY", "T3-BACKLOG",
    "T4-SUM", "T4-INTEGER",
    "T2-NONNEG", "T2-NO-REGULATION", "T2-CHAIN-2021", "T2-CHAIN-2019", "T2-UNPUBLISHED",
    "T2-MONEY-UNIT",
    "R-SECTIONS", "R-TEMPLATE", "R-DEADLINE", "R-UNIT", "R-YEAR", "R-BLANK", "R-COPY",
    "R-PROBLEMS", "R-NARRATIVE", "R-FEE-NOTE",
    "Q-YOY", "Q-SPLIT",
}
_PROSE = "政务公开工作领导小组加强制度建设规范流程回应关切解读政策便民服务平台建设档案管理培训考核监督"


def _prose(seed: str, n: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(_PROSE) for _ in range(n))


@dataclass
class Report:
    """One submission to insert: a clean report unless told otherwise."""

    sid: str
    unit_code: str | None = JILI
    year: int = 2021
    template: str | None = "default"
    values: dict[str, float] = field(default_factory=dict)
    blank: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()
    unseen: tuple[str, ...] = ()
    sections: dict[str, str | None] | None = None  # None: six clean sections
    section_order: tuple[str, ...] | None = None
    figures: list[tuple[str, float | None, str]] = field(default_factory=list)
    published: str | None = "default"
    unit_name_printed: str | None = "default"
    text_unit_code: str | None = "default"
    text_year: int | None = "default"  # type: ignore[assignment]
    filed_unit_code: str | None = None
    issues: list[tuple[str, str | None]] = field(default_factory=list)


def insert(con, r: Report) -> None:
    """Insert one report's rows into submissions, cells, narratives, figures and issues."""
    template = tpl.version_for_year(r.year) if r.template == "default" else r.template
    grid_template = template or tpl.version_for_year(r.year)
    registry = default_registry()
    unit = registry.by_code.get(r.unit_code) if r.unit_code else None
    printed = (unit.name if unit else None) if r.unit_name_printed == "default" \
        else r.unit_name_printed
    text_unit = r.unit_code if r.text_unit_code == "default" else r.text_unit_code
    text_year = r.year if r.text_year == "default" else r.text_year
    published = f"{r.year + 1}-01-15" if r.published == "default" else r.published
    con.execute(
        "insert into submissions (submission_id, file_path, file_name, sha256, unit_code, "
        "report_year, template, published_date, unit_name_printed, text_unit_code, text_year, "
        "filed_unit_code, status, is_current) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "'loaded', true)",
        [r.sid, f"{r.sid}.md", f"{r.sid}.md", r.sid, r.unit_code, r.year, template, published,
         printed, text_unit, text_year, r.filed_unit_code],
    )
    rows = []
    for i, code in enumerate(tpl.get(grid_template).cell_codes, start=1):
        if code in r.unseen:
            continue
        table, rest = code.split(".", 1)
        row, col = rest.rsplit(".", 1)
        if code in r.blank:
            value, raw, status = None, "/", "blank"
        elif code in r.unreadable:
            value, raw, status = None, "若干", "unreadable"
        else:
            value = float(r.values.get(code, 0))
            raw, status = str(r.values.get(code, 0)), "value"
        rows.append((r.sid, r.unit_code, r.year, code, table, row, col, value, raw,
                     f"line {i}", status))
    con.executemany(
        "insert into cells (submission_id, unit_code, report_year, cell_code, table_code, "
        "row_code, col_code, value, raw_text, location, status) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    sections = r.sections if r.sections is not None else {
        "s1": _prose(r.sid + "s1", 300),
        "s2": "", "s3": "", "s4": "",
        "s5": _prose(r.sid + "s5", 60),
        "s6": "无",
    }
    order = r.section_order or tuple(sorted(sections))
    for code, text in sections.items():
        position = order.index(code) + 1 if code in order else None
        con.execute("insert into narratives values (?, ?, ?, ?, ?, ?)",
                    [r.sid, r.unit_code, r.year, code, position, text])
    for no, (phrase, value, expr) in enumerate(r.figures, start=1):
        con.execute("insert into narrative_figures values (?, ?, ?, ?, ?, ?, ?, ?)",
                    [r.sid, r.unit_code, r.year, no, phrase, value, expr, "line 9"])
    for no, (code, location) in enumerate(r.issues, start=1):
        con.execute("insert into parse_issues values (?, ?, ?, ?, ?, 'warning', '', '', ?)",
                    [r.sid, r.unit_code, r.year, no, code, location])


def make_db(*reports: Report):
    """An in-memory warehouse with the registry's units and the given reports."""
    con = duckdb.connect()
    create_schema(con)
    load_units(con, default_registry())
    for r in reports:
        insert(con, r)
    return con


def rule(rule_id: str) -> Rule:
    """The rule file of one rule id."""
    return next(r for r in load_rules() if r.rule_id == rule_id)


def run_one(con, rule_id: str) -> list[dict[str, Any]]:
    """Run one rule and return its findings."""
    summary = run_checks(con, "t", rules=[rule(rule_id)])
    assert summary[0]["status"] != "error", summary[0]["error"]
    return fetch_findings(con, "t")


PREV_2020 = dict(sid="p", year=2020)
V21 = "t3.other.no_fee.total"

# (rule id, case name, reports, expected outcome: pass / fail / not_assessable)
CASES = [
    ("T3-BALANCE", "balanced", [Report("a")], "pass"),
    ("T3-BALANCE", "total column off", [Report("a", values={"t3.new.total": 5})], "fail"),
    ("T3-BALANCE", "blank new", [Report("a", blank=("t3.new.natural",))], "not_assessable"),
    ("T3-OUTCOMES", "outcomes add up", [Report("a", values={
        "t3.granted.natural": 2, "t3.other.other.natural": 1, "t3.total.natural": 3})], "pass"),
    ("T3-OUTCOMES", "one outcome not in total",
     [Report("a", values={"t3.granted.natural": 1})], "fail"),
    ("T3-OUTCOMES", "v2019 其他处理 row", [Report("a", year=2019, values={
        "t3.other.natural": 1, "t3.total.natural": 2})], "fail"),
    ("T3-OUTCOMES", "unreadable outcome",
     [Report("a", unreadable=("t3.partial.total",))], "not_assessable"),
    ("T3-ROWSUM", "row adds up", [Report("a", values={
        "t3.new.natural": 3, "t3.new.legal": 2, "t3.new.total": 5})], "pass"),
    ("T3-ROWSUM", "row off", [Report("a", values={"t3.new.natural": 3})], "fail"),
    ("T3-ROWSUM", "cell not seen", [Report("a", unseen=("t3.carried_out.legal",))],
     "not_assessable"),
    ("T3-INTEGER", "whole numbers", [Report("a", values={"t3.new.total": 7})], "pass"),
    ("T3-INTEGER", "fraction", [Report("a", values={"t3.new.natural": 1.5})], "fail"),
    ("T3-INTEGER", "negative", [Report("a", values={"t3.granted.total": -1})], "fail"),
    ("T3-INTEGER", "blank cell", [Report("a", blank=("t3.new.legal",))], "not_assessable"),
    ("T3-CARRY", "carried across the 2020→2021 change", [
        Report("p", year=2020, values={"t3.carried_out.total": 3, "t3.carried_out.natural": 3}),
        Report("a", values={"t3.carried_in.total": 3, "t3.carried_in.natural": 3})], "pass"),
    ("T3-CARRY", "carried in ≠ carried out", [
        Report("p", year=2020, values={"t3.carried_out.total": 2}),
        Report("a", values={"t3.carried_in.total": 3})], "fail"),
    ("T3-CARRY", "last year's carried out blank", [
        Report("p", year=2020, blank=("t3.carried_out.total",)),
        Report("a")], "not_assessable"),
    ("T3-CARRY", "no previous year", [Report("a")], "pass"),
    ("T3-BACKLOG", "half carried over", [Report("a", values={
        "t3.new.total": 20, "t3.carried_out.total": 10})], "pass"),
    ("T3-BACKLOG", "more than half carried over", [Report("a", values={
        "t3.new.total": 20, "t3.carried_out.total": 11})], "fail"),
    ("T3-BACKLOG", "few applications", [Report("a", values={
        "t3.new.total": 4, "t3.carried_out.total": 4})], "pass"),
    ("T3-BACKLOG", "new total blank", [Report("a", blank=("t3.new.total",))],
     "not_assessable"),
    ("T4-SUM", "block adds up", [Report("a", values={
        "t4.review.upheld": 1, "t4.review.pending": 1, "t4.review.total": 2})], "pass"),
    ("T4-SUM", "block off", [Report("a", values={"t4.review.total": 1})], "fail"),
    ("T4-SUM", "pending blank", [Report("a", blank=("t4.review.pending",))], "not_assessable"),
    ("T4-INTEGER", "whole numbers", [Report("a", values={"t4.review.total": 0})], "pass"),
    ("T4-INTEGER", "negative", [Report("a", values={"t4.suit_direct.upheld": -1})], "fail"),
    ("T4-INTEGER", "unreadable", [Report("a", unreadable=("t4.review.other",))],
     "not_assessable"),
    ("T2-NONNEG", "signed delta of v2019 allowed",
     [Report("a", year=2019, values={"t2.license.delta": -2})], "pass"),
    ("T2-NONNEG", "negative decisions", [Report("a", values={"t2.license.decisions": -3})],
     "fail"),
    ("T2-NONNEG", "blank decisions", [Report("a", blank=("t2.penalty.decisions",))],
     "not_assessable"),
    ("T2-NO-REGULATION", "no 规章", [Report("a")], "pass"),
    ("T2-NO-REGULATION", "a town with 规章",
     [Report("a", values={"t2.regulation.issued": 2})], "fail"),
    ("T2-NO-REGULATION", "a county may make 规章", [Report(
        "a", unit_code="320000001", unit_name_printed="沭阳县人民政府", text_unit_code=None,
        values={"t2.regulation.issued": 2})], "pass"),
    ("T2-NO-REGULATION", "in-force blank", [Report("a", blank=("t2.regulation.in_force",))],
     "not_assessable"),
    ("T2-CHAIN-2021", "in force continues", [
        Report("p", year=2021, values={"t2.normative_doc.in_force": 5}),
        Report("a", year=2022, values={"t2.normative_doc.issued": 2, "t2.normative_doc.repealed": 1,
                                       "t2.normative_doc.in_force": 6})], "pass"),
    ("T2-CHAIN-2021", "in force jumps", [
        Report("p", year=2021, values={"t2.normative_doc.in_force": 5}),
        Report("a", year=2022, values={"t2.normative_doc.in_force": 7})], "fail"),
    ("T2-CHAIN-2021", "last year's in force blank", [
        Report("p", year=2021, blank=("t2.normative_doc.in_force",)),
        Report("a", year=2022)], "not_assessable"),
    ("T2-CHAIN-2021", "this year's issued blank", [
        Report("p", year=2021, values={"t2.normative_doc.in_force": 5}),
        Report("a", year=2022, blank=("t2.normative_doc.issued",))], "not_assessable"),
    ("T2-CHAIN-2021", "not across the template change", [
        Report("p", year=2020), Report("a", year=2021, values={"t2.normative_doc.in_force": 7})],
     "pass"),
    ("T2-CHAIN-2019", "items continue", [
        Report("p", year=2019, values={"t2.license.prev_items": 4, "t2.license.delta": 3}),
        Report("a", year=2020, values={"t2.license.prev_items": 7})], "pass"),
    ("T2-CHAIN-2019", "items do not continue", [
        Report("p", year=2019, values={"t2.license.prev_items": 4, "t2.license.delta": 3}),
        Report("a", year=2020, values={"t2.license.prev_items": 8})], "fail"),
    ("T2-CHAIN-2019", "last year's delta blank", [
        Report("p", year=2019, blank=("t2.fee.delta",)), Report("a", year=2020)],
     "not_assessable"),
    ("T2-UNPUBLISHED", "made and published", [Report("a", year=2019, values={
        "t2.normative_doc.made": 2, "t2.normative_doc.published": 2})], "pass"),
    ("T2-UNPUBLISHED", "made, none published", [Report("a", year=2019, values={
        "t2.normative_doc.made": 2})], "fail"),
    ("T2-UNPUBLISHED", "published blank", [Report("a", year=2019, blank=(
        "t2.normative_doc.published",))], "not_assessable"),
    ("T2-MONEY-UNIT", "万元", [Report("a", year=2019, values={"t2.procurement.amount": 25.1})],
     "pass"),
    ("T2-MONEY-UNIT", "looks like 元", [Report("a", year=2019, values={
        "t2.procurement.amount": 251000})], "fail"),
    ("T2-MONEY-UNIT", "fee blank", [Report("a", blank=("t2.fee.amount",))], "not_assessable"),
    ("R-SECTIONS", "six in order", [Report("a")], "pass"),
    ("R-SECTIONS", "section 四 missing", [Report("a", sections={
        "s1": "x", "s2": "", "s3": "", "s5": "y", "s6": "无"})], "fail"),
    ("R-SECTIONS", "out of order", [Report("a", section_order=(
        "s1", "s2", "s3", "s5", "s4", "s6"))], "fail"),
    ("R-TEMPLATE", "v2021 in 2021", [Report("a")], "pass"),
    ("R-TEMPLATE", "v2019 in 2021", [Report("a", template="v2019")], "fail"),
    ("R-TEMPLATE", "template not detected", [Report("a", template=None)], "not_assessable"),
    ("R-DEADLINE", "on the deadline", [Report("a", published="2022-01-31")], "pass"),
    ("R-DEADLINE", "late", [Report("a", published="2022-02-10")], "fail"),
    ("R-DEADLINE", "no date", [Report("a", published=None)], "not_assessable"),
    ("R-UNIT", "known unit", [Report("a")], "pass"),
    ("R-UNIT", "unknown unit", [Report("a", unit_name_printed="集理街道", text_unit_code=None)],
     "fail"),
    ("R-UNIT", "names another unit", [Report("a", filed_unit_code=JILI,
                                             text_unit_code=HEHUA)], "fail"),
    ("R-UNIT", "no unit printed", [Report("a", unit_name_printed=None, text_unit_code=None)],
     "not_assessable"),
    ("R-YEAR", "one year", [Report("a")], "pass"),
    ("R-YEAR", "title says another year", [Report("a", text_year=2020)], "fail"),
    ("R-YEAR", "statistical period of another year", [Report("a", sections={
        "s1": "本年报中所列数据的统计期限自 2020 年 1 月 1 日起至 2020 年 12 月 31 日止。",
        "s2": "", "s3": "", "s4": "", "s5": _prose("p", 60), "s6": "无"})], "fail"),
    ("R-YEAR", "no year in the title", [Report("a", text_year=None)], "not_assessable"),
    ("R-BLANK", "no blank", [Report("a")], "pass"),
    ("R-BLANK", "blank t4 cell", [Report("a", blank=("t4.review.other",))], "fail"),
    ("R-BLANK", "cells not seen are not blanks", [Report("a", unseen=("t4.review.other",))],
     "pass"),
    ("R-COPY", "own texts", [Report("a"), Report("b", unit_code=HEHUA)], "pass"),
    ("R-COPY", "same text as another unit", [
        Report("a", sections={"s1": _prose("same", 800), "s5": _prose("x5", 60)}),
        Report("b", unit_code=HEHUA, sections={"s1": _prose("same", 800),
                                               "s5": _prose("y5", 60)})], "fail"),
    ("R-COPY", "last year's text with new figures", [
        Report("p", year=2020, sections={"s1": "2020年" + _prose("same", 800)}),
        Report("a", sections={"s1": "2021年" + _prose("same", 800)})], "fail"),
    ("R-COPY", "short texts are not compared", [
        Report("a", sections={"s1": "无", "s5": "无"}),
        Report("b", unit_code=HEHUA, sections={"s1": "无", "s5": "无"})], "pass"),
    ("R-PROBLEMS", "says something", [Report("a")], "pass"),
    ("R-PROBLEMS", "only 无", [Report("a", sections={
        "s1": "x", "s2": "", "s3": "", "s4": "", "s5": "无。", "s6": "无"})], "fail"),
    ("R-PROBLEMS", "section 五 not found", [Report("a", sections={
        "s1": "x", "s2": "", "s3": "", "s4": "", "s6": "无"})], "not_assessable"),
    ("R-NARRATIVE", "figure agrees", [Report("a", values={
        "t3.new.total": 3, "t3.carried_in.total": 2},
        figures=[("全年共受理政府信息公开申请", 5, "t3.new.total + t3.carried_in.total")])], "pass"),
    ("R-NARRATIVE", "range of columns agrees", [Report("a", values={
        "t3.new.commercial": 1, "t3.new.org_other": 2},
        figures=[("法人或其他组织申请", 3, "t3.new.{commercial..org_other}")])], "pass"),
    ("R-NARRATIVE", "figure disagrees", [Report("a", values={"t3.new.total": 3},
        figures=[("本年新收", 4, "t3.new.total")])], "fail"),
    ("R-NARRATIVE", "difference of cells", [Report("a", values={
        "t3.new.total": 5, "t3.carried_out.total": 1},
        figures=[("办结", 4, "t3.new.total − t3.carried_out.total")])], "pass"),
    ("R-NARRATIVE", "table cell blank", [Report("a", blank=("t3.carried_in.total",),
        figures=[("受理", 5, "t3.new.total + t3.carried_in.total")])], "not_assessable"),
    ("R-FEE-NOTE", "fees explained", [Report("a", values={V21: 2}, sections={
        "s1": "x", "s2": "", "s3": "", "s4": "", "s5": _prose("q", 60),
        "s6": "本年度收取信息处理费200元。"})], "pass"),
    ("R-FEE-NOTE", "fees not explained", [Report("a", values={V21: 2})], "fail"),
    ("R-FEE-NOTE", "count blank", [Report("a", blank=(V21,))], "not_assessable"),
    ("Q-YOY", "steady", [Report("p", year=2020, values={"t3.new.total": 10}),
                         Report("a", values={"t3.new.total": 20})], "pass"),
    ("Q-YOY", "six times more", [Report("p", year=2020, values={"t3.new.total": 10}),
                                 Report("a", values={"t3.new.total": 60})], "fail"),
    ("Q-YOY", "last year blank", [Report("p", year=2020, blank=("t4.review.total",)),
                                  Report("a")], "not_assessable"),
    ("Q-SPLIT", "row adds up", [Report("a")], "pass"),
    ("Q-SPLIT", "12 read as 1 and 2", [Report("a", values={
        "t3.new.natural": 1, "t3.new.commercial": 2, "t3.new.total": 12})], "fail"),
    ("Q-SPLIT", "a row with a blank is left to T3-ROWSUM", [Report("a", values={
        "t3.new.natural": 1, "t3.new.commercial": 2, "t3.new.total": 12},
        blank=("t3.new.legal",))], "pass"),
]


@pytest.mark.parametrize(
    ("rule_id", "case", "reports", "expected"),
    CASES,
    ids=[f"{c[0]}-{c[1]}" for c in CASES],
)
def test_rule(rule_id, case, reports, expected):
    con = make_db(*reports)
    findings = run_one(con, rule_id)
    statuses = {f["status"] for f in findings}
    if expected == "pass":
        assert findings == []
    elif expected == "fail":
        assert "fail" in statuses
    else:
        assert statuses == {"not_assessable"}
    for f in findings:
        assert f["rule_id"] == rule_id
        assert f["severity"] == rule(rule_id).severity
        assert f["responsibility"] in ("source", "extraction")
        assert f["message_zh"] and f["unit_code"] and f["report_year"]
        assert "；。" not in f["message_zh"]  # a list closed twice
        assert isinstance(f["cells"], dict)


def test_every_rule_of_the_spec_has_one_file_and_a_header():
    rules = load_rules()
    assert {r.rule_id for r in rules} == SPEC_RULE_IDS
    assert len(rules) == len(SPEC_RULE_IDS)
    for r in rules:
        assert r.path.stem == r.rule_id.lower().replace("-", "_")
        assert r.severity in ("error", "warning", "info")
        text = r.path.read_text(encoding="utf-8")
        assert "zero rows means" in text and "-- kind:" in text
        assert text.rstrip().endswith("select * from final")


def test_every_rule_returns_the_finding_columns():
    con = make_db(Report("a"))
    run_checks(con, "t")
    for r in load_rules():
        columns = [d[0] for d in con.execute(f"select * from ({r.sql}) limit 0").description]
        # rule_id and severity come from the file's header, stated once
        assert tuple(columns) == RULE_FIELDS, r.rule_id


def test_clean_reports_pass_every_rule():
    con = make_db(Report("p", year=2020), Report("a"), Report("b", unit_code=HEHUA))
    summary = run_checks(con, "t")
    assert {s["status"] for s in summary} == {"pass"}, summary
    assert fetch_findings(con, "t") == []


def test_not_assessable_names_the_blank_cell_and_never_counts_it_as_zero():
    con = make_db(Report("a", blank=("t3.new.natural",), values={"t3.new.total": 0}))
    (finding,) = [f for f in run_one(con, "T3-BALANCE")]
    assert finding["status"] == "not_assessable"
    assert finding["cells"]["t3.new.natural"] is None
    assert "自然人" in finding["message_zh"] and "空白" in finding["message_zh"]
    assert finding["responsibility"] == "source"


def test_balance_message_names_row_and_column_in_the_reports_words():
    con = make_db(Report("a", values={"t3.new.total": 5, "t3.new.natural": 5}))
    findings = run_one(con, "T3-BALANCE")
    assert [f["detail"]["column"] for f in findings] == ["natural", "total"]
    finding = findings[1]
    assert finding["expected"] == 5 and finding["actual"] == 0
    assert "表三“总计”列" in finding["message_zh"] and "本年新收" in finding["message_zh"]
    assert finding["cells"] == {"t3.new.total": 5, "t3.carried_in.total": 0,
                                "t3.total.total": 0, "t3.carried_out.total": 0}


def test_split_number_hands_the_row_sum_to_extraction():
    con = make_db(Report("a", values={
        "t3.new.natural": 1, "t3.new.commercial": 2, "t3.new.total": 12}))
    run_checks(con, "t", rules=[rule("T3-ROWSUM"), rule("Q-SPLIT")])
    by_rule = {f["rule_id"]: f for f in fetch_findings(con, "t")}
    assert by_rule["Q-SPLIT"]["responsibility"] == "extraction"
    assert by_rule["Q-SPLIT"]["detail"]["joined_value"] == 12
    assert by_rule["T3-ROWSUM"]["responsibility"] == "extraction"


def test_unseen_operand_is_ours_to_doubt():
    con = make_db(Report("a", unseen=("t3.new.natural",)))
    findings = run_one(con, "T3-BALANCE")
    assert {f["responsibility"] for f in findings} == {"extraction"}


def test_copy_keeps_the_similarity_figure():
    con = make_db(
        Report("a", sections={"s1": _prose("same", 800), "s5": _prose("x5", 60)}),
        Report("b", unit_code=HEHUA, sections={"s1": _prose("same", 800),
                                               "s5": _prose("y5", 60)}))
    findings = run_one(con, "R-COPY")
    assert {f["submission_id"] for f in findings} == {"a", "b"}
    for f in findings:
        assert 0.8 <= f["detail"]["similarity"] <= 1
        assert f["detail"]["comparison"] == "same_year"


def test_deadline_is_configurable_per_city_and_year():
    from gongkai.checks import load_config

    config = load_config()
    config["deadline"] = {"default": "01-31", "years": {"2021": "2022-02-28"},
                          "cities": {"浏阳市": {"default": "01-20"}}}
    con = make_db(Report("a", published="2022-01-25"))
    run_checks(con, "t", config=config, rules=[rule("R-DEADLINE")])
    (finding,) = fetch_findings(con, "t")
    assert finding["cells"]["deadline"] == "2022-01-20"
    config["deadline"]["cities"] = {"浏阳市": {"2021": "2022-02-01"}}
    run_checks(con, "t", config=config, rules=[rule("R-DEADLINE")])
    assert fetch_findings(con, "t") == []


def test_thresholds_come_from_the_config():
    from gongkai.checks import load_config

    config = load_config()
    config["thresholds"]["backlog_ratio"] = 0.8
    con = make_db(Report("a", values={"t3.new.total": 20, "t3.carried_out.total": 11}))
    run_checks(con, "t", config=config, rules=[rule("T3-BACKLOG")])
    assert fetch_findings(con, "t") == []


def test_a_broken_rule_is_recorded_as_error_and_the_others_run(tmp_path):
    broken = Rule("X-BROKEN", "error", "test", "int_submissions_current", tmp_path / "x.sql",
                  "select no_such_column from int_submissions_current")
    con = make_db(Report("a", values={"t3.new.total": 5}))
    summary = run_checks(con, "t", rules=[broken, rule("T3-BALANCE")])
    assert [s["status"] for s in summary] == ["error", "fail"]
    assert "no_such_column" in summary[0]["error"]
    rows = con.execute("select rule_id, status, rows_evaluated, rows_failing from check_runs "
                       "where run_id = 't' order by rule_id").fetchall()
    assert rows == [("T3-BALANCE", "fail", 1, 1), ("X-BROKEN", "error", None, None)]


def test_history_is_kept_per_run_and_a_rerun_replaces_its_own_rows():
    con = make_db(Report("a", values={"t3.new.total": 5}))
    run_checks(con, "r1", rules=[rule("T3-BALANCE")])
    run_checks(con, "r2", rules=[rule("T3-BALANCE")])
    run_checks(con, "r2", rules=[rule("T3-BALANCE")])
    counts = con.execute("select run_id, count(*) from findings group by run_id "
                         "order by run_id").fetchall()
    assert counts == [("r1", 1), ("r2", 1)]
    assert con.execute("select count(*) from check_runs").fetchone()[0] == 2


def test_unit_status_view():
    con = make_db(Report("a", values={"t3.new.total": 5}),
                  Report("b", unit_code=HEHUA, blank=("t4.review.other",)))
    run_checks(con, "t")
    rows = con.execute("select unit_code, report_year, is_accepted, n_errors, n_warnings, "
                       "error_rules from v_unit_status").fetchall()
    status = {r[0]: r for r in rows}
    assert status[JILI][2] is False and status[JILI][3] >= 1
    assert "T3-BALANCE" in status[JILI][5]
    assert status[HEHUA][2] is True and status[HEHUA][4] >= 1


def test_findings_are_in_a_stable_order():
    reports = [Report("a", values={"t3.new.total": 5, "t3.granted.legal": 1}),
               Report("b", unit_code=HEHUA, values={"t3.new.natural": 2})]
    first = fetch_findings_after_run(make_db(*reports))
    second = fetch_findings_after_run(make_db(*reversed(reports)))
    assert first == second


def fetch_findings_after_run(con):
    """Run every rule and return its findings."""
    run_checks(con, "t")
    return fetch_findings(con, "t")


def test_summary_markdown_has_one_line_per_rule():
    con = make_db(Report("a"))
    summary = run_checks(con, "t")
    text = summary_markdown(summary)
    assert text.count("\n| ") == len(summary)
    assert "| T3-BALANCE | error | pass |" in text


def _shingles(text: str) -> set[str]:
    return {text[i:i + 4] for i in range(len(text) - 3)}


@pytest.mark.parametrize("alphabet", [_PROSE, _PROSE[:9]], ids=["prose", "repetitive"])
def test_copy_finds_exactly_the_pairs_a_brute_force_finds(alphabet):
    # texts drawn from a few bases with a few characters changed, so that similarities sit
    # on both sides of the threshold; a small alphabet repeats shingles within a text
    rng = random.Random(5)
    bases = ["".join(rng.choice(alphabet) for _ in range(400)) for _ in range(3)]
    units = [f"9{u:08d}" for u in range(12)]
    texts, reports = {}, []
    for year in (2021, 2022, 2023):
        for unit in units:
            base = rng.choice(bases)
            rate = rng.choice([0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 1.0])
            text = "".join(rng.choice(alphabet) if rng.random() < rate else c for c in base)
            sid = f"{unit}-{year}"
            texts[sid] = (unit, year, text)
            reports.append(Report(sid, unit_code=unit, year=year,
                                  sections={"s1": text, "s5": "", "s6": ""}))
    expected = {}
    for sid, (unit, year, text) in texts.items():
        for comparison in ("same_year", "previous_year"):
            similar = []
            for o_unit, o_year, o_text in texts.values():
                same_unit = o_unit == unit
                if comparison == "same_year" and (same_unit or o_year != year):
                    continue
                if comparison == "previous_year" and (not same_unit or o_year != year - 1):
                    continue
                a, b = _shingles(text), _shingles(o_text)
                if len(a & b) / len(a | b) >= 0.7:
                    similar.append(round(len(a & b) / len(a | b), 4))
            if similar:
                expected[(sid, comparison)] = (max(similar), len(similar))
    found = {(f["submission_id"], f["detail"]["comparison"]):
             (f["detail"]["similarity"], f["detail"]["n_similar"])
             for f in run_one(make_db(*reports), "R-COPY")}
    assert len(expected) >= 10
    assert found == expected
