"""Render the city comparative report, the township digests and the index from a warehouse.

``render_all(warehouse_path, out_dir, years)`` opens the published warehouse read-only,
loads the ranking views (``gongkai.rankings``), reads every figure in one query per view and
year, and writes, in a process pool (one worker per CPU)::

    out/index.html                                  links to everything
    out/<year>/city-report.html|docx|xlsx|md        the city report (HTML self-contained)
    out/<year>/charts/<name>.png                    the charts (for the Markdown)
    out/<year>/digests/<unit_code>.html|docx        one page per unit with a report

Digests of units that no longer have a report in a rendered year are removed. ``render``
does the same and also says what it removed and how long it took (``gongkai render``).

``city_artifacts(warehouse_path, years)`` builds each year's league table and summary for
the flow to post as Prefect artifacts (flows/artifacts.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import multiprocessing
import os
import re
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from gongkai import rankings
from gongkai.paths import TEMPLATES_DIR
from gongkai.render import charts as ch
from gongkai.render import data, fmt, office

log = logging.getLogger(__name__)

CITY_REPORT = "city-report"
# a render smaller than this (in digests; a city report costs about CITY_REPORT_COST
# digests, mostly its charts) stays in one process: a worker takes about a second to start
PARALLEL_MIN_WORK = 200
CITY_REPORT_COST = 40
DIGESTS_PER_JOB = 16


def environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    """The Jinja2 environment of the reports: HTML templates (``*.html.j2``) autoescaped,
    undefined names an error, the figure filters of ``gongkai.render.fmt``, and ``unread``
    (cells never read, ``data.unread_text``)."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html", "htm", "xml", "html.j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(fmt.FILTERS)
    env.filters["unread"] = data.unread_text
    return env


def _stamp(as_of: str | None, year: int) -> str:
    """The document date of the DOCX/XLSX files: when the data was loaded (deterministic)."""
    if as_of:
        return dt.datetime.strptime(as_of, "%Y-%m-%d %H:%M").strftime("%Y-%m-%dT%H:%M:00Z")
    return f"{year + 1}-01-01T00:00:00Z"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def year_charts(d: dict) -> dict[str, ch.Chart]:
    """The four charts of a year's city report."""
    scores = [r["score"] for r in d["league"] if r["score"] is not None]
    return {
        "league": ch.league_chart(d["groups"], d["year"]),
        "distribution": ch.score_distribution_chart(scores, d["method"].bands, d["year"]),
        "outcomes": ch.outcomes_chart(d["outcomes"], d["year"]),
        "totals": ch.yearly_totals_chart(d["series"]),
    }


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The report environment, built once per process."""
    return environment()


def write_city_report(d: dict, out_dir: Path) -> list[Path]:
    """Write one year's city report in every format (charts, HTML, Markdown, DOCX, XLSX)
    from its data (``data.city_report``); returns the files."""
    env = _environment()
    method = d["method"]
    year_dir = out_dir / str(d["year"])
    lines = rankings.method_lines(method)
    charts = year_charts(d)
    written: list[Path] = []
    chart_ctx = {}
    for key, chart in charts.items():
        png = year_dir / "charts" / f"{chart.name}.png"
        png.parent.mkdir(parents=True, exist_ok=True)
        png.write_bytes(chart.png)
        written.append(png)
        uri = "data:image/svg+xml;base64," + base64.b64encode(chart.svg.encode()).decode()
        chart_ctx[key] = {"title": chart.title, "uri": uri, "file": f"charts/{chart.name}.png"}
    links = {k: f"{CITY_REPORT}.{k}" for k in ("html", "docx", "xlsx", "md")}
    ctx = {"d": d, "charts": chart_ctx, "method_lines": lines, "links": links,
           "t4_cols": data.T4_COL_LABELS}
    written.append(_write(year_dir / f"{CITY_REPORT}.html",
                          env.get_template("city_report.html.j2").render(ctx)))
    written.append(_write(year_dir / f"{CITY_REPORT}.md",
                          env.get_template("city_report.md.j2").render(ctx)))
    stamp = _stamp(d["as_of"], d["year"])
    written.append(office.city_report_docx(d, charts, lines, year_dir / f"{CITY_REPORT}.docx",
                                           stamp))
    written.append(office.city_report_xlsx(d, lines, year_dir / f"{CITY_REPORT}.xlsx", stamp))
    return written


def write_digests(digests: list[dict], out_dir: Path) -> list[Path]:
    """Write digests (``data.digests``) as HTML and DOCX; returns the files."""
    template = _environment().get_template("digest.html.j2")
    written = []
    for d in digests:
        digest_dir = out_dir / str(d["year"]) / "digests"
        digest_dir.mkdir(parents=True, exist_ok=True)
        lines = rankings.method_lines(d["method"])
        code = d["unit"]["unit_code"]
        written.append(_write(digest_dir / f"{code}.html",
                              template.render({"d": d, "method_lines": lines})))
        written.append(office.digest_docx(d, lines, digest_dir / f"{code}.docx",
                                          _stamp(d["as_of"], d["year"])))
    return written


def _run_job(job: tuple[str, Any, Path]) -> list[Path]:
    """One unit of work of a render: ("city", city report data, out) or ("digests", list of
    digest data, out). Top-level so that worker processes can run it."""
    kind, payload, out_dir = job
    if kind == "city":
        return write_city_report(payload, out_dir)
    return write_digests(payload, out_dir)


def index_html(con, method: rankings.Method, years: list[int]) -> str:
    """The index page (``out/index.html``) linking the city report and digests of ``years``;
    units without a report are listed without a link."""
    entries = []
    for year in sorted(years, reverse=True):
        table = data.league(con, year)
        for r in table:
            r["html"] = f"{year}/digests/{r['unit_code']}.html"
            r["docx"] = f"{year}/digests/{r['unit_code']}.docx"
        entries.append({
            "year": year,
            "city": {k: f"{year}/{CITY_REPORT}.{k}" for k in ("html", "docx", "xlsx", "md")},
            "groups": data.league_groups(table),
        })
    return _environment().get_template("index.html.j2").render({
        "city": data.city_name(con), "as_of": data.data_as_of(con), "method": method,
        "years": entries,
    })


# a digest file a render owns: <unit code>.html or .docx
_DIGEST_FILE = re.compile(r"^\d{6,12}\.(html|docx)$")


def remove_stale_digests(out_dir: Path, year: int, keep: set[str]) -> list[Path]:
    """Delete the digests of ``out/<year>/digests/`` whose unit is not in ``keep`` (units
    that no longer have a report that year); other files are left alone. Returns them."""
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
    """What a render did: the files written (in a fixed order), the stale digests removed,
    the years rendered, and the seconds it took."""

    written: list[Path]
    removed: list[Path]
    years: list[int]
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
    office.warm_up()


def render(warehouse_path: str | Path, out_dir: str | Path, years: Iterable[int] | None = None,
           *, workers: int | None = None) -> Rendered:
    """Render the city report, the digests and the index from a published warehouse.

    The warehouse is opened read-only and every figure is read in one query per view and
    year; the files are then written by ``workers`` processes (default: one per CPU, and
    none for a small render). Each file depends only on its data, so the bytes are the
    same whatever the number of workers. ``years`` None means every year the warehouse
    has; a requested year without reports is skipped with a warning. Digests of units that
    no longer have a report in a rendered year are removed.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con, method = rankings.connect(warehouse_path)
    with ExitStack() as stack:
        stack.callback(con.close)
        available = data.years(con)
        wanted = sorted(set(years)) if years else available
        for year in wanted:
            if year not in available:
                log.warning("render: no current reports for %s in %s; skipped", year,
                            warehouse_path)
        rendered_years = [y for y in wanted if y in available]
        n_workers = _workers(workers, len(rendered_years),
                             data.report_count(con, rendered_years))
        pool = None
        if n_workers > 1:
            # spawn, not fork: the caller (a Prefect task) runs threads
            pool = stack.enter_context(ProcessPoolExecutor(
                max_workers=n_workers, mp_context=multiprocessing.get_context("spawn")))
            for _ in range(n_workers):
                pool.submit(_warm_up)
        cities = [data.city_report(con, method, year) for year in rendered_years]
        digests = [data.digests(con, method, city) for city in cities]
        indexed = [y for y in available if y in rendered_years
                   or (out_dir / str(y) / f"{CITY_REPORT}.html").exists()]
        index = index_html(con, method, indexed)
        con.close()
        jobs: list[tuple[str, Any, Path]] = [("city", city, out_dir) for city in cities]
        for year_digests in digests:
            for i in range(0, len(year_digests), DIGESTS_PER_JOB):
                jobs.append(("digests", year_digests[i:i + DIGESTS_PER_JOB], out_dir))
        results = pool.map(_run_job, jobs) if pool else map(_run_job, jobs)
        written = [path for files in results for path in files]
    removed = []
    for year, year_digests in zip(rendered_years, digests, strict=True):
        keep = {d["unit"]["unit_code"] for d in year_digests}
        removed += remove_stale_digests(out_dir, year, keep)
    written.append(_write(out_dir / "index.html", index))
    seconds = time.perf_counter() - started
    log.info("render: %d files in %.1f s (%d worker%s)%s", len(written), seconds, n_workers,
             "" if n_workers == 1 else "s",
             f"; {len(removed)} stale digests removed" if removed else "")
    return Rendered(written=written, removed=removed, years=rendered_years, seconds=seconds)


def render_all(warehouse_path: str | Path, out_dir: str | Path,
               years: Iterable[int] | None = None, *, workers: int | None = None
               ) -> list[Path]:
    """Render the city report, the digests and the index; returns the files written (see
    ``render``)."""
    return render(warehouse_path, out_dir, years, workers=workers).written


def artifact_key(*parts: object) -> str:
    """A Prefect artifact key from parts: lowercase letters, digits and dashes only."""
    text = "-".join(str(p) for p in parts).lower()
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in text)
    return "-".join(p for p in cleaned.split("-") if p)


def league_artifact_rows(league: list[dict]) -> list[dict]:
    """The league table as artifact rows (Chinese column names, formatted figures)."""
    return [{
        "组别": r["peer_group"],
        "名次": fmt.rank(r["rank_in_group"], r["group_size"]),
        "单位": r["unit_name"],
        "得分": fmt.num(r["score"]),
        "等次": r["band"] or "未评",
        "名次区间": fmt.rank_range(r["rank_min"], r["rank_max"]),
        "得分变化": fmt.signed(r["score_change"]),
        "名次变化": fmt.rank_change(r["rank_change"]),
    } for r in league]


@dataclass(frozen=True)
class CityArtifact:
    """One year's league table (``table`` rows) or summary (``markdown``), keyed for Prefect."""

    key: str
    description: str
    table: list[dict] | None = None
    markdown: str | None = None


def city_artifacts(warehouse_path: str | Path,
                   years: Iterable[int] | None = None) -> list[CityArtifact]:
    """Each year's league table and summary, keyed ``league-table-<year>`` and
    ``city-summary-<year>``; the method and its version go with every table."""
    con, method = rankings.connect(warehouse_path)
    out = []
    try:
        available = data.years(con)
        wanted = [y for y in (sorted(set(years)) if years else available) if y in available]
        env = environment()
        lines = rankings.method_lines(method)
        for year in wanted:
            d = data.city_report(con, method, year)
            out.append(CityArtifact(
                key=artifact_key("league-table", year),
                description=f"{d['city']}{year}年度综合排名。" + " ".join(lines),
                table=league_artifact_rows(d["league"])))
            out.append(CityArtifact(
                key=artifact_key("city-summary", year),
                description=f"{d['city']}{year}年度汇总",
                markdown=env.get_template("summary.md.j2").render(
                    {"d": d, "method_lines": lines})))
    finally:
        con.close()
    return out
