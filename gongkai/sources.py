"""Where submissions come from: a raw folder, or a CSV manifest of URLs (gongkai/manifest.py).

A raw folder is laid out as ``<raw>/<year>/<file>``: the folder gives the filed year, the
file name the filed unit (a leading registry code such as ``430181002-jili.md``, or a
registry name or alias inside the name). Every entry under it becomes a submission or a
logged skip line (``scan_folder``). Raw files are only ever read. ``read_submissions`` parses submissions, in a process pool for a
large batch.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gongkai.model import Issue, ParsedReport
from gongkai.paths import stored_name
from gongkai.read.limits import MAX_BYTES, LimitExceeded, open_regular, refuse_mode, too_large
from gongkai.read.pool import (
    DEFAULT_BUDGET_SECONDS,
    Finish,
    Job,
    ReaderPool,
    read_files,
    read_job,
)
from gongkai.units import Registry

YEAR_DIR = re.compile(r"^(19|20)\d{2}$")
LEADING_CODE = re.compile(r"^(\d{6,12})(?!\d)")
IGNORED_NAMES = re.compile(r"^(readme|license|manifest)(\..*)?$", re.IGNORECASE)



def submission_id_for(sha256: str, filed_unit_code: str | None, filed_year: int | None) -> str:
    """The stable id of a submission: a hash of its bytes' sha256 and its filed unit-year.

    The same bytes filed for another unit or year are another submission.
    """
    key = f"{sha256}|{filed_unit_code or ''}|{filed_year if filed_year is not None else ''}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass
class Submission:
    """One submitted file as discovered (or fetched), before it is read.

    ``path`` is the absolute path of the bytes (None when a fetch failed); ``file_path`` is
    what the warehouse records (relative to the raw folder when possible). ``error`` is the
    reason a submission cannot be read at all; ``issues`` are findings about the filing
    itself (an unknown filed unit …).
    """

    file_path: str
    path: str | None
    sha256: str
    size_bytes: int | None
    filed_unit_code: str | None
    filed_year: int | None
    source_url: str | None = None
    error: str | None = None
    issues: list[Issue] = field(default_factory=list)
    # a file named again in one `gongkai check` is checked as a file of its own: "#<position>"
    copy_tag: str | None = None
    # the file's modification time (seconds since the epoch): which version is current
    mtime: float | None = None
    # a byte-identical copy (or a link) of another submission: that one's id and path; a
    # duplicate is recorded, not read
    duplicate_of: str | None = None
    duplicate_of_path: str | None = None
    # found in no year folder: filed with the year its text states, rejected when it states none
    year_from_text: bool = False

    # the id and what it was made of: a run asks for it a few times a file (0.6 s of hashing
    # for 40,000 files), and the fields it is made of may change after discovery
    _id: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def submission_id(self) -> str:
        """The stable id: the bytes' hash with the filed unit-year (the URL for a failed fetch;
        the path as well for a duplicate, which is a row of its own)."""
        made_of = (self.sha256, self.filed_unit_code, self.filed_year, self.copy_tag,
                   self.duplicate_of, self.file_path, self.error, self.source_url)
        if self._id is None or self._id[0] != made_of:
            self._id = (made_of, self._make_id())
        return self._id[1]

    def _make_id(self) -> str:
        if self.duplicate_of:
            return submission_id_for(f"{self.sha256}|duplicate:{self.file_path}",
                                     self.filed_unit_code, self.filed_year)
        if self.error and not self.sha256:
            key = hashlib.sha256(f"{self.source_url or self.file_path}|{self.error}".encode())
            return submission_id_for("fetch:" + key.hexdigest(), self.filed_unit_code,
                                     self.filed_year)
        return submission_id_for(self.sha256, self.copy_tag or self.filed_unit_code,
                                 self.filed_year)


# ---------------------------------------------------------------------------------------------
# filed unit and year
# ---------------------------------------------------------------------------------------------

def filed_unit_from_name(name: str, registry: Registry,
                         year: int | None = None) -> tuple[str | None, Issue | None]:
    """The registry code a file name files its report under, or (None, an issue saying why).

    A leading code (``430181002-jili.md``) must be a registry code; otherwise a registry
    name, alias, former name or short name inside the name identifies the unit. With the
    filed year, a code or name of a unit renamed or merged since is the unit of that year.
    """
    stem = Path(name).stem
    match = LEADING_CODE.match(stem)
    if match:
        code = match.group(1)
        if code in registry.by_code:
            return registry.unit_for(code, year).unit.code, None
        return None, unknown_unit_issue(
            name, f"文件名中的单位代码 {code} 不在单位名录中",
            f"the unit code {code} in the file name is not in the unit registry")
    hit = registry.find_in_text(stem, year)
    if hit.unit is not None:
        return hit.unit.code, None
    shorts = registry.short_names_in(stem)
    if len(shorts) == 1:
        return registry.unit_for(shorts.pop(), year).unit.code, None
    return None, unknown_unit_issue(
        name, "文件名中没有可识别的单位代码或单位名称",
        "the file name carries no registry unit code or unit name")


def unknown_unit_issue(name: str, zh: str, en: str) -> Issue:
    """The issue of a submission whose filed unit is not in the registry."""
    return Issue(
        "filed_unit_unknown", "warning",
        f"{name}：{zh}；改用报告正文中的单位",
        f"{name}: {en}; the unit named in the report's text is used instead",
        location=name,
    )


def year_issue(name: str) -> Issue:
    return Issue(
        "filed_year_unknown", "warning",
        f"{name}：文件不在年度文件夹（如 2019/）中；改用报告正文中的年度",
        f"{name}: the file is not in a year folder (such as 2019/); the year in the report's "
        "text is used instead",
        location=name,
    )


def parse_years(spec: str | None) -> list[int] | None:
    """``2019`` → [2019]; ``2019-2021`` → [2019, 2020, 2021]; None → None (every year)."""
    if spec is None or str(spec).strip() == "":
        return None
    text = str(spec).strip()
    match = re.fullmatch(r"(\d{4})\s*[-–:]\s*(\d{4})", text)
    if match:
        first, last = int(match.group(1)), int(match.group(2))
        if first > last:
            raise ValueError(f"year range {text!r} runs backwards")
        return list(range(first, last + 1))
    if re.fullmatch(r"\d{4}", text):
        return [int(text)]
    raise ValueError(f"not a year or a year range: {text!r} (expected 2019 or 2019-2024)")


# ---------------------------------------------------------------------------------------------
# files: refused before reading, hashed, named one by one (a raw folder: gongkai/rawfolder.py)
# ---------------------------------------------------------------------------------------------

def refused_issue(exc: LimitExceeded) -> tuple[str, list[Issue]]:
    """A submission's error and issue for an entry refused before it is read."""
    return f"{exc.message_en} ({exc.code})", [Issue(exc.code, "error", exc.message_zh,
                                                   exc.message_en)]


def link_issue(code: str, zh: str, en: str) -> tuple[str, list[Issue]]:
    """A submission's error and issue for a link that is not followed."""
    return f"{en} ({code})", [Issue(code, "error", zh, en)]


def file_sha256(path: str | Path) -> tuple[str, int]:
    """The sha256 hex digest and size in bytes of a regular file of at most ``MAX_BYTES``.

    Raises ``LimitExceeded`` for an entry that is not a regular file or is over the cap (it
    is opened without blocking and judged on the open descriptor), ``OSError`` when it
    cannot be opened.
    """
    fd, info = open_regular(path)
    try:
        digest = hashlib.sha256()
        size = 0
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
            size += len(chunk)
            if size > MAX_BYTES:
                raise too_large(max(size, info.st_size))
        return digest.hexdigest(), size
    finally:
        os.close(fd)


def discover_folder(root: str | Path, years: list[int] | None = None,
                    registry: Registry | None = None) -> list[Submission]:
    """The submissions of a raw folder (``gongkai.rawfolder.scan_folder`` without the
    entries it skipped)."""
    from gongkai.rawfolder import scan_folder

    return scan_folder(root, years, registry).submissions


def file_submissions(paths: list[str]) -> list[Submission]:
    """Submissions for files named one by one (``gongkai check``).

    Nothing is filed: the unit and year are those the text states. A name that is not a
    readable regular file (missing, a folder, a FIFO or device, over the size cap) is a
    rejected submission saying which; the same bytes named twice are two submissions.
    """
    subs: list[Submission] = []
    seen: set[str] = set()
    for position, name in enumerate(paths):
        shown = stored_name(name)
        try:
            sha256, size = file_sha256(name)
        except FileNotFoundError:
            subs.append(Submission(shown, None, "", None, None, None,
                                   error="file not found (file_not_found)"))
            continue
        except IsADirectoryError:
            error, issues = refused_issue(refuse_mode(stat.S_IFDIR))
            subs.append(Submission(shown, None, "", None, None, None, error=error, issues=issues))
            continue
        except LimitExceeded as exc:
            error, issues = refused_issue(exc)
            subs.append(Submission(shown, None, "", None, None, None, error=error, issues=issues))
            continue
        except OSError as exc:
            subs.append(Submission(shown, None, "", None, None, None,
                                   error=f"the file cannot be read ({exc.strerror or exc})"))
            continue
        sub = Submission(shown, name, sha256, size, None, None)
        if sub.submission_id in seen:
            sub.copy_tag = f"#{position}"
        seen.add(sub.submission_id)
        subs.append(sub)
    return subs


def is_manifest(source: str | Path) -> bool:
    """True when a source is a CSV manifest of URLs rather than a raw folder."""
    return str(source).lower().endswith(".csv")


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------

def _job(sub: Submission, with_submission: bool = False) -> Job:
    return Job(sub.submission_id, sub.path, sub.file_path, sub.filed_year, sub.filed_unit_code,
               sub if with_submission else None)


def read_one(sub: Submission, registry: Registry | None = None) -> ParsedReport:
    """Parse one submission's bytes; a reader failure becomes an error issue, never a raise.

    ``registry`` places the printed unit name (the registry in use when None)."""
    return read_job(_job(sub), registry)


def read_batch(subs: list[Submission],
               registry: Registry | None = None) -> list[tuple[str, ParsedReport]]:
    """Parse a batch of submissions in this process: (submission id, report) pairs."""
    return [(sub.submission_id, read_one(sub, registry)) for sub in subs]


def batches(items: list, size: int) -> list[list]:
    """``items`` cut into consecutive lists of at most ``size``."""
    size = max(1, size)
    return [items[i:i + size] for i in range(0, len(items), size)]


PARALLEL_MIN_FILES = 256


def read_groups(groups: Sequence[list[Submission]], *, workers: int,
                batch_size: int = 32, time_budget: float | None = None,
                registry: Registry | None = None, finish: Finish | None = None,
                pool: ReaderPool | None = None) -> Iterator[Any]:
    """Parse groups of submissions in reader processes (``gongkai.read.pool``), yielding
    each group's reports in order (a dict: submission id → report): one pool for all groups
    (its processes start once), and the next group read while the caller works on the one
    yielded. With ``finish`` (a top-level function of a batch's (job, report) pairs, each
    job carrying its submission as ``extra``), the reader processes finish each batch they
    read and a group yields what ``ReaderPool.read_finished`` returns: the finished
    batches, and the jobs that could not be read with their reports.

    ``pool``: a pool made by the caller with the same budget, registry and ``finish``
    (``reader_pool``; its processes possibly started already), used and left open."""
    with_submission = finish is not None
    jobs = [[[_job(sub, with_submission) for sub in chunk] for chunk in batches(group, batch_size)]
            for group in groups]
    if not jobs:
        return
    # no more processes than batches (a rerun reads a few files)
    processes = max(1, min(workers, sum(len(group) for group in jobs)))
    if pool is None:
        owned = reader_pool(processes, time_budget=time_budget, registry=registry,
                            finish=finish)
    else:
        owned = contextlib.nullcontext(pool)
        pool.size = processes
    with owned as pool, ThreadPoolExecutor(max_workers=1) as ahead:
        read = pool.read if finish is None else pool.read_finished
        pending = ahead.submit(read, jobs[0])
        try:
            for following in [*jobs[1:], None]:
                reports = pending.result()
                if following is not None:
                    pending = ahead.submit(read, following)
                yield reports
        finally:
            # the caller stopped early: the group being read is finished (or fails) before
            # the pool stops its processes
            pending.cancel()
            try:
                pending.result()
            except Exception:  # noqa: BLE001 - what failed after the caller stopped is moot
                pass


def reader_pool(workers: int, *, time_budget: float | None = None,
                registry: Registry | None = None, finish: Finish | None = None
                ) -> ReaderPool:
    """The pool of reader processes ``read_groups`` reads with (enter it to keep its
    processes between reads; leaving it stops them)."""
    return ReaderPool(workers, budget=time_budget or DEFAULT_BUDGET_SECONDS, registry=registry,
                      finish=finish)


def read_submissions(subs: list[Submission], *, workers: int = 1, batch_size: int = 32,
                     parallel_min_files: int = PARALLEL_MIN_FILES,
                     time_budget: float | None = None,
                     registry: Registry | None = None) -> dict[str, ParsedReport]:
    """Parse submissions in batches, across ``workers`` processes for large jobs.

    Reading is CPU-bound (PDF and table layout), so processes, not threads. Starting a
    worker costs about a second (interpreter and reader imports), more than reading a few
    hundred text reports, so fewer than ``parallel_min_files`` stay in this process, unless
    a ``time_budget`` (seconds per file) is given: then every file is read in a reader
    process that is killed and replaced when a file runs over it (``gongkai.read.pool``).
    ``registry`` places the printed unit names (the registry in use when None); a reader
    process receives it once, when it starts.
    """
    chunks = batches(subs, batch_size)
    if time_budget is None and (workers <= 1 or len(chunks) <= 1
                                or len(subs) < parallel_min_files):
        out: dict[str, ParsedReport] = {}
        for chunk in chunks:
            out.update(read_batch(chunk, registry))
        return out
    jobs = [[_job(sub) for sub in chunk] for chunk in chunks]
    return read_files(jobs, workers=min(max(1, workers), len(chunks)),
                      budget=time_budget or DEFAULT_BUDGET_SECONDS, registry=registry)
