"""The stages of a run, without Prefect.

    discover → stage → read → load → check → materialise → publish → render

A run builds a copy of the published warehouse (``stage``), reads the new and changed files,
loads them, checks them, stores the rankings (``materialise``), renames the copy into place
(``publish``) and renders the reports from the published file. Each stage is a function
over paths (the staging copy, the published file, the report folder), so a Prefect task
(flows/annual.py) is a few lines over it, and each can run and be tested without a server.

``build_warehouse`` runs the same loading, checking and materialising serially into one
warehouse (a file, or ``":memory:"``) with no staging copy: ``gongkai check``, the benchmarks
and the tests build their warehouses with it.

The run's row (``gongkai.warehouse.runs``): ``publish`` writes ``completed``, or ``published``
when a render follows; ``record_outcome`` then writes ``completed``, or ``failed`` with the
stage that raised. A run killed outright leaves a marker naming its stage (``StageClock``):
the next run records it (``recover``). ``GONGKAI_TEST_KILL_AT=<stage>`` (or
``publish:renamed``) makes the process SIGKILL itself there (tests/test_faults.py).

Long because it is the run's stages in their order, each a few lines over the warehouse
package (the load stage also applies the office's decision files: ``apply_decisions``), and
the Prefect flow and ``build_warehouse`` must call the same functions: one reads it top to
bottom as the story of a run.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from gongkai import manifest, rankings, sources
from gongkai import warehouse as wh
from gongkai.checks import load_config, run_checks
from gongkai.checks.reviews import key_findings, read_reviews, store_reviews
from gongkai.model import READER_VERSION, ParsedReport
from gongkai.report_tables import finished_rows, ordered_rows, with_year_checked
from gongkai.units import Registry, default_registry
from gongkai.warehouse.corrections import Outcome, apply_corrections, read_corrections

DEFAULT_WAREHOUSE = Path("warehouse") / "gongkai.duckdb"
DEFAULT_OUT = Path("out")


def years_label(years: Sequence[int] | None) -> str | None:
    """``[2019, …, 2024]`` → ``2019-2024``; one year → ``2019``; None → None (every year)."""
    if not years:
        return None
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


@dataclass(frozen=True)
class RunInfo:
    """What a run's row records before anything is read."""

    run_id: str
    source: str
    years: str | None = None
    reader_version: str = READER_VERSION


KILL_AT_ENV = "GONGKAI_TEST_KILL_AT"


def fault_point(name: str) -> None:
    """Kill this process with SIGKILL when ``$GONGKAI_TEST_KILL_AT`` names this point (tests)."""
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class StageClock:
    """Seconds per finished stage, and the stage under way: the one a failed run names.

    ``on_stage`` is told each stage as it starts (the flow writes the run's marker with it,
    so that a run killed outright can still be recorded as failed in its stage).
    """

    def __init__(self, on_stage: Callable[[str], None] | None = None) -> None:
        self.seconds: dict[str, float] = {}
        self.current: str | None = None
        self.on_stage = on_stage
        self.entered: set[str] = set()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the stage ``name`` (a stage entered again adds to its time: the load stage's
        decisions follow its batches); it stays current if it raises."""
        if name not in wh.STAGES:
            raise ValueError(f"unknown stage {name!r}")
        self.current = name
        self.entered.add(name)
        if self.on_stage is not None:
            self.on_stage(name)
        fault_point(name)
        started = time.perf_counter()
        yield
        self.seconds[name] = round(self.seconds.get(name, 0.0)
                                   + time.perf_counter() - started, 3)
        self.current = None

    def switch(self, name: str) -> None:
        """Make ``name`` the stage under way inside a stage it runs interleaved with (load
        inside read: batches are loaded as they are read); the first switch to a stage is
        told as its start is (``on_stage``, the run's marker)."""
        self.current = name
        if name not in self.entered:
            self.entered.add(name)
            if self.on_stage is not None:
                self.on_stage(name)
            fault_point(name)

    def share(self, name: str, parts: dict[str, float]) -> None:
        """Share the seconds of the stage just timed among stages that ran interleaved in it
        (reading and loading, when batches are loaded as they are read): each stage of
        ``parts`` gets its seconds, ``name`` keeps the rest."""
        for part, seconds in parts.items():
            self.seconds[part] = round(seconds, 3)
            self.seconds[name] = round(max(0.0, self.seconds[name] - seconds), 3)


# ---------------------------------------------------------------------------------------------
# discover: one Submission per file (or per fetched manifest row)
# ---------------------------------------------------------------------------------------------

def fetch(row: manifest.ManifestRow, raw_dir: str | Path, *, timeout: float, max_bytes: int,
          last_attempt: bool) -> sources.Submission:
    """Download one manifest URL into the raw folder; a failure becomes a rejected submission.
    A transient failure (timeout, 5xx) raises to be retried, unless this is the last attempt;
    a permanent one (404, over the size cap, a redirect loop or to file://) never raises."""
    if row.problem:
        return manifest.failed_submission(row, row.problem)
    try:
        got = manifest.fetch_url(row.url, raw_dir, unit_code=row.unit_code, year=row.year,
                                timeout=timeout, max_bytes=max_bytes)
    except manifest.FetchError as exc:
        if exc.permanent or last_attempt:
            return manifest.failed_submission(row, str(exc))
        raise
    return manifest.fetched_submission(row, got)


# ---------------------------------------------------------------------------------------------
# stage: a private copy of the published warehouse to build on
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Staged:
    """The staging copy of a run, the submissions already in it (id → reader version), and
    what ``recover`` found of dead runs."""

    path: str
    known: dict[str, str | None]
    dead_runs: list[tuple[str, str]] = field(default_factory=list)  # (run id, stage)
    removed: list[str] = field(default_factory=list)  # stale files removed


def marker_fields(run: RunInfo) -> dict:
    """What a run's marker keeps: enough to write its row if it dies."""
    return {"source": run.source, "years": run.years, "reader_version": run.reader_version}


def recover(warehouse: str | Path, run: RunInfo | None = None
            ) -> tuple[list[tuple[str, str]], list[str]]:
    """Settle the runs that died leaving their marker, and remove what they left (call it
    under the writer lock); returns ((run id, stage) recorded failed, names removed). A dead
    run renamed into place gets its finished Parquet export swapped in; a ``completed`` row
    then stands, any other dead run is recorded ``failed`` in its marker's stage."""
    keep = run.run_id if run is not None else None
    recorded = []
    for dead in wh.dead_runs(warehouse, keep=keep):
        stage_name = dead.get("stage") if dead.get("stage") in wh.STAGES else "discover"
        info = RunInfo(dead["run_id"], str(dead.get("source") or "unknown"), dead.get("years"),
                       str(dead.get("reader_version") or READER_VERSION))
        status = _run_status(warehouse, info.run_id)
        building = wh.building_dir(wh.parquet_dir(warehouse))
        if status in ("published", "completed") and building.is_dir():
            wh.swap_parquet(wh.parquet_dir(warehouse))  # exported before the rename
        if status in ("completed", "failed"):
            continue
        if record_outcome(warehouse, info, "failed", failed_stage=stage_name):
            recorded.append((info.run_id, stage_name))
    return recorded, wh.remove_stale(warehouse, keep=keep)


def _run_status(warehouse: str | Path, run_id: str) -> str | None:
    """A run's status in the published warehouse (None: no warehouse, or no row)."""
    if not Path(warehouse).exists():
        return None
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select status from runs where run_id = ?", [run_id]).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return rows[0][0] if rows else None


def stage(warehouse: str | Path, run: RunInfo, registry: Registry | None = None) -> Staged:
    """``recover``, then copy the published warehouse, bring its schema up to date, store the
    unit registry (the one in use when None) with its history, and start the run's row."""
    dead, removed = recover(warehouse, run)
    staging = wh.stage_copy(warehouse, run.run_id)
    con = wh.open_writer(staging)
    try:
        wh.create_schema(con)
        wh.load_units(con, registry or default_registry())
        wh.start_run(con, run.run_id, source=run.source, years=run.years,
                     reader_version=run.reader_version)
        known = wh.known_submissions(con)
    finally:
        con.close()
    return Staged(str(staging), known, dead, removed)


# ---------------------------------------------------------------------------------------------
# read: new and changed files only
# ---------------------------------------------------------------------------------------------

def to_read(subs: Sequence[sources.Submission],
            known: dict[str, str | None]) -> list[sources.Submission]:
    """The submissions to parse: readable ones not in the warehouse, or read by another
    reader version than this one."""
    return [s for s in subs if not s.error and not s.duplicate_of
            and known.get(s.submission_id, "\0") != READER_VERSION]


def read(subs: list[sources.Submission], workers: int = 1, batch_size: int = 32,
         time_budget: float | None = None,
         registry: Registry | None = None) -> dict[str, ParsedReport]:
    """Parse the submissions (batched; across processes for a large job, or always with a
    ``time_budget`` in seconds per file: see ``sources.read_submissions``); ``registry``
    places the printed unit names (the one in use when None)."""
    return sources.read_submissions(subs, workers=workers, batch_size=batch_size,
                                    time_budget=time_budget, registry=registry)


def read_rows(subs: Sequence[sources.Submission]) -> wh.ReportRows:
    """Read submissions in this process and return their warehouse rows: the unit of work
    of a Dask worker (what travels back is a few Arrow tables)."""
    return wh.report_rows((sub, with_year_checked(sub, sources.read_one(sub))) for sub in subs)


# batches read by the reader pool at a time: enough to keep its processes busy, few enough
# that the parsed reports waiting to become rows stay a small share of a large run
POOL_BATCHES = 8


def reader_pool(workers: int, time_budget: float | None = None) -> sources.ReaderPool:
    """The reader processes of ``read_batches``, made before the run knows what it will read,
    with one process started (``ReaderPool.prestart``): its start overlaps the discover and
    stage steps (a reader loads the registry itself: a second at 40,000 units). The pool
    keeps its processes between reads; ``close()`` stops them."""
    pool = sources.reader_pool(workers, time_budget=time_budget, finish=finished_rows)
    pool.keep_workers = True
    pool.prestart(1)
    return pool


def read_batches(subs: list[sources.Submission], workers: int = 1, batch_size: int = 256,
                 time_budget: float | None = None,
                 pool: sources.ReaderPool | None = None) -> Iterator[wh.ReportRows]:
    """The rows of the submissions, a batch at a time in discovery order: in this process
    for a small job, else by the reader processes of ``gongkai.read.pool`` (each file within
    ``time_budget`` seconds; those of ``pool`` when given: ``reader_pool``),
    ``POOL_BATCHES`` batches at a time."""
    chunks = sources.batches(subs, batch_size)
    if pool is None and time_budget is None and (
            workers <= 1 or len(chunks) <= 1 or len(subs) < sources.PARALLEL_MIN_FILES):
        for chunk in chunks:
            yield read_rows(chunk)
        return
    groups = [[s for chunk in chunks[start:start + POOL_BATCHES] for s in chunk]
              for start in range(0, len(chunks), POOL_BATCHES)]
    # one pool of reader processes for the run, reading a group ahead of the load and
    # making the rows of what they read (the writer joins them in discovery order); the
    # pool's batches are smaller than the loader's: a file over its budget costs its
    # worker, and the rest of a small batch is soon read by another
    rows_by_group = sources.read_groups(groups, workers=workers, batch_size=32,
                                        time_budget=time_budget, finish=finished_rows,
                                        pool=pool)
    for group, (parts, failed) in zip(groups, rows_by_group, strict=True):
        if failed:  # files over their budget or whose reader died: their rows are made here
            parts = [*parts, finished_rows(list(failed.values()))]
        yield ordered_rows(parts, [sub.submission_id for sub in group])


# ---------------------------------------------------------------------------------------------
# load, check, materialise: on the staging copy
# ---------------------------------------------------------------------------------------------

def load_into(con: duckdb.DuckDBPyConnection, subs: Sequence[sources.Submission],
              reports: dict[str, ParsedReport], run_id: str,
              years: Sequence[int] | None = None, settle: bool = True) -> wh.LoadResult:
    """Write new submissions, re-confirm unchanged ones, record duplicates, choose the
    current version of every unit-year seen, and retire the current versions the run no
    longer finds in its ``years`` (``versions.settle_current``: a file taken out of the raw
    folder, or filed under another unit since a registry change); returns the counts by
    outcome (duplicates in ``LoadResult.duplicates``). ``settle=False`` leaves the versions
    not found as they are (a caller that makes every file current itself).

    A file found in no year folder whose text states no year either is rejected
    (``year_unknown``): it cannot be filed.
    """
    for sub in subs:
        with_year_checked(sub, reports.get(sub.submission_id))
    readable = [s for s in subs if not s.duplicate_of]
    loaded = wh.load_submissions(con, readable, reports, run_id)
    loaded.duplicates = wh.record_duplicates(con, subs, run_id)
    wh.choose_current(con, readable)
    if settle:
        wh.settle_current(con, [s.submission_id for s in subs],
                          list(years) if years else None)
    return loaded


def _mark(clock: StageClock | None, stage: str) -> None:
    if clock is not None:
        clock.switch(stage)


@dataclass
class Loaded:
    """The load stage's counts, and how its time was spent: writing batches as they came
    (while the files were being read) and settling the run at the end."""

    result: wh.LoadResult
    appending: float = 0.0
    finishing: float = 0.0


# DuckDB's threads while the batches are inserted (the default again for the settling): an
# insert of a batch (~50,000 cells) on one thread costs about a quarter less CPU than on two
# (1.4 against 1.9 s for the 1.6 million cells of 8,000 reports), and the reader processes
# are busy on the other cores meanwhile (bench/README.md, "The stages after reading")
APPEND_THREADS = 1


def load(staging: str | Path, subs: Sequence[sources.Submission],
         batches: Iterable[wh.ReportRows], run_id: str,
         clock: StageClock | None = None, years: Sequence[int] | None = None) -> Loaded:
    """Write the batches of read rows as they come, then re-confirm the unchanged
    submissions, record the duplicates and choose the current version of every unit-year
    seen (``versions.choose_current``), and retire the current versions the run no longer
    finds in its ``years`` (``versions.settle_current``): set-wise statements, each batch
    committed as it is written and the settling in one transaction after them (the staging
    copy is published whole or thrown away, so nothing half-loaded is ever seen).

    With a ``clock``, its current stage says ``read`` while a batch is awaited and ``load``
    while one is written, so a failure names the stage it happened in.
    """
    con = wh.open_writer(staging)
    try:
        readable = [s for s in subs if not s.duplicate_of]
        # the staging copy is published whole or not at all: each batch is committed as it
        # is written, so the writer's memory does not hold the whole run's rows
        loader = wh.Loader(con, readable, run_id, commit_batches=True)
        loaded = Loaded(wh.LoadResult())
        try:
            # the batches' inserts on one thread (APPEND_THREADS)
            con.execute(f"set threads = {APPEND_THREADS}")
            for rows in batches:
                started = time.perf_counter()
                _mark(clock, "load")
                loader.add(rows)
                _mark(clock, "read")
                loaded.appending += time.perf_counter() - started
            con.execute("reset threads")
            started = time.perf_counter()
            _mark(clock, "load")
            loaded.result = loader.finish(commit=False)
            loaded.result.duplicates = wh.record_duplicates(con, subs, run_id)
            wh.choose_current(con, readable)
            wh.settle_current(con, [s.submission_id for s in subs],
                              list(years) if years else None)
            con.execute("commit")
            loaded.finishing = time.perf_counter() - started
        except BaseException:
            con.execute("rollback")
            raise
        return loaded
    finally:
        con.close()
        # the batches' Arrow buffers are free now: give them back before the checks take
        # their DuckDB budget (Arrow's allocator keeps freed memory for reuse otherwise)
        pa.default_memory_pool().release_unused()


@dataclass
class Decided:
    """What the office's decision files did in a run: the corrections' outcomes, and how
    many reviews were stored (their states are known after the checks:
    ``v_finding_reviews``)."""

    corrections: list[Outcome] = field(default_factory=list)
    reviews: int = 0

    def counts(self) -> dict[str, int]:
        """Corrections by state, and the reviews read."""
        out: dict[str, int] = {}
        for o in self.corrections:
            out[f"corrections_{o.state}"] = out.get(f"corrections_{o.state}", 0) + 1
        return {**out, "reviews": self.reviews}


def apply_decisions_into(con: duckdb.DuckDBPyConnection, run_id: str,
                         reviews: str | Path | None, corrections: str | Path | None) -> Decided:
    """Apply the corrections file to the current reports' cells and store the reviews file
    (a missing file, or None, holds none). A file with errors raises
    ``gongkai.decisions.DecisionFileError`` before anything changes."""
    review_rows = read_reviews(reviews) if reviews else []
    correction_rows = read_corrections(corrections) if corrections else []
    outcomes = apply_corrections(con, correction_rows, run_id)
    return Decided(outcomes, store_reviews(con, review_rows, run_id))


def apply_decisions(staging: str | Path, run_id: str, reviews: str | Path | None,
                    corrections: str | Path | None) -> Decided:
    """``apply_decisions_into`` on the staging copy (the load stage, after ``load``)."""
    con = wh.open_writer(staging)
    try:
        return apply_decisions_into(con, run_id, reviews, corrections)
    finally:
        con.close()


@dataclass
class CheckOutcome:
    """What the check stage found: the per-rule summary and the findings counted."""

    summary: list[dict[str, Any]]
    failing_by_severity: dict[str, int]
    not_assessable: int
    reviews: dict[str, int] = field(default_factory=dict)  # reviews by state (v_finding_reviews)

    @property
    def broken_rules(self) -> list[str]:
        """Rules whose SQL failed."""
        return [r["rule_id"] for r in self.summary if r.get("status") == "error"]

    def as_dict(self) -> dict[str, Any]:
        """The counts a run reports (rules, broken rules, findings by severity)."""
        return {"rules": len(self.summary), "broken_rules": self.broken_rules,
                "failing_by_severity": self.failing_by_severity,
                "not_assessable": self.not_assessable, "reviews": self.reviews}


def check_into(con: duckdb.DuckDBPyConnection, run_id: str, *,
               config: dict[str, Any] | None = None,
               history_attached: bool = False, reuse: bool = False) -> CheckOutcome:
    """Run every rule over the current submissions of a connection, key the findings for
    reviews (``gongkai.checks.reviews``); count the findings. With ``reuse`` the findings
    of the last check run are carried over where the reports they read are unchanged
    (``gongkai.checks.run_checks``)."""
    summary = run_checks(con, run_id, config=config, history_attached=history_attached,
                         reuse=reuse)
    key_findings(con, run_id)
    failing = dict(con.execute(
        "select severity, count(*) from findings where run_id = ? and status = 'fail' "
        "group by severity order by severity", [run_id]).fetchall())
    not_assessable = con.execute(
        "select count(*) from findings where run_id = ? and status = 'not_assessable'",
        [run_id]).fetchall()[0][0]
    reviews = dict(con.execute("select state, count(*) from v_finding_reviews "
                               "group by state order by state").fetchall())
    return CheckOutcome(summary, failing, not_assessable, reviews)


def check(staging: str | Path, run_id: str,
          config: dict[str, Any] | None = None) -> CheckOutcome:
    """Run the consistency checks (sql/checks/) on the staging copy: the rules evaluate
    the reports changed since the last check run and those compared with them, and the
    other reports keep their findings (``check_into`` with ``reuse``)."""
    con = wh.open_writer(staging)
    try:
        return check_into(con, run_id, config=config, reuse=True)
    finally:
        con.close()


def materialise(staging: str | Path, run_id: str) -> list[str]:
    """Compute the rankings once and store them in the staging copy, keeping the stored rows
    of the cities and years where nothing changed (``rankings.materialise`` with
    ``reuse``); returns the tables."""
    con = wh.open_writer(staging)
    try:
        return rankings.materialise(con, run_id, reuse=True)
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# publish, render, and the run's outcome
# ---------------------------------------------------------------------------------------------

def publish(staging: str | Path, warehouse: str | Path, run_id: str, counts: dict[str, int],
            stage_seconds: dict[str, float], *, render_follows: bool) -> Path:
    """Finish the run's row, publish the staging copy atomically, export Parquet beside it.

    The row says ``published`` when the reports are still to be rendered, else
    ``completed``. Returns the Parquet folder.
    """
    con = wh.open_writer(staging)
    try:
        wh.finish_run(con, run_id, files_seen=counts["seen"], files_read=counts["read"],
                      files_unchanged=counts["unchanged"], files_rejected=counts["rejected"],
                      files_loaded=counts["loaded"], files_duplicate=counts.get("duplicate"),
                      files_skipped=counts.get("skipped"))
        wh.set_status(con, run_id, "published" if render_follows else "completed",
                      stage_seconds=stage_seconds)
    finally:
        con.close()
    # exported from the copy before the rename: a run killed after it has only the swap left
    wh.build_parquet(staging, wh.parquet_dir(warehouse))
    wh.publish(staging, warehouse)
    fault_point("publish:renamed")
    return wh.swap_parquet(wh.parquet_dir(warehouse))


def render(warehouse: str | Path, out: str | Path, years: Sequence[int] | None) -> list[Path]:
    """Render the city report, digests and index from the published warehouse."""
    from gongkai.render import render_all  # imported here: loading the renderer takes a while

    return list(render_all(warehouse, out, years) or [])


def record_outcome(warehouse: str | Path, run: RunInfo, status: str, *,
                   failed_stage: str | None = None,
                   stage_seconds: dict[str, float] | None = None) -> bool:
    """Write a run's final status into the published warehouse; False when there is none.

    The published file is updated as a run publishes it (a copy, changed, renamed into
    place), so readers are never locked out; only the run's row changes. A run that failed
    before publishing gets its row here, the warehouse's data left as it was. The row's
    Parquet file is refreshed too.
    """
    published = Path(warehouse)
    if not published.exists():
        return False
    staging = wh.stage_copy(published, f"{run.run_id}.outcome")
    try:
        con = wh.open_writer(staging)
        try:
            wh.create_schema(con)
            if not wh.has_run(con, run.run_id):
                wh.start_run(con, run.run_id, source=run.source, years=run.years,
                             reader_version=run.reader_version)
            wh.set_status(con, run.run_id, status, failed_stage=failed_stage,
                          stage_seconds=stage_seconds)
        finally:
            con.close()
        wh.publish(staging, published)
    finally:
        wh.discard(staging)
    if wh.parquet_dir(published).is_dir():
        wh.refresh_plain_table(published, wh.parquet_dir(published), "runs")
    return True


# ---------------------------------------------------------------------------------------------
# build_warehouse: the same stages, serially, into one warehouse
# ---------------------------------------------------------------------------------------------

@dataclass
class Built:
    """A warehouse built by ``build_warehouse``: an open connection to it (the caller closes
    it) and what each stage did."""

    con: duckdb.DuckDBPyConnection
    submissions: list[sources.Submission]
    reports: dict[str, ParsedReport]
    loaded: wh.LoadResult
    decided: Decided = field(default_factory=Decided)
    checks: CheckOutcome | None = None
    stored: list[str] = field(default_factory=list)


def build_warehouse(
    source: str | Path | Sequence[sources.Submission],
    path: str | Path = ":memory:",
    *,
    registry: Registry | None = None,
    years: list[int] | None = None,
    run_id: str = "build",
    workers: int = 1,
    check: bool = True,
    check_config: dict[str, Any] | str | Path | None = None,
    history: str | Path | None = None,
    every_file_current: bool = False,
    materialise: bool = False,
    reviews: str | Path | None = None,
    corrections: str | Path | None = None,
) -> Built:
    """Build a warehouse from a raw folder (``<dir>/<year>/<file>``) or given submissions.

    Runs the stages in order on one connection: schema and the unit registry, read, load
    (with the current versions settled, the corrections applied and the reviews stored),
    then (by default) the checks and, when asked, the stored rankings. No staging copy and no
    publishing: ``path`` is written directly (a new or existing DuckDB file, or
    ``":memory:"``). ``registry`` is the unit registry every stage uses — filing, the
    reader's placing of printed names, the stored registry tables and the rankings' peer
    groups; the one in use (``default_registry()``) when None. ``history`` attaches a
    published warehouse read-only for the cross-year rules (``gongkai check --warehouse``);
    ``every_file_current`` makes every loaded file current, so two drafts of one unit-year
    are both checked. ``reviews`` and ``corrections`` are the office's decision files.
    """
    registry = registry or default_registry()
    if isinstance(source, str | Path):
        subs = sources.discover_folder(source, years, registry=registry)
        label = str(source)
    else:
        subs = list(source)
        label = "files"
    if isinstance(check_config, str | Path):
        check_config = load_config(check_config)
    con = wh.open_writer(path)
    try:
        wh.create_schema(con)
        wh.load_units(con, registry)
        wh.start_run(con, run_id, source=label, years=years_label(years),
                     reader_version=READER_VERSION)
        clock = StageClock()
        with clock.stage("read"):
            reports = read(to_read(subs, wh.known_submissions(con)), workers,
                           registry=registry)
        with clock.stage("load"):
            loaded = load_into(con, subs, reports, run_id, years,
                               settle=not every_file_current)
            if every_file_current:
                wh.make_all_current(con, [s.submission_id for s in subs
                                          if s.submission_id in reports])
            decided = apply_decisions_into(con, run_id, reviews, corrections)
        built = Built(con, subs, reports, loaded, decided)
        if history is not None:
            con.execute("attach ? as hist (read_only)", [str(history)])
        if check:
            with clock.stage("check"):
                built.checks = check_into(con, run_id, config=check_config,
                                          history_attached=history is not None)
        if materialise:
            with clock.stage("materialise"):
                built.stored = rankings.materialise(con, run_id)
        wh.finish_run(con, run_id, files_seen=len(subs), files_read=len(reports),
                      files_unchanged=loaded.unchanged, files_rejected=loaded.rejected,
                      files_loaded=loaded.loaded, files_duplicate=loaded.duplicates)
        wh.set_status(con, run_id, "completed", stage_seconds=clock.seconds)
        return built
    except Exception:
        con.close()
        raise
