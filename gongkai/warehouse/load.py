"""Loading: parsed reports become warehouse rows, set-wise.

``report_rows`` turns read submissions into one Arrow table per warehouse table
(``ReportRows``): it runs where the files are read (a reader process, a Dask worker), so
what travels to the one writer is a few columnar tables, not report objects. ``Loader`` is
the load stage on the writer's side: each batch of rows goes into DuckDB with one
statement per table; at the end the submissions seen again unchanged are re-confirmed with
one statement, and which version of each unit-year is current is settled for the whole
run and written with one more. ``load_submissions`` runs it over a run's submissions and
their parsed reports; ``insert_report`` writes one report (tests, tools).

Every statement is parameterised; rows reach DuckDB as Arrow tables, never as SQL text.

Long because the rows built where files are read and the writer that inserts them are one
contract (the same columns and types on both sides), read together; the version settling
at the end (``_Versions``) is the part to move to versions.py when it grows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gongkai import template as tpl
from gongkai.model import CellSource, Issue, ParsedReport
from gongkai.read.pool import Job
from gongkai.read.verdict import filing_issues, reject_reason, year_unknown_issue
from gongkai.sources import Submission
from gongkai.warehouse.runs import utc_now
from gongkai.warehouse.schema import split_code

SUBMISSION_STATUSES = ("loaded", "rejected", "duplicate")
CELL_STATUSES = ("value", "blank", "unreadable", "unseen")
CHILD_TABLES = ("cells", "narratives", "narrative_figures", "parse_issues")

_SUBMISSION_TYPES = {
    "submission_id": pa.string(), "file_path": pa.string(), "file_name": pa.string(),
    "source_url": pa.string(), "sha256": pa.string(), "size_bytes": pa.int64(),
    "format": pa.string(), "encoding": pa.string(), "filed_unit_code": pa.string(),
    "filed_year": pa.int32(), "unit_code": pa.string(), "report_year": pa.int32(),
    "unit_name_printed": pa.string(), "text_unit_code": pa.string(), "text_year": pa.int32(),
    "template": pa.string(), "published_date": pa.date32(), "title": pa.string(),
    "reader_version": pa.string(), "status": pa.string(), "reject_reason": pa.string(),
}
_KEY_TYPES = {"submission_id": pa.string(), "unit_code": pa.string(),
              "report_year": pa.int32()}
_CHILD_TYPES = {
    "cells": {**_KEY_TYPES, "cell_code": pa.string(), "table_code": pa.string(),
              "row_code": pa.string(), "col_code": pa.string(), "value": pa.float64(),
              "raw_text": pa.string(), "location": pa.string(), "status": pa.string(),
              "note": pa.string(), "confidence": pa.string(),
              "confidence_reason": pa.string()},
    "narratives": {**_KEY_TYPES, "section_code": pa.string(), "position": pa.int32(),
                   "text": pa.string()},
    "narrative_figures": {**_KEY_TYPES, "figure_no": pa.int32(), "phrase": pa.string(),
                          "value": pa.float64(), "compared_with": pa.string(),
                          "location": pa.string()},
    "parse_issues": {**_KEY_TYPES, "issue_no": pa.int32(), "issue_code": pa.string(),
                     "severity": pa.string(), "message_zh": pa.string(),
                     "message_en": pa.string(), "location": pa.string()},
}


def _iso_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _template_codes(version: str | None) -> tuple[str, ...]:
    return tuple(tpl.get(version).cell_codes) if version in tpl.VERSIONS else ()


@lru_cache(maxsize=8)
def _template_columns(version: str | None) -> tuple[frozenset[str], tuple[str, ...],
                                                     tuple[pa.Array, ...]]:
    """The template's cell codes as a set and in the template's order, and the columns
    cell, table, row and column code of its cells as Arrow arrays."""
    codes = _template_codes(version)
    return frozenset(codes), codes, _code_arrays(codes)


def _code_arrays(codes: Sequence[str]) -> tuple[pa.Array, ...]:
    """Cell codes and their table, row and column codes, as four Arrow arrays."""
    parts = [split_code(code) for code in codes]
    return tuple(pa.array(column, pa.string()) for column in (
        codes, [p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts]))


_CODE_COLUMNS = ("cell_code", "table_code", "row_code", "col_code")


# ---------------------------------------------------------------------------------------------
# rows: where the files are read
# ---------------------------------------------------------------------------------------------

@dataclass
class ReportRows:
    """Read submissions as one Arrow table per warehouse table.

    ``submissions`` lacks the columns only the writer knows (when first received, the runs,
    which version is current); the child tables are complete.
    """

    submissions: pa.Table
    children: dict[str, pa.Table]

    @property
    def count(self) -> int:
        """The number of submissions."""
        return self.submissions.num_rows


class _Columns:
    """Columns of one table, made into Arrow once: lists appended to row by row; the key
    columns (submission, unit, year) of a child table as one key and a row count a report;
    columns given as Arrow arrays (a template's codes) as those arrays, joined."""

    def __init__(self, types: dict[str, pa.DataType]):
        self.types = types
        self.lists: dict[str, list] = {name: [] for name in types}
        self.keys: list[tuple] = []  # (submission id, unit code, year) a report …
        self.counts: list[int] = []  # … and its number of rows
        self.arrays: dict[str, list[pa.Array]] = {}

    def table(self) -> pa.Table:
        columns = {}
        if self.counts:  # every key repeated for its report's rows: one take a column
            rows = pa.array(np.repeat(np.arange(len(self.keys), dtype=np.int64),
                                      self.counts))
        for name, values in self.lists.items():
            kind = self.types[name]
            if name in self.arrays:
                chunks = self.arrays[name]
                columns[name] = pa.concat_arrays(chunks) if chunks else pa.array([], kind)
            elif self.counts and name in _KEY_TYPES:
                i = _KEY_NAMES.index(name)
                columns[name] = pa.array([k[i] for k in self.keys], kind).take(rows)
            else:
                columns[name] = pa.array(values, kind)
        return pa.table(columns)


_KEY_NAMES = tuple(_KEY_TYPES)


def report_rows(items: Iterable[tuple[Submission, ParsedReport | None]]) -> ReportRows:
    """The warehouse rows of read submissions, in the order given.

    A submission with a report is ``loaded``, or ``rejected`` when the report is unusable
    (``gongkai.read.verdict.reject_reason``); one without a report could not be read at all
    and is ``rejected`` with its ``error``. Cells are written for loaded reports only: one
    per cell code of the template (codes the reader did not see are ``unseen`` with a null
    value; a blank stays null, never 0). Issues are the reader's, then the submission's own,
    then any filed-versus-text disagreement. The unit and year used are the filed ones when
    known, else those the text states; both are kept.
    """
    subs = _Columns(_SUBMISSION_TYPES)
    children = {table: _Columns(types) for table, types in _CHILD_TYPES.items()}
    for sub, report in items:
        _add_report(subs, children, sub, report)
    return ReportRows(subs.table(), {t: c.table() for t, c in children.items()})


def with_year_checked(sub: Submission, report: ParsedReport | None) -> ParsedReport | None:
    """A file found in no year folder whose text states no year either is rejected
    (``year_unknown``): it cannot be filed."""
    if sub.year_from_text and report is not None and report.year is None and not any(
            i.code == "year_unknown" for i in report.issues):
        report.issues.append(year_unknown_issue())
    return report


def finished_rows(read: list[tuple[Job, ParsedReport]]) -> ReportRows:
    """The rows of a batch of files read by a reader process, made there (the reader pool's
    ``finish``: gongkai.read.pool): each job carries its submission."""
    return report_rows((job.extra, with_year_checked(job.extra, report)) for job, report in read)


def ordered_rows(parts: Sequence[ReportRows], order: Sequence[str]) -> ReportRows:
    """Rows made in parts (by several reader processes) as one, their submissions in the
    ``order`` of their ids: what ``report_rows`` gives for the submissions in that order
    (a submission's own rows keep their order: the sort is stable)."""
    ids = pa.array(order, pa.string())

    def arrange(tables: list[pa.Table]) -> pa.Table:
        table = pa.concat_tables(tables)
        if table.num_rows <= 1:
            return table
        position = pc.index_in(table.column("submission_id"), value_set=ids)
        return table.take(pc.sort_indices(position))

    return ReportRows(arrange([p.submissions for p in parts]),
                      {name: arrange([p.children[name] for p in parts])
                       for name in CHILD_TABLES})


def _add_report(subs: _Columns, children: dict[str, _Columns], sub: Submission,
                report: ParsedReport | None, reason: str | None = None) -> None:
    if report is None:
        report = ParsedReport(file=sub.file_path, format="unknown")
        reason = sub.error or reason
    reason = reason or reject_reason(report)
    status = "rejected" if reason else "loaded"
    sid = sub.submission_id
    unit_code = sub.filed_unit_code or report.unit_code
    year = sub.filed_year if sub.filed_year is not None else report.year
    row = subs.lists
    for name, value in (
            ("submission_id", sid), ("file_path", sub.file_path),
            ("file_name", Path(sub.file_path).name), ("source_url", sub.source_url),
            ("sha256", sub.sha256), ("size_bytes", sub.size_bytes), ("format", report.format),
            ("encoding", report.encoding), ("filed_unit_code", sub.filed_unit_code),
            ("filed_year", sub.filed_year), ("unit_code", unit_code), ("report_year", year),
            ("unit_name_printed", report.unit_name), ("text_unit_code", report.unit_code),
            ("text_year", report.year), ("template", report.template),
            ("published_date", _iso_date(report.published)), ("title", report.title),
            ("reader_version", report.reader_version), ("status", status),
            ("reject_reason", reason)):
        row[name].append(value)
    key = (sid, unit_code, year)
    if status == "loaded":
        _add_cells(children["cells"], report, key)
    _add_narratives(children["narratives"], report, key)
    _add_figures(children["narrative_figures"], report, key)
    issues = [*report.issues, *sub.issues,
              *filing_issues(report, sub.filed_unit_code, sub.filed_year)]
    _add_issues(children["parse_issues"], issues, key)


def _add_key(table: _Columns, key: tuple, n: int) -> dict[str, list]:
    """Give a report's ``n`` rows their key; the table's column lists."""
    table.keys.append(key)
    table.counts.append(n)
    return table.lists


# the source of a cell without one: read as the others are (one kind of object, so that
# each attribute is read the fast way); its status is the cell's own (see below)
_NO_SOURCE = CellSource("", None, None, None, None, None)  # type: ignore[arg-type]


def _add_cells(table: _Columns, report: ParsedReport, key: tuple) -> None:
    """One row a cell code: the template's codes, then any other code the reader produced
    (sorted). The template's code columns are Arrow arrays built once
    (``_template_columns``); the rest is read column by column."""
    known, codes, arrays = _template_columns(report.template)
    cells, sources = report.cells, report.sources
    extra = (cells.keys() - known) | (sources.keys() - known)
    if extra:
        codes = (*codes, *sorted(extra))
        arrays = _code_arrays(codes)
    cols = _add_key(table, key, len(codes))
    for name, array in zip(_CODE_COLUMNS, arrays, strict=True):
        table.arrays.setdefault(name, []).append(array)
    get_source, get_cell = sources.get, cells.get
    srcs = [get_source(code, _NO_SOURCE) for code in codes]
    found = [get_cell(code) for code in codes]
    if len(sources) < len(codes):  # cells without a source: a value, or unseen
        statuses = [s.status if s is not _NO_SOURCE else "unseen" if value is None
                    else "value" for s, value in zip(srcs, found, strict=True)]
    else:
        statuses = [s.status for s in srcs]
    if statuses.count("value") == len(statuses):
        cols["value"].extend([None if value is None else float(value) for value in found])
    else:  # blank, unreadable: null
        cols["value"].extend([None if value is None or status != "value" else float(value)
                              for value, status in zip(found, statuses, strict=True)])
    cols["raw_text"].extend([s.raw for s in srcs])
    cols["location"].extend([s.location for s in srcs])
    cols["status"].extend(statuses)
    cols["note"].extend([s.note for s in srcs])
    cols["confidence"].extend([s.confidence for s in srcs])
    cols["confidence_reason"].extend([s.reason for s in srcs])


def _add_narratives(table: _Columns, report: ParsedReport, key: tuple) -> None:
    codes = sorted(report.sections)
    order = {code: i + 1 for i, code in enumerate(report.section_order)}
    cols = _add_key(table, key, len(codes))
    cols["section_code"].extend(codes)
    cols["position"].extend(order.get(c) for c in codes)
    cols["text"].extend(report.sections[c] for c in codes)


def _add_figures(table: _Columns, report: ParsedReport, key: tuple) -> None:
    figs = report.narrative_figures
    cols = _add_key(table, key, len(figs))
    cols["figure_no"].extend(range(1, len(figs) + 1))
    cols["phrase"].extend(f.phrase for f in figs)
    cols["value"].extend(None if f.value is None else float(f.value) for f in figs)
    cols["compared_with"].extend(f.compared_with for f in figs)
    cols["location"].extend(f.location for f in figs)


def _add_issues(table: _Columns, issues: Sequence[Issue], key: tuple) -> None:
    cols = _add_key(table, key, len(issues))
    cols["issue_no"].extend(range(1, len(issues) + 1))
    cols["issue_code"].extend(i.code for i in issues)
    cols["severity"].extend(i.severity for i in issues)
    cols["message_zh"].extend(i.message_zh for i in issues)
    cols["message_en"].extend(i.message_en for i in issues)
    cols["location"].extend(i.location for i in issues)


# ---------------------------------------------------------------------------------------------
# the writer: set-wise inserts, one re-confirming update, one version update
# ---------------------------------------------------------------------------------------------

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


class _Registered:
    """An Arrow table registered on a connection under a fresh name, for one block."""

    def __init__(self, con: duckdb.DuckDBPyConnection, data: pa.Table):
        self.con, self.data = con, data
        self.name = f"_rows_{uuid.uuid4().hex}"

    def __enter__(self) -> str:
        self.con.register(self.name, self.data)
        return self.name

    def __exit__(self, *exc) -> None:
        self.con.unregister(self.name)


def append_rows(con: duckdb.DuckDBPyConnection, rows: ReportRows, run_id: str | None,
                replacing: bool) -> None:
    """Write a batch of rows: one insert per table.

    With ``replacing`` (some of the batch's submission ids are in the warehouse already:
    read again by a newer reader) their old rows are deleted first, and a replaced
    submission keeps when it was first received and by which run.
    """
    if rows.count == 0:
        return
    cols = ", ".join(rows.submissions.column_names)
    picked = ", ".join(f"b.{c}" for c in rows.submissions.column_names)
    with _Registered(con, rows.submissions) as batch:
        kept = f"_kept_{uuid.uuid4().hex}"
        # identifiers only (tables of this package, fixed column names, generated names);
        # values come from the registered Arrow tables and parameters
        con.execute(f"create temp table {kept} as select submission_id, received_at, "
                    "first_run_id from submissions where false")
        try:
            if replacing:
                con.execute(f"insert into {kept} select s.submission_id, s.received_at, "
                            f"s.first_run_id from submissions s semi join {batch} b "
                            "on b.submission_id = s.submission_id")
                for table in (*CHILD_TABLES, "submissions"):
                    con.execute(f"delete from {table} where submission_id in "
                                f"(select submission_id from {batch})")
            con.execute(
                f"insert into submissions ({cols}, received_at, first_run_id, last_run_id, "
                f"is_current) select {picked}, coalesce(k.received_at, ?), "
                f"coalesce(k.first_run_id, ?), ?, false from {batch} b "
                f"left join {kept} k on k.submission_id = b.submission_id",
                [utc_now(), run_id, run_id])
        finally:
            con.execute(f"drop table {kept}")
    for table in CHILD_TABLES:
        data = rows.children[table]
        if data.num_rows:
            with _Registered(con, data) as name:
                names = ", ".join(data.column_names)
                con.execute(f"insert into {table} ({names}) select {names} from {name}")


# submissions written between two commits with commit_batches (~0.8 million cells)
COMMIT_EVERY = 4096


class Loader:
    """The load stage on the writer's side: batches of rows in, one transaction.

    Made with the run's submissions in discovery order; ``add`` writes a batch of rows as it
    comes; ``finish`` writes the submissions that could not be read, re-confirms the
    unchanged ones (one statement), settles the current version of every unit-year the run
    touched as loading them one by one in discovery order would (one statement) and commits.

    ``commit_batches`` commits as the batches are written instead (every ``COMMIT_EVERY``
    submissions): for a run's staging copy, which is published whole or thrown away, so the
    one transaction adds nothing but memory (DuckDB holds a transaction's rows until it
    commits: a 40,000-report run's 8 million cells would not fit the writer's memory budget).
    A commit per 256-report batch doubled the load's time; one per 4,096 reports costs little.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, subs: Sequence[Submission],
                 run_id: str | None, *, commit_batches: bool = False):
        self.con, self.run_id = con, run_id
        self.commit_batches = commit_batches
        self.uncommitted = 0  # submissions written since the last commit
        self.subs = list(subs)
        self.versions = _Versions.of(con)
        self.known = set(self.versions.before)
        self.written: dict[str, tuple[str | None, int | None, str, str, str | None]] = {}
        con.execute("begin transaction")

    def add(self, rows: ReportRows) -> None:
        """Write one batch of read submissions."""
        table = rows.submissions
        ids = table.column("submission_id").to_pylist()
        append_rows(self.con, rows, self.run_id, replacing=not self.known.isdisjoint(ids))
        for sid, unit, year, path, status, reason in zip(
                ids, *(table.column(c).to_pylist() for c in (
                    "unit_code", "report_year", "file_path", "status", "reject_reason")),
                strict=True):
            self.written[sid] = (unit, year, path, status, reason)
        self.uncommitted += table.num_rows
        if self.commit_batches and self.uncommitted >= COMMIT_EVERY:
            self.con.execute("commit")
            self.con.execute("begin transaction")
            self.uncommitted = 0

    def finish(self, *, commit: bool = True) -> LoadResult:
        """Write what is left, settle the versions, commit (unless the caller has more to
        write in the transaction); returns the counts."""
        failed = [s for s in _unique(self.subs) if s.error and s.submission_id not in self.written]
        if failed:
            self.add(report_rows((s, None) for s in failed))
        result = LoadResult()
        unchanged: list[str] = []
        order: list[tuple[str, bool]] = []  # (id, written by this run)
        for sub in _unique(self.subs):
            sid = sub.submission_id
            written = self.written.get(sid)
            if written is None:
                unchanged.append(sid)
                order.append((sid, False))
                result.unchanged += 1
                continue
            order.append((sid, True))
            if written[3] == "rejected":
                result.rejected += 1
                result.rejected_files.append({"file": sub.file_path, "reason": written[4]})
            else:
                result.loaded += 1
        if unchanged:
            with _Registered(self.con, pa.table({"submission_id": pa.array(
                    unchanged, pa.string())})) as name:
                self.con.execute(f"update submissions set last_run_id = ? where submission_id "
                                 f"in (select submission_id from {name})", [self.run_id])
        self.versions.settle(self.con, order, self.written)
        if commit:
            self.con.execute("commit")
        return result


def _unique(subs: Iterable[Submission]) -> Iterable[Submission]:
    """Submissions with repeats of an id left out (the same failure listed twice in a
    manifest)."""
    seen: set[str] = set()
    for sub in subs:
        if sub.submission_id not in seen:
            seen.add(sub.submission_id)
            yield sub


def load_submissions(con: duckdb.DuckDBPyConnection, subs: Sequence[Submission],
                     reports: dict[str, ParsedReport], run_id: str | None,
                     batch_size: int = 512, *, commit_batches: bool = False) -> LoadResult:
    """Write a run's submissions in one transaction; returns the counts by outcome.

    A submission with a parsed report in ``reports`` is written (loaded or rejected); one
    whose ``error`` says it could not be read is recorded as rejected; any other was loaded
    by an earlier run with the same bytes: it is re-confirmed, and made current again when
    its unit-year's current version was not discovered this time (a file changed back).
    ``commit_batches``: commit as the batches are written (``Loader``).
    """
    loader = Loader(con, subs, run_id, commit_batches=commit_batches)
    try:
        read = [s for s in _unique(subs) if not s.error and s.submission_id in reports]
        for start in range(0, len(read), batch_size):
            chunk = read[start:start + batch_size]
            loader.add(report_rows((s, reports[s.submission_id]) for s in chunk))
        return loader.finish()
    except Exception:
        con.execute("rollback")
        raise


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
    is_current: bool = True,
    extra_issues: Sequence[Issue] = (),
    reject: str | None = None,
) -> str:
    """Write one submitted file to the warehouse; returns its status (``loaded``/``rejected``).

    The rows are those of ``report_rows``; an explicit ``reject`` reason rejects the report
    whatever it holds. Writing a submission id that already exists replaces its rows (same
    id = same bytes and filed unit-year) but keeps when it was first received. With
    ``is_current`` a loaded submission becomes the current version of its unit-year (see
    ``versions.promote``); a rejected one never replaces a loaded version.
    """
    sub = Submission(file_path, None, sha256, size_bytes, filed_unit_code, filed_year,
                     source_url=source_url, issues=list(extra_issues))
    subs = _Columns(_SUBMISSION_TYPES)
    children = {table: _Columns(types) for table, types in _CHILD_TYPES.items()}
    _add_report(subs, children, sub, report, reject)
    # the id is the caller's (tests and tools name their own)
    table = subs.table().set_column(0, "submission_id",
                                    pa.array([submission_id], pa.string()))
    rows = ReportRows(table, {t: _with_id(c.table(), submission_id)
                              for t, c in children.items()})
    known = con.execute("select count(*) from submissions where submission_id = ?",
                        [submission_id]).fetchall()[0][0]
    append_rows(con, rows, run_id, replacing=bool(known))
    status = table.column("status")[0].as_py()
    if status == "loaded" and is_current:
        from gongkai.warehouse.versions import promote

        promote(con, submission_id)
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
) -> str:
    """Record a submission that could not even be read (e.g. a failed download) as rejected."""
    empty = ParsedReport(file=file_path, format="unknown")
    return insert_report(
        con, empty, submission_id=submission_id, sha256=sha256, size_bytes=size_bytes,
        file_path=file_path, filed_unit_code=filed_unit_code, filed_year=filed_year,
        run_id=run_id, source_url=source_url, extra_issues=issues, reject=reason,
    )


def _with_id(table: pa.Table, submission_id: str) -> pa.Table:
    index = table.column_names.index("submission_id")
    return table.set_column(index, "submission_id",
                            pa.array([submission_id] * table.num_rows, pa.string()))


# ---------------------------------------------------------------------------------------------
# which version of a unit-year is current, settled once for the run
# ---------------------------------------------------------------------------------------------

def _key(unit_code: str | None, report_year: int | None, file_path: str) -> tuple:
    """A submission's version key: its unit-year, or its file when either is unknown."""
    if unit_code is not None and report_year is not None:
        return ("unit-year", unit_code, report_year)
    return ("file", file_path)


class _Versions:
    """The current versions before the run, and the run's changes to them.

    ``settle`` replays, on plain dicts, what loading the run's submissions one at a time in
    discovery order did (``versions.promote`` for each loaded one; an unchanged one promoted
    again when its unit-year's current version was not discovered), then writes the flags
    that changed with one statement.
    """

    def __init__(self, rows: list[tuple]):
        # before the run: every submission's key and status, the current ones by key
        self.before = {sid: (_key(unit, year, path), status)
                       for sid, unit, year, path, status, _ in rows}
        self.current: dict[tuple, list[str]] = {}
        for sid, unit, year, path, status, is_current in rows:
            if status == "loaded" and is_current:
                self.current.setdefault(_key(unit, year, path), []).append(sid)

    @classmethod
    def of(cls, con: duckdb.DuckDBPyConnection) -> _Versions:
        """The versions of a warehouse as they are now."""
        return cls(con.execute("select submission_id, unit_code, report_year, file_path, "
                               "status, is_current from submissions").fetchall())

    def settle(self, con: duckdb.DuckDBPyConnection, order: list[tuple[str, bool]],
               written: dict[str, tuple]) -> None:
        """Replay the run (ids in discovery order, each with whether this run wrote it) and
        write the resulting ``is_current`` and ``superseded_by``."""
        flags: dict[str, tuple[bool, str | None]] = {}
        discovered = {sid for sid, _ in order}

        def promote(sid: str, key: tuple) -> None:
            for other in self.current.get(key, ()):
                if other != sid:
                    flags[other] = (False, sid)
            self.current[key] = [sid]
            flags[sid] = (True, None)

        for sid, is_written in order:
            if is_written:
                old = self.before.get(sid)
                if old is not None and sid in self.current.get(old[0], ()):
                    self.current[old[0]].remove(sid)  # its row was replaced
                unit, year, path, status, _ = written[sid]
                flags[sid] = (False, None)
                if status == "loaded":
                    promote(sid, _key(unit, year, path))
                continue
            if sid not in self.before:
                continue  # neither read nor in the warehouse: nothing to confirm
            key, status = self.before[sid]
            now = sorted(self.current.get(key, ()))
            if (not now or now[0] not in discovered) and status == "loaded":
                promote(sid, key)
        if not flags:
            return
        ids = sorted(flags)
        data = pa.table({
            "submission_id": pa.array(ids, pa.string()),
            "is_current": pa.array([flags[s][0] for s in ids], pa.bool_()),
            "superseded_by": pa.array([flags[s][1] for s in ids], pa.string()),
        })
        with _Registered(con, data) as name:
            con.execute(f"update submissions s set is_current = f.is_current, "
                        f"superseded_by = f.superseded_by from {name} f "
                        "where s.submission_id = f.submission_id")
