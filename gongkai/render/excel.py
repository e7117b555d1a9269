"""The Excel (XLSX) version of the city report: every table as a sheet, numbers as numbers.

Built from the report model (``gongkai.render.model``) with the wording of
``gongkai.wording``. Text from submissions is stripped of characters XML cannot hold and is
never stored as a formula; deterministic bytes (fixed zip timestamps and document dates).
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gongkai import wording as w
from gongkai import zips
from gongkai.render import fmt
from gongkai.render.files import put
from gongkai.render.model import CityReport

_HEAD_FILL = PatternFill("solid", fgColor="EEF1F4")


# Excel number formats: counts, amounts with two decimals, scores with one, shares
COUNT = "#,##0"
AMOUNT = "#,##0.00"
SCORE = "0.0"
SHARE = "0.0%"
# a sheet wider than this (in Excel width units) is printed landscape
PORTRAIT_WIDTH = 100


def _cell_value(value):
    if isinstance(value, str):
        return fmt.xml_text(value)
    if isinstance(value, float):
        # a sum of decimals (414959.6299999999) is stored as the figure it stands for
        return round(value, 6)
    return value


def _note(note: str, extra: str | None) -> str:
    """A sheet's note with the table's own note (values left out) after it."""
    return f"{note} · {extra}" if extra else note


def _sheet(wb, title: str, header: list[str], body: list[list], note: str | None = None,
           formats: dict[int, str] | None = None) -> None:
    """A sheet holding one table: a note, a bold header repeated on every printed page, the
    rows with their number formats (``formats``: column index → format; other numeric
    columns get ``#,##0`` for whole numbers and ``#,##0.00`` otherwise), frozen below the
    header, printed on A4 fitted to the page width (landscape when wide)."""
    ws = wb.create_sheet(title)
    formats = formats or {}
    start = 1
    if note:
        ws.cell(row=1, column=1, value=fmt.xml_text(note)).font = Font(italic=True,
                                                                       color="555555")
        start = 3
    for col, text in enumerate(header, start=1):
        c = ws.cell(row=start, column=col, value=text)
        c.font = Font(bold=True)
        c.fill = _HEAD_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, values in enumerate(body, start=start + 1):
        for col, value in enumerate(values, start=1):
            c = ws.cell(row=r, column=col, value=_cell_value(value))
            if isinstance(value, str):
                c.data_type = "s"  # text from a report is never a formula
            elif isinstance(value, int | float) and not isinstance(value, bool):
                c.number_format = formats.get(col - 1) or (
                    COUNT if float(value).is_integer() else AMOUNT)
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
    total = 0.0
    for col, text in enumerate(header, start=1):
        longest = max([len(str(text))] + [len(str(_cell_value(v[col - 1]))) for v in body[:200]
                                           if col - 1 < len(v) and v[col - 1] is not None])
        width = min(max(8, longest * 1.7), 60)
        ws.column_dimensions[get_column_letter(col)].width = width
        total += width
    ws.print_title_rows = f"{start}:{start}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if total > PORTRAIT_WIDTH else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def city_report_xlsx(d: CityReport, method_lines: list[str], path: Path, stamp: str) -> Path:
    """Write every table of the city report to an XLSX workbook ready to circulate: the
    unit's name first, numbers as numbers with formats, printed to the page width."""
    wb = Workbook()
    wb.remove(wb.active)
    method = d.method
    dims = list(method.dimensions)
    note = f"{d.city}{d.year}年度 · {method.version} · 数据截至 {d.as_of or fmt.DASH}"
    _sheet(wb, "综合排名",
           ["单位", "组别", "组内名次", "组内单位数", "综合得分", "等次",
            *[method.dimensions[k] for k in dims], "可评权重", "名次区间（最好）",
            "名次区间（最差）", "上年得分", "得分变化", "上年组内名次", "名次变化（正为上升）",
            "全市名次", "单位代码", "年度"],
           [[r.unit_name, r.peer_group, r.rank_in_group, r.group_size, r.score,
             r.band or (w.NO_REPORT if not r.has_report else None),
             *[r.dimensions.get(k) for k in dims], r.coverage, r.rank_min, r.rank_max,
             r.prev_score, r.score_change, r.prev_rank_in_group, r.rank_change, r.rank_overall,
             r.unit_code, r.report_year]
            for r in d.league], note=note,
           formats={4: SCORE, **{6 + i: SCORE for i in range(len(dims))},
                    6 + len(dims): "0%", 9 + len(dims): SCORE, 10 + len(dims): SCORE,
                    16 + len(dims): "0"})
    _sheet(wb, "合规率",
           ["指标", "维度", "报送单位", "可评价单位", "满分单位", "满分率", "上年满分率", "平均得分"],
           [[r.name, method.dimensions.get(r.dimension), r.units_reporting,
             r.units_assessed, r.units_full, r.share_full, r.prev_share_full,
             r.mean_score] for r in d.rates], note=note,
           formats={5: SHARE, 6: SHARE, 7: SHARE})
    _sheet(wb, "表三汇总",
           [w.T3_HEADER_FIRST, f"{d.year}年", f"{d.year - 1}年", "增减", "增减率", "空白格"],
           [[r.label, r.value, r.prev, r.change, r.change_pct, r.blank_cells] for r in d.t3],
           note=_note(note + " · 空白不计为0", d.notes.get("applications")), formats={4: SHARE})
    _sheet(wb, "办理结果", w.OUTCOME_HEADER,
           [[o.outcome_name, o.value, o.share, o.prev_value, o.prev_share, o.blank_cells]
            for o in d.outcomes], note=_note(note, d.notes.get("outcomes")),
           formats={2: SHARE, 4: SHARE})
    _sheet(wb, "参考指标",
           ["单位", "新收申请", "办理总数", "予以公开＋部分公开", "公开率", "公开率（显示）",
            "结转下年", "行政复议", "复议纠正", "复议已审结", "复议纠错率（显示）", "行政诉讼",
            "诉讼纠正", "诉讼已审结", "诉讼纠错率（显示）", "单位代码"],
           [[c.short_name, c.applications, c.handled, c.disclosed, c.disclosure_rate,
             fmt.rate(c.disclosure_status, c.disclosed, c.handled, c.disclosure_rate),
             c.carried_out, c.review_total, c.review_corrected, c.review_decided,
             fmt.rate(c.review_correction_status, c.review_corrected, c.review_decided,
                      c.review_correction_rate),
             c.suit_total, c.suit_corrected, c.suit_decided,
             fmt.rate(c.suit_correction_status, c.suit_corrected, c.suit_decided,
                      c.suit_correction_rate), c.unit_code]
            for c in d.context], note=note + " · 参考指标不参与排名", formats={4: SHARE})
    _sheet(wb, "复议诉讼",
           ["类别", *w.T4_COL_LABELS.values(), "上年总计", "增减", "空白格"],
           [[b.label, *[b.cols.get(k) for k in w.T4_COL_LABELS], b.prev_total, b.change,
             b.blank_cells] for b in d.t4], note=_note(note, d.notes.get("litigation")))
    _sheet(wb, "主动公开",
           ["项目", "栏目", f"{d.year}年", f"{d.year - 1}年", "增减", "空白格"],
           [[r.row_label or r.row_code, r.col_label or r.col_code, r.total_value,
             r.prev_total_value, r.change, r.blank_or_unreadable] for r in d.t2],
           note=_note(note, d.notes.get("active")))
    _sheet(wb, "全市汇总（逐格）",
           ["表", "行", "列", f"{d.year}年合计", f"{d.year - 1}年合计", "增减", "增减率",
            "报送单位", "有数值单位", "空白格", "无法识别格", "未读到格", f"{w.LEFT_OUT}格",
            f"{w.LEFT_OUT}数值之和", "单元格代码"],
           [[w.TABLE_NAMES.get(r.table_code, r.table_code), r.row_label or r.row_code,
             r.col_label or r.col_code, r.total_value, r.prev_total_value, r.change,
             r.change_pct, r.units_reporting, r.units_with_value, r.blank_cells,
             r.unreadable_cells, r.unseen_cells, r.left_out_cells, r.left_out_value,
             r.cell_code] for r in d.totals],
           note=note + " · 合计只加总填有数字的单元格，空白不计为0；经检查有误或读取存疑的数值"
                       + f"{w.LEFT_OUT}合计", formats={6: SHARE})
    for title, units in (("错误单位", d.error_units), ("提醒单位", d.warning_units)):
        _sheet(wb, title, [*w.ISSUE_UNITS_HEADER, "单位代码"],
               [[e.unit_name, e.peer_group, e.n_findings, e.n_extraction, e.rules, e.unit_code]
                for e in units], note=note)
    _sheet(wb, "有误或存疑数值", [*w.FLAGGED_HEADER, "是否计入全市合计", "单元格代码"],
           [[v.unit_name, v.label, v.shown, v.value_unit, v.raw_text, v.place, v.reason,
             "是" if v.in_city_total else "否", v.cell_key] for v in d.flagged],
           note=note + " · " + d.flagged_sentence)
    _sheet(wb, "历年趋势",
           ["年度", "应报送", "已报送", "新收申请", "办理总数", "行政复议", "行政诉讼", "平均得分",
            "中位得分"],
           [[s.report_year, s.units_expected, s.units_reporting, s.applications,
             s.handled, s.review_total, s.suit_total, s.mean_score,
             s.median_score] for s in d.series], note=note, formats={0: "0", 7: SCORE, 8: SCORE})
    _sheet(wb, "计分方法",
           ["指标", "类型", "维度", "权重", "计分方法", "指标代码"],
           [[m.name, m.kind, method.dimensions.get(m.dimension) if m.dimension
             else w.DIMENSION_NONE, method.weights.get(m.metric_id, 0), m.method, m.metric_id]
            for m in method.metrics] + [[None, None, None, None, line, None]
                                        for line in method_lines],
           note=note)
    for t in d.appendix.tables:
        _sheet(wb, t.sheet, t.header, t.rows, note=f"{note} · {d.appendix.heading} · {t.title}")
    if not d.appendix.tables:  # the appendix is in every format, even when it has nothing
        _sheet(wb, d.appendix.sheet, [d.appendix.heading], [[d.appendix.none_text]], note=note)
    wb.properties.creator = "gongkai"
    wb.properties.title = f"{d.city}{d.year}年度综合分析"
    wb.properties.language = "zh-CN"
    buf = io.BytesIO()
    wb.save(buf)
    return put(path, zips.write_zip(
        [(name, data) for name, data, _ in zips.entries(buf.getvalue())], stamp=stamp))
