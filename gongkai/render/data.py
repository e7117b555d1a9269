"""What the reports show, read from the ranking views as plain dicts and lists.

Every query is a parameterised select from a view of ``sql/marts/`` or
``sql/marts/ranking/`` (loaded by ``gongkai.rankings.prepare``), with an explicit order.
The templates and the DOCX/XLSX writers get the same structures, so every format shows
the same figures.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import duckdb

from gongkai.rankings import Method
from gongkai.render import fmt

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
# a finding naming more cells than this lists only its non-zero cells in a digest (the blank
# cells of all findings are listed once, after them)
MAX_FINDING_CELLS = 8
# the figures of a digest beside the city median: (v_context_figures column, label, unit)
DIGEST_FIGURES = (
    ("applications", "本年新收申请", "件"),
    ("handled", "办理总数", "件"),
    ("disclosed", "予以公开＋部分公开", "件"),
    ("carried_out", "结转下年度", "件"),
    ("review_total", "行政复议", "件"),
    ("suit_total", "行政诉讼", "件"),
)
# a digest that would take more printed lines than this (printed_lines) is printed dense:
# smaller type, the score history and the excerpt of section 五 left out of the printed page
PAGE_LINES = 56
PRINT_LINE_CHARS = 80
# what a digest shows of the other units of its peer group
PEER_COLUMNS = ("unit_code", "short_name", "score", "band", "rank_in_group", "has_report")
T4_COL_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果",
                 "pending": "尚未审结", "total": "总计"}


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """The rows of a parameterised query as dicts keyed by column name."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The report years the warehouse has current reports for, in order."""
    return [r["report_year"] for r in rows(
        con, "select distinct report_year from v_rank_unit_years order by report_year")]


def report_count(con: duckdb.DuckDBPyConnection, years: list[int]) -> int:
    """How many current reports (digests) these years have."""
    if not years:
        return 0
    return rows(con, "select count(*) as n from v_rank_unit_years where has_report "
                     "and list_contains(?, report_year)", [years])[0]["n"]


def city_name(con: duckdb.DuckDBPyConnection) -> str:
    """The city of the registry (the most common one, e.g. 浏阳市)."""
    hit = rows(con, "select city, count(*) as n from units where city is not null "
                    "group by city order by n desc, city limit 1")
    return hit[0]["city"] if hit else ""


def data_as_of(con: duckdb.DuckDBPyConnection) -> str | None:
    """When the data was last loaded or checked (the latest finished run), as text."""
    hit = rows(con, "select max(finished_at) as t from runs")
    if hit and hit[0]["t"] is not None:
        return hit[0]["t"].strftime("%Y-%m-%d %H:%M")
    hit = rows(con, "select max(checked_at) as t from check_runs")
    if hit and hit[0]["t"] is not None:
        return hit[0]["t"].strftime("%Y-%m-%d %H:%M")
    return None


def _pivot_dimensions(con, year: int) -> dict:
    out: dict[str, dict[str, float]] = {}
    for r in rows(con, "select unit_code, dimension, dimension_score from v_dimension_scores "
                       "where report_year = ? order by unit_code, dimension", [year]):
        out.setdefault(r["unit_code"], {})[r["dimension"]] = r["dimension_score"]
    return out


def league(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """The league table of a year in display order, with the dimension scores."""
    table = rows(con, "select * from v_rankings where report_year = ? order by display_order",
                 [year])
    dims = _pivot_dimensions(con, year)
    for r in table:
        r["dimensions"] = dims.get(r["unit_code"], {})
    return table


def league_groups(table: list[dict]) -> list[dict]:
    """The league table split by peer group (街道 first), for side-by-side display."""
    groups: dict[str, list[dict]] = {}
    for r in table:
        groups.setdefault(r["peer_group"], []).append(r)
    order = sorted(groups, key=lambda g: min(r["peer_group_order"] for r in groups[g]))
    return [{"name": g, "rows": groups[g]} for g in order]


def totals_yoy(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """Every cell's city total this year with last year's, in template order."""
    return rows(con, "select * from v_city_totals_yoy where report_year = ? "
                     "order by cell_position nulls last, cell_code", [year])


def t3_rows(totals: list[dict]) -> list[dict]:
    """Table 三 by row (the 总计 column), sub-rows of 不予公开 etc. summed into their group.

    A group's value is null when none of its cells holds a number; blank cells are counted.
    """
    groups: dict[str, dict] = {}
    for r in totals:
        if r["table_code"] != "t3" or r["col_code"] != "total":
            continue
        key = r["row_code"].split(".")[0]
        g = groups.setdefault(key, {"row": key, "label": T3_LABELS.get(key, key), "value": None,
                                    "prev": None, "blank_cells": 0, "units_with_value": 0})
        if r["total_value"] is not None:
            g["value"] = (g["value"] or 0) + r["total_value"]
        if r["prev_total_value"] is not None:
            g["prev"] = (g["prev"] or 0) + r["prev_total_value"]
        g["blank_cells"] += (r["blank_cells"] or 0) + (r["unreadable_cells"] or 0)
        g["units_with_value"] = max(g["units_with_value"], r["units_with_value"] or 0)
    out = []
    for key in T3_LABELS:
        if key in groups:
            g = groups[key]
            g["change"] = (g["value"] - g["prev"]
                           if g["value"] is not None and g["prev"] is not None else None)
            g["change_pct"] = (g["change"] / g["prev"]
                               if g["change"] is not None and g["prev"] else None)
            out.append(g)
    return out


def t4_rows(totals: list[dict]) -> list[dict]:
    """Table 四 by block: the five columns this year, the total last year and the change."""
    by_block: dict[str, dict] = {}
    for r in totals:
        if r["table_code"] != "t4":
            continue
        b = by_block.setdefault(r["row_code"], {"block": r["row_code"],
                                                "label": T4_BLOCK_LABELS.get(r["row_code"]),
                                                "cols": {}, "blank_cells": 0})
        b["cols"][r["col_code"]] = r["total_value"]
        b["blank_cells"] += (r["blank_cells"] or 0) + (r["unreadable_cells"] or 0)
        if r["col_code"] == "total":
            b["prev_total"] = r["prev_total_value"]
            b["change"] = r["change"]
    return [by_block[k] for k in T4_BLOCK_LABELS if k in by_block]


def t2_rows(totals: list[dict]) -> list[dict]:
    """Table 二 cell by cell (row, column, value, last year, change, blank cells)."""
    return [r for r in totals if r["table_code"] == "t2"]


def city_report(con: duckdb.DuckDBPyConnection, method: Method, year: int) -> dict:
    """Everything the city report of one year shows."""
    figures = rows(con, "select * from v_city_figures where report_year = ?", [year])
    prev_figures = rows(con, "select * from v_city_figures where report_year = ?", [year - 1])
    series = rows(con, "select * from v_city_figures where report_year <= ? "
                       "order by report_year", [year])
    totals = totals_yoy(con, year)
    outcomes = rows(con, "select o.*, p.value as prev_value, p.share as prev_share "
                         "from v_city_outcomes as o left join v_city_outcomes as p "
                         "on p.outcome = o.outcome and p.report_year = o.report_year - 1 "
                         "where o.report_year = ? order by o.outcome_order", [year])
    rates = rows(con, "select r.*, m.name, p.share_full as prev_share_full "
                      "from v_city_metric_rates as r "
                      "inner join rank_metrics as m on m.metric_id = r.metric_id "
                      "left join v_city_metric_rates as p "
                      "on p.metric_id = r.metric_id and p.report_year = r.report_year - 1 "
                      "where r.report_year = ? order by r.metric_order", [year])
    table = league(con, year)
    errors = rows(con, """
        select unit_code, any_value(unit_name) as unit_name, any_value(peer_group) as peer_group,
               count(*) as n_errors,
               count(*) filter (where responsibility = 'extraction') as n_extraction,
               string_agg(distinct rule_id, '、' order by rule_id) as rules
        from v_rank_findings
        where report_year = ? and severity = 'error' and status = 'fail'
        group by unit_code
        order by n_errors desc, unit_code
    """, [year])
    context = rows(con, "select f.*, u.short_name, u.peer_group_order from v_context_figures as f "
                        "inner join v_rank_unit_years as u on u.unit_code = f.unit_code "
                        "and u.report_year = f.report_year where f.report_year = ? "
                        "order by u.peer_group_order, f.unit_code", [year])
    return {
        "year": year,
        "city": city_name(con),
        "as_of": data_as_of(con),
        "method": method,
        "figures": figures[0] if figures else {},
        "prev_figures": prev_figures[0] if prev_figures else None,
        "series": series,
        "t3": t3_rows(totals),
        "t4": t4_rows(totals),
        "t2": t2_rows(totals),
        "totals": totals,
        "outcomes": outcomes,
        "rates": rates,
        "league": table,
        "groups": league_groups(table),
        "missing": [r for r in table if not r["has_report"]],
        "error_units": errors,
        "context": context,
    }


def _median(values: list) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def _value_text(text: str | None) -> str:
    """A value a rule used, as a clerk writes it: 12 not 12.0, 空 for a blank."""
    if text is None:
        return "空"
    try:
        return fmt.num(float(text), 4)
    except ValueError:
        return text


def _is_zero(text: str | None) -> bool:
    try:
        return text is not None and float(text) == 0
    except ValueError:
        return False


def _compact_cells(cells: list[dict], status: str, limit: int = MAX_FINDING_CELLS
                   ) -> tuple[list[dict], int]:
    """The cells holding a value that a finding lists, and how many zero-valued cells were
    left out of the list.

    A finding that could not be checked (not_assessable) is about its blank cells, so only
    its non-zero cells are listed; so are those of a finding over many cells (a column sum of
    table 三 names 25). A short finding lists every cell, zeros included.
    """
    if status != "not_assessable" and len(cells) <= limit:
        return cells, 0
    shown = [c for c in cells if not _is_zero(c["finding_value"])]
    return shown, len(cells) - len(shown)


def _blank_cells(cells: list[dict]) -> tuple[list[dict], list[str]]:
    """The blank cells the findings name, each once in template order: those seen in the
    report (with where), and the codes of those never read (no location)."""
    unique: dict[str, dict] = {}
    for c in cells:
        if c["finding_value"] is None:
            unique.setdefault(c["cell_key"], c)
    ordered = sorted(unique.values(), key=lambda c: (c["cell_position"] is None,
                                                    c["cell_position"] or 0, c["cell_key"]))
    seen = [c for c in ordered if c["location"]]
    return seen, [c["cell_key"] for c in ordered if not c["location"]]


def _ref_chars(c: dict) -> int:
    """About how many characters a cell reference takes in a digest."""
    return (len(c["cell_key"]) // 2 + min(len(c["row_label"] or ""), 15)
            + len(c["col_label"] or "") + len(c["value_text"]) + len(c["raw_text"] or "")
            + len(c["location"] or "") // 2 + 8)


def unread_text(codes: list[str]) -> str:
    """The cells never read, as a digest says it: a few by name, many as a range."""
    if len(codes) <= 3:
        return "、".join(codes) + "未能从报告中读到"
    return f"{len(codes)}个单元格未能从报告中读到：{codes[0]} 至 {codes[-1]}"


def printed_lines(d: dict) -> int:
    """About how many lines of body type a digest takes on the printed A4 page: its fixed
    parts, each finding's message and cell references (in smaller type, about 1.4 times as
    many characters a line), the blank cells, the tables, the peers, the score history and
    the excerpt of section 五."""
    ref_line = PRINT_LINE_CHARS * 1.4
    lines = 17  # title, standing, headings, method box, footer
    for f in d["findings"]:
        lines += math.ceil((len(f["message_zh"] or "") + len(f["rule_id"]) + 6)
                           / PRINT_LINE_CHARS)
        refs = sum(_ref_chars(c) for c in f["cell_rows"])
        refs += 12 * (bool(f["zero_cells"]) + bool(f["blank_cells"]))
        lines += math.ceil(refs / ref_line)
    if d["blank_cells"] or d["unread_cells"]:
        lines += math.ceil((40 + sum(len(c["cell_key"]) // 2 + len(c["raw_text"] or "")
                                     + len(c["location"] or "") // 2 + 6
                                     for c in d["blank_cells"])) / ref_line)
    lines += max(len(d["indicators"]), len(d["figures"]) + 1) + 1
    lines += math.ceil(len(d["peers"]) / 4)
    if len(d["history"]) > 1:
        lines += 5
    if d["problems_text"]:
        lines += 2 + math.ceil(min(len(d["problems_text"]), 300) / PRINT_LINE_CHARS)
    return lines


def _grouped(items: list[dict], key: str) -> dict[Any, list[dict]]:
    """Rows grouped by a column, each group in the rows' order."""
    out: dict[Any, list[dict]] = {}
    for r in items:
        out.setdefault(r[key], []).append(r)
    return out


def digests(con: duckdb.DuckDBPyConnection, method: Method, city: dict) -> list[dict]:
    """Everything each unit's digest of the city report's year shows, in league order.

    One query per view for the whole year (not one per unit). A digest holds the unit's
    standing, its figures beside the city median, and its own findings with the cells'
    source locations; other units appear only with their name, score, band and rank.
    Units without a current report have no digest.
    """
    year = city["year"]
    league = [r for r in city["league"] if r["has_report"]]
    if not league:
        return []
    indicators = _grouped(rows(con, """
        select s.*, m.name from v_indicator_scores as s
        inner join rank_metrics as m on m.metric_id = s.metric_id
        where s.report_year = ? order by s.unit_code, s.metric_order""", [year]), "unit_code")
    all_context = rows(con, "select * from v_context_figures where report_year = ? "
                            "order by unit_code", [year])
    context = {r["unit_code"]: r for r in all_context}
    fill = {r["unit_code"]: r["score"] for r in rows(
        con, "select unit_code, score from v_indicator_scores where report_year = ? "
             "and metric_id = 'cells_filled' order by unit_code", [year])}
    medians = {key: _median([r[key] for r in all_context]) for key, _, _ in DIGEST_FIGURES}
    fill_median = _median([v * 100 for v in fill.values() if v is not None])
    score_median = _median([r["score"] for r in city["league"]])
    findings = _grouped(rows(con, "select * from v_rank_findings where report_year = ? "
                                  "order by unit_code, finding_no", [year]), "unit_code")
    cells = _grouped(rows(con, "select * from v_rank_finding_cells where report_year = ? "
                               "order by unit_code, finding_no, cell_position nulls last, "
                               "cell_key", [year]), "unit_code")
    history = _grouped(rows(con, "select unit_code, report_year, score, band, rank_in_group, "
                                 "group_size from v_rankings where report_year <= ? "
                                 "order by unit_code, report_year", [year]), "unit_code")
    problems: dict[str, str] = {}
    for r in rows(con, """
            select n.submission_id, n.text from narratives as n
            semi join v_rank_unit_years as u
                on u.submission_id = n.submission_id and u.report_year = ?
            where n.section_code = 's5'
            order by n.submission_id, n.position nulls last""", [year]):
        problems.setdefault(r["submission_id"], r["text"])
    peers = {g["name"]: [{k: r[k] for k in PEER_COLUMNS} for r in g["rows"]]
             for g in city["groups"]}
    out = []
    for row in league:
        code = row["unit_code"]
        me = dict(row)
        mine = context.get(code)
        unit_indicators = [dict(i, weight=method.weights.get(i["metric_id"], 0))
                           for i in indicators.get(code, [])]
        figures = [{"label": label, "unit": unit, "value": mine[key] if mine else None,
                    "median": medians[key]} for key, label, unit in DIGEST_FIGURES]
        figures.append({"label": "表格填写完整率", "unit": "%",
                        "value": None if fill.get(code) is None else fill[code] * 100,
                        "median": fill_median})
        figures.append({"label": "综合得分", "unit": "分", "value": me["score"],
                        "median": score_median})
        unit_findings = [dict(f) for f in findings.get(code, [])]
        unit_cells = cells.get(code, [])
        by_finding = _grouped(unit_cells, "finding_no")
        for f in unit_findings:
            mine_cells = by_finding.get(f["finding_no"], [])
            valued = [c for c in mine_cells if c["finding_value"] is not None]
            for c in valued:
                c["value_text"] = _value_text(c["finding_value"])
            f["cell_rows"], f["zero_cells"] = _compact_cells(valued, f["status"])
            f["blank_cells"] = len(mine_cells) - len(valued)
        blank_seen, blank_unread = _blank_cells(unit_cells)
        out.append({
            "year": year,
            "city_figures": city["figures"] or None,
            "city": city["city"],
            "as_of": city["as_of"],
            "method": method,
            "unit": me,
            "peers": peers[me["peer_group"]],
            "indicators": unit_indicators,
            "context": mine,
            "figures": figures,
            "findings": unit_findings,
            "blank_cells": blank_seen,
            "unread_cells": blank_unread,
            "history": [{k: v for k, v in h.items() if k != "unit_code"}
                        for h in history.get(code, [])],
            "problems_text": problems.get(me["submission_id"]),
        })
        out[-1]["dense"] = printed_lines(out[-1]) > PAGE_LINES
    return out
