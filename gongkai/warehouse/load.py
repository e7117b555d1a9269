"""Loading: read submissions' rows go into the warehouse, set-wise.

The rows are made where the files are read (``gongkai.report_tables``: a reader process, a
Dask worker), so what reaches the one writer is a few Arrow tables, not report objects.
``Loader`` is the load stage on the writer's side: each batch of rows goes into DuckDB with
one statement per table; at the end the submissions seen again unchanged are re-confirmed
with one statement, and which version of each unit-year is current is settled for the whole
run and written with one more. ``load_submissions`` runs it over a run's submissions and
their parsed reports; ``insert_report`` writes one report (tests, tools).

Every statement is parameterised; rows reach DuckDB as Arrow tables, never as SQL text.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from gongkai.model import Issue, ParsedReport
from gongkai.report_tables import CHILD_TABLES, ReportRows, one_report_rows, report_rows
from gongkai.sources import Submission
from gongkai.warehouse.runs import utc_now

SUBMISSION_STATUSES = ("loaded", "rejected", "duplicate")
CELL_STATUSES = ("value", "blank", "unreadable", "unseen")


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
    made = one_report_rows(sub, report, reject)
    # the id is the caller's (tests and tools name their own)
    table = made.submissions.set_column(0, "submission_id",
                                        pa.array([submission_id], pa.string()))
    rows = ReportRows(table, {t: _with_id(c, submission_id) for t, c in made.children.items()})
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
