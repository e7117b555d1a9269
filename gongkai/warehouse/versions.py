"""Versions of a unit-year: which loaded submission is current.

The (unit_code, report_year) of a loaded submission is its *version key* (the file path when
either is unknown). Loading a new submission for a key that already has a current one marks
the old one ``is_current = false`` with ``superseded_by`` set. A rejected submission never
replaces a loaded one: it is kept for the record with ``is_current = false``.
"""

from __future__ import annotations

import duckdb


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
        con.executemany(f"insert into {found} values (?)", [[sid] for sid in discovered])
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
