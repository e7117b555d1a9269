"""The Word (DOCX) versions of the city report and of a digest, for official circulation.

Built from the report model (``gongkai.render.model``) with the wording of
``gongkai.wording`` and the figures formatted by ``gongkai.render.fmt``, like the HTML, so
every format agrees; deterministic bytes (fixed zip timestamps and document dates).
"""

from __future__ import annotations

from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH

from gongkai import wording as w
from gongkai.render import fmt
from gongkai.render.charts import Chart
from gongkai.render.model import CityReport, Digest, FindingCell
from gongkai.render.word_parts import (
    DIGEST_PAGE,
    MUTED,
    NOTE,
    blank_skeleton,
    heading,
    method_notes,
    new_document,
    para,
    picture,
    save,
    save_on_skeleton,
    table,
)


def city_report_docx(d: CityReport, charts: dict[str, Chart], method_lines: list[str],
                     path: Path, stamp: str) -> Path:
    """Write the city report as DOCX (charts as PNG) for official circulation."""
    f = d.figures
    doc = new_document(10.5, 2.0)
    title = w.city_title(d.city, d.year)
    para(doc, title, size=16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, f"数据截至 {d.as_of or fmt.DASH} · {d.method.version}", size=8.5,
          align=WD_ALIGN_PARAGRAPH.CENTER, colour=MUTED)

    heading(doc, w.numbered(0, w.H_OVERVIEW))
    summary = (f"{d.year}年度全市应报送年度报告的乡镇（街道）{f.units_expected}个，已报送并读取"
               f"{f.units_reporting}个。综合得分平均{fmt.num(f.mean_score)}分、中位数"
               f"{fmt.num(f.median_score)}分；优秀{f.units_excellent}个、良好{f.units_good}个、"
               f"合格{f.units_pass}个、不合格{f.units_fail}个。本年新收申请"
               f"{fmt.num(f.applications)}件，公开率"
               f"{fmt.rate(f.disclosure_status, f.disclosed, f.disclosure_base, f.disclosure_rate)}；"
               f"行政复议{fmt.num(f.review_total)}件，行政诉讼{fmt.num(f.suit_total)}件。")
    if f.has_check_run:
        summary += w.error_units_sentence(f.units_with_errors, f.error_findings)
    para(doc, summary)

    heading(doc, w.numbered(1, w.H_LEAGUE))
    method_notes(doc, method_lines)
    for g in d.groups:
        heading(doc, f"{g.name}（{sum(1 for r in g.rows if r.has_report)}个）", 2)
        body = []
        for r in g.rows:
            if r.has_report:
                body.append([fmt.rank(r.rank_in_group), r.unit_name, fmt.num(r.score),
                             r.band or w.UNRATED, fmt.rank_range(r.rank_min, r.rank_max),
                             fmt.signed(r.score_change), fmt.rank_change(r.rank_change)])
            else:
                body.append([fmt.DASH, r.unit_name, fmt.DASH, w.UNRATED, w.NO_REPORT,
                             fmt.DASH, fmt.DASH])
        table(doc, w.LEAGUE_HEADER, body,
               numeric={2, 5})
    picture(doc, charts["league"], 16, f"图1 {charts['league'].title}")
    picture(doc, charts["distribution"], 16, f"图2 {charts['distribution'].title}")

    heading(doc, w.numbered(2, w.H_RATES))
    table(doc, ["指标", "可评价单位", "满分单位", "满分率", "上年满分率", "平均得分"],
           [[r.name, f"{r.units_assessed}/{r.units_reporting}", r.units_full,
             fmt.pct(r.share_full), fmt.pct(r.prev_share_full), fmt.pct(r.mean_score)]
            for r in d.rates], numeric={1, 2, 3, 4, 5})

    heading(doc, w.numbered(3, w.H_APPLICATIONS))
    para(doc, w.BLANK_NOTE, size=8.5)
    table(doc, [w.T3_HEADER_FIRST, f"{d.year}年", f"{d.year - 1}年", "增减", "增减率",
                 "空白格"],
           [[r.label, fmt.num(r.value), fmt.num(r.prev), fmt.signed(r.change),
             fmt.signed_pct(r.change_pct), r.blank_cells] for r in d.t3],
           numeric={1, 2, 3, 4, 5})
    heading(doc, w.H_OUTCOMES, 2)
    table(doc, w.OUTCOME_HEADER,
           [[o.outcome_name, fmt.num(o.value), fmt.pct(o.share), fmt.num(o.prev_value),
             fmt.pct(o.prev_share), o.blank_cells] for o in d.outcomes],
           numeric={1, 2, 3, 4, 5})
    picture(doc, charts["outcomes"], 16, f"图3 {charts['outcomes'].title}")

    heading(doc, w.numbered(4, w.H_LITIGATION))
    table(doc, ["类别", *w.T4_COL_LABELS.values(), "上年总计", "增减", "空白格"],
           [[b.label, *[fmt.num(b.cols.get(k)) for k in w.T4_COL_LABELS],
             fmt.num(b.prev_total), fmt.signed(b.change), b.blank_cells]
            for b in d.t4], numeric=set(range(1, 9)))
    para(doc, "行政复议纠错率：" + fmt.rate(f.review_correction_status, f.review_corrected,
                                        f.review_decided, f.review_correction_rate)
          + "；行政诉讼纠错率：" + fmt.rate(f.suit_correction_status, f.suit_corrected,
                                       f.suit_decided, f.suit_correction_rate) + "。")

    heading(doc, w.numbered(5, w.H_ERROR_UNITS))
    if not f.has_check_run:
        para(doc, w.NO_CHECK_RUN)
    elif d.error_units:
        table(doc, w.ERROR_UNITS_HEADER,
               [[e.unit_name, e.peer_group, e.n_errors, e.n_extraction, e.rules]
                for e in d.error_units], numeric={2, 3})
    else:
        para(doc, w.NO_ERROR_UNITS)

    heading(doc, w.numbered(6, w.H_TREND))
    picture(doc, charts["totals"], 16, f"图4 {charts['totals'].title}")
    table(doc, w.SERIES_HEADER,
           [[s.report_year, f"{s.units_reporting}/{s.units_expected}",
             fmt.num(s.applications), fmt.num(s.handled), fmt.num(s.review_total),
             fmt.num(s.suit_total), fmt.num(s.mean_score)] for s in d.series],
           numeric={1, 2, 3, 4, 5, 6})

    heading(doc, w.H_METHOD)
    method_notes(doc, method_lines)
    method = d.method
    table(doc, ["指标", "维度", "权重", "计分方法"],
           [[m.name, method.dimensions.get(m.dimension, w.DIMENSION_NONE) if m.dimension else
             w.DIMENSION_NONE, fmt.num(method.weights.get(m.metric_id, 0)), m.method]
            for m in method.metrics], size=8, numeric={2}, widths=[2.6, 2.0, 1.2, 11.2])
    doc.core_properties.title = title
    path.write_bytes(save(doc, stamp))
    return path


def _cell_ref(c: FindingCell) -> str:
    """A cell named by a finding: code, row/column, the value checked, and where it was read."""
    text = c.cell_key
    if c.row_label:
        text += f" {c.row_label}／{c.col_label}"
    text += " = " + c.value_text
    if c.location:
        text += f"（原文“{c.raw_text or ''}”，{c.location}）"
    return text


def digest_docx(d: Digest, method_lines: list[str], path: Path, stamp: str) -> Path:
    """Write one unit's digest as a one-page DOCX."""
    u = d.unit
    doc = blank_skeleton(*DIGEST_PAGE)
    title = w.digest_title(u.unit_name, d.year)
    para(doc, title, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, f"{d.city} · {u.peer_group}组 · 数据截至 {d.as_of or fmt.DASH} · "
               f"{d.method.version}", size=8, align=WD_ALIGN_PARAGRAPH.CENTER,
          colour=MUTED)
    table(doc, ["等次", "综合得分", f"{u.peer_group}组名次", "名次区间", "全市名次",
                 "得分变化", "名次变化"],
           [[u.band or w.UNRATED, fmt.num(u.score), fmt.rank(u.rank_in_group, u.group_size),
             fmt.rank_range(u.rank_min, u.rank_max),
             fmt.rank(u.rank_overall, u.city_size), fmt.signed(u.score_change),
             fmt.rank_change(u.rank_change)]], size=9)
    heading(doc, f"需要改正或核实的问题（{len(d.findings)}条）", 2)
    if not d.findings:
        para(doc, w.NO_FINDINGS)
    for x in d.findings:
        kind = w.finding_kind(x.severity, x.status)
        note = w.EXTRACTION_NOTE if x.responsibility == "extraction" else ""
        para(doc, f"【{kind}】{x.rule_id}{note}　{x.message_zh or ''}", size=8.5)
        refs = [_cell_ref(c) for c in x.cell_rows]
        if x.zero_cells:
            refs.append(w.ZERO_CELLS.format(n=x.zero_cells))
        if x.blank_cells:
            refs.append(w.BLANK_CELLS.format(n=x.blank_cells))
        if refs:
            para(doc, "；".join(refs), size=7, colour=NOTE)
    if d.blank_cells or d.unread_cells:
        blanks = [f"{c.cell_key} 原文“{c.raw_text or ''}” {c.location}"
                  for c in d.blank_cells]
        if d.unread_cells:
            blanks.append(w.unread_text(d.unread_cells))
        para(doc, w.BLANKS_HEAD.format(n=len(d.blank_cells) + len(d.unread_cells))
             + "；".join(blanks), size=7,
              colour=NOTE)
    heading(doc, "各项指标", 2)
    table(doc, ["指标", "权重", "得分", "依据"],
           [[i.name, fmt.num(i.weight),
             w.UNRATED if i.score is None else fmt.num(i.score * 100), i.evidence]
            for i in d.indicators], size=8, numeric={1, 2})
    heading(doc, "主要数据与全市中位数", 2)
    body = [[f"{x.label}（{x.unit}）", fmt.num(x.value), fmt.num(x.median)]
            for x in d.figures]
    c, cf = d.context, d.city_figures
    if c and cf:
        body.append(["公开率",
                     fmt.rate(c.disclosure_status, c.disclosed, c.handled,
                              c.disclosure_rate),
                     "全市 " + fmt.rate(cf.disclosure_status, cf.disclosed,
                                      cf.disclosure_base, cf.disclosure_rate)])
    table(doc, ["项目", "本单位", "全市中位数"], body, size=8, numeric={1, 2})
    heading(doc, f"{u.peer_group}组得分", 2)
    peers = d.peers
    para(doc, "；".join(f"{fmt.rank(p.rank_in_group)}. {p.short_name} {fmt.num(p.score)}"
                        f"（{p.band or w.UNRATED}）" for p in peers), size=8)
    method_notes(doc, method_lines[:2])
    doc.core_properties.title = title
    path.write_bytes(save_on_skeleton(doc, *DIGEST_PAGE, stamp))
    return path


