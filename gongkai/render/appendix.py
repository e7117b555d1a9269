"""The city report's appendix: the office's own decisions about the year's reports.

Three tables, the same in every format (HTML, Markdown, DOCX, XLSX):

- the findings an analyst **dismissed**, with the reason and who decided: they count in no
  score and no township's list of what to fix, and are shown here so that every dismissal
  is on record (``findings_current`` where ``review_decision = 'dismissed'``);
- the **reading corrections** of the year: the cell, what the reader found, the value the
  office gave, the printed text it states, whether the run applied it, why and who
  (``cell_corrections``);
- the **reviews that no longer apply** (``v_finding_reviews``: stale, the finding's values
  changed; orphaned, the finding is gone): decisions waiting for the analyst.

A table with no rows is left out; with none at all the appendix says so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from gongkai.render import fmt

H_APPENDIX = "附：分析人员的审核与更正"
NO_DECISIONS = "本年度没有分析人员不予采纳的问题，也没有读取更正。"
T_DISMISSED = "不予采纳的问题（不计入得分和整改清单）"
T_CORRECTIONS = "读取更正（仅更正本系统读取有误之处，不改变报送单位公布的内容）"
T_LAPSED = "已不适用的审核意见（待分析人员重新审核）"
DISMISSED_HEADER = ["单位", "规则", "问题", "不予采纳的理由", "审核人", "审核日期"]
CORRECTIONS_HEADER = ["单位", "单元格", "原读取", "更正为", "所印文字", "状态", "说明", "理由",
                      "更正人"]
LAPSED_HEADER = ["单位", "规则", "原审核", "理由", "审核人", "现状"]
DECISION_WORDS = {"confirmed": "确认", "dismissed": "不予采纳"}
CORRECTION_STATES = {"applied": "已更正", "stale": "文件已更换，未更正", "orphaned": "无对应报告",
                     "refused": "不予更正", "not_needed": "无需更正"}
REVIEW_STATES = {"stale": "问题数值已变化", "orphaned": "问题已不存在"}
READ_WORDS = {"blank": "空白", "unreadable": "无法识别", "unseen": "未读到"}

_UNIT_NAME = """coalesce(
    (select y.name from v_unit_years as y
     where y.unit_code = x.unit_code and y.report_year = x.report_year),
    (select u.name from units as u where u.unit_code = x.unit_code),
    x.unit_code)"""


@dataclass
class AppendixTable:
    """One table of the appendix: its title, a short name (a workbook's sheet), the header
    and the rows as printed text."""

    title: str
    sheet: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Appendix:
    """The appendix of one year's city report."""

    tables: list[AppendixTable] = field(default_factory=list)
    heading: str = H_APPENDIX
    none_text: str = NO_DECISIONS
    sheet: str = "审核与更正"  # the workbook's sheet when there is no table


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value is not None else fmt.DASH


def _read(value, status: str | None, raw_text: str | None) -> str:
    """A cell as the reader found it: its number, or why it has none, with the text."""
    if status == "value":
        return fmt.num(value, 2)
    word = READ_WORDS.get(status or "", status or fmt.DASH)
    return f"{word}（“{raw_text}”）" if raw_text else word


def appendix(con: duckdb.DuckDBPyConnection, year: int) -> Appendix:
    """The appendix of a year, from a published warehouse."""
    out = Appendix()
    dismissed = con.execute("""
        select coalesce(x.unit_name, x.unit_code), x.rule_id, x.message_zh, x.review_reason,
               x.reviewed_by, x.reviewed_at
        from findings_current as x
        where x.report_year = ? and x.review_decision = 'dismissed'
        order by x.unit_code, x.rule_id, x.finding_key
    """, [year]).fetchall()
    if dismissed:
        out.tables.append(AppendixTable(T_DISMISSED, "不予采纳的问题", DISMISSED_HEADER, [
            [name, rule, message or "", reason, by, _date(at)]
            for name, rule, message, reason, by, at in dismissed]))
    corrections = con.execute(f"""
        select {_UNIT_NAME}, coalesce(cc.row_label || '／' || cc.col_label, x.cell_code),
               x.read_value, x.read_status, x.read_raw_text, x.value, x.printed, x.state,
               x.state_reason, x.reason, x.corrected_by
        from cell_corrections as x
        left join cell_codes as cc on cc.cell_code = x.cell_code
        where x.report_year = ?
        order by x.unit_code, cc.position nulls last, x.cell_code, x.sha256
    """, [year]).fetchall()
    if corrections:
        out.tables.append(AppendixTable(T_CORRECTIONS, "读取更正", CORRECTIONS_HEADER, [
            [name, cell, _read(rv, rs, rt) if rs else fmt.DASH,
             "空白" if value is None else fmt.num(value, 2), printed or fmt.DASH,
             CORRECTION_STATES.get(state, state), why or "", reason, by]
            for name, cell, rv, rs, rt, value, printed, state, why, reason, by in corrections]))
    lapsed = con.execute(f"""
        select {_UNIT_NAME}, x.rule_id, x.decision, x.reason, x.reviewed_by, x.state
        from v_finding_reviews as x
        where x.report_year = ? and x.state <> 'applied'
        order by x.unit_code, x.rule_id, x.finding_key
    """, [year]).fetchall()
    if lapsed:
        out.tables.append(AppendixTable(T_LAPSED, "待重新审核", LAPSED_HEADER, [
            [name, rule, DECISION_WORDS.get(decision, decision), reason, by,
             REVIEW_STATES.get(state, state)]
            for name, rule, decision, reason, by, state in lapsed]))
    return out
