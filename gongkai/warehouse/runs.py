"""The ``runs`` table: one row per run, and the one place its status is written.

A run's status moves ``running`` → ``published`` → ``completed``, or ends ``failed`` with the
stage it stopped in (``failed_stage``):

- ``running``: in the staging copy only; analysts never see it in a published warehouse;
- ``published``: the warehouse is published, the reports are still being rendered (a run
  stopped during the render stays so: its data is complete, its reports may not be);
- ``completed``: every stage asked for finished (with ``--no-render`` that is at publish);
- ``failed``: a stage raised; ``failed_stage`` names it. Before publish the published data
  is left as it was and only this row is added; after publish the data is the run's own.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb

RUN_STATUSES = ("running", "published", "completed", "failed")
STAGES = ("discover", "stage", "read", "load", "check", "materialise", "publish", "render")


def utc_now() -> dt.datetime:
    """The time now, UTC, to the second (the warehouse's timestamps are naive UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, *, source: str, years: str | None,
              reader_version: str | None) -> None:
    """Insert the ``runs`` row of a run that is starting (status ``running``)."""
    con.execute("delete from runs where run_id = ?", [run_id])
    con.execute(
        "insert into runs (run_id, started_at, source, years, reader_version) values (?, ?, ?, ?, ?)",
        [run_id, utc_now(), source, years, reader_version],
    )
    set_status(con, run_id, "running")


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, *, files_seen: int, files_read: int,
               files_unchanged: int, files_rejected: int, files_loaded: int,
               files_duplicate: int | None = None, files_skipped: int | None = None) -> None:
    """Record a run's counts and when its warehouse was finished (before publishing)."""
    con.execute(
        "update runs set finished_at = ?, files_seen = ?, files_read = ?, files_unchanged = ?, "
        "files_rejected = ?, files_loaded = ?, files_duplicate = ?, files_skipped = ? "
        "where run_id = ?",
        [utc_now(), files_seen, files_read, files_unchanged, files_rejected, files_loaded,
         files_duplicate, files_skipped, run_id],
    )


def has_run(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    """True when the warehouse has a row for this run."""
    return con.execute("select count(*) from runs where run_id = ?", [run_id]).fetchall()[0][0] > 0


def set_status(con: duckdb.DuckDBPyConnection, run_id: str, status: str, *,
               failed_stage: str | None = None,
               stage_seconds: dict[str, float] | None = None) -> None:
    """Write a run's status (and, for ``failed``, the stage), with its stage timings so far."""
    if status not in RUN_STATUSES:
        raise ValueError(f"unknown run status {status!r} (known: {', '.join(RUN_STATUSES)})")
    if (status == "failed") != (failed_stage is not None):
        raise ValueError("a failed run names its stage, and only a failed run does")
    if failed_stage is not None and failed_stage not in STAGES:
        raise ValueError(f"unknown stage {failed_stage!r} (stages: {', '.join(STAGES)})")
    timings = json.dumps(stage_seconds, sort_keys=True) if stage_seconds is not None else None
    con.execute(
        "update runs set status = ?, failed_stage = ?, "
        "stage_seconds = coalesce(?, stage_seconds) where run_id = ?",
        [status, failed_stage, timings, run_id],
    )
