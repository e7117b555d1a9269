"""The report model: what the city report and a digest show, as typed data.

Built once per year from the warehouse (``gongkai.render.data``), then rendered into every
format (HTML and Markdown through Jinja2, DOCX, XLSX) by attribute access, so each format
shows the same figures. Rows read from the warehouse fill the fields of the same name
(``from_row``); figures stay as numbers (a missing one is None, never 0) and are formatted
by ``gongkai.render.fmt`` at the last step.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

from gongkai import wording
from gongkai.rankings import Method
from gongkai.render import fmt
from gongkai.render.appendix import Appendix


@cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


class Row:
    """A record filled from a warehouse row: the columns named like its fields."""

    @classmethod
    def from_row(cls, row: dict[str, Any], **extra: Any):
        """The record holding the row's columns of the same names (others are ignored)."""
        values = {name: row[name] for name in _names(cls) if name in row}
        values.update(extra)
        return cls(**values)


# ---------------------------------------------------------------------------------------------
# the league table
# ---------------------------------------------------------------------------------------------

@dataclass
class LeagueRow(Row):
    """One registry unit of a year's league table (``rankings``); a unit without a current
    report has no score, band or rank."""

    unit_code: str
    report_year: int
    unit_name: str
    short_name: str
    peer_group: str
    peer_group_order: int
    has_report: bool
    submission_id: str | None = None
    score: float | None = None
    band: str | None = None
    coverage: float | None = None
    rank_in_group: int | None = None
    group_size: int | None = None
    rank_overall: int | None = None
    city_size: int | None = None
    rank_min: int | None = None
    rank_max: int | None = None
    prev_score: float | None = None
    prev_rank_in_group: int | None = None
    prev_band: str | None = None
    score_change: float | None = None
    rank_change: int | None = None
    display_order: int | None = None
    # dimension id → dimension score (合规性, 一致性, 质量)
    dimensions: dict[str, float] = field(default_factory=dict)


@dataclass
class PeerGroup:
    """The league rows of one peer group (街道, 乡镇), in display order."""

    name: str
    rows: list[LeagueRow]

    @property
    def reporting(self) -> int:
        """How many units of the group have a report."""
        return sum(1 for r in self.rows if r.has_report)


# ---------------------------------------------------------------------------------------------
# the city report
# ---------------------------------------------------------------------------------------------

@dataclass
class CityFigures(Row):
    """The city at a glance (``v_city_figures``): counts, scores, sums and rates of a year."""

    report_year: int
    units_expected: int = 0
    units_reporting: int = 0
    units_missing: int = 0
    mean_score: float | None = None
    median_score: float | None = None
    units_excellent: int = 0
    units_good: int = 0
    units_pass: int = 0
    units_fail: int = 0
    units_with_errors: int = 0
    error_findings: int = 0
    warning_findings: int = 0
    has_check_run: bool = False
    applications: float | None = None
    applications_blank: int = 0
    handled: float | None = None
    disclosed: float | None = None
    disclosure_base: float | None = None
    disclosure_status: str | None = None
    disclosure_rate: float | None = None
    review_total: float | None = None
    review_corrected: float | None = None
    review_decided: float | None = None
    review_correction_status: str | None = None
    review_correction_rate: float | None = None
    suit_total: float | None = None
    suit_corrected: float | None = None
    suit_decided: float | None = None
    suit_correction_status: str | None = None
    suit_correction_rate: float | None = None
    left_out_values: int = 0
    units_other_template: int = 0


@dataclass
class MetricRate(Row):
    """How the city's units did on one scored indicator (compliance rates)."""

    metric_id: str
    name: str
    dimension: str | None
    units_reporting: int
    units_assessed: int
    units_full: int
    share_full: float | None
    mean_score: float | None
    prev_share_full: float | None = None


@dataclass
class TotalCell(Row):
    """The city total of one line (a cell of the year's template, or a group of table 三's
    sub-rows) with last year's (``v_city_totals_yoy``)."""

    cell_code: str
    table_code: str
    row_code: str
    col_code: str
    row_label: str | None
    col_label: str | None
    total_value: float | None
    units_reporting: int | None
    units_with_value: int | None
    blank_cells: int | None
    unreadable_cells: int | None
    unseen_cells: int | None
    prev_total_value: float | None
    change: float | None
    change_pct: float | None
    is_group: bool = False
    left_out_cells: int = 0
    left_out_value: float | None = None

    @property
    def blank_or_unreadable(self) -> int:
        """Cells of the units that were blank or could not be read."""
        return (self.blank_cells or 0) + (self.unreadable_cells or 0)


@dataclass
class T3Row:
    """A row of table 三 (the 总计 column): its line of the city totals, a group's sub-rows
    added in SQL (``v_city_totals``); blank cells and values left out counted."""

    row: str
    label: str
    value: float | None = None
    prev: float | None = None
    blank_cells: int = 0
    units_with_value: int = 0
    change: float | None = None
    change_pct: float | None = None
    left_out_cells: int = 0


@dataclass
class T4Block:
    """A block of table 四 (行政复议, 行政诉讼 …): its five columns, last year's total."""

    block: str
    label: str | None
    cols: dict[str, float | None] = field(default_factory=dict)
    blank_cells: int = 0
    left_out_cells: int = 0
    prev_total: float | None = None
    change: float | None = None


@dataclass
class Outcome(Row):
    """One outcome of the city's applications (予以公开 … 其他处理) with last year's."""

    outcome: str
    outcome_name: str
    value: float | None
    share: float | None
    blank_cells: int
    prev_value: float | None = None
    prev_share: float | None = None
    left_out_cells: int = 0


@dataclass
class IssueUnit(Row):
    """A unit whose report has failing findings of one severity (错误 or 提醒): how many, how
    many of them may come from our reading, and the rules (their Chinese names)."""

    unit_code: str
    unit_name: str
    peer_group: str
    n_findings: int
    n_extraction: int
    rule_ids: list[str]

    @property
    def rules(self) -> str:
        """The rules, as a leader reads them."""
        return "；".join(wording.rule_name(r) for r in self.rule_ids)


@dataclass
class FlaggedValue(Row):
    """A value the checks name as wrong, or that was read with doubt (``v_flagged_values``)."""

    unit_code: str
    unit_name: str
    cell_key: str
    row_label: str | None
    col_label: str | None
    value_text: str | None
    raw_text: str | None
    location: str | None
    value_unit: str
    rule_ids: str
    is_read_with_doubt: bool
    in_city_total: bool
    is_inferred: bool = False
    confidence_reason: str | None = None

    @property
    def label(self) -> str:
        """The cell in words, as the digests name it (表三 属于国家秘密／商业企业: the row
        without its numbering 1. or （一）); the stored labels for a cell the template
        does not name."""
        short = wording.short_cell_label(self.cell_key)
        return short if self.cell_key not in short else wording.cell_label(
            self.cell_key, self.row_label, self.col_label)

    @property
    def shown(self) -> str:
        """The value as the report wrote it (12, not 12.0)."""
        return fmt.value_text(self.value_text)

    @property
    def place(self) -> str:
        """Where the value was read, in Chinese (第18行第2列), or ""."""
        return wording.location(self.location)

    @property
    def reason(self) -> str:
        """Why the value is listed: the rules' names, and the doubt about our reading (for a
        value placed by inference, how it was placed)."""
        names = "；".join(wording.rule_name(r) for r in self.rule_ids.split("、") if r)
        if self.is_inferred:
            doubt = f"{wording.READ_IN_DOUBT}：{wording.inferred_reason(self.confidence_reason)}"
            return f"{names}（{doubt}）" if names else doubt
        return names + (wording.READ_WITH_DOUBT if self.is_read_with_doubt else "")


@dataclass
class UnitContext(Row):
    """A unit's figures shown beside the league table and never ranked (``context_figures``)."""

    unit_code: str
    applications: float | None = None
    handled: float | None = None
    disclosed: float | None = None
    carried_out: float | None = None
    review_total: float | None = None
    review_corrected: float | None = None
    review_decided: float | None = None
    suit_total: float | None = None
    suit_corrected: float | None = None
    suit_decided: float | None = None
    disclosure_status: str | None = None
    disclosure_rate: float | None = None
    review_correction_status: str | None = None
    review_correction_rate: float | None = None
    suit_correction_status: str | None = None
    suit_correction_rate: float | None = None
    short_name: str | None = None


@dataclass
class YearFigures(Row):
    """One year of the trend (``v_city_figures``)."""

    report_year: int
    units_expected: int
    units_reporting: int
    applications: float | None
    handled: float | None
    review_total: float | None
    suit_total: float | None
    mean_score: float | None
    median_score: float | None


@dataclass
class CityReport:
    """Everything the city report of one year shows."""

    year: int
    city: str
    as_of: str | None
    method: Method
    figures: CityFigures
    prev_figures: CityFigures | None
    series: list[YearFigures]
    t3: list[T3Row]
    t4: list[T4Block]
    t2: list[TotalCell]
    totals: list[TotalCell]
    outcomes: list[Outcome]
    rates: list[MetricRate]
    league: list[LeagueRow]
    groups: list[PeerGroup]
    error_units: list[IssueUnit]
    warning_units: list[IssueUnit]
    flagged: list[FlaggedValue]
    context: list[UnitContext]
    overview: str = ""
    # the note under each table of totals (applications, outcomes, litigation, active): the
    # values it leaves out, units on the other template version; "" for none
    notes: dict[str, str] = field(default_factory=dict)
    appendix: Appendix = field(default_factory=Appendix)  # the office's reviews, corrections

    @property
    def flagged_in_total(self) -> bool:
        """True when any listed value is still added into the city totals."""
        return any(v.in_city_total for v in self.flagged)

    @property
    def flagged_sentence(self) -> str:
        """The sentence above the list of flagged values: how many, and that the totals
        leave them out."""
        return wording.flagged_sentence(len(self.flagged),
                                        sum(1 for v in self.flagged if v.in_city_total))

    @property
    def missing(self) -> list[LeagueRow]:
        """The units without a current report."""
        return [r for r in self.league if not r.has_report]


# ---------------------------------------------------------------------------------------------
# the digest
# ---------------------------------------------------------------------------------------------

@dataclass
class Indicator(Row):
    """One indicator of a unit: its weight, its score (0..1, None when not assessed) and
    the evidence."""

    metric_id: str
    name: str
    score: float | None
    evidence: str | None
    weight: float = 0

    @property
    def evidence_text(self) -> str:
        """The evidence as a reader reads it (rule ids named in words)."""
        return wording.plain(self.evidence)


@dataclass
class FindingCell(Row):
    """A cell a finding names: the value checked, the raw text and where it was read."""

    unit_code: str
    finding_no: int
    cell_key: str
    finding_value: str | None
    raw_text: str | None
    location: str | None
    row_label: str | None
    col_label: str | None
    cell_position: int | None
    value_text: str = ""

    @property
    def label(self) -> str:
        """The cell or fact in words (never its internal code when the template knows it)."""
        return wording.cell_label(self.cell_key, self.row_label, self.col_label)

    @property
    def short_label(self) -> str:
        """The cell in few words (表三 本年新收申请／自然人), for the printed page."""
        return wording.short_cell_label(self.cell_key)

    @property
    def place(self) -> str:
        """Where the value was read, in Chinese (第19行), or "" when it was not seen."""
        return wording.location(self.location)

    @property
    def ref(self) -> str:
        """The cell, its value and where it was read, in few words: 表二 规章／本年新制作数量＝2
        （第19行）; the text as written is added when it differs from the value (原文“2,0”)."""
        return wording.cell_ref(self.short_label, self.value_text, self.raw_text, self.place)


@dataclass
class Finding(Row):
    """One finding of the latest check on a unit's report, with the cells it names."""

    finding_no: int
    rule_id: str
    severity: str
    status: str
    responsibility: str | None
    message_zh: str | None
    # every cell or fact the finding names, in template order
    cells: list[FindingCell] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """错误, 提醒, 提示 or 无法核对."""
        return wording.finding_kind(self.severity, self.status)

    @property
    def rule_name(self) -> str:
        """What the rule checks, in Chinese."""
        return wording.rule_name(self.rule_id)

    @property
    def message(self) -> str:
        """The finding's message as a reader reads it (rule ids named in words)."""
        return wording.plain(self.message_zh)


@dataclass
class FindingGroup:
    """One entry of a digest's list of problems: the findings of one rule and kind on the
    unit's report, shown together (six columns of table 三 that could not be balanced are one
    entry, not six). A single finding is an entry of its own. ``summary`` is what the printed
    page says; ``details`` (each finding's full message, the cells beyond those printed) is
    kept for the screen. The warehouse keeps every finding; only the presentation groups."""

    findings: list[Finding]
    summary: str
    # the cells holding a value that the printed page lists (each once), and how many more
    cell_rows: list[FindingCell] = field(default_factory=list)
    more_cells: int = 0
    zero_cells: int = 0
    # facts the findings name that could not be read from the report (报告中写明的单位)
    unread_facts: list[str] = field(default_factory=list)
    # what the screen shows on request: the findings' full messages and every listed cell
    details: list[str] = field(default_factory=list)
    detail_cells: list[FindingCell] = field(default_factory=list)

    @property
    def first(self) -> Finding:
        """The entry's first finding (its rule, severity and status are the entry's)."""
        return self.findings[0]

    @property
    def count(self) -> int:
        """How many findings the entry stands for."""
        return len(self.findings)

    @property
    def kind(self) -> str:
        """错误, 提醒, 提示 or 无法核对."""
        return self.first.kind

    @property
    def rule_name(self) -> str:
        """What the rule checks, in Chinese."""
        return self.first.rule_name

    @property
    def css(self) -> str:
        """The badge's colour class: the severity, or ``na`` for a rule not checked."""
        return "na" if self.first.status == "not_assessable" else self.first.severity


@dataclass
class InferredCell(Row):
    """A cell of a unit's report the reader placed by inference (``v_current_cells``)."""

    unit_code: str
    cell_code: str
    value: float | None
    raw_text: str | None
    location: str | None
    confidence_reason: str | None

    @property
    def reason(self) -> str:
        """How it was placed, in Chinese."""
        return wording.inferred_reason(self.confidence_reason)

    @property
    def ref(self) -> str:
        """The cell, its value and where it was read, in few words."""
        return wording.cell_ref(wording.short_cell_label(self.cell_code), fmt.num(self.value, 4),
                                self.raw_text, wording.location(self.location))


@dataclass
class DigestFigure:
    """A figure of a unit beside the city median."""

    label: str
    unit: str
    value: float | None
    median: float | None


@dataclass
class Peer(Row):
    """Another unit of the peer group as a digest shows it: name, score, band, rank."""

    unit_code: str
    short_name: str
    score: float | None
    band: str | None
    rank_in_group: int | None
    has_report: bool


@dataclass
class HistoryYear(Row):
    """A unit's standing in one year."""

    report_year: int
    score: float | None
    band: str | None
    rank_in_group: int | None
    group_size: int | None


# the excerpt of section 五 a digest shows (on screen, and printed at density 0)
EXCERPT_CHARS = 300


@dataclass
class Digest:
    """Everything one unit's digest shows: its standing, its own findings with the cells'
    source locations, its indicators and figures beside the city median, and its peers'
    scores (never their findings)."""

    year: int
    city: str
    as_of: str | None
    method: Method
    city_figures: CityFigures | None
    unit: LeagueRow
    peers: list[Peer]
    indicators: list[Indicator]
    context: UnitContext | None
    figures: list[DigestFigure]
    findings: list[Finding]
    groups: list[FindingGroup]
    blank_cells: list[FindingCell]
    unread_cells: list[str]
    history: list[HistoryYear]
    problems_text: str | None
    # the cells the reader placed by inference (gongkai parse: confidence inferred), in
    # template order: read with doubt, so neither the township's error nor in the totals
    inferred: list[InferredCell] = field(default_factory=list)
    # how tightly the page is printed: 0 normal; each level up uses smaller type and leaves
    # more of what is not about the unit's own problems off the printed page (DENSITY_LEVELS)
    density: int = 0

    @property
    def excerpt(self) -> str:
        """The excerpt of section 五 the digest shows (cut at EXCERPT_CHARS characters)."""
        text = self.problems_text or ""
        return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS - 2] + "……"

    @property
    def file_stem(self) -> str:
        """The digest's file name without extension: the unit code (for sorting) and name."""
        return wording.digest_stem(self.unit.unit_code, self.unit.unit_name)

    @property
    def finding_counts(self) -> str:
        """The findings counted by kind, and how many entries they make (the counts always
        match the list)."""
        return wording.finding_counts([f.kind for f in self.findings], len(self.groups))

    @property
    def blank_summary(self) -> str:
        """The blank cells the findings name, summarised for the printed page."""
        return wording.blank_summary(
            [(c.cell_key, c.raw_text) for c in self.blank_cells], self.unread_cells)

    @property
    def inferred_summary(self) -> str:
        """The cells placed by inference, for the printed page ("" for none): how many, how
        they were placed, and the non-zero ones by name (表三 予以公开／自然人＝5（第73行））."""
        if not self.inferred:
            return ""
        return wording.inferred_summary(
            len(self.inferred), [c.reason for c in self.inferred],
            [c.ref for c in self.inferred if c.value])

    @property
    def lost_points(self) -> str:
        """One line: where the unit lost points, largest loss first."""
        return wording.lost_points([(i.name, i.weight, i.score) for i in self.indicators])
