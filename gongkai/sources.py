"""Where submissions come from: a raw folder, or a CSV manifest of URLs (gongkai/manifest.py).

A raw folder is laid out as ``<raw>/<year>/<file>``: the folder gives the filed year, the
file name the filed unit (a leading registry code such as ``430181002-jili.md``, or a
registry name or alias inside the name). Every entry under it becomes a submission or a
logged skip line (``scan_folder``). Raw files are only ever read. ``read_submissions`` parses submissions, in a process pool for a
large batch.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from gongkai.model import Issue, ParsedReport
from gongkai.paths import stored_name
from gongkai.read.limits import MAX_BYTES, LimitExceeded, refuse_mode, too_large
from gongkai.read.pool import DEFAULT_BUDGET_SECONDS, Job, read_files, read_job
from gongkai.units import Registry, default_registry

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

    @property
    def submission_id(self) -> str:
        """The stable id: the bytes' hash with the filed unit-year (the URL for a failed fetch;
        the path as well for a duplicate, which is a row of its own)."""
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


def _year_issue(name: str) -> Issue:
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
# a raw folder: every entry accounted for
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Skip:
    """An entry under the raw folder that is not a submission, and why (one logged line).

    ``path`` is relative to the raw folder (``stored_name``); a skipped folder stands for
    everything under it.
    """

    path: str
    code: str
    reason: str


# documented in docs/operations.md ("What discovery skips")
SKIP_REASONS = {
    "hidden": "a hidden file or folder (its name starts with '.' or '_')",
    "readme": "a README, LICENSE or manifest file, not a report",
    "answer_key": "an answer key (NAME.json beside the report NAME.<ext>)",
    "lock_file": "a Word lock file (~$NAME) left by an open document",
    "partial": "a partial download or an editor's backup (*.part, *~)",
    "empty_folder": "an empty folder",
    "year_not_asked": "a year folder outside the years asked for",
    "outside_year_folder": "not in a year folder: read only when no years are asked for",
    "link_to_folder": "a link to a folder inside the raw folder (its files are read there)",
    "link_to_skipped": "a link to a file that is skipped itself",
}


@dataclass
class Scan:
    """What a raw folder holds: the submissions, and the entries skipped with their reason."""

    submissions: list[Submission]
    skipped: list[Skip]


def _refused(exc: LimitExceeded) -> tuple[str, list[Issue]]:
    """A submission's error and issue for an entry refused before it is read."""
    return f"{exc.message_en} ({exc.code})", [Issue(exc.code, "error", exc.message_zh,
                                                   exc.message_en)]


def _link_issue(code: str, zh: str, en: str) -> tuple[str, list[Issue]]:
    return f"{en} ({code})", [Issue(code, "error", zh, en)]


def file_sha256(path: str | Path) -> tuple[str, int]:
    """The sha256 hex digest and size in bytes of a regular file of at most ``MAX_BYTES``.

    Raises ``LimitExceeded`` for an entry that is not a regular file or is over the cap (it
    is opened without blocking and judged on the open descriptor), ``OSError`` when it
    cannot be opened.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        refused = refuse_mode(info.st_mode)
        if refused is not None:
            raise refused
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


@dataclass
class _Found:
    """A regular file (or a link to one) found by the walk, before it is hashed."""

    rel: str  # relative to the raw folder, as the OS gives it (may hold surrogates)
    path: str
    year: int | None
    mtime: float | None
    link_to: str | None = None  # for a link inside the raw folder: its target, relative


class _Walk:
    """One pass over a raw folder (``os.scandir``, links never followed blindly)."""

    def __init__(self, root: Path, years: list[int] | None):
        self.root = root
        self.real_root = os.path.realpath(root)
        self.years = years
        self.files: list[_Found] = []
        self.refused: list[tuple[str, int | None, str, list[Issue]]] = []
        self.skipped: list[Skip] = []

    def skip(self, rel: str, code: str) -> None:
        self.skipped.append(Skip(stored_name(rel), code, SKIP_REASONS[code]))

    def inside(self, real: str) -> bool:
        return real == self.real_root or real.startswith(self.real_root + os.sep)

    def walk(self, folder: str, rel: str, year: int | None, top: bool) -> int:
        """Walk one folder; returns how many entries it had."""
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: os.fsencode(e.name))
        # the stems of reports here: NAME.json beside NAME.<ext> is the generator's answer key
        stems = {os.path.splitext(e.name)[0] for e in entries
                 if not e.name.lower().endswith(".json")}
        for entry in entries:
            self.entry(entry, f"{rel}/{entry.name}" if rel else entry.name, year, top, stems)
        return len(entries)

    def entry(self, entry: os.DirEntry, rel: str, year: int | None, top: bool,
              stems: set[str]) -> None:
        name = entry.name
        if name.startswith((".", "_")):
            return self.skip(rel, "hidden")
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISLNK(mode):
            return self.link(entry.path, rel, year)
        if stat.S_ISDIR(mode):
            sub_year = year
            if top and YEAR_DIR.match(name):
                sub_year = int(name)
                if self.years is not None and sub_year not in self.years:
                    return self.skip(rel, "year_not_asked")
            elif top and self.years is not None:
                return self.skip(rel, "outside_year_folder")
            if not self.walk(entry.path, rel, sub_year, False):
                self.skip(rel, "empty_folder")
            return None
        if stat.S_ISREG(mode):
            code = _skip_code(name)
            if name.lower().endswith(".json") and os.path.splitext(name)[0] in stems:
                code = "answer_key"
            if code:
                return self.skip(rel, code)
            if year is None and self.years is not None:
                return self.skip(rel, "outside_year_folder")
            self.files.append(_Found(rel, entry.path, year, entry.stat(follow_symlinks=False)
                                     .st_mtime))
            return None
        self.refused.append((rel, year, *_refused(refuse_mode(mode))))
        return None

    def link(self, path: str, rel: str, year: int | None) -> None:
        try:
            info = os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                err = _link_issue("link_loop", "符号链接指向自身（循环），无法读取",
                                  "a symbolic link that loops back on itself; not read")
            else:
                err = _link_issue("link_broken", "符号链接指向的文件不存在",
                                  "a symbolic link to a file that does not exist")
            self.refused.append((rel, year, *err))
            return
        real = os.path.realpath(path)
        if not self.inside(real):
            self.refused.append((rel, year, *_link_issue(
                "link_outside_source", "符号链接指向原始文件夹之外，未跟随读取",
                "a symbolic link that leads outside the raw folder; not followed")))
            return
        if stat.S_ISDIR(info.st_mode):
            self.skip(rel, "link_to_folder")
            return
        refused = refuse_mode(info.st_mode)
        if refused is not None:
            self.refused.append((rel, year, *_refused(refused)))
            return
        target = os.path.relpath(real, self.real_root).replace(os.sep, "/")
        if year is None and self.years is not None:
            self.skip(rel, "outside_year_folder")
            return
        self.files.append(_Found(rel, path, year, info.st_mtime, link_to=target))


def _skip_code(name: str) -> str | None:
    if IGNORED_NAMES.match(name):
        return "readme"
    if name.startswith("~$"):
        return "lock_file"
    if name.endswith((".part", "~")):
        return "partial"
    return None


def scan_folder(root: str | Path, years: list[int] | None = None,
                registry: Registry | None = None) -> Scan:
    """Every entry under ``root``: a submission for each, or a skip line saying why not.

    Files in ``root/<year>/`` (at any depth) are filed for that year; a file elsewhere (loose
    in ``root``, in a folder that is not a year) is filed with no year and gets the year its
    text states (or is rejected at load when it states none); with ``years`` such files are
    skipped. Skipped (``SKIP_REASONS``): hidden entries, README/LICENSE/manifest files, answer
    keys beside their report, Word lock files, partial downloads, empty folders, year folders
    not asked for, links to folders inside ``root``.

    Rejected without being opened for reading: FIFOs, sockets and devices (by their type),
    links that are broken, loop, or lead outside ``root``. A link to a file inside ``root``
    is read once: the link is recorded as a duplicate of its target. Byte-identical files
    filed for the same unit (and year, when both have one) are read once: the first (a file
    in a year folder first, then the oldest file time, then the name) is read, the others are
    recorded as its duplicates (``duplicate_of``). Paths whose names are not UTF-8 are kept
    in the lossless escaped form of ``stored_name``.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"source folder {root} does not exist")
    registry = registry or default_registry()
    walk = _Walk(root, years)
    walk.walk(str(root), "", None, True)

    def filed(rel: str, year: int | None) -> tuple[str | None, list[Issue]]:
        unit, issue = filed_unit_from_name(stored_name(rel.rsplit("/", 1)[-1]), registry, year)
        issues = [issue] if issue else []
        if year is None:
            issues.append(_year_issue(stored_name(rel)))
        return unit, issues

    out: list[Submission] = []
    for rel, year, error, refusal in walk.refused:
        unit, issues = filed(rel, year)
        out.append(Submission(stored_name(rel), None, "", None, unit, year,
                              issues=issues + refusal, error=error))
    files = sorted(walk.files, key=lambda f: (f.year is None, f.mtime or 0.0,
                                              os.fsencode(f.rel)))
    by_rel: dict[str, Submission] = {}
    links: list[tuple[_Found, Submission]] = []
    originals: dict[tuple[str, str | None], list[Submission]] = {}
    for found in files:
        unit, issues = filed(found.rel, found.year)
        sub = Submission(stored_name(found.rel), found.path, "", None, unit, found.year,
                         issues=issues, mtime=found.mtime, year_from_text=found.year is None)
        if found.link_to is not None:
            links.append((found, sub))
            continue
        try:
            sub.sha256, sub.size_bytes = file_sha256(found.path)
        except LimitExceeded as exc:
            sub.path = None
            sub.error, refusal = _refused(exc)
            sub.issues += refusal
        except OSError as exc:
            sub.path = None
            sub.error = f"the file cannot be read ({exc.strerror or type(exc).__name__})"
        else:
            same = originals.setdefault((sub.sha256, unit), [])
            first = next((o for o in same if o.filed_year == sub.filed_year
                          or None in (o.filed_year, sub.filed_year)), None)
            if first is not None:
                sub.duplicate_of, sub.duplicate_of_path = first.submission_id, first.file_path
            else:
                same.append(sub)
        by_rel[found.rel] = sub
        out.append(sub)
    skipped = [s.path for s in walk.skipped]
    for found, sub in links:
        target = by_rel.get(found.link_to)
        if target is None or target.error:
            shown = stored_name(found.link_to)
            if target is None and any(shown == s or shown.startswith(s + "/") for s in skipped):
                walk.skip(found.rel, "link_to_skipped")
                continue
            # a target refused or not reached: the link says why on its own
            sub.path = None
            sub.error, refusal = _link_issue(
                "link_target_unreadable", "符号链接指向的文件无法读取",
                "a symbolic link to a file that cannot be read")
            sub.issues += refusal
        else:
            sub.sha256, sub.size_bytes = target.sha256, target.size_bytes
            if target.duplicate_of is None:
                sub.duplicate_of, sub.duplicate_of_path = target.submission_id, target.file_path
            else:  # a link to a copy: a duplicate of the copy's original
                sub.duplicate_of, sub.duplicate_of_path = (target.duplicate_of,
                                                           target.duplicate_of_path)
        out.append(sub)
    out.sort(key=lambda s: (s.filed_year is None, s.filed_year or 0, s.file_path))
    return Scan(out, walk.skipped)


def discover_folder(root: str | Path, years: list[int] | None = None,
                    registry: Registry | None = None) -> list[Submission]:
    """The submissions of a raw folder (``scan_folder`` without the skipped entries)."""
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
            error, issues = _refused(refuse_mode(stat.S_IFDIR))
            subs.append(Submission(shown, None, "", None, None, None, error=error, issues=issues))
            continue
        except LimitExceeded as exc:
            error, issues = _refused(exc)
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

def _job(sub: Submission) -> Job:
    return Job(sub.submission_id, sub.path, sub.file_path, sub.filed_year, sub.filed_unit_code)


def read_one(sub: Submission) -> ParsedReport:
    """Parse one submission's bytes; a reader failure becomes an error issue, never a raise."""
    return read_job(_job(sub))


def read_batch(subs: list[Submission]) -> list[tuple[str, ParsedReport]]:
    """Parse a batch of submissions in this process: (submission id, report) pairs."""
    return [(sub.submission_id, read_one(sub)) for sub in subs]


def batches(items: list, size: int) -> list[list]:
    """``items`` cut into consecutive lists of at most ``size``."""
    size = max(1, size)
    return [items[i:i + size] for i in range(0, len(items), size)]


PARALLEL_MIN_FILES = 256


def read_submissions(subs: list[Submission], *, workers: int = 1, batch_size: int = 32,
                     parallel_min_files: int = PARALLEL_MIN_FILES,
                     time_budget: float | None = None) -> dict[str, ParsedReport]:
    """Parse submissions in batches, across ``workers`` processes for large jobs.

    Reading is CPU-bound (PDF and table layout), so processes, not threads. Starting a
    worker costs about a second (interpreter and reader imports), more than reading a few
    hundred text reports, so fewer than ``parallel_min_files`` stay in this process, unless
    a ``time_budget`` (seconds per file) is given: then every file is read in a reader
    process that is killed and replaced when a file runs over it (``gongkai.read.pool``).
    """
    chunks = batches(subs, batch_size)
    if time_budget is None and (workers <= 1 or len(chunks) <= 1
                                or len(subs) < parallel_min_files):
        out: dict[str, ParsedReport] = {}
        for chunk in chunks:
            out.update(read_batch(chunk))
        return out
    jobs = [[_job(sub) for sub in chunk] for chunk in chunks]
    return read_files(jobs, workers=min(max(1, workers), len(chunks)),
                      budget=time_budget or DEFAULT_BUDGET_SECONDS)
