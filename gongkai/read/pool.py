"""Reader processes with a time budget per file: a file that takes too long is rejected as such,
and the run goes on.

The caps of ``gongkai.read.limits`` bound what a file can cost where it becomes a Document;
this is the net under them, for what no cap foresaw (a library that loops, a regular
expression that backtracks, a C extension that never returns). Files are read in worker
processes (spawned: nothing shared with the caller but three counters), sent in batches; a
worker notes in shared memory which file it starts and when, so the parent knows which file
is over its budget without a message a file. A worker over budget is
killed and replaced, the file gets a ``read_timeout`` error, and the rest of its batch goes
to the next worker.

With a ``finish`` function (``ReaderPool.read_finished``) a worker also turns each batch's
reports into what the caller keeps of them (the run's warehouse rows: a few Arrow tables
instead of report objects to send, unpickle and convert in the one writer). A worker that dies (a crash in a library, the memory limit) costs its
current file a ``reader_crashed`` error, nothing more. Each worker's address space is capped
(``MEMORY_LIMIT_BYTES``), so a file that would take the machine's memory fails alone.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from gongkai.model import ParsedReport

if TYPE_CHECKING:
    from gongkai.units import Registry

# over the limit of a legacy conversion (60 s, gongkai.read.legacy), which stops LibreOffice
# itself: a worker killed here would leave its LibreOffice running. Every other reader is
# bounded by the caps of gongkai.read.limits to seconds; this is the net under them.
DEFAULT_BUDGET_SECONDS = 90.0
# the address space of one reader process: one that has read PDF, Word and Excel reports maps
# about 0.22 GB (libraries and arenas) and holds 0.09 GB; no file of the bad-input corpus
# needs more than 0.1 GB
MEMORY_LIMIT_BYTES = 1536 * 1024 ** 2


@dataclass(frozen=True)
class Job:
    """One file to read: the caller's key, where the bytes are, how it was filed, and the
    name its messages use."""

    key: str
    path: str
    name: str
    filed_year: int | None = None
    filed_unit_code: str | None = None
    # what the caller's ``finish`` needs besides the report (the run's submission)
    extra: Any = None


# what a worker makes of a batch's (job, report) pairs (a top-level function: it is sent to
# the reader processes by reference)
Finish = Callable[[list[tuple[Job, ParsedReport]]], Any]


def _limit_memory(limit: int | None) -> None:
    if not limit:
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _system_allocator() -> None:
    """Arrow's allocations (the rows a ``finish`` makes) from the C library's allocator:
    Arrow's default, mimalloc, reserves address space in large pieces (1 GB in a process
    without a cap, 0.13 GB more than the C library's in a capped reader), and a reader's
    ``MEMORY_LIMIT_BYTES`` caps its address space, not its resident memory."""
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())


def read_job(job: Job, registry: Registry | None = None) -> ParsedReport:
    """Read one file (``parse_file``); a reader failure becomes an error issue, never a raise.
    ``registry`` places the printed unit name (the registry in use when None)."""
    from gongkai.read import parse_file, without_paths

    try:
        report = parse_file(job.path, filed_year=job.filed_year,
                            filed_unit_code=job.filed_unit_code, registry=registry)
    except Exception as exc:  # noqa: BLE001 - parse_file promises not to raise; the run goes on
        said = without_paths(str(exc))
        report = ParsedReport(file=job.name, format="unknown")
        report.add_issue("reader_failed", "error", f"读取失败：{type(exc).__name__}: {said}",
                         f"the reader failed: {type(exc).__name__}: {said}")
    report.file = job.name
    return report


# the reader process's first-generation threshold of the garbage collector (see _worker)
READER_GC_THRESHOLD = 10_000


def _worker(conn: Connection, memory_limit: int | None, registry: Registry | None,
            finish: Finish | None = None, progress: Any = None) -> None:
    """A reader process: batches in; ("done", key, report) out for each file, or with a
    ``finish`` function ("finished", keys, what ``finish`` made of the batch's reports) at the
    end of a batch. Which file it is reading, and since when, it writes to ``progress``
    (three numbers in shared memory, see ``_STARTED``) rather than sending it: a message a
    file cost the parent a wake-up and a receive per file. The registry is sent once, when
    the process starts."""
    _limit_memory(memory_limit)
    _system_allocator()
    import gongkai.read  # noqa: F401  (the readers' imports are not charged to the first file)

    if registry is None:  # nor the registry in use, loaded here before the first batch
        from gongkai.units import default_registry

        default_registry()
    # what the process holds from here on (modules, the registry: 40,000 units) is not walked
    # again by each full collection of the reports' garbage
    gc.freeze()
    # and the collector runs every READER_GC_THRESHOLD net allocations instead of 700: a
    # report holds a few thousand lines, cells and sources while it is read (freed as it is
    # done, by their counts: they form no cycles), so the default ran a collection every
    # report, 5 % of a reader's time (0.16 ms a report; 0.04 at 10,000, over 2,000 reports)
    gc.set_threshold(READER_GC_THRESHOLD, *gc.get_threshold()[1:])

    while True:
        try:
            batch = conn.recv()
        except EOFError:
            return
        if batch is None:
            return
        read: list[tuple[Job, ParsedReport]] = []
        for job in batch:
            progress[_STARTED_AT] = time.monotonic()  # the time first (see _STARTED)
            progress[_STARTED] += 1
            report = read_job(job, registry)
            progress[_DONE] += 1
            if finish is None:
                conn.send(("done", job.key, report))
            else:
                read.append((job, report))
        if finish is not None:
            conn.send(("finished", [job.key for job, _ in read], finish(read)))


# a reader's progress, in shared memory (three doubles): the files it has started and done
# since it started, and when it started the last. The worker writes the start time before it
# counts the file, so a parent that sees the count sees that file's time (or, reading in
# between, the previous file's count with the new time: a budget that starts a moment late)
_STARTED, _DONE, _STARTED_AT = 0, 1, 2


def failed_report(job: Job, code: str, budget: float) -> ParsedReport:
    """The report of a file whose reader was stopped (``read_timeout``) or died
    (``reader_crashed``)."""
    report = ParsedReport(file=job.name, format="unknown")
    if code == "read_timeout":
        report.add_issue(code, "error",
                         f"读取此文件超过 {budget:g} 秒的时间上限，已停止；未读取",
                         f"reading the file took longer than the {budget:g}-second limit; "
                         "stopped, not read")
    else:
        report.add_issue(code, "error",
                         "读取此文件时读取进程意外终止（可能超出内存上限）；未读取",
                         "the reader process died while reading the file (over the memory "
                         "limit, or a crash in a library); not read")
    return report


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    progress: Any  # the worker's shared counters (_STARTED, _DONE, _STARTED_AT)
    # jobs sent and not yet given back (done, or their batch finished), in the order sent
    batch: deque = field(default_factory=deque)
    settled: int = 0  # jobs given back since the process started

    @property
    def busy(self) -> bool:
        return bool(self.batch)

    def current(self) -> tuple[Job | None, float]:
        """The job the worker is reading and when it started it, or (None, 0)."""
        started, done, at = int(self.progress[_STARTED]), int(self.progress[_DONE]), \
            self.progress[_STARTED_AT]
        index = started - 1 - self.settled
        if started > done and 0 <= index < len(self.batch):
            return self.batch[index], at
        return None, 0.0

    def read_unsettled(self) -> int:
        """How many of the jobs sent were read and not given back (of a dead worker)."""
        return max(0, min(int(self.progress[_DONE]) - self.settled, len(self.batch)))


class ReaderPool:
    """Worker processes reading batches of files, each file within ``budget`` seconds."""

    def __init__(self, workers: int, *, budget: float = DEFAULT_BUDGET_SECONDS,
                 memory_limit: int | None = MEMORY_LIMIT_BYTES,
                 registry: Registry | None = None, finish: Finish | None = None):
        self.size = max(1, workers)
        self.finish = finish  # what a worker makes of each batch (``read_finished``)
        self.registry = registry  # places printed unit names (the one in use when None)
        self.budget = budget
        self.memory_limit = memory_limit
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[_Worker] = []
        self.replaced = 0
        self.finished: list[Any] = []  # what the workers made of their batches
        self.failed: dict[str, tuple[Job, ParsedReport]] = {}
        self.read_again: set[str] = set()
        # as a context manager the pool keeps its idle processes between reads (a process
        # costs a second to start), and stops them on leaving
        self.keep_workers = False

    def __enter__(self) -> ReaderPool:
        self.keep_workers = True
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop every reader process (killed when it is still reading): all are told
        before any is waited for (a process takes a third of a second to exit)."""
        for worker in self.workers:
            if not worker.busy:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
        for worker in list(self.workers):
            self._stop(worker, kill=worker.busy, told=True)

    def prestart(self, count: int = 1) -> None:
        """Start up to ``count`` reader processes now (at most the pool's size), for a
        caller that will read soon: a process's start (its interpreter, the reader's imports,
        the registry) then overlaps the caller's own work until the first batch is sent.
        Their files' time budgets start with each file, not with the process."""
        while len(self.workers) < min(count, self.size):
            self._start()

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        progress = self.context.RawArray("d", 3)
        process = self.context.Process(target=_worker,
                                       args=(child, self.memory_limit, self.registry,
                                             self.finish, progress),
                                       daemon=True, name="gongkai-reader")
        process.start()
        child.close()
        worker = _Worker(process, parent, progress)
        self.workers.append(worker)
        return worker

    def _stop(self, worker: _Worker, *, kill: bool, told: bool = False) -> None:
        if kill:
            worker.process.kill()
        elif not told:
            try:
                worker.conn.send(None)
            except OSError:
                worker.process.kill()
        worker.process.join(timeout=10)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
        self.workers.remove(worker)

    def read(self, batches: Iterable[list[Job]]) -> dict[str, ParsedReport]:
        """Read every job of every batch; returns key → report (one per job, whatever
        happened), in the order of the jobs. Not for a pool with a ``finish`` function."""
        if self.finish is not None:
            raise TypeError("a pool with a finish function reads with read_finished")
        queue: deque[list[Job]] = deque(b for b in batches if b)
        order = [job.key for batch in queue for job in batch]
        out: dict[str, ParsedReport] = {}
        self._run(queue, out)
        return {key: out[key] for key in order}

    def read_finished(self, batches: Iterable[list[Job]]
                      ) -> tuple[list[Any], dict[str, tuple[Job, ParsedReport]]]:
        """Read every job of every batch with the pool's ``finish`` function: returns what
        the workers made of the batches they read (in no set order; a batch cut short by a
        file over its budget is finished in parts), and the jobs they could not read
        (key → the job and its ``read_timeout`` or ``reader_crashed`` report), for the
        caller to finish."""
        if self.finish is None:
            raise TypeError("read_finished needs a pool made with a finish function")
        self.finished = []
        self.failed = {}
        queue: deque[list[Job]] = deque(b for b in batches if b)
        self._run(queue, self.failed)
        finished, failed = self.finished, self.failed
        self.finished, self.failed = [], {}
        return finished, failed

    def _run(self, queue: deque[list[Job]], out: dict) -> None:
        try:
            while queue or any(w.busy for w in self.workers):
                while queue and len(self.workers) < self.size:
                    self._start()
                for worker in list(self.workers):
                    if not worker.busy and queue:
                        batch = queue.popleft()
                        try:
                            worker.conn.send(batch)
                        except OSError:  # the worker died while idle: another reads the batch
                            queue.appendleft(batch)
                            self._stop(worker, kill=True)
                            self.replaced += 1
                            continue
                        worker.batch.extend(batch)
                busy = [w for w in self.workers if w.busy]
                now = time.monotonic()
                # a worker's file is known from its shared counters, not from a message: the
                # parent wakes at the earliest deadline (a worker that has moved on to another
                # file since gets a new one), or a budget from now for a worker between files
                # (a file it starts meanwhile is over its budget at the latest a budget later)
                deadlines = [self.budget if job is None else at + self.budget - now
                             for job, at in (w.current() for w in busy)]
                timeout = max(0.0, min(deadlines)) if deadlines else None
                ready = wait([w.conn for w in busy], timeout)
                for worker in busy:
                    if worker.conn in ready:
                        self._receive(worker, out, queue)
                now = time.monotonic()
                for worker in list(self.workers):
                    job, at = worker.current()
                    if job is not None and now - at > self.budget:
                        self._give_up(worker, "read_timeout", out, queue)
        finally:
            interrupted = any(w.busy for w in self.workers)
            if interrupted or not self.keep_workers:
                for worker in list(self.workers):
                    self._stop(worker, kill=interrupted)

    def _receive(self, worker: _Worker, out: dict, queue: deque) -> None:
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == "done":
                    out[message[1]] = message[2]
                    worker.batch.popleft()
                    worker.settled += 1
                elif message[0] == "finished":
                    self.finished.append(message[2])
                    for _ in message[1]:
                        worker.batch.popleft()
                    worker.settled += len(message[1])
        except (EOFError, OSError):
            self._give_up(worker, "reader_crashed", out, queue)

    def _failed(self, job: Job, code: str) -> Any:
        report = failed_report(job, code, self.budget)
        return report if self.finish is None else (job, report)

    def _give_up(self, worker: _Worker, code: str, out: dict, queue: deque) -> None:
        """Kill a worker; its current file gets ``code``, the rest of its batch is read by
        another."""
        self._stop(worker, kill=True)  # its counters hold still from here on
        self.replaced += 1
        current, _ = worker.current()
        jobs = list(worker.batch)
        read = worker.read_unsettled()  # read, their reports lost with the worker
        if current is None and code == "reader_crashed" and read < len(jobs):
            # died between files (its counters say none was being read): the next file it
            # would have read takes the blame
            current = jobs[read]
        if current is not None:
            out[current.key] = self._failed(current, code)
        # files read in a batch the worker did not finish: their reports went with it, they
        # are read again (once: a file lost a second time gets the worker's fate)
        again = []
        for job in jobs[:read]:
            if job.key in self.read_again:
                out[job.key] = self._failed(job, code)
            else:
                self.read_again.add(job.key)
                again.append(job)
        rest = again + [job for job in jobs[read:] if job is not current]
        worker.batch.clear()
        if rest:
            queue.appendleft(rest)


def read_files(batches: Iterable[list[Job]], *, workers: int = 1,
               budget: float = DEFAULT_BUDGET_SECONDS,
               memory_limit: int | None = MEMORY_LIMIT_BYTES,
               registry: Registry | None = None) -> dict[str, ParsedReport]:
    """Read batches of files in ``workers`` reader processes, each file within ``budget``
    seconds; returns key → report. ``registry`` places the printed unit names."""
    return ReaderPool(workers, budget=budget, memory_limit=memory_limit,
                      registry=registry).read(batches)


__all__ = ["DEFAULT_BUDGET_SECONDS", "MEMORY_LIMIT_BYTES", "Job", "ReaderPool",
           "failed_report", "read_files", "read_job"]
