"""Where submissions come from: a raw folder, or a CSV manifest of URLs (gongkai/manifest.py).

A raw folder is laid out as ``<raw>/<year>/<file>``: the folder gives the filed year, the
file name the filed unit (a leading registry code such as ``430181002-jili.md``, or a
registry name or alias inside the name). README files and hidden files are ignored. Raw
files are only ever read. ``read_submissions`` parses submissions, in a process pool for a
large batch.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from gongkai.model import Issue, ParsedReport
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

    @property
    def submission_id(self) -> str:
        """The stable id: the bytes' hash with the filed unit-year (the URL for a failed fetch)."""
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
# a raw folder
# ---------------------------------------------------------------------------------------------

def _is_ignored(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    if any(p.startswith((".", "_")) for p in parts):
        return True
    return bool(IGNORED_NAMES.match(path.name)) or path.name.endswith((".part", "~"))


def file_sha256(path: str | Path) -> tuple[str, int]:
    """The sha256 hex digest and size in bytes of a file."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def discover_folder(root: str | Path, years: list[int] | None = None,
                    registry: Registry | None = None) -> list[Submission]:
    """Every submitted file under ``root/<year>/`` (and loose in ``root`` when no year filter).

    Skipped: README, LICENSE and manifest files, hidden files and folders (``.`` or ``_``),
    partial downloads, and ``NAME.json`` beside a report ``NAME.<ext>`` (the generator's
    answer keys).

    Ordered by year folder then path, so loading order (and which version is current when
    two files claim the same unit-year) is deterministic. The same bytes filed twice for the
    same unit-year are one submission (the first path is kept).
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"source folder {root} does not exist")
    registry = registry or default_registry()
    found: list[tuple[int | None, Path]] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir() and YEAR_DIR.match(entry.name):
            year = int(entry.name)
            if years is not None and year not in years:
                continue
            files = [p for p in sorted(entry.rglob("*")) if p.is_file()]
            stems = {(p.parent, p.stem) for p in files if p.suffix.lower() != ".json"}
            for path in files:
                if _is_ignored(path, root):
                    continue
                if path.suffix.lower() == ".json" and (path.parent, path.stem) in stems:
                    continue  # an answer key written beside its report (gongkai synth)
                found.append((year, path))
        elif entry.is_file() and years is None and not _is_ignored(entry, root):
            found.append((None, entry))
    out: list[Submission] = []
    seen: set[str] = set()
    for year, path in found:
        rel = path.relative_to(root).as_posix()
        unit, issue = filed_unit_from_name(path.name, registry, year)
        issues = [issue] if issue else []
        if year is None:
            issues.append(_year_issue(rel))
        try:
            sha, size = file_sha256(path)
        except OSError as exc:
            sub = Submission(rel, str(path), "", None, unit, year, issues=issues,
                             error=f"{rel}: the file cannot be read ({exc.strerror or exc})")
        else:
            sub = Submission(rel, str(path), sha, size, unit, year, issues=issues)
        if sub.submission_id in seen:
            continue
        seen.add(sub.submission_id)
        out.append(sub)
    return out


def file_submissions(paths: list[str]) -> list[Submission]:
    """Submissions for files named one by one (``gongkai check``).

    Nothing is filed: the unit and year are those the text states. A file that does not
    exist is a rejected submission; the same bytes named twice are two submissions.
    """
    subs: list[Submission] = []
    seen: set[str] = set()
    for position, name in enumerate(paths):
        path = Path(name)
        if not path.is_file():
            subs.append(Submission(name, None, "", None, None, None, error="file not found"))
            continue
        sha256, size = file_sha256(path)
        sub = Submission(name, str(path), sha256, size, None, None)
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

def read_one(sub: Submission, registry: Registry | None = None) -> ParsedReport:
    """Parse one submission's bytes; a reader failure becomes an error issue, never a raise.

    ``registry`` places the printed unit name (the registry in use when None)."""
    from gongkai.read import parse_file

    try:
        return parse_file(sub.path, filed_year=sub.filed_year,
                          filed_unit_code=sub.filed_unit_code, registry=registry)
    except Exception as exc:  # parse_file promises not to raise; keep the run going if it does
        report = ParsedReport(file=sub.file_path, format="unknown")
        report.add_issue("reader_failed", "error", f"读取失败：{type(exc).__name__}: {exc}",
                         f"the reader failed: {type(exc).__name__}: {exc}", sub.file_path)
        return report


# the registry of a reader process, set once when the process starts (not sent with each batch)
_worker_registry: Registry | None = None


def _start_worker(registry: Registry | None) -> None:
    global _worker_registry
    _worker_registry = registry


def read_batch(subs: list[Submission],
               registry: Registry | None = None) -> list[tuple[str, ParsedReport]]:
    """Parse a batch of submissions in this process: (submission id, report) pairs."""
    registry = registry or _worker_registry
    return [(sub.submission_id, read_one(sub, registry)) for sub in subs]


def batches(items: list, size: int) -> list[list]:
    """``items`` cut into consecutive lists of at most ``size``."""
    size = max(1, size)
    return [items[i:i + size] for i in range(0, len(items), size)]


PARALLEL_MIN_FILES = 256


def read_submissions(subs: list[Submission], *, workers: int = 1, batch_size: int = 32,
                     parallel_min_files: int = PARALLEL_MIN_FILES,
                     registry: Registry | None = None) -> dict[str, ParsedReport]:
    """Parse submissions in batches, across ``workers`` processes for large jobs.

    Reading is CPU-bound (PDF and table layout), so a process pool, not threads. Starting a
    worker costs about a second (interpreter and reader imports), more than reading a few
    hundred text reports, so fewer than ``parallel_min_files`` stay in this process.
    ``registry`` places the printed unit names (the registry in use when None); a worker
    process receives it once, when it starts.
    """
    chunks = batches(subs, batch_size)
    out: dict[str, ParsedReport] = {}
    if workers <= 1 or len(chunks) <= 1 or len(subs) < parallel_min_files:
        for chunk in chunks:
            out.update(read_batch(chunk, registry))
        return out
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=context,
                             initializer=_start_worker, initargs=(registry,)) as pool:
        for pairs in pool.map(read_batch, chunks):
            out.update(pairs)
    return out
