"""Reader processes with a time budget per file: a file that takes too long is rejected as such,
and the run goes on.

The caps of ``gongkai.read.limits`` bound what a file can cost where it becomes a Document;
this is the net under them, for what no cap foresaw (a library that loops, a regular
expression that backtracks, a C extension that never returns). Files are read in worker
processes (spawned: no state shared with the caller), sent in batches; a worker says when it
starts each file, so the parent knows which file is over its budget. A worker over budget is
killed and replaced, the file gets a ``read_timeout`` error, and the rest of its batch goes
to the next worker. A worker that dies (a crash in a library, the memory limit) costs its
current file a ``reader_crashed`` error, nothing more. Each worker's address space is capped
(``MEMORY_LIMIT_BYTES``), so a file that would take the machine's memory fails alone.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING

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


def _limit_memory(limit: int | None) -> None:
    if not limit:
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


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


def _worker(conn: Connection, memory_limit: int | None, registry: Registry | None) -> None:
    """A reader process: batches in, ("start", key) and ("done", key, report) out; the
    registry is sent once, when the process starts."""
    _limit_memory(memory_limit)
    import gongkai.read  # noqa: F401  (the readers' imports are not charged to the first file)

    while True:
        try:
            batch = conn.recv()
        except EOFError:
            return
        if batch is None:
            return
        for job in batch:
            conn.send(("start", job.key))
            conn.send(("done", job.key, read_job(job, registry)))
        conn.send(("idle",))


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
    batch: deque = field(default_factory=deque)  # jobs sent and not yet done
    current: Job | None = None
    started: float = 0.0

    @property
    def busy(self) -> bool:
        return bool(self.batch)


class ReaderPool:
    """Worker processes reading batches of files, each file within ``budget`` seconds."""

    def __init__(self, workers: int, *, budget: float = DEFAULT_BUDGET_SECONDS,
                 memory_limit: int | None = MEMORY_LIMIT_BYTES,
                 registry: Registry | None = None):
        self.size = max(1, workers)
        self.registry = registry  # places printed unit names (the one in use when None)
        self.budget = budget
        self.memory_limit = memory_limit
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[_Worker] = []
        self.replaced = 0
        # as a context manager the pool keeps its idle processes between reads (a process
        # costs a second to start), and stops them on leaving
        self.keep_workers = False

    def __enter__(self) -> ReaderPool:
        self.keep_workers = True
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop every reader process (killed when it is still reading)."""
        for worker in list(self.workers):
            self._stop(worker, kill=worker.busy)

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker,
                                       args=(child, self.memory_limit, self.registry),
                                       daemon=True, name="gongkai-reader")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self.workers.append(worker)
        return worker

    def _stop(self, worker: _Worker, *, kill: bool) -> None:
        if kill:
            worker.process.kill()
        else:
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
        happened), in the order of the jobs."""
        queue: deque[list[Job]] = deque(b for b in batches if b)
        order = [job.key for batch in queue for job in batch]
        out: dict[str, ParsedReport] = {}
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
                deadlines = [w.started + self.budget - now for w in busy if w.current]
                timeout = max(0.0, min(deadlines)) if deadlines else None
                ready = wait([w.conn for w in busy], timeout)
                for worker in busy:
                    if worker.conn in ready:
                        self._receive(worker, out, queue)
                now = time.monotonic()
                for worker in list(self.workers):
                    if worker.current and worker.busy and now - worker.started > self.budget:
                        self._give_up(worker, "read_timeout", out, queue)
        finally:
            interrupted = any(w.busy for w in self.workers)
            if interrupted or not self.keep_workers:
                for worker in list(self.workers):
                    self._stop(worker, kill=interrupted)
        return {key: out[key] for key in order}

    def _receive(self, worker: _Worker, out: dict, queue: deque) -> None:
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == "start":
                    worker.current = worker.batch[0]
                    worker.started = time.monotonic()
                elif message[0] == "done":
                    out[message[1]] = message[2]
                    worker.batch.popleft()
                    worker.current = None
        except (EOFError, OSError):
            self._give_up(worker, "reader_crashed", out, queue)

    def _give_up(self, worker: _Worker, code: str, out: dict, queue: deque) -> None:
        """Kill a worker; its current file gets ``code``, the rest of its batch is read by
        another."""
        current = worker.current or (worker.batch[0] if worker.batch else None)
        if current is not None:
            out[current.key] = failed_report(current, code, self.budget)
            rest = [job for job in worker.batch if job is not current]
        else:
            rest = list(worker.batch)
        worker.batch.clear()
        self._stop(worker, kill=True)
        self.replaced += 1
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
