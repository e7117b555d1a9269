"""Read submissions as the warehouse's rows: one Arrow table per table (``ReportRows``).

Made where the files are read (a reader process of ``gongkai.read.pool``, a Dask worker), so
what travels to the one writer is a few columnar tables, not report objects; the writer's
side is ``gongkai.warehouse.load``. Outside the warehouse package, so that a reader process
imports Arrow but not DuckDB and the rest of the warehouse (about 50 MB a process).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gongkai import template as tpl
from gongkai.model import CellSource, Issue, ParsedReport
from gongkai.read.pool import Job
from gongkai.read.verdict import filing_issues, reject_reason, year_unknown_issue
from gongkai.sources import Submission
from gongkai.template import split_code

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


def one_report_rows(sub: Submission, report: ParsedReport | None,
                    reason: str | None = None) -> ReportRows:
    """The rows of one submission (``report_rows``), rejected with ``reason`` when given
    whatever the report holds."""
    subs = _Columns(_SUBMISSION_TYPES)
    children = {table: _Columns(types) for table, types in _CHILD_TYPES.items()}
    _add_report(subs, children, sub, report, reason)
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
    parts = [p for p in parts if p.count] or list(parts[:1])
    positions = [pc.index_in(p.submissions.column("submission_id"), value_set=ids)
                 .to_numpy(zero_copy_only=False) for p in parts]
    # a reader's batch is a run of consecutive submissions: the parts put in the order of
    # their first submission are then the rows in order already, joined without a sort (the
    # sort below would leave them as they are) into one chunk a column: DuckDB inserts a
    # table of 64 chunks a column at half the speed of one chunk (0.22 vs 0.11 ms of CPU a
    # report)
    ranked = sorted(range(len(parts)), key=lambda i: positions[i][0] if len(positions[i])
                    else -1)
    joined = np.concatenate([positions[i] for i in ranked]) if parts else np.array([])
    if not len(joined) or (np.diff(joined) > 0).all():
        parts = [parts[i] for i in ranked]
        return ReportRows(pa.concat_tables([p.submissions for p in parts]).combine_chunks(),
                          {name: pa.concat_tables([p.children[name] for p in parts])
                           .combine_chunks() for name in CHILD_TABLES})

    def arrange(tables: list[pa.Table]) -> pa.Table:
        table = pa.concat_tables(tables)
        if table.num_rows <= 1:
            return table.combine_chunks()
        position = pc.index_in(table.column("submission_id"), value_set=ids)
        return table.take(pc.sort_indices(position)).combine_chunks()

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
