# ruff: noqa: I001  (gongkai.prefect_env must be imported before prefect)
"""The annual flow: submitted reports in, a published DuckDB warehouse and reports out.

    discover → stage → read → load → check → materialise → publish → render

Each task is a few lines over a stage of ``gongkai.pipeline``, which runs without Prefect:
coarse (a stage, or one URL), taking paths, not connections. Only the download is retried.
Files are read in batches (by local processes, or as tasks on a Dask cluster with
``runner="dask"``) and each batch's rows are loaded as it comes, by this process alone.
The run builds a copy of the published warehouse and renames it into place when everything
before publishing succeeded, so analysts' read-only connections keep working and a failed
run leaves the published data as it was. The run's row says ``completed`` only when every
stage asked for finished; a failure is recorded with its stage (gongkai.warehouse.runs).
"""

from __future__ import annotations

import gongkai.prefect_env  # noqa: F401  (quiet settings before prefect is imported)

import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run, task_run
from prefect.utilities.annotations import quote

from flows.artifacts import post_check_summary, post_city_artifacts, post_notifications
from gongkai import manifest, notify, pipeline, rawfolder, sources
from gongkai import warehouse as wh
from gongkai.paths import DEFAULT_SOURCE, shown_name
from gongkai.read.pool import DEFAULT_BUDGET_SECONDS

RUNNERS = ("processes", "dask")


# ---------------------------------------------------------------------------------------------
# discover: one Submission per file (or per manifest row)
# ---------------------------------------------------------------------------------------------

@task(name="discover", cache_policy=NO_CACHE)
def discover(source: str, years: list[int] | None) -> rawfolder.Scan:
    """List the submitted files of a raw folder with their filed unit and year, and the
    entries skipped with their reason."""
    return rawfolder.scan_folder(source, years)


@task(name="read-manifest", cache_policy=NO_CACHE)
def read_manifest(source: str, years: list[int] | None) -> list[manifest.ManifestRow]:
    """Read the rows of a URL manifest."""
    return manifest.read_manifest(source, years)


@task(name="fetch", cache_policy=NO_CACHE)
def fetch(row: manifest.ManifestRow, raw_dir: str, timeout: float, max_bytes: int,
          retries: int) -> sources.Submission:
    """Download one manifest URL; a transient failure raises so that Prefect retries it."""
    attempt = task_run.run_count
    return pipeline.fetch(row, raw_dir, timeout=timeout, max_bytes=max_bytes,
                          last_attempt=attempt == 0 or attempt > retries)


# ---------------------------------------------------------------------------------------------
# stage, read, load, check, materialise: on a private copy of the published warehouse
# ---------------------------------------------------------------------------------------------

@task(name="stage-warehouse", cache_policy=NO_CACHE)
def stage(warehouse: str, run: pipeline.RunInfo) -> pipeline.Staged:
    """Copy the published warehouse and start the run's row."""
    return pipeline.stage(warehouse, run)


@task(name="read-batch", cache_policy=NO_CACHE)
def read_batch(subs: list[sources.Submission]) -> wh.ReportRows:
    """Read a batch of submissions where the task runner puts it (a Dask worker); returns
    their warehouse rows."""
    return pipeline.read_rows(subs)


@task(name="read-load", cache_policy=NO_CACHE)
def read_load(staging: str, subs: list[sources.Submission], batches: Iterable[wh.ReportRows],
              run_id: str, clock: pipeline.StageClock, years: list[int] | None
              ) -> pipeline.Loaded:
    """Load the batches of read rows as they come (one writer: this process), re-confirm the
    unchanged submissions, settle the current versions (retiring those no longer found)."""
    return pipeline.load(staging, subs, batches, run_id, clock, years)


@task(name="apply-decisions", cache_policy=NO_CACHE)
def apply_decisions(staging: str, run_id: str, reviews: str | None,
                    corrections: str | None) -> pipeline.Decided:
    """Apply the office's reading corrections and store its reviews of findings."""
    return pipeline.apply_decisions(staging, run_id, reviews, corrections)


@task(name="check", cache_policy=NO_CACHE)
def check(staging: str, run_id: str) -> dict:
    """Run the consistency checks and post their summary as an artifact."""
    outcome = pipeline.check(staging, run_id)
    post_check_summary(outcome.summary)
    return outcome.as_dict()


@task(name="materialise", cache_policy=NO_CACHE)
def materialise(staging: str, run_id: str) -> list[str]:
    """Compute the rankings once and store them in the warehouse."""
    return pipeline.materialise(staging, run_id)


# ---------------------------------------------------------------------------------------------
# publish, render, record the outcome
# ---------------------------------------------------------------------------------------------

@task(name="publish", cache_policy=NO_CACHE)
def publish(staging: str, warehouse: str, run_id: str, counts: dict, stage_seconds: dict,
            render_follows: bool) -> str:
    """Finish the run's row, publish the warehouse atomically, export Parquet beside it."""
    return str(pipeline.publish(staging, warehouse, run_id, counts, stage_seconds,
                                render_follows=render_follows))


@task(name="notify", cache_policy=NO_CACHE)
def notify_townships(warehouse: str, out_dir: str, run_id: str) -> dict:
    """Write the run's new rejected files and new error findings by township (CSV and
    Markdown under out/notifications/) and post the Markdown as an artifact."""
    found, csv_path, md_path = notify.write_notifications(warehouse, out_dir, run_id)
    post_notifications(notify.to_markdown(found), found.n_rejected, found.n_errors)
    return {"csv": str(csv_path), "md": str(md_path), "rejected": found.n_rejected,
            "errors": found.n_errors}


@task(name="render", cache_policy=NO_CACHE)
def render(warehouse: str, out_dir: str, years: list[int] | None) -> list[str]:
    """Render the reports and post each year's league table and summary as artifacts."""
    written = pipeline.render(warehouse, out_dir, years)
    post_city_artifacts(warehouse, years)
    return [str(p) for p in written]


@task(name="record-outcome", cache_policy=NO_CACHE)
def record_outcome(warehouse: str, run: pipeline.RunInfo, status: str,
                   failed_stage: str | None, stage_seconds: dict) -> bool:
    """Write the run's final status (completed, or failed with its stage)."""
    return pipeline.record_outcome(warehouse, run, status, failed_stage=failed_stage,
                                   stage_seconds=stage_seconds)


# ---------------------------------------------------------------------------------------------
# the flow
# ---------------------------------------------------------------------------------------------

def _discover(source: str, years: list[int] | None, raw_dir: str | None, timeout: float,
              retries: int, retry_delay: float, max_bytes: int
              ) -> tuple[list[sources.Submission], list[rawfolder.Skip]]:
    """The run's submissions (a raw folder's files, or a manifest's URLs fetched in parallel)
    and the entries skipped, each logged once with its reason."""
    logger = get_run_logger()
    if not sources.is_manifest(source):
        scan = discover(source, years)
        subs = scan.submissions
        dups = sum(1 for s in subs if s.duplicate_of)
        logger.info("discover: %d files under %s%s (%d duplicates), %d entries skipped",
                    len(subs), source, f" ({pipeline.years_label(years)})" if years else "",
                    dups, len(scan.skipped))
        for skip in scan.skipped:
            logger.info("skipped %s: %s", shown_name(skip.path), skip.reason)
        for sub in subs:
            if sub.duplicate_of:
                logger.info("duplicate %s: the same bytes as %s (recorded, not read again)",
                            shown_name(sub.file_path), shown_name(sub.duplicate_of_path or ""))
        return subs, scan.skipped
    raw = raw_dir or str(DEFAULT_SOURCE)
    retried = fetch.with_options(retries=retries, retry_delay_seconds=retry_delay)
    futures = [retried.submit(row, raw, timeout, max_bytes, retries)
               for row in read_manifest(source, years)]
    subs = [f.result() for f in futures]
    logger.info("discover: %d manifest rows in %s, bytes kept under %s", len(subs), source, raw)
    return subs, []


def _batches(subs: list[sources.Submission], runner: str, workers: int,
             batch_size: int, read_budget: float,
             readers: sources.ReaderPool | None) -> Iterator[wh.ReportRows]:
    """The rows of the submissions, a batch at a time in discovery order: read by local
    processes (``readers``), or by the flow's task runner (a Dask cluster) as one task per
    batch, all submitted here, from the flow, before the first is awaited."""
    if runner != "dask":
        return pipeline.read_batches(subs, workers, batch_size, read_budget, pool=readers)
    # not quote(): on Dask a quoted list of dataclasses arrives as a list of tuples
    futures = [read_batch.submit(chunk) for chunk in sources.batches(subs, batch_size)]
    return _results(futures)


def _results(futures: list) -> Iterator[wh.ReportRows]:
    """The futures' results in order; each future is dropped once its rows are taken, so the
    rows of loaded batches are not kept."""
    futures.reverse()
    while futures:
        yield futures.pop().result()


# entries skipped only because they lie outside the years asked for: with nothing else, the
# run has nothing to load or account for
OUTSIDE_THE_YEARS = ("year_not_asked", "outside_year_folder")


@flow(name="gongkai-annual", log_prints=False)
def annual(
    source: str = str(DEFAULT_SOURCE),
    years: list[int] | None = None,
    warehouse: str = str(pipeline.DEFAULT_WAREHOUSE),
    out: str = str(pipeline.DEFAULT_OUT),
    raw_dir: str | None = None,
    workers: int | None = None,
    batch_size: int = 256,
    fetch_timeout: float = manifest.DEFAULT_TIMEOUT_SECONDS,
    fetch_retries: int = 2,
    fetch_retry_delay: float = 2.0,
    max_bytes: int = manifest.DEFAULT_MAX_BYTES,
    with_render: bool = True,
    runner: str = "processes",
    read_budget: float = DEFAULT_BUDGET_SECONDS,
    reviews: str | None = None,
    corrections: str | None = None,
) -> dict:
    """Load report years into the warehouse, check them, publish it and render the reports.

    ``reviews`` and ``corrections`` are the office's decision files (docs/operations.md): the
    reviews of findings and the reading corrections every run applies (None: none kept).
    After publishing, the run writes what is new for the townships under
    ``<out>/notifications/``."""
    logger = get_run_logger()
    years = sorted(years) if years else None
    run = pipeline.RunInfo(str(flow_run.id or uuid.uuid4()), source, pipeline.years_label(years))
    published = str(Path(warehouse).resolve())
    workers = workers if workers is not None else (os.cpu_count() or 1)
    # the marker beside the warehouse names the stage under way: a run killed outright is
    # recorded as failed there by the next run
    clock = pipeline.StageClock(on_stage=lambda name: wh.write_marker(
        published, run.run_id, {**pipeline.marker_fields(run), "stage": name}))
    staging = None
    rendered = None
    outcome_recorded = False
    readers = None

    with wh.writer_lock(published):
        try:
            if runner != "dask":
                # the reader processes start while the files are discovered and the
                # warehouse is staged (started here: a rerun reads a file or two and waited
                # for a reader's start, 1.5 s at 40,000 units)
                readers = pipeline.reader_pool(workers, read_budget)
            # -- discover ------------------------------------------------------------------
            with clock.stage("discover"):
                subs, skipped = _discover(source, years, raw_dir, fetch_timeout, fetch_retries,
                                          fetch_retry_delay, max_bytes)
                for sub in subs:
                    if sub.error:
                        logger.warning("rejected %s: %s", shown_name(sub.file_path), sub.error)
            if not subs and all(s.code in OUTSIDE_THE_YEARS for s in skipped):
                # nothing to load or account for: publishing would replace the warehouse and
                # the reports with the same content under a new run, and hide that the source
                # or the years are wrong
                logger.warning("discover: no report files under %s%s; nothing was published",
                               source, f" ({pipeline.years_label(years)})" if years else "")
                return {"run_id": run.run_id, "source": source, "years": run.years,
                        "nothing_found": True, "warehouse": published,
                        "stage_seconds": clock.seconds}

            # -- stage ---------------------------------------------------------------------
            with clock.stage("stage"):
                staged = stage(published, run)
                staging = staged.path
                for dead_id, dead_stage in staged.dead_runs:
                    logger.warning("run %s died in its %s stage; recorded as failed",
                                   dead_id, dead_stage)
                if staged.removed:
                    logger.info("stage: removed %d files left by dead runs: %s",
                                len(staged.removed), ", ".join(staged.removed))

            # -- read and load: batches loaded as they are read -----------------------------
            with clock.stage("read"):
                to_read = pipeline.to_read(subs, staged.known)
                batches = _batches(to_read, runner, workers, batch_size, read_budget, readers)
                # quote(): large inputs are passed as they are, not walked item by item
                stream = read_load(staging, quote(subs), quote(batches), run.run_id,
                                   quote(clock), years)
                if readers is not None:
                    readers.close()
            clock.share("read", {"load": stream.appending + stream.finishing})
            loaded = stream.result
            logger.info("read: %d new or changed files parsed, %d unchanged", len(to_read),
                        sum(1 for s in subs if not s.error and not s.duplicate_of)
                        - len(to_read))
            # (files rejected before reading were named in discover; one set, not a scan of
            # every submission per rejected file: 100 s for 25,000 of 40,000)
            said = {s.file_path for s in subs if s.error}
            for item in loaded.rejected_files:
                if item["file"] not in said:
                    logger.warning("rejected %s: %s", shown_name(item["file"]), item["reason"])
            logger.info("load: %d loaded, %d rejected, %d unchanged, %d duplicates",
                        loaded.loaded, loaded.rejected, loaded.unchanged, loaded.duplicates)
            with clock.stage("load"):
                decided = apply_decisions(staging, run.run_id, reviews, corrections)
                for o in decided.corrections:
                    if o.state != "applied":
                        c = o.correction
                        logger.warning("correction of %s %s %s not applied (%s): %s",
                                       c.unit_code, c.report_year, c.cell, o.state, o.why)
                logger.info("decisions: %s", decided.counts())

            # -- check ---------------------------------------------------------------------
            with clock.stage("check"):
                checked = check(staging, run.run_id)
                logger.info("check: %d rules, failing findings by severity %s",
                            checked["rules"], checked["failing_by_severity"] or "{}")
                if checked["reviews"]:
                    logger.info("reviews: %s (`gongkai review list` shows the ones that no "
                                "longer apply)", checked["reviews"])

            # -- materialise ---------------------------------------------------------------
            with clock.stage("materialise"):
                stored = materialise(staging, run.run_id)
                logger.info("materialise: %s stored", ", ".join(stored))

            # -- publish -------------------------------------------------------------------
            with clock.stage("publish"):
                counts = {"seen": len(subs), "read": len(to_read), **loaded.counts(),
                          "skipped": len(skipped)}
                parquet = publish(staging, published, run.run_id, counts, dict(clock.seconds),
                                  with_render)
                notified = notify_townships(published, out, run.run_id)
                logger.info("notify: %d newly rejected files, %d new error findings → %s",
                            notified["rejected"], notified["errors"], notified["md"])

            # -- render --------------------------------------------------------------------
            if with_render:
                with clock.stage("render"):
                    rendered = render(published, out, years)
                record_outcome(published, run, "completed", None, dict(clock.seconds))
            else:
                logger.info("render: skipped (not requested)")
            outcome_recorded = True
        except Exception:
            if clock.current is not None:
                try:
                    outcome_recorded = record_outcome(published, run, "failed", clock.current,
                                                      dict(clock.seconds))
                except Exception as exc:  # the run's own error is the one to report
                    logger.warning("the failure could not be recorded: %s", exc)
            raise
        finally:
            if readers is not None:
                readers.close()
            if staging is not None:
                wh.discard(staging)
            if outcome_recorded or not Path(published).exists():
                wh.remove_marker(published, run.run_id)

    return {
        "run_id": run.run_id,
        "source": source,
        "years": run.years,
        "nothing_found": False,
        "counts": counts,
        "rejected_files": loaded.rejected_files,
        "checks": checked,
        "decisions": decided.counts(),
        "notifications": notified,
        "stored": stored,
        "warehouse": published,
        "parquet": parquet,
        "out": str(Path(out).resolve()),
        "rendered": rendered,
        "render_skipped": not with_render,
        "stage_seconds": clock.seconds,
    }
