"""Loading: parsed reports become warehouse rows.

``insert_report`` writes one submitted file: its ``submissions`` row plus cells, narratives,
narrative figures and parse issues; ``load_submissions`` is the load stage's loop over a
run's submissions (new ones written, unchanged ones re-confirmed). Every statement is
parameterised; rows reach DuckDB as Arrow tables, never as SQL text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from gongkai import template as tpl
from gongkai.model import Issue, ParsedReport
from gongkai.read.verdict import filing_issues, reject_reason
from gongkai.sources import Submission
from gongkai.warehouse.rows import RowBuffer, insert_arrow
from gongkai.warehouse.runs import utc_now
from gongkai.warehouse.schema import split_code
from gongkai.warehouse.versions import current_of, promote, promote_key, touch_submission

SUBMISSION_STATUSES = ("loaded", "rejected", "duplicate")
CELL_STATUSES = ("value", "blank", "unreadable", "unseen")
# child rows held before one insert per table (see RowBuffer)
LOAD_BUFFER_ROWS = 50_000


def _iso_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _delete_children(con: duckdb.DuckDBPyConnection, submission_id: str) -> None:
    for table in ("cells", "narratives", "narrative_figures", "parse_issues"):
        con.execute(f"delete from {table} where submission_id = ?", [submission_id])


def insert_report(
    con: duckdb.DuckDBPyConnection,
    report: ParsedReport,
    *,
    submission_id: str,
    sha256: str,
    size_bytes: int | None,
    file_path: str,
    filed_unit_code: str | None = None,
    filed_year: int | None = None,
    run_id: str | None = None,
    source_url: str | None = None,
    received_at: dt.datetime | None = None,
    is_current: bool = True,
    extra_issues: Sequence[Issue] = (),
    reject: str | None = None,
    buffer: RowBuffer | None = None,
) -> str:
    """Write one submitted file to the warehouse; returns its status (``loaded``/``rejected``).

    Writes the ``submissions`` row, one ``cells`` row per cell code of the report's template
    (cells the reader did not see are ``unseen`` with a null value; a blank stays null, never
    0), the narrative sections, narrative figures and parse issues (the reader's, then
    ``extra_issues``, then any filed-versus-text disagreement). The unit and year used are the
    filed ones when known, else those the text states; both are kept.

    An unusable report (see ``gongkai.read.verdict.reject_reason``) or an explicit ``reject``
    reason gives a ``rejected`` row that keeps its issues and never replaces a loaded version.
    Writing a submission id that already exists replaces its rows (same id = same bytes and
    filed unit-year) but keeps when it was first received. With ``is_current`` a loaded
    submission becomes the current version of its unit-year (see ``versions.promote``). With
    a ``buffer`` the cells, narratives, figures and issues are written when the buffer is
    flushed (flush before the same submission id is written again).
    """
    reason = reject or reject_reason(report)
    status = "rejected" if reason else "loaded"
    unit_code = filed_unit_code or report.unit_code
    report_year = filed_year if filed_year is not None else report.year
    file_name = Path(file_path).name

    found = con.execute(
        "select received_at, first_run_id from submissions where submission_id = ?",
        [submission_id],
    ).fetchall()
    if found:
        received_at, first_run_id = found[0]
        con.execute("delete from submissions where submission_id = ?", [submission_id])
        _delete_children(con, submission_id)
    else:
        received_at = received_at or utc_now()
        first_run_id = run_id

    con.execute(
        """
        insert into submissions (
            submission_id, file_path, file_name, source_url, sha256, size_bytes, format,
            encoding, received_at, filed_unit_code, filed_year, unit_code, report_year,
            unit_name_printed, text_unit_code, text_year, template, published_date, title,
            reader_version, status, reject_reason, superseded_by, is_current, first_run_id,
            last_run_id
        ) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, false,
                  ?, ?)
        """,
        [
            submission_id, file_path, file_name, source_url, sha256, size_bytes, report.format,
            report.encoding, received_at, filed_unit_code, filed_year, unit_code, report_year,
            report.unit_name, report.unit_code, report.year, report.template,
            _iso_date(report.published), report.title, report.reader_version, status, reason,
            first_run_id, run_id,
        ],
    )

    key = _Key(submission_id, unit_code, report_year)
    if status == "loaded":
        _insert_cells(con, report, key, buffer)
    _insert_narratives(con, report, key, buffer)
    _insert_figures(con, report, key, buffer)
    issues = [*report.issues, *extra_issues,
              *filing_issues(report, filed_unit_code, filed_year)]
    _insert_issues(con, issues, key, buffer)

    if status == "loaded" and is_current:
        promote_key(con, submission_id, unit_code, report_year, file_path)
    return status


def insert_rejected(
    con: duckdb.DuckDBPyConnection,
    *,
    submission_id: str,
    reason: str,
    file_path: str,
    sha256: str = "",
    size_bytes: int | None = None,
    filed_unit_code: str | None = None,
    filed_year: int | None = None,
    run_id: str | None = None,
    source_url: str | None = None,
    issues: Sequence[Issue] = (),
    buffer: RowBuffer | None = None,
) -> str:
    """Record a submission that could not even be read (e.g. a failed download) as rejected."""
    empty = ParsedReport(file=file_path, format="unknown")
    return insert_report(
        con, empty, submission_id=submission_id, sha256=sha256, size_bytes=size_bytes,
        file_path=file_path, filed_unit_code=filed_unit_code, filed_year=filed_year,
        run_id=run_id, source_url=source_url, extra_issues=issues, reject=reason,
        buffer=buffer,
    )


@dataclass(frozen=True)
class _Key:
    """The columns every child row of a submission starts with."""

    submission_id: str
    unit_code: str | None
    report_year: int | None

    def columns(self, n: int) -> dict[str, pa.Array]:
        """The three key columns for ``n`` rows."""
        return {
            "submission_id": pa.array([self.submission_id] * n, pa.string()),
            "unit_code": pa.array([self.unit_code] * n, pa.string()),
            "report_year": pa.array([self.report_year] * n, pa.int32()),
        }


def _cell_codes(report: ParsedReport) -> list[str]:
    """The template's cell codes, then any other code the reader produced (sorted)."""
    codes = list(tpl.get(report.template).cell_codes) if report.template in tpl.VERSIONS else []
    known = set(codes)
    extra = sorted((set(report.cells) | set(report.sources)) - known)
    return codes + extra


def _insert_cells(con, report: ParsedReport, key: _Key, buffer: RowBuffer | None) -> None:
    codes = _cell_codes(report)
    values, raws, locations, statuses, notes = [], [], [], [], []
    confidences, reasons = [], []
    for code in codes:
        value = report.cells.get(code)
        source = report.sources.get(code)
        if source is not None:
            status = source.status
            raws.append(source.raw)
            locations.append(source.location)
            notes.append(source.note)
            confidences.append(source.confidence)
            reasons.append(source.reason)
        else:
            status = "value" if value is not None else "unseen"
            raws.append("")
            locations.append(None)
            notes.append(None)
            confidences.append(None)
            reasons.append(None)
        if status != "value":
            value = None  # blank and unreadable cells stay null, never 0
        values.append(None if value is None else float(value))
        statuses.append(status)
    parts = [split_code(c) for c in codes]
    insert_arrow(con, "cells", buffer=buffer, columns={
        **key.columns(len(codes)),
        "cell_code": pa.array(codes, pa.string()),
        "table_code": pa.array([p[0] for p in parts], pa.string()),
        "row_code": pa.array([p[1] for p in parts], pa.string()),
        "col_code": pa.array([p[2] for p in parts], pa.string()),
        "value": pa.array(values, pa.float64()),
        "raw_text": pa.array(raws, pa.string()),
        "location": pa.array(locations, pa.string()),
        "status": pa.array(statuses, pa.string()),
        "note": pa.array(notes, pa.string()),
        "confidence": pa.array(confidences, pa.string()),
        "confidence_reason": pa.array(reasons, pa.string()),
    })


def _insert_narratives(con, report: ParsedReport, key: _Key, buffer: RowBuffer | None) -> None:
    codes = sorted(report.sections)
    order = {code: i + 1 for i, code in enumerate(report.section_order)}
    insert_arrow(con, "narratives", buffer=buffer, columns={
        **key.columns(len(codes)),
        "section_code": pa.array(codes, pa.string()),
        "position": pa.array([order.get(c) for c in codes], pa.int32()),
        "text": pa.array([report.sections[c] for c in codes], pa.string()),
    })


def _insert_figures(con, report: ParsedReport, key: _Key, buffer: RowBuffer | None) -> None:
    figs = report.narrative_figures
    insert_arrow(con, "narrative_figures", buffer=buffer, columns={
        **key.columns(len(figs)),
        "figure_no": pa.array(range(1, len(figs) + 1), pa.int32()),
        "phrase": pa.array([f.phrase for f in figs], pa.string()),
        "value": pa.array([None if f.value is None else float(f.value) for f in figs],
                          pa.float64()),
        "compared_with": pa.array([f.compared_with for f in figs], pa.string()),
        "location": pa.array([f.location for f in figs], pa.string()),
    })


def _insert_issues(con, issues: Sequence[Issue], key: _Key, buffer: RowBuffer | None) -> None:
    insert_arrow(con, "parse_issues", buffer=buffer, columns={
        **key.columns(len(issues)),
        "issue_no": pa.array(range(1, len(issues) + 1), pa.int32()),
        "issue_code": pa.array([i.code for i in issues], pa.string()),
        "severity": pa.array([i.severity for i in issues], pa.string()),
        "message_zh": pa.array([i.message_zh for i in issues], pa.string()),
        "message_en": pa.array([i.message_en for i in issues], pa.string()),
        "location": pa.array([i.location for i in issues], pa.string()),
    })


@dataclass
class LoadResult:
    """What the load stage did: submissions by outcome, and the rejected files with why."""

    loaded: int = 0
    rejected: int = 0
    unchanged: int = 0
    rejected_files: list[dict] = field(default_factory=list)  # {"file": …, "reason": …}
    duplicates: int = 0  # recorded as duplicates of another file (versions.record_duplicates)

    def counts(self) -> dict[str, int]:
        """The counts as a dict (loaded, rejected, unchanged, duplicate)."""
        return {"loaded": self.loaded, "rejected": self.rejected, "unchanged": self.unchanged,
                "duplicate": self.duplicates}


def load_submissions(con: duckdb.DuckDBPyConnection, subs: Sequence[Submission],
                     reports: dict[str, ParsedReport], run_id: str | None,
                     buffer_rows: int = LOAD_BUFFER_ROWS) -> LoadResult:
    """Write a run's submissions in one transaction; returns the counts by outcome.

    A submission with a parsed report in ``reports`` is written (loaded or rejected); one
    whose ``error`` says it could not be read is recorded as rejected; any other was loaded
    by an earlier run with the same bytes: it is re-confirmed, and made current again when
    its unit-year's current version was not discovered this time (a file changed back).
    """
    result = LoadResult()
    discovered = {s.submission_id for s in subs}
    done: set[str] = set()
    buffer = RowBuffer()
    con.execute("begin transaction")
    for sub in subs:
        sid = sub.submission_id
        if sid in done:  # the same failure listed twice in a manifest
            continue
        done.add(sid)
        common = dict(submission_id=sid, file_path=sub.file_path,
                      filed_unit_code=sub.filed_unit_code, filed_year=sub.filed_year,
                      run_id=run_id, source_url=sub.source_url, buffer=buffer)
        if sub.error:
            status = insert_rejected(con, reason=sub.error, sha256=sub.sha256,
                                     size_bytes=sub.size_bytes, issues=sub.issues, **common)
            reason = sub.error
        elif sid in reports:
            status = insert_report(con, reports[sid], sha256=sub.sha256,
                                   size_bytes=sub.size_bytes, extra_issues=sub.issues, **common)
            reason = reject_reason(reports[sid])
        else:
            touch_submission(con, sid, run_id)
            current = current_of(con, sid)
            if current is None or current not in discovered:
                promote(con, sid)
            result.unchanged += 1
            continue
        if status == "rejected":
            result.rejected += 1
            result.rejected_files.append({"file": sub.file_path, "reason": reason})
        else:
            result.loaded += 1
        if buffer.pending() >= buffer_rows:
            buffer.flush(con)
    buffer.flush(con)
    con.execute("commit")
    return result
