"""Render the city comparative report, the township digests and the index from a warehouse.

``render_all(warehouse_path, out_dir, years)`` opens the published warehouse read-only,
loads the ranking views (``gongkai.rankings``), reads every figure in one query per view and
year, and writes, in a process pool (one worker per CPU)::

    out/index.html                                  links to everything
    out/<year>/city-report.html|docx|xlsx|md|pdf    the city report (HTML self-contained)
    out/<year>/charts/<name>.png                    the charts (for the Markdown)
    out/<year>/digests/<code>-<name>.html|docx|pdf  one page per unit with a report

The PDFs are printed by headless Chromium (``pdf.py``) from the pages whose bytes changed;
a digest that prints on more than one A4 page is written again denser and printed again.
Digests of units that no longer have a report in a rendered year are removed. ``render``
does the same and also says what it removed and how long it took (``gongkai render``).

``city_artifacts(warehouse_path, years)`` builds each year's league table and summary for
the flow to post as Prefect artifacts (flows/artifacts.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import os
import re
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from gongkai import rankings, wording
from gongkai.paths import TEMPLATES_DIR
from gongkai.render import charts as ch
from gongkai.render import data, excel, files, fmt, word, word_parts
from gongkai.render import pdf as pdf_copies
from gongkai.render.model import CityReport, Digest

log = logging.getLogger(__name__)

CITY_REPORT = "city-report"
# a render smaller than this (in digests; a city report costs about CITY_REPORT_COST
# digests, mostly its charts) stays in one process: a worker takes about a second to start
PARALLEL_MIN_WORK = 200
CITY_REPORT_COST = 40
DIGESTS_PER_JOB = 16


def environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    """The Jinja2 environment of the reports: HTML templates (``*.html.j2``) autoescaped,
    undefined names an error, the figure filters of ``gongkai.render.fmt``, ``unread``
    (cells never read) and the wording of ``gongkai.wording`` as ``w``."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html", "htm", "xml", "html.j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(fmt.FILTERS)
    env.filters["unread"] = wording.unread_text
    env.globals["w"] = wording
    return env


def _stamp(as_of: str | None, year: int) -> str:
    """The document date of the DOCX/XLSX files: the data's own date (deterministic)."""
    if as_of:
        return dt.datetime.strptime(as_of, "%Y-%m-%d").strftime("%Y-%m-%dT00:00:00Z")
    return f"{year + 1}-01-01T00:00:00Z"




def year_charts(d: CityReport) -> dict[str, ch.Chart]:
    """The four charts of a year's city report."""
    scores = [r.score for r in d.league if r.score is not None]
    return {
        "league": ch.league_chart(d.groups, d.year),
        "distribution": ch.score_distribution_chart(scores, d.method.bands, d.year),
        "outcomes": ch.outcomes_chart(d.outcomes, d.year),
        "totals": ch.yearly_totals_chart(d.series),
    }


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The report environment, built once per process."""
    return environment()


def write_city_report(d: CityReport, out_dir: Path) -> list[Path]:
    """Write one year's city report in every format (charts, HTML, Markdown, DOCX, XLSX)
    from its data (``data.city_report``); returns the files."""
    env = _environment()
    method = d.method
    year_dir = out_dir / str(d.year)
    lines = rankings.method_lines(method)
    charts = year_charts(d)
    written: list[Path] = []
    chart_ctx = {}
    for key, chart in charts.items():
        written.append(files.put(year_dir / "charts" / f"{chart.name}.png", chart.png))
        uri = "data:image/svg+xml;base64," + base64.b64encode(chart.svg.encode()).decode()
        chart_ctx[key] = {"title": chart.title, "uri": uri, "file": f"charts/{chart.name}.png"}
    links = {k: f"{CITY_REPORT}.{k}" for k in ("html", "docx", "xlsx", "md")}
    ctx = {"d": d, "charts": chart_ctx, "method_lines": lines, "links": links,
           "t4_cols": wording.T4_COL_LABELS}
    written.append(files.put_text(year_dir / f"{CITY_REPORT}.html",
                                  env.get_template("city_report.html.j2").render(ctx)))
    written.append(files.put_text(year_dir / f"{CITY_REPORT}.md",
                                  env.get_template("city_report.md.j2").render(ctx)))
    stamp = _stamp(d.as_of, d.year)
    written.append(word.city_report_docx(d, charts, lines, year_dir / f"{CITY_REPORT}.docx",
                                         stamp))
    written.append(excel.city_report_xlsx(d, lines, year_dir / f"{CITY_REPORT}.xlsx", stamp))
    return written


def digest_path(d: Digest, out_dir: Path, ext: str = "html") -> Path:
    """Where a digest is written: out/<year>/digests/<code>-<name>.<ext>."""
    return out_dir / str(d.year) / "digests" / f"{d.file_stem}.{ext}"


def digest_html(d: Digest) -> str:
    """A digest as HTML (its print CSS at the digest's density)."""
    return _environment().get_template("digest.html.j2").render(
        {"d": d, "method_lines": rankings.method_lines(d.method)})


def write_digests(digests: list[Digest], out_dir: Path) -> list[Path]:
    """Write digests (``data.digests``) as HTML and DOCX; returns the files."""
    written = []
    for d in digests:
        page = digest_path(d, out_dir)
        page.parent.mkdir(parents=True, exist_ok=True)
        written.append(files.put_text(page, digest_html(d)))
        written.append(word.digest_docx(d, rankings.method_lines(d.method),
                                        digest_path(d, out_dir, "docx"),
                                        _stamp(d.as_of, d.year)))
    return written


def _run_job(job: tuple[str, Any, Path]) -> tuple[list[Path], list[Path]]:
    """One unit of work of a render: ("city", city report data, out) or ("digests", list of
    digest data, out). Returns the job's files and those whose bytes changed. Top-level so
    that worker processes can run it."""
    kind, payload, out_dir = job
    files.take_changed()
    done = (write_city_report(payload, out_dir) if kind == "city"
            else write_digests(payload, out_dir))
    return done, files.take_changed()


def index_html(con, method: rankings.Method, years: list[int],
               with_pdf: frozenset[int] = frozenset()) -> str:
    """The index page (``out/index.html``) linking the city report and digests of ``years``
    (and their PDFs for the years in ``with_pdf``); units without a report are listed
    without a link."""
    entries = []
    for year in sorted(years, reverse=True):
        table = data.league(con, year)
        entries.append({
            "year": year,
            "city": {k: f"{year}/{CITY_REPORT}.{k}" for k in ("html", "docx", "xlsx", "md", "pdf")},
            "pdf": year in with_pdf,
            "groups": data.league_groups(table),
        })
    return _environment().get_template("index.html.j2").render({
        "city": data.city_name(con), "as_of": data.data_as_of(con), "method": method,
        "years": entries,
    })


# a digest file a render owns: <unit code>[-<unit name>].html, .docx or .pdf
_DIGEST_FILE = re.compile(r"^(\d{6,12})(-[^./\\]+)?\.(html|docx|pdf)$")


def remove_stale_digests(out_dir: Path, year: int, keep: set[str]) -> list[Path]:
    """Delete the digests of ``out/<year>/digests/`` whose file name (without extension) is
    not in ``keep`` (units that no longer have a report that year, or a digest under an
    older name); other files are left alone. Returns them."""
    folder = out_dir / str(year) / "digests"
    if not folder.is_dir():
        return []
    stale = sorted(p for p in folder.iterdir()
                   if p.is_file() and _DIGEST_FILE.match(p.name) and p.stem not in keep)
    for path in stale:
        path.unlink()
    return stale


@dataclass(frozen=True)
class Rendered:
    """What a render did: every report file of the rendered years and the index (in a fixed
    order), those whose bytes were written this time, the stale digests removed, the years
    rendered, those left as they were (their inputs unchanged), and the seconds it took."""

    files: list[Path]
    written: list[Path]
    removed: list[Path]
    years: list[int]
    unchanged_years: list[int]
    seconds: float


def _workers(requested: int | None, n_years: int, n_digests: int) -> int:
    """Worker processes for a render: as requested, or by default one per CPU, with none
    for a small render (a worker takes about a second to start)."""
    if requested is not None:
        return max(1, requested)
    if CITY_REPORT_COST * n_years + n_digests < PARALLEL_MIN_WORK:
        return 1
    return os.cpu_count() or 1


def _warm_up() -> None:
    """Load what every job of a worker needs (templates, the Chinese font, the digest
    document) while the parent reads the warehouse."""
    _environment()
    ch.cjk_font()
    word_parts.warm_up()


# the manifest of a report folder: each year's input fingerprint and files
MANIFEST = ".render-manifest.json"


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """A fingerprint of what turns the model into files: the templates and the render code."""
    digest = hashlib.sha256()
    for path in sorted([*TEMPLATES_DIR.glob("*.j2"), *Path(__file__).parent.glob("*.py"),
                        Path(wording.__file__)]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def year_fingerprint(city: CityReport, digests: list[Digest], pdf: bool) -> str:
    """The fingerprint of everything a year's files depend on: the year's report model (every
    figure, finding and word it prints), the code and templates, and whether PDFs are made."""
    digest = hashlib.sha256(_code_fingerprint().encode())
    digest.update(repr((city, digests, pdf)).encode("utf-8"))
    return digest.hexdigest()


def _fit_key(d: Digest) -> str:
    """A fingerprint of what decides whether a digest fits its page: its content at density
    0, the templates and the render code."""
    digest = hashlib.sha256(_code_fingerprint().encode())
    digest.update(repr(replace(d, density=0)).encode("utf-8"))
    return digest.hexdigest()[:32]


def _remembered_density(digests: list[Digest], remembered: dict) -> None:
    """Print each digest at the density its last print measured (the manifest's
    ``density``: file stem → [fit key, density]) when its content is unchanged, so that a
    re-rendered year does not write a page the print made denser back at the estimate."""
    for d in digests:
        key, level = remembered.get(d.file_stem, (None, None))
        if key is not None and key == _fit_key(d):
            d.density = level


class _Fitter:
    """The ``fit`` hook of ``pdf.print_all`` for the digests of a render: a digest page that
    printed on more than one sheet is written again one density level up (up to
    ``data.MAX_DENSITY``); other pages are left as they are."""

    def __init__(self, digests: list[Digest], out_dir: Path):
        self.pages = {digest_path(d, out_dir): d for d in digests}

    def __call__(self, page: Path) -> bool:
        d = self.pages.get(page)
        if d is None:
            return False
        if d.density >= data.MAX_DENSITY:
            log.warning("render: the digest %s prints on more than one A4 page even at its "
                        "densest", page.name)
            return False
        d.density += 1
        files.put_text(page, digest_html(d))
        return True


def _read_manifest(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def render(warehouse_path: str | Path, out_dir: str | Path, years: Iterable[int] | None = None,
           *, workers: int | None = None, pdf: bool = True) -> Rendered:
    """Render the city report, the digests and the index from a published warehouse.

    The warehouse is opened read-only and every figure is read in one query per view and
    year into the report model. A year whose model, code and templates are unchanged since
    the last render into ``out_dir`` (the fingerprints of ``out/.render-manifest.json``) and
    whose files are all there is left alone; the others are written by ``workers``
    processes (default: one per CPU, and none for a small render), each file only when its
    bytes change. Each file depends only on its data, so the bytes are the same whatever the
    number of workers. With ``pdf``, the city report and every digest are also printed to
    PDF by headless Chromium (skipped, with a warning, where it is not installed).
    ``years`` None means every year the warehouse has; a requested year without reports is
    skipped with a warning. Digests of units that no longer have a report in a rendered year
    are removed.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(out_dir)
    con, method = data.connect(warehouse_path)
    files.take_changed()
    with ExitStack() as stack:
        stack.callback(con.close)
        available = data.years(con)
        wanted = sorted(set(years)) if years else available
        for year in wanted:
            if year not in available:
                log.warning("render: no current reports for %s in %s; skipped", year,
                            warehouse_path)
        rendered_years = [y for y in wanted if y in available]
        cities = [data.city_report(con, method, year) for year in rendered_years]
        digests = [data.digests(con, method, city) for city in cities]
        prints = pdf and pdf_copies.missing_reason() is None
        if pdf and not prints:
            log.info("render: PDF copies not made: %s", pdf_copies.missing_reason())
        for year, year_digests in zip(rendered_years, digests, strict=True):
            _remembered_density(year_digests, manifest.get(str(year), {}).get("density", {}))
        fingerprints = {c.year: year_fingerprint(c, d, prints)
                        for c, d in zip(cities, digests, strict=True)}
        todo = [i for i, year in enumerate(rendered_years)
                if manifest.get(str(year), {}).get("fingerprint") != fingerprints[year]
                or not all((out_dir / f).is_file()
                           for f in manifest.get(str(year), {}).get("files", []))]
        unchanged = [y for i, y in enumerate(rendered_years) if i not in todo]
        indexed = [y for y in available if y in rendered_years
                   or (out_dir / str(y) / f"{CITY_REPORT}.html").exists()]
        with_pdf = frozenset(y for y in indexed if prints or (
            out_dir / str(y) / f"{CITY_REPORT}.pdf").exists())
        index = index_html(con, method, indexed, with_pdf)
        con.close()
        jobs: list[tuple[str, Any, Path]] = [("city", cities[i], out_dir) for i in todo]
        for i in todo:
            for k in range(0, len(digests[i]), DIGESTS_PER_JOB):
                jobs.append(("digests", digests[i][k:k + DIGESTS_PER_JOB], out_dir))
        n_workers = _workers(workers, len(todo), sum(len(digests[i]) for i in todo))
        pool = None
        if n_workers > 1 and jobs:
            # spawn, not fork: the caller (a Prefect task) runs threads
            pool = stack.enter_context(ProcessPoolExecutor(
                max_workers=n_workers, mp_context=multiprocessing.get_context("spawn")))
            for _ in range(n_workers):
                pool.submit(_warm_up)
        results = list(pool.map(_run_job, jobs) if pool else map(_run_job, jobs))
    written = [path for _, changed in results for path in changed]
    year_files: dict[int, list[Path]] = {}
    for job, (done, _) in zip(jobs, results, strict=True):
        year = job[1].year if job[0] == "city" else job[1][0].year
        year_files.setdefault(year, []).extend(done)
    if prints and todo:
        # a page whose bytes did not change and whose PDF is there is not printed again
        changed = set(written)
        html = [p for i in todo for p in year_files[rendered_years[i]] if p.suffix == ".html"]
        pages = [p for p in html if p in changed or not p.with_suffix(".pdf").is_file()]
        pdf_copies.print_all(pages, fit=_Fitter([d for i in todo for d in digests[i]], out_dir))
        written += files.take_changed()
        for page in html:
            if page.with_suffix(".pdf").is_file():
                year_files[int(page.relative_to(out_dir).parts[0])].append(
                    page.with_suffix(".pdf"))
        # the print may have made digests denser: the fingerprint is taken of what was written
        for i in todo:
            fingerprints[rendered_years[i]] = year_fingerprint(cities[i], digests[i], prints)
    removed = []
    for year, year_digests in zip(rendered_years, digests, strict=True):
        removed += remove_stale_digests(out_dir, year, {d.file_stem for d in year_digests})
    for year in rendered_years:
        if year in year_files:
            year_digests = digests[rendered_years.index(year)]
            manifest[str(year)] = {
                "fingerprint": fingerprints[year],
                "files": sorted(p.relative_to(out_dir).as_posix() for p in year_files[year]),
                # the digests printed denser than data.density estimates (measured)
                "density": {d.file_stem: [_fit_key(d), d.density] for d in year_digests
                            if d.density != data.density(d)}}
    files.put_text(out_dir / "index.html", index)
    files.put_text(out_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1,
                                                  sort_keys=True) + "\n")
    written += files.take_changed()
    every = [out_dir / f for y in rendered_years for f in manifest[str(y)]["files"]]
    every.append(out_dir / "index.html")
    seconds = time.perf_counter() - started
    log.info("render: %d files written, %d unchanged, in %.1f s (%d worker%s)%s%s",
             len(written), len(every) - len([p for p in written if p in set(every)]), seconds,
             n_workers, "" if n_workers == 1 else "s",
             f"; years left as they were: {', '.join(map(str, unchanged))}" if unchanged else "",
             f"; {len(removed)} stale digests removed" if removed else "")
    return Rendered(files=every, written=written, removed=removed, years=rendered_years,
                    unchanged_years=unchanged, seconds=seconds)


def render_all(warehouse_path: str | Path, out_dir: str | Path,
               years: Iterable[int] | None = None, *, workers: int | None = None,
               pdf: bool = True) -> list[Path]:
    """Render the city report, the digests and the index; returns every report file of the
    rendered years and the index (see ``render``)."""
    return render(warehouse_path, out_dir, years, workers=workers, pdf=pdf).files


# the artifacts of a render are built in their own module; these names stay importable here
from gongkai.render.artifacts import (  # noqa: E402
    CityArtifact,
    artifact_key,
    city_artifacts,
    league_artifact_rows,
)

__all__ = ["CityArtifact", "Rendered", "artifact_key", "city_artifacts",
           "league_artifact_rows", "render", "render_all"]
