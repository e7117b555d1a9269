"""Versions of a unit-year: which loaded submission is current.

The (unit_code, report_year) of a loaded submission is its *version key* (the file path when
either is unknown). Loading a new submission for a key that already has a current one marks
the old one ``is_current = false`` with ``superseded_by`` set. A rejected submission never
replaces a loaded one: it is kept for the record with ``is_current = false``.

After a run has loaded its files, ``choose_current`` settles every unit-year it saw by one
rule, whatever order the files were found or loaded in: a readable file over an unreadable
one, then the newest file time, then the last by name; the row says why
(``current_reason``). ``record_duplicates`` writes the files that are byte-identical copies of
another (status ``duplicate``, ``duplicate_of``): they are never read and never current.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import pyarrow as pa

from gongkai.sources import Submission
from gongkai.warehouse.rows import insert_table
from gongkai.warehouse.runs import utc_now


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
    promote_key(con, submission_id, *rows[0][:3])
    return True


def promote_key(con: duckdb.DuckDBPyConnection, submission_id: str, unit_code: str | None,
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
    where, params = _version_key_filter(*rows[0])
    hits = con.execute(
        f"select submission_id from submissions where status = 'loaded' and is_current and {where} "
        "order by submission_id limit 1",
        params,
    ).fetchall()
    return hits[0][0] if hits else None


def make_all_current(con: duckdb.DuckDBPyConnection, submission_ids: list[str]) -> None:
    """Make every given loaded submission current, even two versions of one unit-year.

    For ``gongkai check``: every file given is checked, so loading a second draft of a
    unit-year must not hide the first.
    """
    con.execute(
        "update submissions set is_current = true, superseded_by = null "
        "where status = 'loaded' and list_contains(?, submission_id)",
        [submission_ids],
    )


def known_submissions(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """Every submission id in the warehouse with the reader version that produced it."""
    return dict(con.execute("select submission_id, reader_version from submissions").fetchall())


def touch_submission(con: duckdb.DuckDBPyConnection, submission_id: str, run_id: str) -> None:
    """Record that a run saw an unchanged submission again."""
    con.execute("update submissions set last_run_id = ? where submission_id = ?",
                [run_id, submission_id])


def _utc(seconds: float | None) -> dt.datetime | None:
    """A file time (seconds since the epoch) as the warehouse's naive UTC timestamp."""
    if seconds is None:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)


def record_duplicates(con: duckdb.DuckDBPyConnection, subs: Sequence[Submission],
                      run_id: str | None) -> int:
    """Write a ``duplicate`` row for each submission that duplicates another; returns how many.

    The row carries the original's format, unit and year (its own filed unit and year when
    it has them) and ``duplicate_of``; it has no cells and is never current. A duplicate seen
    again keeps when it was first received.
    """
    dups = [s for s in subs if s.duplicate_of]
    for sub in dups:
        sid = sub.submission_id
        found = con.execute("select received_at, first_run_id from submissions "
                            "where submission_id = ?", [sid]).fetchall()
        received_at, first_run_id = found[0] if found else (utc_now(), run_id)
        con.execute("delete from submissions where submission_id = ?", [sid])
        name = sub.file_path.rsplit("/", 1)[-1]
        params = [sid, sub.file_path, name, sub.source_url, sub.sha256, sub.size_bytes,
                  received_at, sub.filed_unit_code, sub.filed_year, sub.filed_unit_code,
                  sub.filed_year, first_run_id, run_id, sub.duplicate_of, _utc(sub.mtime)]
        con.execute(
            "insert into submissions (submission_id, file_path, file_name, source_url, sha256, "
            "size_bytes, received_at, filed_unit_code, filed_year, unit_code, report_year, "
            "first_run_id, last_run_id, duplicate_of, file_mtime, status, is_current) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'duplicate', false)",
            params)
        # what was read from the original; the unit and year used: the duplicate's own
        # filing, else the original's
        con.execute(
            "update submissions d set format = o.format, encoding = o.encoding, "
            "unit_name_printed = o.unit_name_printed, text_unit_code = o.text_unit_code, "
            "text_year = o.text_year, template = o.template, published_date = o.published_date, "
            "title = o.title, reader_version = o.reader_version, "
            "unit_code = coalesce(d.unit_code, o.unit_code), "
            "report_year = coalesce(d.report_year, o.report_year) "
            "from submissions o where d.submission_id = ? and o.submission_id = d.duplicate_of",
            [sid])
    return len(dups)


def choose_current(con: duckdb.DuckDBPyConnection, subs: Sequence[Submission]) -> None:
    """Record each discovered file's time, then choose the current version of every unit-year
    the run saw, by the rule of this module, with its reason.

    Only files discovered in this run compete (a file gone from the raw folder is kept as
    history, never current again while others of its unit-year are there); a unit-year no
    file of this run belongs to keeps its current version.
    """
    seen = [s for s in subs if not s.duplicate_of]
    if not seen:
        return
    table = pa.table({
        "submission_id": pa.array([s.submission_id for s in seen], pa.string()),
        "mtime": pa.array([_utc(s.mtime) for s in seen], pa.timestamp("us")),
    })
    con.register("_seen_files", table)
    try:
        con.execute("update submissions s set file_mtime = f.mtime from _seen_files f "
                    "where s.submission_id = f.submission_id and f.mtime is not null")
        con.execute(_WINNERS_SQL)
        con.execute(
            "update submissions s set is_current = (s.submission_id = w.submission_id), "
            "superseded_by = case when s.submission_id = w.submission_id then null "
            "else w.submission_id end, "
            "current_reason = case when s.submission_id = w.submission_id then w.reason end "
            "from _current_winners w where s.status = 'loaded' "
            "and s.unit_code = w.unit_code and s.report_year = w.report_year")
        con.execute(
            "update submissions set current_reason = 'its unit or year is not known: a version "
            "of its own' where is_current and (unit_code is null or report_year is null) "
            "and submission_id in (select submission_id from _seen_files)")
    finally:
        con.execute("drop table if exists _current_winners")
        con.unregister("_seen_files")


# per unit-year seen: the winner among the loaded files discovered in this run, and why
_WINNERS_SQL = """
create or replace temp table _current_winners as
with

candidates as (
    select s.submission_id, s.unit_code, s.report_year, s.file_mtime, s.file_path
    from submissions s
    join _seen_files using (submission_id)
    where s.status = 'loaded' and s.unit_code is not null and s.report_year is not null
),

ranked as (
    select
        *,
        row_number() over w as position,
        count(*) over (partition by unit_code, report_year) as readable,
        lead(file_mtime) over w as next_mtime
    from candidates
    window w as (partition by unit_code, report_year
                 order by file_mtime desc nulls last, file_path desc)
),

unreadable as (
    select s.unit_code, s.report_year, count(*) as files
    from submissions s
    join _seen_files using (submission_id)
    where s.status = 'rejected'
    group by all
),

final as (
    select
        r.submission_id, r.unit_code, r.report_year,
        case
            when r.readable = 1 then 'the only readable file of its unit-year'
            when r.next_mtime is null or r.file_mtime > r.next_mtime
                then format('the newest file time of {} readable files of its unit-year',
                            r.readable)
            else format('{} readable files of its unit-year share the newest file time: '
                        'the last by name', r.readable)
        end || case when coalesce(u.files, 0) > 0
                    then format('; {} unreadable file(s) not counted', u.files) else '' end
            as reason
    from ranked r
    left join unreadable u using (unit_code, report_year)
    where r.position = 1
)

select * from final
"""


def settle_current(con: duckdb.DuckDBPyConnection, discovered: list[str],
                   years: list[int] | None = None) -> int:
    """Retire current versions that a run no longer finds; returns how many were retired.

    A current loaded submission stops being current when the run did not discover it, its
    year is among the run's years (every year when ``years`` is None), and no submission the
    run discovered has its version key: its file was deleted from the raw folder, or a
    registry change files the same bytes under another unit now (the successor's row is a
    submission of its own). A unit-year whose file the run found but could not read keeps
    its current version (a rejected file never replaces a loaded one), and so does a year
    the run was not asked for. The retired rows stay in ``submissions``, not current and
    without ``superseded_by``.
    """
    found = "_settle_discovered"
    con.execute(f"create or replace temp table {found} (submission_id varchar)")
    if discovered:
        # one statement for every id (executemany ran one a row: 3 s for 40,000 files)
        insert_table(con, found, pa.table({"submission_id": pa.array(discovered, pa.string())}))
    retired = con.execute(
        f"""
        with discovered_keys as (
            select s.unit_code, s.report_year, s.file_path
            from submissions as s
            semi join {found} as d on d.submission_id = s.submission_id
        )
        update submissions as s set is_current = false, superseded_by = null
        where s.is_current
            and s.submission_id not in (select submission_id from {found})
            and (? is null or list_contains(?, s.report_year))
            and not exists (
                select 1 from discovered_keys as k
                where (s.unit_code is not null and s.report_year is not null
                       and k.unit_code = s.unit_code and k.report_year = s.report_year)
                   or ((s.unit_code is null or s.report_year is null)
                       and k.file_path = s.file_path)
            )
        """, [years, years]).fetchall()
    con.execute(f"drop table {found}")
    return int(retired[0][0]) if retired else 0
