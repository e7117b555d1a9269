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
from gongkai.render.files import put
from gongkai.render.model import CityReport, Digest, IssueUnit
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


def note(doc, text: str | None) -> None:
    """The note under a table of totals (values left out), when it has one."""
    if text:
        para(doc, text, size=8.5, colour=MUTED)


def _issue_table(doc, units: list[IssueUnit]) -> None:
    table(doc, w.ISSUE_UNITS_HEADER,
          [[e.unit_name, e.peer_group, e.n_findings, e.n_extraction, e.rules] for e in units],
          numeric={2, 3})


def city_report_docx(d: CityReport, charts: dict[str, Chart], method_lines: list[str],
                     path: Path, stamp: str) -> Path:
    """Write the city report as DOCX (charts as PNG) for official circulation: the sections
    of the HTML report, numbered alike (``gongkai.wording.CITY_SECTIONS``)."""
    f = d.figures
    method = d.method
    doc = new_document(10.5, 2.0)
    title = w.city_title(d.city, d.year)
    para(doc, title, size=16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, f"数据截至 {d.as_of or fmt.DASH} · {method.version}", size=8.5,
         align=WD_ALIGN_PARAGRAPH.CENTER, colour=MUTED)

    heading(doc, w.city_heading("overview"))
    para(doc, d.overview)

    heading(doc, w.city_heading("league"))
    method_notes(doc, method_lines)
    for g in d.groups:
        heading(doc, w.group_heading(g.name, g.reporting), 2)
        body = []
        for r in g.rows:
            if r.has_report:
                body.append([fmt.rank(r.rank_in_group), r.unit_name, fmt.num(r.score),
                             r.band or w.UNRATED, fmt.rank_range(r.rank_min, r.rank_max),
                             fmt.signed(r.score_change), fmt.rank_change(r.rank_change)])
            else:
                body.append([fmt.DASH, r.unit_name, fmt.DASH, w.UNRATED, w.NO_REPORT,
                             fmt.DASH, fmt.DASH])
        table(doc, w.LEAGUE_HEADER, body, numeric={2, 5})
    heading(doc, w.H_DIMENSIONS, 2)
    dims = list(method.dimensions)
    table(doc, ["组别", "名次", "单位", "综合", *method.dimensions.values(), "可评权重", "上年得分",
                "全市名次"],
          [[r.peer_group, fmt.rank(r.rank_in_group), r.unit_name, fmt.num(r.score),
            *[fmt.num(r.dimensions.get(k)) for k in dims], fmt.pct(r.coverage, 0),
            fmt.num(r.prev_score), fmt.rank(r.rank_overall, r.city_size)]
           for r in d.league if r.has_report], size=8,
          numeric=set(range(3, len(dims) + 7)))
    picture(doc, charts["league"], 16, f"图1 {charts['league'].title}")
    picture(doc, charts["distribution"], 16, f"图2 {charts['distribution'].title}")

    heading(doc, w.city_heading("rates"))
    table(doc, ["指标", "维度", "可评价单位", "满分单位", "满分率", "上年满分率", "平均得分"],
          [[r.name, method.dimensions.get(r.dimension, r.dimension),
            f"{r.units_assessed}/{r.units_reporting}", r.units_full, fmt.pct(r.share_full),
            fmt.pct(r.prev_share_full), fmt.pct(r.mean_score)] for r in d.rates],
          numeric={2, 3, 4, 5, 6})

    heading(doc, w.city_heading("applications"))
    para(doc, w.BLANK_NOTE, size=8.5)
    table(doc, [w.T3_HEADER_FIRST, f"{d.year}年", f"{d.year - 1}年", "增减", "增减率", "空白格"],
          [[r.label, fmt.num(r.value), fmt.num(r.prev), fmt.signed(r.change),
            fmt.signed_pct(r.change_pct), r.blank_cells] for r in d.t3],
          numeric={1, 2, 3, 4, 5})
    note(doc, d.notes.get("applications"))
    heading(doc, w.H_OUTCOMES, 2)
    table(doc, w.OUTCOME_HEADER,
          [[o.outcome_name, fmt.num(o.value), fmt.pct(o.share), fmt.num(o.prev_value),
            fmt.pct(o.prev_share), o.blank_cells] for o in d.outcomes],
          numeric={1, 2, 3, 4, 5})
    note(doc, d.notes.get("outcomes"))
    picture(doc, charts["outcomes"], 16, f"图3 {charts['outcomes'].title}")
    heading(doc, w.H_CONTEXT, 2)
    table(doc, ["单位", "新收申请", "办理总数", "公开率", "结转下年", "行政复议", "行政诉讼"],
          [[c.short_name, fmt.num(c.applications), fmt.num(c.handled),
            fmt.rate(c.disclosure_status, c.disclosed, c.handled, c.disclosure_rate),
            fmt.num(c.carried_out), fmt.num(c.review_total), fmt.num(c.suit_total)]
           for c in d.context], size=8, numeric={1, 2, 3, 4, 5, 6})

    heading(doc, w.city_heading("litigation"))
    table(doc, ["类别", *w.T4_COL_LABELS.values(), "上年总计", "增减", "空白格"],
          [[b.label, *[fmt.num(b.cols.get(k)) for k in w.T4_COL_LABELS],
            fmt.num(b.prev_total), fmt.signed(b.change), b.blank_cells] for b in d.t4],
          numeric=set(range(1, 9)))
    note(doc, d.notes.get("litigation"))
    para(doc, "行政复议纠错率：" + fmt.rate(f.review_correction_status, f.review_corrected,
                                       f.review_decided, f.review_correction_rate)
         + f"（纠正{fmt.num(f.review_corrected)}件，已审结{fmt.num(f.review_decided)}件）"
         + "；行政诉讼纠错率：" + fmt.rate(f.suit_correction_status, f.suit_corrected,
                                      f.suit_decided, f.suit_correction_rate)
         + f"（纠正{fmt.num(f.suit_corrected)}件，已审结{fmt.num(f.suit_decided)}件）。")

    heading(doc, w.city_heading("active"))
    table(doc, ["项目", "栏目", f"{d.year}年", f"{d.year - 1}年", "增减", "空白格"],
          [[r.row_label or r.row_code, r.col_label or r.col_code, fmt.num(r.total_value, 2),
            fmt.num(r.prev_total_value, 2), fmt.signed(r.change, 2), r.blank_or_unreadable]
           for r in d.t2], size=8, numeric={2, 3, 4, 5})
    note(doc, d.notes.get("active"))

    for key, units, none in (("errors", d.error_units, w.NO_ERROR_UNITS),
                             ("warnings", d.warning_units, w.NO_WARNING_UNITS)):
        heading(doc, w.city_heading(key))
        if not f.has_check_run:
            para(doc, w.NO_CHECK_RUN)
        elif units:
            _issue_table(doc, units)
        else:
            para(doc, none)

    heading(doc, w.city_heading("flagged"))
    if d.flagged:
        para(doc, d.flagged_sentence, size=8.5)
        table(doc, w.FLAGGED_HEADER,
              [[v.unit_name, v.label, v.shown, v.value_unit, v.raw_text or "", v.place,
                v.reason] for v in d.flagged], size=8, numeric={2})
    else:
        para(doc, w.NO_FLAGGED)

    heading(doc, w.city_heading("trend"))
    picture(doc, charts["totals"], 16, f"图4 {charts['totals'].title}")
    table(doc, w.SERIES_HEADER,
          [[s.report_year, f"{s.units_reporting}/{s.units_expected}",
            fmt.num(s.applications), fmt.num(s.handled), fmt.num(s.review_total),
            fmt.num(s.suit_total), fmt.num(s.mean_score)] for s in d.series],
          numeric={1, 2, 3, 4, 5, 6})

    heading(doc, w.H_METHOD)
    method_notes(doc, method_lines)
    table(doc, ["指标", "维度", "权重", "计分方法"],
          [[m.name, method.dimensions.get(m.dimension, w.DIMENSION_NONE) if m.dimension else
            w.DIMENSION_NONE, fmt.num(method.weights.get(m.metric_id, 0)), m.method]
           for m in method.metrics], size=8, numeric={2}, widths=[2.6, 2.0, 1.2, 11.2])
    heading(doc, d.appendix.heading)
    for t in d.appendix.tables:
        heading(doc, t.title, 2)
        table(doc, t.header, t.rows, size=8)
    if not d.appendix.tables:
        para(doc, d.appendix.none_text)
    doc.core_properties.title = title
    return put(path, save(doc, stamp))


def digest_docx(d: Digest, method_lines: list[str], path: Path, stamp: str) -> Path:
    """Write one unit's digest as a one-page DOCX."""
    u = d.unit
    doc = blank_skeleton(*DIGEST_PAGE)
    title = w.digest_title(u.unit_name, d.year)
    para(doc, title, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, f"{d.city} · {u.peer_group}组 · 数据截至 {d.as_of or fmt.DASH} · "
              f"{d.method.version}", size=8, align=WD_ALIGN_PARAGRAPH.CENTER, colour=MUTED)
    table(doc, w.standing_header(u.peer_group),
          [[u.band or w.UNRATED, fmt.num(u.score), fmt.rank(u.rank_in_group, u.group_size),
            fmt.rank_range(u.rank_min, u.rank_max), fmt.rank(u.rank_overall, u.city_size),
            fmt.signed(u.score_change), fmt.rank_change(u.rank_change)]], size=9)
    para(doc, d.lost_points, size=9, bold=True)
    heading(doc, f"{w.H_FINDINGS}（{d.finding_counts}）", 2)
    if not d.groups:
        para(doc, w.NO_FINDINGS)
    for g in d.groups:
        note = w.EXTRACTION_NOTE if g.first.responsibility == "extraction" else ""
        count = f"（{g.count}条）" if g.count > 1 else ""
        para(doc, f"【{g.kind}】{g.rule_name}{count}{note}　{g.summary}", size=8.5)
        refs = [c.ref for c in g.cell_rows]
        if g.more_cells:
            refs.append(w.MORE_CELLS.format(n=g.more_cells))
        if g.zero_cells:
            refs.append(w.ZERO_CELLS.format(n=g.zero_cells))
        refs += [w.UNREAD_FACT.format(label=f) for f in g.unread_facts]
        if refs:
            para(doc, "；".join(refs), size=7, colour=NOTE)
    if d.blank_cells or d.unread_cells:
        para(doc, w.BLANKS_HEAD.format(n=len(d.blank_cells) + len(d.unread_cells))
             + d.blank_summary, size=7, colour=NOTE)
    if d.inferred:
        para(doc, f"{w.H_INFERRED}：{d.inferred_summary}", size=7, colour=NOTE)
    heading(doc, w.H_INDICATORS, 2)
    table(doc, w.INDICATOR_HEADER,
          [[i.name, fmt.num(i.weight), w.UNRATED if i.score is None else fmt.num(i.score * 100),
            i.evidence_text] for i in d.indicators], size=8, numeric={1, 2})
    heading(doc, w.H_FIGURES, 2)
    body = [[f"{x.label}（{x.unit}）", fmt.num(x.value), fmt.num(x.median)] for x in d.figures]
    c, cf = d.context, d.city_figures
    if c and cf:
        body.append(["公开率",
                     fmt.rate(c.disclosure_status, c.disclosed, c.handled, c.disclosure_rate),
                     "全市 " + fmt.rate(cf.disclosure_status, cf.disclosed, cf.disclosure_base,
                                      cf.disclosure_rate)])
    table(doc, w.FIGURES_HEADER, body, size=8, numeric={1, 2})
    heading(doc, w.peers_heading(u.peer_group, len(d.peers)), 2)
    para(doc, "；".join(f"{fmt.rank(p.rank_in_group)}. {p.short_name} {fmt.num(p.score)}"
                       f"（{p.band or w.UNRATED}）" for p in d.peers), size=8)
    method_notes(doc, method_lines[:2])
    doc.core_properties.title = title
    return put(path, save_on_skeleton(doc, *DIGEST_PAGE, stamp))
