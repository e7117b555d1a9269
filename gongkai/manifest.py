"""A CSV manifest of URLs: its rows, and the downloads that become submissions.

A manifest is a CSV with the columns ``unit,year,url`` (``unit`` is a registry code or a
name). Each URL is fetched with a timeout and a size cap; the bytes are kept under the raw
folder as ``<raw>/<year>/fetched/<unit>-<sha256 prefix><suffix>`` (never overwritten: the
name carries the content hash), so a later run over the raw folder sees the same
submissions. A failed fetch becomes a rejected submission with the reason.
"""

from __future__ import annotations

import csv
import hashlib
import io
import mimetypes
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from gongkai.model import Issue
from gongkai.sources import Submission, unknown_unit_issue
from gongkai.units import Registry, default_registry

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_TIMEOUT_SECONDS = 30.0
USER_AGENT = "gongkai (annual report collection)"
MAX_REDIRECTS = 10

_SUFFIX_BY_TYPE = {
    "application/pdf": ".pdf",
    "text/html": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}

# ---------------------------------------------------------------------------------------------
# a manifest of URLs
# ---------------------------------------------------------------------------------------------

@dataclass
class ManifestRow:
    """One row of a URL manifest, with the unit resolved against the registry."""

    line_no: int
    unit: str
    unit_code: str | None
    year: int | None
    url: str
    problem: str | None = None
    issues: list[Issue] = field(default_factory=list)


def read_manifest(path: str | Path, years: list[int] | None = None,
                  registry: Registry | None = None) -> list[ManifestRow]:
    """The rows of a ``unit,year,url`` CSV (rows outside ``years`` are skipped).

    A row whose year or URL is unusable is kept with ``problem`` set (it becomes a rejected
    submission); an unknown unit gets a ``filed_unit_unknown`` issue.
    """
    registry = registry or default_registry()
    text = Path(path).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    header = {(h or "").strip().lower() for h in reader.fieldnames or []}
    missing = {"unit", "year", "url"} - header
    if missing:
        raise ValueError(f"{path}: the manifest needs the columns unit,year,url "
                         f"(missing: {', '.join(sorted(missing))})")
    rows = []
    for line_no, raw in enumerate(reader, start=2):
        rec = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        unit, year_text, url = rec.get("unit", ""), rec.get("year", ""), rec.get("url", "")
        if not (unit or year_text or url):
            continue
        year = int(year_text) if re.fullmatch(r"\d{4}", year_text) else None
        if years is not None and year is not None and year not in years:
            continue
        row = ManifestRow(line_no, unit, None, year, url)
        if unit in registry.by_code:
            row.unit_code = registry.unit_for(unit, year).unit.code
        else:
            hit = registry.resolve(unit, year)
            if hit.unit is not None:
                row.unit_code = hit.unit.code
            else:
                row.issues.append(unknown_unit_issue(
                    f"{Path(path).name} line {line_no}", f"单位“{unit}”不在单位名录中",
                    f"the unit {unit!r} is not in the unit registry"))
        if year is None:
            row.problem = f"{Path(path).name} line {line_no}: year {year_text!r} is not a year"
        elif urlparse(url).scheme not in ("http", "https"):
            row.problem = f"{Path(path).name} line {line_no}: {url!r} is not an http(s) URL"
        rows.append(row)
    return rows


class FetchError(Exception):
    """A fetch failed; ``permanent`` failures (404, too large) are not retried."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


@dataclass
class Fetched:
    """Downloaded bytes kept under the raw folder."""

    path: str
    file_path: str  # relative to the raw folder
    sha256: str
    size_bytes: int


def _suffix_for(url: str, content_type: str | None) -> str:
    suffix = Path(unquote(urlparse(url).path)).suffix.lower()
    if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix or ""):
        return suffix
    mime = (content_type or "").split(";")[0].strip().lower()
    return _SUFFIX_BY_TYPE.get(mime) or mimetypes.guess_extension(mime) or ".bin"


def _scheme_of(exc: Exception) -> str | None:
    """The scheme of the URL a redirect pointed at, when the error carries its request."""
    try:
        scheme = exc.request.url.scheme  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):
        return None
    return scheme if re.fullmatch(r"[a-z][a-z0-9+.-]{0,15}", scheme or "") else None


def fetch_url(url: str, raw_dir: str | Path, *, unit_code: str | None, year: int,
              timeout: float = DEFAULT_TIMEOUT_SECONDS,
              max_bytes: int = DEFAULT_MAX_BYTES) -> Fetched:
    """Download one URL into ``<raw>/<year>/fetched/`` and return where the bytes are.

    Raises ``FetchError``: permanent for an HTTP 4xx answer, a body over ``max_bytes``, a
    redirect loop or a redirect to another scheme (``file://`` …, never followed); transient
    (worth a retry) for timeouts, connection failures and 5xx answers. An
    existing file is never overwritten: its name carries the content hash.
    """
    import httpx  # imported here: reader processes never fetch

    raw_dir = Path(raw_dir)
    folder = raw_dir / str(year) / "fetched"
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    size = 0
    deadline = time.monotonic() + max(timeout * 4, timeout + 30)
    try:
        with httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True,
                          max_redirects=MAX_REDIRECTS,
                          headers={"User-Agent": USER_AGENT}) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise FetchError(
                        f"{url}: HTTP {response.status_code} {response.reason_phrase}".rstrip(),
                        permanent=response.status_code < 500)
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(f"{url}: {declared} bytes is over the {max_bytes}-byte cap",
                                     permanent=True)
                content_type = response.headers.get("content-type")
                with open(partial, "wb") as fh:
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise FetchError(f"{url}: more than the {max_bytes}-byte cap",
                                             permanent=True)
                        if time.monotonic() > deadline:
                            raise FetchError(f"{url}: download did not finish in time",
                                             permanent=False)
                        digest.update(chunk)
                        fh.write(chunk)
    except httpx.TimeoutException:
        partial.unlink(missing_ok=True)
        raise FetchError(f"{url}: no answer within {timeout:g} s (timeout)", permanent=False) \
            from None
    except httpx.TooManyRedirects:
        partial.unlink(missing_ok=True)
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects (a redirect loop)",
                         permanent=True) from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        # a redirect to file://, ftp:// … (or a malformed Location): asking again gives the
        # same answer, and the target is never fetched
        partial.unlink(missing_ok=True)
        scheme = _scheme_of(exc)
        raise FetchError(f"{url}: redirected to a URL that is not http(s)"
                         f"{f' ({scheme}://)' if scheme else ''}; not followed",
                         permanent=True) from None
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}", permanent=False) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    sha = digest.hexdigest()
    final = folder / f"{unit_code or 'unknown'}-{sha[:12]}{_suffix_for(url, content_type)}"
    if final.exists():
        partial.unlink()
    else:
        os.replace(partial, final)
    return Fetched(str(final), final.relative_to(raw_dir).as_posix(), sha, size)


def fetched_submission(row: ManifestRow, fetched: Fetched) -> Submission:
    """The submission of a successfully fetched manifest row."""
    return Submission(fetched.file_path, fetched.path, fetched.sha256, fetched.size_bytes,
                      row.unit_code, row.year, source_url=row.url, issues=list(row.issues),
                      mtime=os.stat(fetched.path).st_mtime)


def failed_submission(row: ManifestRow, reason: str) -> Submission:
    """The (rejected) submission of a manifest row whose URL could not be fetched."""
    name = Path(unquote(urlparse(row.url).path)).name or "download"
    return Submission(f"{row.year or 'unknown'}/fetched/{name}", None, "", None, row.unit_code,
                      row.year, source_url=row.url, error=reason, issues=list(row.issues))


