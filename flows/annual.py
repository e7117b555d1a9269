# ruff: noqa: I001  (gongkai.prefect_env must be imported before prefect)
"""The annual flow: submitted reports in, a published DuckDB warehouse and reports out.

    discover → read → load → check → roll up → publish → render

Each stage is one coarse Prefect task (a stage, or a batch of files) that takes paths, not
connections. The run builds a copy of the published warehouse next to it and renames it
into place only when everything before publishing succeeded, so analysts' read-only
connections keep working during a run and a failed run leaves the published file as it was.
"""

from __future__ import annotations

import gongkai.prefect_env  # noqa: F401  (quiet settings before prefect is imported)

import fcntl
import json
import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run, task_run
from prefect.utilities.annotations import quote

from gongkai import rankings, sources
from gongkai import warehouse as wh
from gongkai.checks import post_artifact, run_checks
from gongkai.model import READER_VERSION, ParsedReport
from gongkai.paths import RAW_DIR, SQL_DIR
from gongkai.render import post_artifacts, render_all
from gongkai.units import default_registry

DEFAULT_WAREHOUSE = Path("warehouse") / "gongkai.duckdb"
DEFAULT_OUT = Path("out")
ROLLUP_DIR = SQL_DIR / "rollups"
LOAD_BUFFER_ROWS = 50_000  # child rows held before one insert per table


# ---------------------------------------------------------------------------------------------
# discover: one Submission per file (or per manifest row)
# ---------------------------------------------------------------------------------------------

@task(name="discover", cache_policy=NO_CACHE)
def discover(source: str, years: list[int] | None) -> list[sources.Submission]:
    """List the submitted files of a raw folder with their filed unit and year."""
    return sources.discover_folder(source, years)


@task(name="read-manifest", cache_policy=NO_CACHE)
def read_manifest(source: str, years: list[int] | None) -> list[sources.ManifestRow]:
    """Read the rows of a URL manifest."""
    return sources.read_manifest(source, years)


@task(name="fetch", cache_policy=NO_CACHE)
def fetch(row: sources.ManifestRow, raw_dir: str, timeout: float, max_bytes: int,
          retries: int) -> sources.Submission:
    """Download one manifest URL into the raw folder; a failure becomes a rejected submission.

    Transient failures (timeouts, 5xx) raise so that Prefect retries them; a permanent one
    (404, over the size cap), or the last attempt, returns a rejected submission instead.
    """
    if row.problem:
        return sources.failed_submission(row, row.problem)
    try:
        got = sources.fetch_url(row.url, raw_dir, unit_code=row.unit_code, year=row.year,
                                timeout=timeout, max_bytes=max_bytes)
    except sources.FetchError as exc:
        attempt = task_run.run_count
        if exc.permanent or attempt == 0 or attempt > retries:
            return sources.failed_submission(row, str(exc))
        raise
    return sources.fetched_submission(row, got)


# ---------------------------------------------------------------------------------------------
# stage: a private copy of the published warehouse to build on
# ---------------------------------------------------------------------------------------------

@task(name="stage-warehouse", cache_policy=NO_CACHE)
def stage_warehouse(warehouse: str, run_id: str, source: str, years: str | None) -> tuple[str, dict]:
    """Copy the published warehouse, bring its schema up to date, start the run's row.

    Returns the staging path and the submissions already in the warehouse (id → reader
    version), so unchanged files are not read again.
    """
    staging = wh.stage_copy(warehouse, run_id)
    con = duckdb.connect(str(staging))
    try:
        wh.create_schema(con)
        wh.load_units(con, default_registry())
        wh.start_run(con, run_id, source=source, years=years, reader_version=READER_VERSION)
        con.execute("update runs set status = 'running' where run_id = ?", [run_id])
        known = wh.known_submissions(con)
    finally:
        con.close()
    return str(staging), known


# ---------------------------------------------------------------------------------------------
# read: new and changed files only, in batches across a process pool
# ---------------------------------------------------------------------------------------------

@task(name="read", cache_policy=NO_CACHE)
def read(subs: list[sources.Submission], workers: int, batch_size: int) -> dict[str, ParsedReport]:
    """Parse the given submissions (batched, in parallel processes)."""
    return sources.read_submissions(subs, workers=workers, batch_size=batch_size)


# ---------------------------------------------------------------------------------------------
# load: one writer puts every submission into the staging warehouse
# ---------------------------------------------------------------------------------------------

@task(name="load", cache_policy=NO_CACHE)
def load(staging: str, subs: list[sources.Submission], reports: dict[str, ParsedReport],
         run_id: str) -> dict:
    """Write new submissions, re-confirm unchanged ones; returns the counts by outcome."""
    counts = {"loaded": 0, "rejected": 0, "unchanged": 0}
    rejected: list[dict] = []
    discovered = {s.submission_id for s in subs}
    done: set[str] = set()
    buffer = wh.RowBuffer()
    con = duckdb.connect(staging)
    try:
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
                status = wh.insert_rejected(con, reason=sub.error, sha256=sub.sha256,
                                            size_bytes=sub.size_bytes, issues=sub.issues,
                                            **common)
            elif sid in reports:
                status = wh.insert_report(con, reports[sid], sha256=sub.sha256,
                                          size_bytes=sub.size_bytes, extra_issues=sub.issues,
                                          **common)
            else:
                wh.touch_submission(con, sid, run_id)
                current = wh.current_of(con, sid)
                if current is None or current not in discovered:
                    wh.promote(con, sid)  # e.g. a file changed back to an earlier version
                counts["unchanged"] += 1
                continue
            counts[status] += 1
            if status == "rejected":
                reason = con.execute("select reject_reason from submissions where submission_id = ?",
                                     [sid]).fetchall()[0][0]
                rejected.append({"file": sub.file_path, "reason": reason})
            if buffer.pending() >= LOAD_BUFFER_ROWS:
                buffer.flush(con)
        buffer.flush(con)
        con.execute("commit")
    finally:
        con.close()
    return {**counts, "rejected_files": rejected}


# ---------------------------------------------------------------------------------------------
# check: the consistency rules (sql/checks/) over the current submissions
# ---------------------------------------------------------------------------------------------

@task(name="check", cache_policy=NO_CACHE)
def check(staging: str, run_id: str) -> dict:
    """Run the consistency checks into findings and post their summary as an artifact."""
    con = duckdb.connect(staging)
    try:
        summary = run_checks(con, run_id)
        findings = dict(con.execute(
            "select severity, count(*) from findings where run_id = ? and status = 'fail' "
            "group by severity order by severity", [run_id]).fetchall())
        not_assessable = con.execute(
            "select count(*) from findings where run_id = ? and status = 'not_assessable'",
            [run_id]).fetchall()[0][0]
    finally:
        con.close()
    post_artifact(summary)
    broken = [r["rule_id"] for r in summary if r.get("status") == "error"]
    return {"rules": len(summary), "broken_rules": broken, "failing_by_severity": findings,
            "not_assessable": not_assessable}


# ---------------------------------------------------------------------------------------------
# roll up: materialised roll-ups (sql/rollups/*.sql, in name order) over the marts
# ---------------------------------------------------------------------------------------------

@task(name="roll-up", cache_policy=NO_CACHE)
def roll_up(staging: str, run_id: str) -> list[str]:
    """Store the roll-ups of ``sql/rollups/*.sql`` (in name order); returns the files run.

    The ranking views (the method from gongkai/data/{metrics,ranking}.toml, over this run's
    findings) are loaded first, so the league table, indicator scores and context figures are
    stored in the warehouse with the run id and the method's version.
    """
    files = sorted(ROLLUP_DIR.glob("*.sql"))
    con = duckdb.connect(staging)
    try:
        method = rankings.prepare(con)
        version = (f"metrics {method.metrics_version} · ranking {method.ranking_version} · "
                   f"{method.fingerprint}")
        params = {"run_id": run_id, "method_version": version}
        for path in files:
            text = path.read_text(encoding="utf-8")
            con.execute(text, {k: v for k, v in params.items() if f"${k}" in text} or None)
    finally:
        con.close()
    return [p.name for p in files]


# ---------------------------------------------------------------------------------------------
# publish: finish the run's row, checkpoint, rename into place, export Parquet
# ---------------------------------------------------------------------------------------------

@task(name="publish", cache_policy=NO_CACHE)
def publish(staging: str, warehouse: str, run_id: str, counts: dict,
            stage_seconds: dict) -> str:
    """Record the run, publish the staging warehouse atomically, export Parquet beside it."""
    con = duckdb.connect(staging)
    try:
        wh.finish_run(con, run_id, files_seen=counts["seen"], files_read=counts["read"],
                      files_unchanged=counts["unchanged"], files_rejected=counts["rejected"])
        con.execute(
            "update runs set files_loaded = ?, stage_seconds = ?, status = 'completed' "
            "where run_id = ?",
            [counts["loaded"], json.dumps(stage_seconds, sort_keys=True), run_id])
    finally:
        con.close()
    wh.publish(staging, warehouse)
    return str(wh.export_parquet(warehouse, wh.parquet_dir(warehouse)))


# ---------------------------------------------------------------------------------------------
# render: the city report, digests and index from the published warehouse
# ---------------------------------------------------------------------------------------------

@task(name="render", cache_policy=NO_CACHE)
def render(warehouse: str, out_dir: str, years: list[int] | None) -> list[str]:
    """Render the reports into ``out_dir`` and post the league table and summary artifacts."""
    written = render_all(warehouse, out_dir, years)
    post_artifacts(warehouse, years)
    return [str(p) for p in written] if written else []


# ---------------------------------------------------------------------------------------------
# the flow
# ---------------------------------------------------------------------------------------------

@contextmanager
def _writer_lock(warehouse: Path):
    """Hold an exclusive lock beside the warehouse for the run (one writer at a time)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.with_name(f".{warehouse.name}.lock")
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another run is already writing {warehouse}") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _years_label(years: list[int] | None) -> str | None:
    if not years:
        return None
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


@flow(name="gongkai-annual", log_prints=False)
def annual(
    source: str = str(RAW_DIR),
    years: list[int] | None = None,
    warehouse: str = str(DEFAULT_WAREHOUSE),
    out: str = str(DEFAULT_OUT),
    raw_dir: str | None = None,
    workers: int | None = None,
    batch_size: int = 32,
    fetch_timeout: float = sources.DEFAULT_TIMEOUT_SECONDS,
    fetch_retries: int = 2,
    fetch_retry_delay: float = 2.0,
    max_bytes: int = sources.DEFAULT_MAX_BYTES,
    with_render: bool = True,
) -> dict:
    """Load one or more report years into the warehouse, check them and publish."""
    logger = get_run_logger()
    run_id = str(flow_run.id or uuid.uuid4())
    years = sorted(years) if years else None
    warehouse_path = Path(warehouse).resolve()
    workers = workers if workers is not None else (os.cpu_count() or 1)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        """Record the seconds since the previous stage ended."""
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    # -- discover ------------------------------------------------------------------------------
    if sources.is_manifest(source):
        raw = raw_dir or str(RAW_DIR)
        rows = read_manifest(source, years)
        fetch_task = fetch.with_options(retries=fetch_retries,
                                        retry_delay_seconds=fetch_retry_delay)
        futures = [fetch_task.submit(row, raw, fetch_timeout, max_bytes, fetch_retries)
                   for row in rows]
        subs = [f.result() for f in futures]
        logger.info("discover: %d manifest rows in %s, bytes kept under %s", len(subs), source,
                    raw)
    else:
        subs = discover(source, years)
        logger.info("discover: %d files under %s%s", len(subs), source,
                    f" ({_years_label(years)})" if years else "")
    for sub in subs:
        if sub.error:
            logger.warning("rejected %s: %s", sub.file_path, sub.error)
    lap("discover")

    with _writer_lock(warehouse_path):
        staging, known = stage_warehouse(str(warehouse_path), run_id, source, _years_label(years))
        try:
            # -- read ------------------------------------------------------------------------------
            to_read = [s for s in subs if not s.error
                       and known.get(s.submission_id, "\0") != READER_VERSION]
            reports = read(quote(to_read), workers, batch_size) if to_read else {}
            logger.info("read: %d new or changed files parsed, %d unchanged", len(to_read),
                        sum(1 for s in subs if not s.error) - len(to_read))
            lap("read")

            # -- load ------------------------------------------------------------------------------
            # quote(): large inputs are passed as they are, not walked item by item by Prefect
            loaded = load(staging, quote(subs), quote(reports), run_id)
            for item in loaded["rejected_files"]:
                if not any(s.file_path == item["file"] and s.error for s in subs):
                    logger.warning("rejected %s: %s", item["file"], item["reason"])
            logger.info("load: %d loaded, %d rejected, %d unchanged", loaded["loaded"],
                        loaded["rejected"], loaded["unchanged"])
            lap("load")

            # -- check -----------------------------------------------------------------------------
            checked = check(staging, run_id)
            logger.info("check: %d rules, failing findings by severity %s", checked["rules"],
                        checked["failing_by_severity"] or "{}")
            lap("check")

            # -- roll up ---------------------------------------------------------------------------
            rolled = roll_up(staging, run_id)
            logger.info("roll-up: rankings, indicator scores and context figures stored")
            lap("roll_up")

            # -- publish ---------------------------------------------------------------------------
            counts = {"seen": len(subs), "read": len(to_read), "loaded": loaded["loaded"],
                      "unchanged": loaded["unchanged"], "rejected": loaded["rejected"]}
            parquet = publish(staging, str(warehouse_path), run_id, counts, dict(timings))
            lap("publish")
        finally:
            wh.discard(staging)

    # -- render --------------------------------------------------------------------------------
    rendered = render(str(warehouse_path), out, years) if with_render else None
    if not with_render:
        logger.info("render: skipped (not requested)")
    lap("render")

    return {
        "run_id": run_id,
        "source": source,
        "years": _years_label(years),
        "counts": counts,
        "rejected_files": loaded["rejected_files"],
        "checks": checked,
        "rollups": rolled,
        "warehouse": str(warehouse_path),
        "parquet": parquet,
        "out": str(Path(out).resolve()),
        "rendered": rendered,
        "render_skipped": not with_render,
        "stage_seconds": timings,
    }
