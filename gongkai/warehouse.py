"""The DuckDB warehouse: schema, unit registry, and loading parsed reports.

One writer builds the warehouse. ``create_schema`` runs every ``sql/schema/*.sql`` file in
name order, then every ``sql/marts/*.sql`` view. ``insert_report`` writes one submitted file:
its ``submissions`` row plus cells, narratives, narrative figures and parse issues. Every
statement is parameterised; rows are handed to DuckDB as Arrow tables, never as SQL text.

Versioning: the (unit_code, report_year) of a loaded submission is its *version key* (the
file path when either is unknown). Loading a new submission for a key that already has a
current one marks the old one ``is_current = false`` with ``superseded_by`` set. A rejected
submission never replaces a loaded one: it is kept for the record with ``is_current = false``.

Publishing (used by the flow): ``stage_copy`` copies the published file next to itself,
the run builds the copy, and ``publish`` checkpoints, closes and renames it into place, so
analysts' read-only connections keep working and a crash leaves the published file intact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from gongkai import template as tpl
from gongkai.model import Issue, ParsedReport
from gongkai.paths import SQL_DIR
from gongkai.units import Registry

SUBMISSION_STATUSES = ("loaded", "rejected")
CELL_STATUSES = ("value", "blank", "unreadable", "unseen")

# tables that carry report_year and are exported to Parquet partitioned by it
PARTITIONED_TABLES = ("submissions", "cells", "narratives", "narrative_figures", "parse_issues",
                      "findings")
# small tables exported to Parquet as a single file each
PLAIN_TABLES = ("units", "runs", "check_runs")


# ---------------------------------------------------------------------------------------------
# schema
# ---------------------------------------------------------------------------------------------

def schema_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    """The schema files then the mart files, each group in file-name order."""
    schema = sorted((sql_dir / "schema").glob("*.sql"))
    marts = sorted((sql_dir / "marts").glob("*.sql"))
    return schema + marts


def create_schema(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> None:
    """Create every table (``sql/schema/*.sql``) and analyst view (``sql/marts/*.sql``).

    Also fills the ``cell_codes`` reference table from the template spec. Safe to run on an
    existing warehouse: tables use ``if not exists``, views ``create or replace``.
    """
    for path in schema_files(sql_dir):
        con.execute(path.read_text(encoding="utf-8"))
    load_cell_codes(con)


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file (creating the schema when opened for writing)."""
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        create_schema(con)
    return con


def frame(path: str | Path, sql: str, params: list | dict | None = None) -> pl.DataFrame:
    """Run one query on a published warehouse, read-only, and return a Polars DataFrame.

    For analysts working in Python: ``frame("warehouse/gongkai.duckdb", "select * from v_t3
    where report_year = ?", [2024])``. Parameters are bound, never formatted into the SQL;
    null cells stay null (blank is not zero).
    """
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql, params=params).pl()
    finally:
        con.close()


def _sql_path(path: Path) -> str:
    """A file path as a SQL string literal (COPY takes no parameter for its target)."""
    return "'" + str(path).replace("'", "''") + "'"


def _insert_arrow(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, pa.Array],
                  buffer: RowBuffer | None = None) -> None:
    """Insert rows given as Arrow columns into ``table`` (now, or at ``buffer.flush``)."""
    data = pa.table(columns)
    if data.num_rows == 0:
        return
    if buffer is not None:
        buffer.add(table, data)
        return
    name = f"_rows_{uuid.uuid4().hex}"
    con.register(name, data)
    try:
        cols = ", ".join(data.column_names)
        # identifiers only (a table name from this module and fixed column names); values are
        # read from the registered Arrow table, never interpolated
        con.execute(f"insert into {table} ({cols}) select {cols} from {name}")
    finally:
        con.unregister(name)


class RowBuffer:
    """Child rows of many submissions, written with one insert per table on ``flush``.

    Loading a few hundred reports one insert at a time spends most of its time in per-insert
    overhead; the flow buffers a batch of reports and flushes it.
    """

    def __init__(self) -> None:
        self._tables: dict[str, list[pa.Table]] = {}

    def add(self, table: str, data: pa.Table) -> None:
        """Queue rows for ``table``."""
        self._tables.setdefault(table, []).append(data)

    def pending(self) -> int:
        """The number of rows waiting."""
        return sum(t.num_rows for parts in self._tables.values() for t in parts)

    def flush(self, con: duckdb.DuckDBPyConnection) -> None:
        """Write every queued row and empty the buffer."""
        tables, self._tables = self._tables, {}
        for table in sorted(tables):
            data = pa.concat_tables(tables[table])
            _insert_arrow(con, table, {n: data.column(n) for n in data.column_names})


# ---------------------------------------------------------------------------------------------
# units
# ---------------------------------------------------------------------------------------------

def load_units(con: duckdb.DuckDBPyConnection, registry: Registry) -> int:
    """Replace the ``units`` table with the registry's units; returns the number of units."""
    units = sorted(registry.units, key=lambda u: u.code)
    con.execute("delete from units")
    _insert_arrow(con, "units", {
        "unit_code": pa.array([u.code for u in units], pa.string()),
        "name": pa.array([u.name for u in units], pa.string()),
        "short_name": pa.array([u.short_name or None for u in units], pa.string()),
        "unit_type": pa.array([u.type or None for u in units], pa.string()),
        "peer_group": pa.array([u.peer_group for u in units], pa.string()),
        "city": pa.array([u.city or None for u in units], pa.string()),
        "valid_from": pa.array([u.valid_from for u in units], pa.int32()),
        "valid_to": pa.array([u.valid_to for u in units], pa.int32()),
        "aliases": pa.array([";".join(u.aliases) or None for u in units], pa.string()),
        "note": pa.array([u.note or None for u in units], pa.string()),
    })
    return len(units)


# ---------------------------------------------------------------------------------------------
# cell codes and the wide views
# ---------------------------------------------------------------------------------------------

WIDE_TABLES = ("t2", "t3", "t4")


def wide_column(cell_code: str) -> str:
    """The column of a cell code in the wide views: dots become double underscores.

    ``t3.denied.state_secret.natural`` → ``t3__denied__state_secret__natural`` (codes use
    single underscores inside words, so the mapping is reversible).
    """
    return cell_code.replace(".", "__")


def cell_code_rows() -> list[dict]:
    """Every cell code of either template version with its labels, in template order."""
    labels: dict[str, tuple[str, str]] = {}
    versions: dict[str, set[str]] = {}
    for version in tpl.VERSIONS:
        t = tpl.get(version)
        for block in t.t2_blocks:
            for row in block.rows:
                for col in block.cols:
                    labels.setdefault(f"t2.{row.code}.{col.code}", (row.labels[0], col.labels[0]))
        for row in t.t3_rows:
            for col in t.t3_cols:
                labels.setdefault(f"t3.{row.code}.{col.code}", (row.labels[0], col.labels[0]))
        for block in t.t4_blocks:
            for col in t.t4_cols:
                labels.setdefault(f"t4.{block.code}.{col.code}", (block.labels[0], col.labels[0]))
        for code in t.cell_codes:
            versions.setdefault(code, set()).add(version)
    out = []
    for position, code in enumerate(tpl.all_codes(), start=1):
        table, row, col = _split_code(code)
        row_label, col_label = labels.get(code, (None, None))
        out.append({
            "cell_code": code, "table_code": table, "row_code": row, "col_code": col,
            "position": position, "wide_column": wide_column(code),
            "row_label": row_label, "col_label": col_label,
            "in_v2019": "v2019" in versions[code], "in_v2021": "v2021" in versions[code],
            "is_money": tpl.get("v2021").is_money(code),
        })
    return out


def load_cell_codes(con: duckdb.DuckDBPyConnection) -> int:
    """Replace the ``cell_codes`` reference table with the template's codes; returns the count."""
    rows = cell_code_rows()
    con.execute("delete from cell_codes")
    types = {"position": pa.int32(), "in_v2019": pa.bool_(), "in_v2021": pa.bool_(),
             "is_money": pa.bool_()}
    _insert_arrow(con, "cell_codes", {
        name: pa.array([r[name] for r in rows], types.get(name, pa.string()))
        for name in rows[0]
    })
    return len(rows)


def wide_view_sql(table_code: str) -> str:
    """The SQL of the wide view ``v_<table_code>`` (one row per current unit-year).

    The files ``sql/marts/20_v_t2.sql`` … are this function's output; a test keeps them in
    step with the template spec (regenerate with ``make marts``).
    """
    if table_code not in WIDE_TABLES:
        raise ValueError(f"no wide view for table {table_code!r}")
    codes = [r for r in cell_code_rows() if r["table_code"] == table_code]
    pivots = "\n".join(
        f"        max(value) filter (where cell_code = '{r['cell_code']}') as {r['wide_column']},"
        for r in codes
    )
    return f"""-- v_{table_code} (generated by gongkai.warehouse.wide_view_sql; regenerate with `make marts`)
-- grain: one row per current loaded submission, i.e. per unit-year (a submission whose unit is
-- unknown has its own row with a null unit_code)
-- One column per cell code of table {table_code[1]} in either template version, named by
-- gongkai.warehouse.wide_column ('.' → '__'). Null means blank, unreadable, unseen, or not in
-- this submission's template: blank is not zero (see v_current_cells.status).
create or replace view v_{table_code} as
with

current_cells as (
    select * from v_current_cells
    where table_code = '{table_code}'
),

pivoted as (
    select
        submission_id,
{pivots}
    from current_cells
    group by submission_id
),

final as (
    select
        s.unit_code,
        u.name as unit_name,
        u.peer_group,
        s.report_year,
        s.template,
        s.submission_id,
        p.* exclude (submission_id),
    from submissions as s
    inner join pivoted as p on p.submission_id = s.submission_id
    left join units as u on u.unit_code = s.unit_code
)

select * from final
order by report_year, unit_code, submission_id;
"""


def write_wide_views(sql_dir: Path = SQL_DIR) -> list[Path]:
    """Write ``sql/marts/20_v_t2.sql``, ``20_v_t3.sql``, ``20_v_t4.sql`` from the template."""
    out = []
    for table_code in WIDE_TABLES:
        path = sql_dir / "marts" / f"20_v_{table_code}.sql"
        path.write_text(wide_view_sql(table_code), encoding="utf-8")
        out.append(path)
    return out


DOCS_BEGIN = "<!-- cell-columns:begin -->"
DOCS_END = "<!-- cell-columns:end -->"


def cell_columns_markdown() -> str:
    """The Markdown table of every wide-view column (for docs/warehouse.md)."""
    lines = ["| column | cell code | view | row (行) | column (列) | versions |",
             "|---|---|---|---|---|---|"]
    for r in cell_code_rows():
        versions = "/".join(v for v in ("v2019", "v2021") if r[f"in_{v}"])
        money = " (万元)" if r["is_money"] else ""
        lines.append(f"| `{r['wide_column']}` | `{r['cell_code']}` | `v_{r['table_code']}` | "
                     f"{r['row_label'] or ''} | {r['col_label'] or ''}{money} | {versions} |")
    return "\n".join(lines) + "\n"


def write_docs_cell_columns(path: Path) -> None:
    """Refresh the generated cell-column list between the markers of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(DOCS_BEGIN, 1)
    _, tail = rest.split(DOCS_END, 1)
    path.write_text(f"{head}{DOCS_BEGIN}\n{cell_columns_markdown()}{DOCS_END}{tail}",
                    encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# submissions
# ---------------------------------------------------------------------------------------------

def submission_id_for(sha256: str, filed_unit_code: str | None, filed_year: int | None) -> str:
    """The stable id of a submission: a hash of its bytes' sha256 and its filed unit-year.

    The same bytes filed for another unit or year are another submission.
    """
    key = f"{sha256}|{filed_unit_code or ''}|{filed_year if filed_year is not None else ''}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def reject_reason(report: ParsedReport) -> str | None:
    """Why a parsed report cannot be loaded, or None when it can.

    A report is unusable when no template table was recognised or no table cell was read;
    the reason quotes the reader's first error issue when there is one.
    """
    if report.template is not None and report.is_readable:
        return None
    errors = [i for i in report.issues if i.severity == "error"]
    if errors:
        first = errors[0]
        return f"{first.message_en} ({first.code})"
    if report.template is None:
        return "no report table of a known template version was found"
    return "no table cell could be read"


def _split_code(code: str) -> tuple[str, str, str]:
    """``t3.denied.state_secret.natural`` → (``t3``, ``denied.state_secret``, ``natural``)."""
    parts = code.split(".")
    return parts[0], ".".join(parts[1:-1]), parts[-1]


def _iso_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _consistency_issues(report: ParsedReport, filed_unit_code: str | None,
                        filed_year: int | None) -> list[Issue]:
    """Issues for a filed unit or year that disagrees with what the report's text says."""
    out = []
    if filed_unit_code and report.unit_code and filed_unit_code != report.unit_code:
        out.append(Issue(
            "filed_unit_mismatch", "warning",
            f"报送单位（{filed_unit_code}）与报告正文所写单位（{report.unit_name or report.unit_code}"
            f"，{report.unit_code}）不一致；以报送单位为准",
            f"filed unit {filed_unit_code} differs from the unit in the text "
            f"({report.unit_name or ''} {report.unit_code}); the filed unit is used",
        ))
    if filed_year is not None and report.year is not None and filed_year != report.year:
        out.append(Issue(
            "filed_year_mismatch", "warning",
            f"报送年度（{filed_year}）与报告正文所写年度（{report.year}）不一致；以报送年度为准",
            f"filed year {filed_year} differs from the year in the text ({report.year}); "
            "the filed year is used",
        ))
    return out


def _version_key_filter(unit_code: str | None, report_year: int | None,
                        file_path: str) -> tuple[str, list]:
    """The SQL condition and parameters selecting submissions of the same version key."""
    if unit_code is not None and report_year is not None:
        return "unit_code = ? and report_year = ?", [unit_code, report_year]
    return "(unit_code is null or report_year is null) and file_path = ?", [file_path]


def promote(con: duckdb.DuckDBPyConnection, submission_id: str) -> bool:
    """Make a loaded submission the current version of its unit-year.

    The previously current version (if any) gets ``is_current = false`` and
    ``superseded_by`` = this submission. Returns False for a rejected or unknown submission.
    """
    rows = con.execute(
        "select unit_code, report_year, file_path, status from submissions where submission_id = ?",
        [submission_id],
    ).fetchall()
    if not rows or rows[0][3] != "loaded":
        return False
    _promote(con, submission_id, *rows[0][:3])
    return True


def _promote(con: duckdb.DuckDBPyConnection, submission_id: str, unit_code: str | None,
             report_year: int | None, file_path: str) -> None:
    """``promote`` for a loaded submission whose version key is known: one statement."""
    where, params = _version_key_filter(unit_code, report_year, file_path)
    con.execute(
        "update submissions set "
        "is_current = (submission_id = ?), "
        "superseded_by = case when submission_id = ? then null else ? end "
        f"where submission_id = ? or (status = 'loaded' and is_current and {where})",
        [submission_id, submission_id, submission_id, submission_id, *params],
    )


def current_of(con: duckdb.DuckDBPyConnection, submission_id: str) -> str | None:
    """The current loaded submission of the same version key as ``submission_id`` (or None)."""
    rows = con.execute(
        "select unit_code, report_year, file_path from submissions where submission_id = ?",
        [submission_id],
    ).fetchall()
    if not rows:
        return None
    row = rows[0]
    where, params = _version_key_filter(*row)
    hits = con.execute(
        f"select submission_id from submissions where status = 'loaded' and is_current and {where} "
        "order by submission_id limit 1",
        params,
    ).fetchall()
    return hits[0][0] if hits else None


def known_submissions(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """Every submission id in the warehouse with the reader version that produced it."""
    return dict(con.execute("select submission_id, reader_version from submissions").fetchall())


def touch_submission(con: duckdb.DuckDBPyConnection, submission_id: str, run_id: str) -> None:
    """Record that a run saw an unchanged submission again."""
    con.execute("update submissions set last_run_id = ? where submission_id = ?",
                [run_id, submission_id])


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

    An unusable report (see ``reject_reason``) or an explicit ``reject`` reason gives a
    ``rejected`` row that keeps its issues and never replaces a loaded version. Writing a
    submission id that already exists replaces its rows (same id = same bytes and filed
    unit-year) but keeps when it was first received. With ``is_current`` a loaded submission
    becomes the current version of its unit-year (see ``promote``). With a ``buffer`` the
    cells, narratives, figures and issues are written when the buffer is flushed (flush
    before the same submission id is written again).
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
    previous = found[0] if found else None
    if previous is not None:
        received_at = previous[0]
        first_run_id = previous[1]
        con.execute("delete from submissions where submission_id = ?", [submission_id])
        _delete_children(con, submission_id)
    else:
        received_at = received_at or _now()
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

    key = (submission_id, unit_code, report_year)
    if status == "loaded":
        _insert_cells(con, report, *key, buffer)
    _insert_narratives(con, report, *key, buffer)
    _insert_figures(con, report, *key, buffer)
    issues = [*report.issues, *extra_issues,
              *_consistency_issues(report, filed_unit_code, filed_year)]
    _insert_issues(con, issues, *key, buffer)

    if status == "loaded" and is_current:
        _promote(con, submission_id, unit_code, report_year, file_path)
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


def _cell_codes(report: ParsedReport) -> list[str]:
    """The template's cell codes, then any other code the reader produced (sorted)."""
    codes = list(tpl.get(report.template).cell_codes) if report.template in tpl.VERSIONS else []
    known = set(codes)
    extra = sorted((set(report.cells) | set(report.sources)) - known)
    return codes + extra


def _insert_cells(con, report: ParsedReport, submission_id: str, unit_code, report_year, buffer=None) -> None:
    codes = _cell_codes(report)
    values, raws, locations, statuses, notes = [], [], [], [], []
    for code in codes:
        value = report.cells.get(code)
        source = report.sources.get(code)
        if source is not None:
            status = source.status
            raws.append(source.raw)
            locations.append(source.location)
            notes.append(source.note)
        else:
            status = "value" if value is not None else "unseen"
            raws.append("")
            locations.append(None)
            notes.append(None)
        if status != "value":
            value = None  # blank and unreadable cells stay null, never 0
        values.append(None if value is None else float(value))
        statuses.append(status)
    parts = [_split_code(c) for c in codes]
    n = len(codes)
    _insert_arrow(con, "cells", buffer=buffer, columns={
        "submission_id": pa.array([submission_id] * n, pa.string()),
        "unit_code": pa.array([unit_code] * n, pa.string()),
        "report_year": pa.array([report_year] * n, pa.int32()),
        "cell_code": pa.array(codes, pa.string()),
        "table_code": pa.array([p[0] for p in parts], pa.string()),
        "row_code": pa.array([p[1] for p in parts], pa.string()),
        "col_code": pa.array([p[2] for p in parts], pa.string()),
        "value": pa.array(values, pa.float64()),
        "raw_text": pa.array(raws, pa.string()),
        "location": pa.array(locations, pa.string()),
        "status": pa.array(statuses, pa.string()),
        "note": pa.array(notes, pa.string()),
    })


def _insert_narratives(con, report: ParsedReport, submission_id, unit_code, report_year, buffer=None) -> None:
    codes = sorted(report.sections)
    order = {code: i + 1 for i, code in enumerate(report.section_order)}
    n = len(codes)
    _insert_arrow(con, "narratives", buffer=buffer, columns={
        "submission_id": pa.array([submission_id] * n, pa.string()),
        "unit_code": pa.array([unit_code] * n, pa.string()),
        "report_year": pa.array([report_year] * n, pa.int32()),
        "section_code": pa.array(codes, pa.string()),
        "position": pa.array([order.get(c) for c in codes], pa.int32()),
        "text": pa.array([report.sections[c] for c in codes], pa.string()),
    })


def _insert_figures(con, report: ParsedReport, submission_id, unit_code, report_year, buffer=None) -> None:
    figs = report.narrative_figures
    n = len(figs)
    _insert_arrow(con, "narrative_figures", buffer=buffer, columns={
        "submission_id": pa.array([submission_id] * n, pa.string()),
        "unit_code": pa.array([unit_code] * n, pa.string()),
        "report_year": pa.array([report_year] * n, pa.int32()),
        "figure_no": pa.array(range(1, n + 1), pa.int32()),
        "phrase": pa.array([f.phrase for f in figs], pa.string()),
        "value": pa.array([None if f.value is None else float(f.value) for f in figs],
                          pa.float64()),
        "compared_with": pa.array([f.compared_with for f in figs], pa.string()),
        "location": pa.array([f.location for f in figs], pa.string()),
    })


def _insert_issues(con, issues: Sequence[Issue], submission_id, unit_code, report_year, buffer=None) -> None:
    n = len(issues)
    _insert_arrow(con, "parse_issues", buffer=buffer, columns={
        "submission_id": pa.array([submission_id] * n, pa.string()),
        "unit_code": pa.array([unit_code] * n, pa.string()),
        "report_year": pa.array([report_year] * n, pa.int32()),
        "issue_no": pa.array(range(1, n + 1), pa.int32()),
        "issue_code": pa.array([i.code for i in issues], pa.string()),
        "severity": pa.array([i.severity for i in issues], pa.string()),
        "message_zh": pa.array([i.message_zh for i in issues], pa.string()),
        "message_en": pa.array([i.message_en for i in issues], pa.string()),
        "location": pa.array([i.location for i in issues], pa.string()),
    })


# ---------------------------------------------------------------------------------------------
# runs
# ---------------------------------------------------------------------------------------------

def start_run(con: duckdb.DuckDBPyConnection, run_id: str, *, source: str, years: str | None,
              reader_version: str | None) -> None:
    """Insert the ``runs`` row of a run that is starting."""
    con.execute("delete from runs where run_id = ?", [run_id])
    con.execute(
        "insert into runs (run_id, started_at, source, years, reader_version) values (?, ?, ?, ?, ?)",
        [run_id, _now(), source, years, reader_version],
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, *, files_seen: int, files_read: int,
               files_unchanged: int, files_rejected: int) -> None:
    """Record a run's counts and finishing time."""
    con.execute(
        "update runs set finished_at = ?, files_seen = ?, files_read = ?, files_unchanged = ?, "
        "files_rejected = ? where run_id = ?",
        [_now(), files_seen, files_read, files_unchanged, files_rejected, run_id],
    )


# ---------------------------------------------------------------------------------------------
# publishing
# ---------------------------------------------------------------------------------------------

def stage_copy(published: str | Path, run_id: str) -> Path:
    """Copy the published warehouse (if any) to a temporary file next to it; returns its path.

    The run builds this copy; the published file is never opened for writing.
    """
    published = Path(published)
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(f".{published.name}.{run_id}.tmp")
    discard(staging)
    if published.exists():
        shutil.copyfile(published, staging)
        wal = published.with_name(published.name + ".wal")
        if wal.exists():  # left by a writer that did not checkpoint: keep its changes
            shutil.copyfile(wal, staging.with_name(staging.name + ".wal"))
    return staging


def discard(staging: str | Path) -> None:
    """Remove a staging file (and its write-ahead log) left by a failed run."""
    staging = Path(staging)
    for path in (staging, staging.with_name(staging.name + ".wal")):
        if path.exists():
            path.unlink()


def publish(staging: str | Path, published: str | Path) -> None:
    """Checkpoint the staging file and rename it over the published one (atomic on POSIX)."""
    staging, published = Path(staging), Path(published)
    con = duckdb.connect(str(staging))
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    wal = staging.with_name(staging.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} remains after checkpoint; not publishing")
    os.replace(staging, published)
    # a log left beside the old file belongs to it (its changes were copied and checkpointed
    # into the new one); replayed onto the new file it would corrupt it
    published.with_name(published.name + ".wal").unlink(missing_ok=True)


def parquet_dir(published: str | Path) -> Path:
    """The Parquet export folder beside a warehouse file (``gongkai.duckdb`` → ``parquet/``)."""
    return Path(published).with_name("parquet")


def export_parquet(warehouse: str | Path, out_dir: str | Path,
                   tables: Iterable[str] | None = None) -> Path:
    """Export the warehouse's tables to Parquet, swapping the folder in when complete.

    Tables with ``report_year`` are partitioned by it (``cells/report_year=2019/…``); the
    small tables become one file each. The previous export stays in place until the new
    one is written.
    """
    out_dir = Path(out_dir)
    building = out_dir.with_name(f".{out_dir.name}.building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        present = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()}
        wanted = set(tables) if tables is not None else None
        for table in PARTITIONED_TABLES + PLAIN_TABLES:
            if table not in present or (wanted is not None and table not in wanted):
                continue
            rows = con.execute(f"select count(*) from {table}").fetchall()[0][0]
            if rows == 0:
                continue
            target = building / table
            if table in PARTITIONED_TABLES:
                con.execute(
                    f"copy (select * from {table}) to {_sql_path(target)} "
                    "(format parquet, partition_by (report_year), compression zstd)"
                )
            else:
                target.mkdir()
                con.execute(
                    f"copy (select * from {table}) to {_sql_path(target / (table + '.parquet'))} "
                    "(format parquet, compression zstd)"
                )
    finally:
        con.close()
    old = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(building, out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return out_dir
