"""The words of the reports, in one place: titles, headings, labels and fixed sentences.

The Jinja2 templates (as ``w``), the DOCX and XLSX writers and ``gongkai check`` take their
wording from here, so the formats cannot drift apart (a finding of severity ``warning`` is a
提醒 everywhere). Figures are formatted by ``gongkai.render.fmt``; this module only words.

Long because it is the project's vocabulary: tables of words and short phrase builders,
looked up by name, never read whole; split, the words that must agree would drift apart.
"""

from __future__ import annotations

import re
from functools import cache

from gongkai import template

# ---------------------------------------------------------------------------------------------
# findings
# ---------------------------------------------------------------------------------------------

SEVERITY = {"error": "错误", "warning": "提醒", "info": "提示"}
# what each rule checks, as a township leader reads it (the rule id stays in the warehouse)
RULE_NAMES = {
    "T3-BALANCE": "表三收支平衡（新收加上年结转等于办理总计加结转下年）",
    "T3-OUTCOMES": "表三办理结果之和等于办理总计",
    "T3-ROWSUM": "表三各类申请人之和等于总计",
    "T3-INTEGER": "表三件数为非负整数",
    "T3-CARRY": "表三上年结转与上年报告衔接",
    "T3-BACKLOG": "表三结转下年度件数偏多",
    "T4-SUM": "表四各项结果之和等于总计",
    "T4-INTEGER": "表四件数为非负整数",
    "T2-NONNEG": "表二数字不为负数",
    "T2-NO-REGULATION": "表二规章栏（乡镇、街道不制定规章）",
    "T2-CHAIN-2021": "表二现行有效件数与上年衔接",
    "T2-CHAIN-2019": "表二数量与上年衔接",
    "T2-UNPUBLISHED": "表二应填数字",
    "T2-MONEY-UNIT": "表二金额以万元为单位",
    "R-SECTIONS": "六个部分齐全",
    "R-TEMPLATE": "使用正确的格式版本",
    "R-DEADLINE": "按时发布",
    "R-UNIT": "报告单位与报送单位一致",
    "R-YEAR": "报告年度正确",
    "R-BLANK": "表格没有空白",
    "R-COPY": "不与其他报告雷同",
    "R-PROBLEMS": "存在的问题写得具体",
    "R-NARRATIVE": "正文数字与表格一致",
    "R-FEE-NOTE": "收费情况有说明",
    "Q-YOY": "与上年相比变化异常",
    "Q-SPLIT": "申请人类别分布异常",
}
# what a finding names besides the template cells (report facts, not cells of a table)
FACT_LABELS = {
    "filed_unit_code": "报送单位", "text_unit_code": "报告中写明的单位",
    "unit_name_printed": "报告中印出的单位名称", "submission_year": "报送年度",
    "report_year": "报告年度", "period_year": "报告所述期间的年度", "text_year": "报告中写明的年度",
    "template": "格式版本", "deadline": "发布期限", "published_date": "发布日期",
    "other_submission_id": "相似的另一份报告", "other_unit_code": "相似报告的单位",
    "other_report_year": "相似报告的年度", "similarity": "相似度",
    "s1": "第一部分", "s2": "第二部分", "s3": "第三部分", "s4": "第四部分", "s5": "第五部分",
    "s6": "第六部分",
}
TABLE_NAMES = {"t2": "表二", "t3": "表三", "t4": "表四"}
_YEAR_KEY = re.compile(r"^(\d{4}):(t[234]\.[\w.]+)$")


_RULE_ID = re.compile(r"\b[TRQ]\d?-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")


def rule_name(rule_id: str) -> str:
    """What a rule checks, in Chinese (the id itself for a rule without a name)."""
    return RULE_NAMES.get(rule_id, rule_id)


@cache
def _template_labels() -> dict[str, tuple[str, str]]:
    """Cell code → (row label, column label), from both template versions."""
    out: dict[str, tuple[str, str]] = {}
    for version in template.VERSIONS:
        t = template.get(version)
        for b in t.t2_blocks:
            for r in b.rows:
                for c in b.cols:
                    out.setdefault(f"t2.{r.code}.{c.code}", (r.labels[0], c.labels[0]))
        for table, rows, cols in (("t3", t.t3_rows, t.t3_cols), ("t4", t.t4_blocks, t.t4_cols)):
            for r in rows:
                for c in cols:
                    out.setdefault(f"{table}.{r.code}.{c.code}", (r.labels[0], c.labels[0]))
    return out


def cell_label(key: str, row_label: str | None = None, col_label: str | None = None) -> str:
    """A cell or fact a finding names, in words: 表三 本年新收申请／总计, 2023年报告 表三 …,
    报送单位. Never the internal code, unless nothing else is known of it."""
    if key in FACT_LABELS:
        return FACT_LABELS[key]
    year = ""
    hit = _YEAR_KEY.match(key)
    if hit:
        year, key = f"{hit.group(1)}年报告", hit.group(2)
    if row_label is None:
        row_label, col_label = _template_labels().get(key, (None, None))
    table = TABLE_NAMES.get(key.split(".", 1)[0], "")
    if row_label is None:
        return f"{year}{table}{key}" if table else year + key
    return f"{year}{table} {row_label}／{col_label}"


_CELL_CODE = re.compile(r"(?<![\w.])(?:\d{4}:)?t[234]\.[a-z_]+(?:\.[a-z_]+)+")


def plain(text: str | None) -> str:
    """Text for a reader: each rule id in it replaced by what the rule checks
    (未通过 T3-CARRY → 未通过“表三上年结转与上年报告衔接”) and each cell code by the cell's
    name (t4.review.total → 表四 行政复议／总计)."""
    text = _RULE_ID.sub(lambda m: f"“{RULE_NAMES[m.group(0)]}”" if m.group(0) in RULE_NAMES
                        else m.group(0), text or "")
    # a list closed twice (……为空白；。) reads as a slip
    return _CELL_CODE.sub(lambda m: short_cell_label(m.group(0)), text).replace("；。", "。")


_ROW_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[．.、])")


def _short(label: str) -> str:
    """A template label without its numbering (一、 （二） 1．) and, when the rest is long
    enough to stand alone, without a trailing note in brackets (a unit of measure stays:
    本年收费金额（单位：万元）)."""
    label = _ROW_NUMBER.sub("", label.strip())
    bare = re.sub(r"（(?!单位)[^（）]*）$", "", label)
    return bare if len(bare) >= 2 else label


def short_label(label: str) -> str:
    """A template label as a table's header shows it: without its numbering and trailing
    note (``_short``)."""
    return _short(label)


def _parts(key: str) -> tuple[str, str, str, str] | None:
    """(year prefix, table, row code, column code) of a cell code, or None for a fact."""
    year = ""
    hit = _YEAR_KEY.match(key)
    if hit:
        year, key = hit.group(1), hit.group(2)
    bits = key.split(".")
    if len(bits) < 3 or bits[0] not in TABLE_NAMES:
        return None
    return year, bits[0], ".".join(bits[1:-1]), bits[-1]


# a row label longer than this is cut (the v2021 sub-rows of 其他处理 run to 37 characters)
SHORT_LABEL_CHARS = 14


def short_row_label(table: str, row: str) -> str:
    """A row of a table as a leader names it: 本年新收申请, 属于国家秘密, 行政复议, 规章."""
    if table == "t3" and row in T3_LABELS:
        return T3_LABELS[row]
    if table == "t4" and row in T4_BLOCK_LABELS:
        return T4_BLOCK_LABELS[row]
    for code, (row_label, _) in _template_labels().items():
        if code.startswith(f"{table}.{row}."):
            label = _short(row_label)
            return label if len(label) <= SHORT_LABEL_CHARS else label[:SHORT_LABEL_CHARS] + "…"
    return row


def short_col_label(table: str, col: str) -> str:
    """A column of a table as a leader names it: 自然人, 总计, 本年新制作数量."""
    for code, (_, col_label) in _template_labels().items():
        if code.startswith(f"{table}.") and code.endswith(f".{col}"):
            return _short(col_label)
    return col


def short_cell_label(key: str) -> str:
    """A cell in few words: 表三 本年新收申请／自然人, 2023年报告 表三 结转下年度继续办理／自然人;
    a fact by its name (报送单位)."""
    if key in FACT_LABELS:
        return FACT_LABELS[key]
    parts = _parts(key)
    if parts is None:
        return cell_label(key)
    year, table, row, col = parts
    return (f"{year}年报告 " if year else "") + f"{TABLE_NAMES[table]} {_row_col(table, row, col)}"


def _row_col(table: str, row: str, col: str) -> str:
    """A cell of a table without the table's name: 本年新收申请／自然人 (table 二's columns
    differ from block to block, so the cell's own labels are used where the template has
    them)."""
    labels = _template_labels().get(f"{table}.{row}.{col}")
    col_label = _short(labels[1]) if labels else short_col_label(table, col)
    return f"{short_row_label(table, row)}／{col_label}"


def finding_subject(keys: list[str]) -> tuple[str, str] | None:
    """What one finding is about, from the cells it names, so that findings of one rule can
    be listed together: (column label, 列) when its cells share a column of one table,
    (row label, 行) when they share a row, (表四 行政复议／总计, 处) for one cell; None otherwise
    (facts, or cells of several rows and columns). Cells of another year's report count
    as the same cell (a carry-over names this year's cell and last year's)."""
    parsed = [_parts(k) for k in keys]
    if not parsed or None in parsed:
        return None
    cells = {p[1:] for p in parsed}
    tables = {t for t, _, _ in cells}
    if len(tables) != 1:
        return None
    (table,) = tables
    rows, cols = {r for _, r, _ in cells}, {c for _, _, c in cells}
    if len(cells) == 1:
        (row,), (col,) = rows, cols
        return f"{TABLE_NAMES[table]} {_row_col(table, row, col)}", "处"
    if len(cols) == 1:
        return short_col_label(table, cols.pop()), "列"
    if len(rows) == 1:
        return short_row_label(table, rows.pop()), "行"
    return None


_LOCATION_PART = re.compile(r"(page|table|row|col|line) (\d+)|sheet (\S+) cell ([A-Z]{1,3}\d+)")
_LOCATION_WORDS = {"page": "第{}页", "table": "第{}个表格", "row": "第{}行", "col": "第{}列",
                   "line": "第{}行"}


def location(text: str | None) -> str:
    """Where a value was read, in Chinese: line 12 col 3 → 第12行第3列, page 2 table 1 row 4
    col 2 → 第2页第1个表格第4行第2列, sheet t3 cell E12 → 工作表t3的E12格. Text in another
    form is returned as it is."""
    if not text:
        return ""
    out, end = [], 0
    for m in _LOCATION_PART.finditer(text):
        if text[end:m.start()].strip():
            return text
        out.append(_LOCATION_WORDS[m.group(1)].format(m.group(2)) if m.group(1)
                   else f"工作表{m.group(3)}的{m.group(4)}格")
        end = m.end()
    return "".join(out) if out and not text[end:].strip() else text


_OPEN, _CLOSE = "（(“‘《【[", "）)”’》】]"
_COUNTED = re.compile(r"^(.*?)等(\d+)(项|处|个|格)$")


def _top_level_split(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside brackets and quotation marks."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def brief(text: str, keep: int = 3, at_least: int = 5) -> str:
    """A message with its long enumerations cut short for the printed page: a list of
    ``at_least`` or more items that follows a colon and ends its sentence keeps its first
    ``keep`` items and says how many there are (……：A、B、C等12项。). Other text is left as
    it is; the full message stays in the warehouse and on screen."""
    out = []
    for sentence in re.split(r"(?<=。)", text):
        head, colon, tail = sentence.rpartition("：")
        body = tail.rstrip("。")
        items = _top_level_split(body, "、") if colon else []
        # only a plain enumeration: a clause with its own commas is not a list of names
        if len(items) < at_least or any(len(_top_level_split(body, sep)) > 1 for sep in "，；"):
            out.append(sentence)
            continue
        total, counted = len(items), _COUNTED.match(items[-1])
        if counted:
            total = max(total, int(counted.group(2)))
        out.append(f"{head}{colon}{'、'.join(items[:keep])}等{total}项"
                   + sentence[len(head) + 1 + len(body):])
    return "".join(out)


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
BLANKS_HEAD = "以上问题涉及的空白或无法识别的单元格{n}个（空白不等于0，没有发生的请填0）："
DETAILS = "逐条明细"
UNREAD_FACT = "{label}：未能从报告中读到"
MORE_CELLS = "另有{n}处未列出"


def error_units_sentence(units: int, findings: int) -> str:
    """How many units have error findings."""
    return f"{units}个单位的报告存在“错误”级问题（共{findings}条）。"


def unread_text(labels: list[str]) -> str:
    """The cells or facts never read, as a digest says it: a few by name, many counted."""
    if len(labels) <= 3:
        return "、".join(labels) + "：未能从报告中读到"
    return f"{len(labels)}项未能从报告中读到：{labels[0]} 至 {labels[-1]}"


READ_WITH_DOUBT = "（读取存疑）"
H_WARNING_UNITS = "报告存在“提醒”级问题的单位"
H_FLAGGED = "经检查有误或读取存疑的数值"
NO_WARNING_UNITS = "各单位报告均未发现“提醒”级问题。"
NO_FLAGGED = "检查未发现有误或读取存疑的数值。"
LEFT_OUT = "未计入"


def flagged_sentence(n: int, n_in_total: int) -> str:
    """What the list of values the checks flag says of the city totals: how many values it
    lists and that they are left out (and how many are still added, should any be)."""
    text = f"下列{n}个数值经检查有误或读取存疑"
    if n_in_total:
        return text + f"，其中{n_in_total}个仍计入上文的全市合计，引用合计时请注意。"
    return text + "，均未计入上文的全市合计（各表合计、总体情况和历年趋势）。"


def left_out_note(n: int) -> str:
    """The note under a table of city totals that leaves values out ("" for none)."""
    if not n:
        return ""
    return f"本表合计{LEFT_OUT}经检查有误或读取存疑的数值{n}个（见“{city_heading('flagged')}”）。"


def overview_left_out(n: int) -> str:
    """The overview's sentence on the values the city totals leave out ("" for none)."""
    if not n:
        return ""
    return (f"经检查有误或读取存疑的数值{n}个{LEFT_OUT}全市合计"
            f"（见“{city_heading('flagged')}”）。")


def other_template_note(n: int) -> str:
    """The note under table 二's totals when units used the other template version."""
    if not n:
        return ""
    return (f"{n}个单位未按本年度格式填报：两版格式含义相同的项目计入本表，"
            f"其余项目{LEFT_OUT}。")


# why the reader placed a value by inference (its English reason, cells.confidence_reason),
# for a reader of the reports: the first pattern found in the reason wins
INFERRED_REASONS = (
    ("row order", "数值与行标签分开排列，按模板行序确定位置"),
    ("digits run together", "数字连在一起，按表内合计拆分"),
    ("values for", "该行数值少于列数，按表内合计确定位置"),
    ("of its", "该行数值少于列数，按表内合计确定位置"),
    ("next block", "表四数值前无栏目名称，按顺序确定栏目"),
)
INFERRED_DEFAULT = "位置由模板行序或表内合计推定"
READ_IN_DOUBT = "读取存疑"
H_INFERRED = "读取存疑的数值"


# how many non-zero cells placed by inference a digest names before it counts the rest
INFERRED_NAMED = 6


def inferred_summary(n: int, reasons: list[str], nonzero: list[str]) -> str:
    """What a digest says of the cells of its report the reader placed by inference: how
    many and how (the reasons, each once), that they are neither held against the township
    nor added into the city totals, and the non-zero ones (a few by name, the rest counted)."""
    how = "；".join(dict.fromkeys(reasons))
    text = (f"本系统读取本报告时，{n}个数值的位置是推定的（{how}）：这些数值有关的问题不计为"
            f"本单位的差错，非零数值{LEFT_OUT}全市合计，请核对原文")
    if not nonzero:
        return text + "。"
    named = "、".join(nonzero[:INFERRED_NAMED])
    more = f"等{len(nonzero)}个" if len(nonzero) > INFERRED_NAMED else ""
    return text + f"：{named}{more}。"


def inferred_reason(reason: str | None) -> str:
    """Why a value was placed by inference, in Chinese (never the reader's English)."""
    text = (reason or "").lower()
    return next((zh for key, zh in INFERRED_REASONS if key in text), INFERRED_DEFAULT)
FLAGGED_HEADER = ["单位", "单元格", "数值", "单位（计量）", "原文", "位置", "原因"]
ISSUE_UNITS_HEADER = ["单位", "组别", "条数", "其中读取存疑", "涉及的检查"]
# the numbered sections of the city report, in order: every format prints every one of them
CITY_SECTIONS = (
    ("overview", H_OVERVIEW), ("league", H_LEAGUE), ("rates", H_RATES),
    ("applications", H_APPLICATIONS), ("litigation", H_LITIGATION), ("active", H_ACTIVE),
    ("errors", H_ERROR_UNITS), ("warnings", H_WARNING_UNITS), ("flagged", H_FLAGGED),
    ("trend", H_TREND),
)
_SECTION_INDEX = {key: i for i, (key, _) in enumerate(CITY_SECTIONS)}


def city_heading(key: str) -> str:
    """The numbered heading of a section of the city report (``errors`` → 七、报告存在错误的单位)."""
    return numbered(_SECTION_INDEX[key], CITY_SECTIONS[_SECTION_INDEX[key]][1])


def group_heading(name: str, reporting: int) -> str:
    """The heading of a peer group's league table: 街道（4个）."""
    return f"{name}（{reporting}个）"


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def digest_stem(unit_code: str, unit_name: str) -> str:
    """A digest's file name without extension: 430181002-集里街道 (the code first, for sorting;
    characters a file name cannot hold are dropped)."""
    name = _UNSAFE_NAME.sub("", unit_name or "")[:40]
    return f"{unit_code}-{name}" if name else unit_code


KIND_ORDER = (SEVERITY["error"], SEVERITY["warning"], SEVERITY["info"], NOT_ASSESSABLE)


def finding_counts(kinds: list[str], entries: int | None = None) -> str:
    """The findings of a digest counted by kind, in the order 错误, 提醒, 提示, 无法核对, and
    how many entries of the list they make when findings of one rule are listed together:
    ``共3条：错误2条、提醒1条``, ``共14条（同类合并为6项）：错误4条、提醒1条、无法核对9条``."""
    parts = [f"{k}{kinds.count(k)}条" for k in KIND_ORDER if kinds.count(k)]
    merged = f"（同类合并为{entries}项）" if entries is not None and entries < len(kinds) else ""
    return f"共{len(kinds)}条{merged}" + ("：" + "、".join(parts) if parts else "")


# how many subjects (columns, rows) an entry names before it counts the rest
ENTRY_SUBJECTS = 3


def entry_summary(count: int, not_assessable: bool, subjects: list[str] | None,
                  unit: str | None, blank_cause: bool, example: str) -> str:
    """What the printed page says of an entry of findings of one rule: for one finding its
    message (long lists cut short, ``brief``); for several, where (自然人、商业企业、科研机构
    等6列; the cells themselves for a check not made, else how many 处, the cells being listed
    under the entry) and what: 无法核对，因所需单元格空白 when blank cells stopped the check,
    else one finding's message as the example."""
    if count == 1:
        return brief(example)
    # cells are named where the entry lists no cell of its own (a check not made)
    if subjects and (unit in ("列", "行") or unit == "处" and not_assessable):
        names = "、".join(subjects[:ENTRY_SUBJECTS])
        where = f"{names}{'等' if len(subjects) > ENTRY_SUBJECTS else ''}{len(subjects)}{unit}"
    else:
        where = f"{count}处"
    if not_assessable and blank_cause:
        return f"{where}无法核对，因所需单元格空白。"
    if not_assessable:
        return f"{where}无法核对，例如：{brief(example)}"
    return f"{where}有此问题，例如：{brief(example)}"


def cell_ref(label: str, value: str, raw: str | None, place: str) -> str:
    """A cell a finding names, for the printed page: 表二 规章／本年新制作数量＝2（第19行); the
    text as written only when it is not the value itself (原文“2,0”，第19行)."""
    notes = []
    if raw and raw.strip() != value:
        notes.append(f"原文“{_cut(raw.strip(), 12)}”")
    if place:
        notes.append(place)
    return f"{label}＝{value}" + (f"（{'，'.join(notes)}）" if notes else "")


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n] + "…"


# how many rows of blank cells the printed summary names before it counts the rest
BLANK_ROWS = 4


def blank_summary(cells: list[tuple[str, str | None]], unread: list[str]) -> str:
    """The blank (or unreadable) cells a digest's findings name, for the printed page: by
    row of its table (表三 本年新收申请行6格、上年结转申请行6格), what they held when that is one
    thing (原文均为“/”), and how many cells were never read; ``cells`` are (cell code,
    text as written) in template order."""
    rows: dict[tuple[str, str, str], list[str]] = {}
    for key, _ in cells:
        parts = _parts(key)
        if parts is None:
            rows.setdefault(("", "", key), []).append(key)
        else:
            year, table, row, _col = parts
            rows.setdefault((year, table, row), []).append(key)
    named, last_table = [], None
    for (year, table, row), keys in rows.items():
        if not table:
            named.append(cell_label(keys[0]))
            continue
        prefix = (f"{year}年报告 " if year else "") + TABLE_NAMES[table] + " "
        prefix = "" if (year, table) == last_table else prefix
        last_table = (year, table)
        named.append(prefix + (_row_col(table, row, keys[0].rsplit(".", 1)[1]) if len(keys) == 1
                               else f"{short_row_label(table, row)}行{len(keys)}格"))
    text = "、".join(named[:BLANK_ROWS])
    if len(named) > BLANK_ROWS:
        text += f"等{len(named)}处"
    raws = {(raw or "").strip() for _, raw in cells}
    if len(raws) == 1:
        (raw,) = raws
        text += f"，原文均为“{_cut(raw, 8)}”" if raw else "，均未填写"
    if unread:
        text += ("；" if text else "") + unread_text(unread)
    return text


def lost_points(indicators: list[tuple[str, float, float | None]]) -> str:
    """One line saying where a unit lost points: each assessed indicator below full marks with
    the points it cost (weight × shortfall, on the 100-point scale of the assessed weights),
    largest first; indicators (name, weight, score 0..1 or None when not assessed)."""
    assessed = [(n, wt, s) for n, wt, s in indicators if s is not None and wt > 0]
    total = sum(wt for _, wt, _ in assessed)
    losses = sorted(((wt * (1 - s) / total * 100, n) for n, wt, s in assessed if s < 1),
                    key=lambda x: (-x[0], x[1])) if total else []
    losses = [(pts, n) for pts, n in losses if pts >= 0.05]
    if not losses:
        return "各项可评价指标均得满分。"
    return "失分主要在：" + "、".join(f"{n}（−{pts:.1f}分）" for pts, n in losses[:4]) + "。"


INDICATOR_HEADER = ["指标", "权重", "得分", "依据"]
FIGURES_HEADER = ["项目", "本单位", "全市中位数"]


def standing_header(peer_group: str) -> list[str]:
    """The header of a digest's standing (band, score, ranks, changes)."""
    return ["等次", "综合得分", f"{peer_group}组名次", "名次区间", "全市名次", "得分变化", "名次变化"]


def peers_heading(peer_group: str, n: int) -> str:
    """The heading of a digest's list of its peers' scores."""
    return f"{peer_group}组得分（{n}个单位）"
