"""The words of the reports, in one place: titles, headings, labels and fixed sentences.

The Jinja2 templates (as ``w``), the DOCX and XLSX writers and ``gongkai check`` take their
wording from here, so the formats cannot drift apart (a finding of severity ``warning`` is a
提醒 everywhere). Figures are formatted by ``gongkai.render.fmt``; this module only words.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# findings
# ---------------------------------------------------------------------------------------------

SEVERITY = {"error": "错误", "warning": "提醒", "info": "提示"}
NOT_ASSESSABLE = "无法核对"
EXTRACTION_NOTE = "（可能是读取问题，请核对原文）"


def finding_kind(severity: str, status: str) -> str:
    """What a finding is called in a report: 错误, 提醒, 提示, or 无法核对 when the rule could
    not be checked."""
    if status == "not_assessable":
        return NOT_ASSESSABLE
    return SEVERITY.get(severity, SEVERITY["info"])


# ---------------------------------------------------------------------------------------------
# labels
# ---------------------------------------------------------------------------------------------

UNRATED = "未评"
NO_REPORT = "未报送或无法读取"
NO_PREVIOUS = "无上年数据"
DIMENSION_NONE = "参考，不排名"

T3_LABELS = {
    "new": "本年新收申请",
    "carried_in": "上年结转申请",
    "granted": "予以公开",
    "partial": "部分公开",
    "denied": "不予公开",
    "unable": "无法提供",
    "not_processed": "不予处理",
    "other": "其他处理",
    "total": "办理总计",
    "carried_out": "结转下年度继续办理",
}
T4_BLOCK_LABELS = {
    "review": "行政复议",
    "suit_direct": "行政诉讼（未经复议直接起诉）",
    "suit_after_review": "行政诉讼（复议后起诉）",
}
T4_COL_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果",
                 "pending": "尚未审结", "total": "总计"}
# the figures of a digest beside the city median: (context figure, label, unit)
DIGEST_FIGURES = (
    ("applications", "本年新收申请", "件"),
    ("handled", "办理总数", "件"),
    ("disclosed", "予以公开＋部分公开", "件"),
    ("carried_out", "结转下年度", "件"),
    ("review_total", "行政复议", "件"),
    ("suit_total", "行政诉讼", "件"),
)
FILL_FIGURE = ("表格填写完整率", "%")
SCORE_FIGURE = ("综合得分", "分")

# table headers shared by the formats
LEAGUE_HEADER = ["名次", "单位", "得分", "等次", "名次区间", "得分变化", "名次变化"]
T3_HEADER_FIRST = "项目（表三“总计”列）"
OUTCOME_HEADER = ["办理结果", "件数", "占比", "上年件数", "上年占比", "空白格"]
ERROR_UNITS_HEADER = ["单位", "组别", "错误条数", "其中读取存疑", "涉及规则"]
SERIES_HEADER = ["年度", "报送单位", "新收申请", "办理总数", "行政复议", "行政诉讼", "平均得分"]

# ---------------------------------------------------------------------------------------------
# titles, headings and sentences
# ---------------------------------------------------------------------------------------------

SECTION_NUMBERS = "一二三四五六七八九十"


def city_title(city: str, year: int) -> str:
    """The title of the city report."""
    return f"{city}{year}年度乡镇（街道）政府信息公开工作年度报告综合分析"


def digest_title(unit_name: str, year: int) -> str:
    """The title of a unit's digest."""
    return f"{unit_name} · {year}年度政府信息公开工作年度报告评价摘要"


def numbered(index: int, heading: str) -> str:
    """A section heading with its Chinese number (0 → 一、)."""
    return f"{SECTION_NUMBERS[index]}、{heading}"


H_OVERVIEW = "总体情况"
H_LEAGUE = "综合排名"
H_DIMENSIONS = "分项得分"
H_RATES = "合规情况"
H_APPLICATIONS = "收到和处理政府信息公开申请情况"
H_OUTCOMES = "办理结果构成"
H_CONTEXT = "各单位申请办理参考指标（不参与排名）"
H_LITIGATION = "行政复议和行政诉讼情况"
H_ACTIVE = "主动公开政府信息情况"
H_ERROR_UNITS = "报告存在错误的单位"
H_TREND = "历年趋势"
H_METHOD = "附：指标与计分方法"
H_FINDINGS = "需要改正或核实的问题"
H_INDICATORS = "各项指标"
H_FIGURES = "主要数据与全市中位数"

BLANK_NOTE = "全市合计只加总填有数字的单元格；空白单元格不计为0，另列其数量。"
NO_CHECK_RUN = "本次尚未运行一致性检查。"
NO_ERROR_UNITS = "各单位报告均未发现“错误”级问题。"
NO_FINDINGS = "最近一次检查未发现本单位报告的问题。"
ZERO_CELLS = "另有{n}个单元格的值为0"
BLANK_CELLS = "{n}个空白单元格，见下"
BLANKS_HEAD = "以上问题涉及的空白或无法识别的单元格（{n}个；空白不等于0）："


def error_units_sentence(units: int, findings: int) -> str:
    """How many units have error findings."""
    return f"{units}个单位的报告存在“错误”级问题（共{findings}条）。"


def unread_text(codes: list[str]) -> str:
    """The cells never read, as a digest says it: a few by name, many as a range."""
    if len(codes) <= 3:
        return "、".join(codes) + "未能从报告中读到"
    return f"{len(codes)}个单元格未能从报告中读到：{codes[0]} 至 {codes[-1]}"
