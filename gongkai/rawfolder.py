"""A raw folder, entry by entry: every entry under it becomes a submission or one logged skip
line with its reason (``scan_folder``).

The walk never follows a link blindly and never opens anything but a regular file: FIFOs,
sockets and devices are rejected by their type; links that are broken, loop or lead outside
the raw folder are refused with a reason; a link to a file inside is read once (it is
recorded as a duplicate of its target). Byte-identical files filed for the same unit are
read once. What is skipped, and why, is listed in ``SKIP_REASONS`` (docs/operations.md).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from gongkai.model import Issue
from gongkai.paths import stored_name
from gongkai.read.limits import LimitExceeded, refuse_mode
from gongkai.sources import (
    IGNORED_NAMES,
    YEAR_DIR,
    Submission,
    file_sha256,
    filed_unit_from_name,
    link_issue,
    refused_issue,
    year_issue,
)
from gongkai.units import Registry, default_registry


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
        self.refused.append((rel, year, *refused_issue(refuse_mode(mode))))
        return None

    def link(self, path: str, rel: str, year: int | None) -> None:
        try:
            info = os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                err = link_issue("link_loop", "符号链接指向自身（循环），无法读取",
                                  "a symbolic link that loops back on itself; not read")
            else:
                err = link_issue("link_broken", "符号链接指向的文件不存在",
                                  "a symbolic link to a file that does not exist")
            self.refused.append((rel, year, *err))
            return
        real = os.path.realpath(path)
        if not self.inside(real):
            self.refused.append((rel, year, *link_issue(
                "link_outside_source", "符号链接指向原始文件夹之外，未跟随读取",
                "a symbolic link that leads outside the raw folder; not followed")))
            return
        if stat.S_ISDIR(info.st_mode):
            self.skip(rel, "link_to_folder")
            return
        refused = refuse_mode(info.st_mode)
        if refused is not None:
            self.refused.append((rel, year, *refused_issue(refused)))
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
            issues.append(year_issue(stored_name(rel)))
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
            sub.error, refusal = refused_issue(exc)
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
            sub.error, refusal = link_issue(
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


