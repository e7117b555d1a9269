"""Build the report model (``gongkai.render.model``) from a published warehouse.

``connect`` opens the warehouse read-only with the ranking views of ``sql/marts/ranking/``
(``gongkai.rankings.prepare``); when the warehouse holds the league table, indicator scores
and context figures that the roll-up stage stored with the method in force, those stored
rows are read (``sql/intermediate/stored_rankings.sql``) and the ranking is not computed again.
Every query is parameterised, with an explicit order and tie-breakers, and is run once per
view and year (not once per unit).
"""

from __future__ import annotations

import logging
import math
import statistics
from pathlib import Path
from typing import Any

import duckdb

from gongkai import rankings, wording
from gongkai.paths import SQL_DIR
from gongkai.rankings import Method
from gongkai.render import fmt
from gongkai.render.appendix import appendix
from gongkai.render.model import (
    CityFigures,
    CityReport,
    Digest,
    DigestFigure,
    Finding,
    FindingCell,
    FindingGroup,
    FlaggedValue,
    HistoryYear,
    Indicator,
    InferredCell,
    IssueUnit,
    LeagueRow,
    MetricRate,
    Outcome,
    Peer,
    PeerGroup,
    T3Row,
    T4Block,
    TotalCell,
    UnitContext,
    YearFigures,
)

log = logging.getLogger(__name__)

STORED_RANKINGS_SQL = SQL_DIR / "intermediate" / "stored_rankings.sql"
# the views a render reads, computed once per render (identifiers, never input)
READ_VIEWS = (
    "v_rank_unit_years", "v_rank_findings", "v_rank_finding_cells", "v_indicator_scores",
    "v_context_figures", "v_dimension_scores", "v_rankings", "v_city_metric_rates",
    "v_city_figures", "v_city_outcomes", "v_city_totals_yoy", "v_flagged_values",
)
# an entry naming more cells than this lists only its non-zero cells in a digest and counts
# the zeros (a row sum of table 三 names 7 cells, mostly 0; the blank cells of all findings
# are summarised once, after the entries)
MAX_FINDING_CELLS = 4
# the printed page names at most this many cells of an entry and counts the rest (all of
# them are in the entry's details on screen)
PRINTED_CELLS = 6
# The estimate of a digest's printed height at density 0 (``printed_height``), in CSS
# pixels of the A4 page's content box (``page``), fitted by least squares to the heights
# Chromium lays out for the 768 digests of the bundled demo and of three generated corpora
# with injected errors (rates 0.3, 0.6 and all; bench/bench_digest_fit.py, figures in
# bench/README.md): root mean square error 11.2 px, 1 % of the page. A line of body type
# holds ``chars`` Chinese characters, a line of cell references ``ref_chars``.
FIT = {
    "page": 1054.5, "margin": 0.02, "base": 578.3, "chars": 77.0, "ref_chars": 84.0,
    "entry_line": 18.8, "ref_line": 8.9, "blank_line": 21.8, "peer_row": 16.9,
    "history": 81.3, "excerpt_line": 15.9,
}
# the densest print of a digest (``Digest.density``: 0 normal … MAX_DENSITY)
MAX_DENSITY = 2
# the rows of table 三 that are outcomes of the applications (办理结果构成)
OUTCOME_ROWS = ("granted", "partial", "denied", "unable", "not_processed", "other")


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """The rows of a parameterised query as dicts keyed by column name."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _stored_method(con: duckdb.DuckDBPyConnection) -> str | None:
    """The method version the stored league table was made with, or None without one."""
    # asked of the catalog first: a missing table would be looked up among Python names
    if not con.execute("select count(*) from duckdb_tables() where table_name = 'rankings' "
                       "and not temporary").fetchone()[0]:
        return None
    return con.execute("select any_value(method_version) from main.rankings").fetchone()[0]


def connect(warehouse: str | Path) -> tuple[duckdb.DuckDBPyConnection, Method]:
    """Open a published warehouse read-only with every view a render reads, computed once.

    The stored league table is used when its method fingerprint is the one in force;
    otherwise (no stored table, or the method files changed since the run) the ranking is
    computed from the findings with the current method, and the log says so.
    """
    con, method = rankings.connect(warehouse)
    try:
        stored = _stored_method(con)
        if stored is not None and stored.rsplit(" ", 1)[-1] == method.fingerprint:
            con.execute(STORED_RANKINGS_SQL.read_text(encoding="utf-8"))
        else:
            log.info("render: %s; the league table is computed with the method in force",
                     "no stored league table" if stored is None
                     else f"the stored league table has method {stored}")
        for view in READ_VIEWS:
            table = f"render_{view}"
            con.execute(f"create or replace temp table {table} as select * from {view}")
            con.execute(f"create or replace temp view {view} as select * from {table}")
    except Exception:
        con.close()
        raise
    return con, method


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


def data_as_of(con: duckdb.DuckDBPyConnection, year: int | None = None) -> str | None:
    """How recent the data is, from the data itself (not the clock, so an unchanged
    warehouse renders unchanged reports): the latest publication date of the year's current
    reports (of every year without ``year``), or None when no report has a date."""
    hit = con.execute("select max(published_date) from v_rank_unit_years where has_report "
                      "and (? is null or report_year = ?)", [year, year]).fetchone()
    return hit[0].strftime("%Y-%m-%d") if hit and hit[0] is not None else None


def league(con: duckdb.DuckDBPyConnection, year: int) -> list[LeagueRow]:
    """The league table of a year in display order, with the dimension scores."""
    dims: dict[str, dict[str, float]] = {}
    for r in rows(con, "select unit_code, dimension, dimension_score from v_dimension_scores "
                       "where report_year = ? order by unit_code, dimension", [year]):
        dims.setdefault(r["unit_code"], {})[r["dimension"]] = r["dimension_score"]
    return [LeagueRow.from_row(r, dimensions=dims.get(r["unit_code"], {})) for r in rows(
        con, "select * from v_rankings where report_year = ? order by display_order, unit_code",
        [year])]


def league_groups(table: list[LeagueRow]) -> list[PeerGroup]:
    """The league table split by peer group (街道 first), for side-by-side display."""
    groups: dict[str, list[LeagueRow]] = {}
    for r in table:
        groups.setdefault(r.peer_group, []).append(r)
    order = sorted(groups, key=lambda g: min(r.peer_group_order for r in groups[g]))
    return [PeerGroup(g, groups[g]) for g in order]


def totals_yoy(con: duckdb.DuckDBPyConnection, year: int) -> list[TotalCell]:
    """Every line's city total this year with last year's, in the template's order."""
    return [TotalCell.from_row(r) for r in rows(
        con, "select * from v_city_totals_yoy where report_year = ? "
             "order by cell_position, cell_code", [year])]


def t3_rows(totals: list[TotalCell]) -> list[T3Row]:
    """Table 三 by row in the 总计 column: the lines of its rows and of its groups of sub-rows
    (whose sums ``v_city_totals`` makes, with one mapping for both template versions)."""
    lines = {r.row_code: r for r in totals if r.table_code == "t3" and r.col_code == "total"}
    return [T3Row(key, label, r.total_value, r.prev_total_value, r.blank_or_unreadable,
                  r.units_with_value or 0, r.change, r.change_pct, r.left_out_cells)
            for key, label in wording.T3_LABELS.items() if (r := lines.get(key)) is not None]


def t4_rows(totals: list[TotalCell]) -> list[T4Block]:
    """Table 四 by block: the five columns this year, the total last year and the change."""
    by_block: dict[str, T4Block] = {}
    for r in totals:
        if r.table_code != "t4":
            continue
        b = by_block.setdefault(r.row_code, T4Block(r.row_code,
                                                    wording.T4_BLOCK_LABELS.get(r.row_code)))
        b.cols[r.col_code] = r.total_value
        b.blank_cells += r.blank_or_unreadable
        b.left_out_cells += r.left_out_cells
        if r.col_code == "total":
            b.prev_total = r.prev_total_value
            b.change = r.change
    return [by_block[k] for k in wording.T4_BLOCK_LABELS if k in by_block]


def city_report(con: duckdb.DuckDBPyConnection, method: Method, year: int) -> CityReport:
    """Everything the city report of one year shows."""
    figures = rows(con, "select * from v_city_figures where report_year = ?", [year])
    prev_figures = rows(con, "select * from v_city_figures where report_year = ?", [year - 1])
    series = rows(con, "select * from v_city_figures where report_year <= ? "
                       "order by report_year", [year])
    totals = totals_yoy(con, year)
    outcomes = rows(con, "select o.*, p.value as prev_value, p.share as prev_share "
                         "from v_city_outcomes as o left join v_city_outcomes as p "
                         "on p.outcome = o.outcome and p.report_year = o.report_year - 1 "
                         "where o.report_year = ? order by o.outcome_order, o.outcome", [year])
    rates = rows(con, "select r.*, m.name, p.share_full as prev_share_full "
                      "from v_city_metric_rates as r "
                      "inner join rank_metrics as m on m.metric_id = r.metric_id "
                      "left join v_city_metric_rates as p "
                      "on p.metric_id = r.metric_id and p.report_year = r.report_year - 1 "
                      "where r.report_year = ? order by r.metric_order, r.metric_id", [year])
    table = league(con, year)
    errors, warnings = (issue_units(con, year, severity) for severity in ("error", "warning"))
    flagged = rows(con, "select * from v_flagged_values where report_year = ? "
                        "order by unit_code, cell_position nulls last, cell_key", [year])
    context = rows(con, "select f.*, u.short_name, u.peer_group_order from v_context_figures as f "
                        "inner join v_rank_unit_years as u on u.unit_code = f.unit_code "
                        "and u.report_year = f.report_year where f.report_year = ? "
                        "order by u.peer_group_order, f.unit_code", [year])
    city_figures = CityFigures.from_row(figures[0]) if figures else CityFigures(year)
    t3, t4 = t3_rows(totals), t4_rows(totals)
    t2 = [r for r in totals if r.table_code == "t2"]
    notes = {
        "applications": wording.left_out_note(sum(r.left_out_cells for r in t3)),
        "outcomes": wording.left_out_note(sum(r.left_out_cells for r in t3
                                              if r.row in OUTCOME_ROWS)),
        "litigation": wording.left_out_note(sum(b.left_out_cells for b in t4)),
        "active": "".join((wording.left_out_note(sum(r.left_out_cells for r in t2)),
                           wording.other_template_note(city_figures.units_other_template))),
    }
    return CityReport(
        year=year,
        city=city_name(con),
        as_of=data_as_of(con, year),
        method=method,
        figures=city_figures,
        prev_figures=CityFigures.from_row(prev_figures[0]) if prev_figures else None,
        series=[YearFigures.from_row(r) for r in series],
        t3=t3,
        t4=t4,
        t2=t2,
        totals=totals,
        outcomes=[Outcome.from_row(r) for r in outcomes],
        rates=[MetricRate.from_row(r) for r in rates],
        league=table,
        groups=league_groups(table),
        error_units=errors,
        warning_units=warnings,
        flagged=[FlaggedValue.from_row(r) for r in flagged],
        context=[UnitContext.from_row(r) for r in context],
        overview=overview(city_figures, year),
        notes=notes,
        appendix=appendix(con, year),
    )


def issue_units(con: duckdb.DuckDBPyConnection, year: int, severity: str) -> list[IssueUnit]:
    """The units whose reports have failing findings of ``severity``, most findings first."""
    return [IssueUnit.from_row(r) for r in rows(con, """
        select unit_code, any_value(unit_name) as unit_name, any_value(peer_group) as peer_group,
               count(*) as n_findings,
               count(*) filter (where responsibility = 'extraction') as n_extraction,
               list(distinct rule_id order by rule_id) as rule_ids
        from v_rank_findings
        where report_year = ? and severity = ? and status = 'fail'
        group by unit_code
        order by n_findings desc, unit_code
    """, [year, severity])]


def overview(f: CityFigures, year: int) -> str:
    """The paragraph that opens the city report (the same words in every format)."""
    text = (f"{year}年度全市应报送年度报告的乡镇（街道）{f.units_expected}个，已报送并读取"
            f"{f.units_reporting}个"
            + (f"，{wording.NO_REPORT}{f.units_missing}个" if f.units_missing else "") + "。"
            f"综合得分平均{fmt.num(f.mean_score)}分、中位数{fmt.num(f.median_score)}分；"
            f"优秀{f.units_excellent}个、良好{f.units_good}个、合格{f.units_pass}个、"
            f"不合格{f.units_fail}个。本年新收申请{fmt.num(f.applications)}件"
            + (f"（{f.applications_blank}个单位空白或{wording.LEFT_OUT}）"
               if f.applications_blank else "")
            + "，公开率" + fmt.rate(f.disclosure_status, f.disclosed, f.disclosure_base,
                                   f.disclosure_rate)
            + f"；行政复议{fmt.num(f.review_total)}件，行政诉讼{fmt.num(f.suit_total)}件。"
            + wording.overview_left_out(f.left_out_values))
    if not f.has_check_run:
        return text + wording.NO_CHECK_RUN
    return (text + wording.error_units_sentence(f.units_with_errors, f.error_findings)
            + f"“提醒”级问题共{f.warning_findings}条。")


def _median(values: list) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def _is_zero(text: str | None) -> bool:
    try:
        return text is not None and float(text) == 0
    except ValueError:
        return False


def _compact_cells(cells: list[FindingCell], status: str, limit: int = MAX_FINDING_CELLS
                   ) -> tuple[list[FindingCell], int]:
    """The cells holding a value that an entry lists, and how many zero-valued cells were
    left out of the list.

    A finding that could not be checked (not_assessable) is about its blank cells, so only
    its non-zero cells are listed; so are those of an entry over many cells (a column sum of
    table 三 names 25). A short entry lists every cell, zeros included.
    """
    if status != "not_assessable" and len(cells) <= limit:
        return cells, 0
    shown = [c for c in cells if not _is_zero(c.finding_value)]
    return shown, len(cells) - len(shown)


def _in_order(cells: list[FindingCell]) -> list[FindingCell]:
    """Cells each once (the first time named), in template order."""
    unique: dict[str, FindingCell] = {}
    for c in cells:
        unique.setdefault(c.cell_key, c)
    return sorted(unique.values(), key=lambda c: (c.cell_position is None,
                                                 c.cell_position or 0, c.cell_key))


def _is_fact(c: FindingCell) -> bool:
    """True for a report fact a finding names (报送单位, 发布日期 …), not a table cell."""
    return c.cell_key in wording.FACT_LABELS


def _blank_cells(cells: list[FindingCell]) -> tuple[list[FindingCell], list[str]]:
    """The blank table cells the findings name, each once in template order: those seen in
    the report (with where), and the names of those never read (no location)."""
    ordered = _in_order([c for c in cells if c.finding_value is None and not _is_fact(c)])
    seen = [c for c in ordered if c.location]
    return seen, [c.label for c in ordered if not c.location]


def _group(members: list[Finding]) -> FindingGroup:
    """One entry of a digest's list from the findings of one rule and kind: where they are
    (the columns, rows or cells they name), the cells holding a value (each once; zeros
    counted where the list would be long; at most PRINTED_CELLS on the printed page), the
    blank cells and unread facts they name, and the full messages for the screen."""
    first = members[0]
    not_assessable = first.status == "not_assessable"
    subjects = [wording.finding_subject([c.cell_key for c in f.cells]) for f in members]
    units = {s[1] for s in subjects if s is not None}
    names = None
    if None not in subjects and len(units) == 1:
        names = list(dict.fromkeys(s[0] for s in subjects))
    blank_cause = all(any(c.finding_value is None and not _is_fact(c) for c in f.cells)
                      for f in members)
    every = [c for f in members for c in f.cells]
    valued = _in_order([c for c in every if c.finding_value is not None])
    shown, zeros = _compact_cells(valued, first.status)
    summary = wording.entry_summary(len(members), not_assessable, names,
                                    units.pop() if names else None, blank_cause, first.message)
    return FindingGroup(
        findings=members,
        summary=summary,
        cell_rows=shown[:PRINTED_CELLS],
        more_cells=max(0, len(shown) - PRINTED_CELLS),
        # a check that could not be made is about its blank cells: its zeros say nothing
        zero_cells=0 if not_assessable else zeros,
        unread_facts=[c.label for c in _in_order(every)
                      if c.finding_value is None and _is_fact(c)],
        details=[f.message for f in members] if len(members) > 1 or summary != first.message
        else [],
        detail_cells=valued if len(valued) > len(shown[:PRINTED_CELLS]) else [],
    )


def finding_groups(findings: list[Finding]) -> list[FindingGroup]:
    """A digest's entries: the findings of one rule, severity, status and responsibility
    together, errors first, then 提醒, 提示 and the checks that could not be made, each kind
    in the order of its first finding."""
    by_rule: dict[tuple, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault((f.rule_id, f.severity, f.status, f.responsibility), []).append(f)
    groups = [_group(members) for members in by_rule.values()]
    return sorted(groups, key=lambda g: (wording.KIND_ORDER.index(g.kind),
                                         g.first.finding_no))


def _width(text: str) -> float:
    """How wide a text is printed, in widths of a Chinese character (Latin letters, digits
    and ASCII punctuation take about half)."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.55 for ch in text)


def _lines(text: str, per_line: float) -> int:
    """How many printed lines a text wraps to, ``per_line`` Chinese characters a line."""
    return math.ceil(_width(text) / per_line)


def print_features(d: Digest, chars: float, ref_chars: float) -> dict[str, float]:
    """What a digest's printed height at density 0 is estimated from, by the names of the
    ``FIT`` coefficients: lines of entry summaries (``chars`` Chinese characters a line),
    lines of cell references and of the blank-cell summary (``ref_chars`` a line), rows of
    peers, the score history, lines of the excerpt of section 五."""
    entry = ref = 0
    for g in d.groups:
        entry += _lines(g.rule_name + g.summary + "（0条）　", chars)
        ref += _lines("；".join([c.ref for c in g.cell_rows]
                               + [wording.MORE_CELLS] * bool(g.more_cells)
                               + [wording.ZERO_CELLS] * bool(g.zero_cells)
                               + [wording.UNREAD_FACT.format(label=f) for f in g.unread_facts]),
                      ref_chars)
    blank = (_lines(wording.BLANKS_HEAD + d.blank_summary, ref_chars)
             if d.blank_cells or d.unread_cells else 0)
    # the cells read with doubt are summarised in a box like the blank cells
    blank += _lines(wording.H_INFERRED + d.inferred_summary, ref_chars) if d.inferred else 0
    # the excerpt keeps its line breaks (pre-wrap)
    excerpt = sum(max(1, _lines(line, chars)) for line in d.excerpt.split("\n")) if d.excerpt else 0
    return {"base": 1, "entry_line": entry, "ref_line": ref, "blank_line": blank,
            "peer_row": math.ceil(len(d.peers) / 4), "history": int(len(d.history) > 1),
            "excerpt_line": excerpt}


def printed_height(d: Digest) -> float:
    """About how much of its printed A4 page a digest takes at density 0 (1.0 = the whole
    page), from ``print_features`` and the ``FIT`` coefficients."""
    features = print_features(d, FIT["chars"], FIT["ref_chars"])
    return sum(FIT[k] * v for k, v in features.items()) / FIT["page"]


def density(d: Digest) -> int:
    """The density a digest is printed at, as far as ``printed_height`` can tell: 0 when it
    fits at normal size (with FIT["margin"] to spare), 1 when it needs smaller type and
    fewer extras. The print measures the real page and goes further when it must
    (``gongkai.render.pdf``)."""
    return 0 if printed_height(d) <= 1 - FIT["margin"] else 1


def _grouped(items: list, key: str) -> dict[Any, list]:
    """Rows (dicts or records) grouped by a column, each group in the rows' order."""
    out: dict[Any, list] = {}
    for r in items:
        out.setdefault(r[key] if isinstance(r, dict) else getattr(r, key), []).append(r)
    return out


# facts a finding names whose value is a registry unit code: shown as the unit's name
UNIT_FACTS = ("filed_unit_code", "text_unit_code", "other_unit_code")


def _findings(findings: list[dict], cells: list[FindingCell],
              unit_names: dict[str, str]) -> list[Finding]:
    """A unit's findings with the cells each names (values as the report wrote them; a unit
    code as the unit's name)."""
    by_finding = _grouped(cells, "finding_no")
    out = []
    for row in findings:
        f = Finding.from_row(row, cells=by_finding.get(row["finding_no"], []))
        for c in f.cells:
            if c.finding_value is not None:
                c.value_text = (unit_names.get(c.finding_value, c.finding_value)
                                if c.cell_key in UNIT_FACTS else fmt.value_text(c.finding_value))
        out.append(f)
    return out


def digests(con: duckdb.DuckDBPyConnection, method: Method, city: CityReport) -> list[Digest]:
    """Every unit's digest of the city report's year, in league order.

    One query per view for the whole year (not one per unit). A digest holds the unit's
    standing, its figures beside the city median, and its own findings with the cells'
    source locations; other units appear only with their name, score, band and rank.
    Units without a current report have no digest.
    """
    year = city.year
    league_rows = [r for r in city.league if r.has_report]
    if not league_rows:
        return []
    indicators = _grouped(rows(con, """
        select s.*, m.name from v_indicator_scores as s
        inner join rank_metrics as m on m.metric_id = s.metric_id
        where s.report_year = ? order by s.unit_code, s.metric_order, s.metric_id""", [year]),
        "unit_code")
    context = {r["unit_code"]: UnitContext.from_row(r) for r in rows(
        con, "select * from v_context_figures where report_year = ? order by unit_code", [year])}
    fill = {r["unit_code"]: r["score"] for r in rows(
        con, "select unit_code, score from v_indicator_scores where report_year = ? "
             "and metric_id = 'cells_filled' order by unit_code", [year])}
    medians = {key: _median([getattr(c, key) for c in context.values()])
               for key, _, _ in wording.DIGEST_FIGURES}
    fill_median = _median([v * 100 for v in fill.values() if v is not None])
    score_median = _median([r.score for r in city.league])
    findings = _grouped(rows(con, "select * from v_rank_findings where report_year = ? "
                                  "order by unit_code, finding_no", [year]), "unit_code")
    cells = _grouped([FindingCell.from_row(r) for r in rows(
        con, "select * from v_rank_finding_cells where report_year = ? "
             "order by unit_code, finding_no, cell_position nulls last, cell_key", [year])],
        "unit_code")
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
    inferred = _grouped([InferredCell.from_row(r) for r in rows(
        con, "select unit_code, cell_code, value, raw_text, location, confidence_reason "
             "from v_current_cells where report_year = ? and confidence = 'inferred' "
             "order by unit_code, cell_position, cell_code", [year])], "unit_code")
    peers = {g.name: [Peer.from_row(vars(r)) for r in g.rows] for g in city.groups}
    unit_names = {r.unit_code: r.unit_name for r in city.league}
    out = []
    for me in league_rows:
        code = me.unit_code
        mine = context.get(code)
        figures = [DigestFigure(label, unit, getattr(mine, key) if mine else None, medians[key])
                   for key, label, unit in wording.DIGEST_FIGURES]
        figures.append(DigestFigure(*wording.FILL_FIGURE,
                                    None if fill.get(code) is None else fill[code] * 100,
                                    fill_median))
        figures.append(DigestFigure(*wording.SCORE_FIGURE, me.score, score_median))
        unit_cells = cells.get(code, [])
        blank_seen, blank_unread = _blank_cells(unit_cells)
        unit_findings = _findings(findings.get(code, []), unit_cells, unit_names)
        digest = Digest(
            year=year, city=city.city, as_of=city.as_of, method=method,
            city_figures=city.figures if city.figures.units_expected else None,
            unit=me, peers=peers[me.peer_group],
            indicators=[Indicator.from_row(i, weight=method.weights.get(i["metric_id"], 0))
                        for i in indicators.get(code, [])],
            context=mine, figures=figures,
            findings=unit_findings, groups=finding_groups(unit_findings),
            blank_cells=blank_seen, unread_cells=blank_unread,
            history=[HistoryYear.from_row(h) for h in history.get(code, [])],
            problems_text=problems.get(me.submission_id),
            inferred=inferred.get(code, []),
        )
        digest.density = density(digest)
        out.append(digest)
    return out
