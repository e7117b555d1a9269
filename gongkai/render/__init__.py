"""Render the city comparative report, the township digests and the index from a warehouse.

``render_all(warehouse_path, out_dir, years)`` opens the published warehouse read-only,
loads the ranking views (``gongkai.rankings``) and writes::

    out/index.html                                  links to everything
    out/<year>/city-report.html|docx|xlsx|md        the city report (HTML self-contained)
    out/<year>/charts/<name>.png                    the charts (for the Markdown)
    out/<year>/digests/<unit_code>.html|docx        one page per unit

``post_artifacts(warehouse_path, years)`` posts each year's league table and summary as
Prefect artifacts (call it inside a flow or task run).
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import time
from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from gongkai import rankings
from gongkai.paths import TEMPLATES_DIR
from gongkai.render import charts as ch
from gongkai.render import data, fmt, office

log = logging.getLogger(__name__)

CITY_REPORT = "city-report"


def environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    """The Jinja2 environment of the reports: HTML templates (``*.html.j2``) autoescaped,
    undefined names an error, and the figure filters of ``gongkai.render.fmt``."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html", "htm", "xml", "html.j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(fmt.FILTERS)
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


def render_city_report(con, method: rankings.Method, env: Environment, year: int,
                       out_dir: Path) -> tuple[dict, list[Path]]:
    """Write one year's city report in every format; returns its data and the files."""
    year_dir = out_dir / str(year)
    d = data.city_report(con, method, year)
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
    stamp = _stamp(d["as_of"], year)
    written.append(office.city_report_docx(d, charts, lines, year_dir / f"{CITY_REPORT}.docx",
                                           stamp))
    written.append(office.city_report_xlsx(d, lines, year_dir / f"{CITY_REPORT}.xlsx", stamp))
    return d, written


def render_digests(con, method: rankings.Method, env: Environment, city: dict,
                   out_dir: Path) -> list[Path]:
    """Write every unit's digest of the city report's year (HTML and DOCX)."""
    year = city["year"]
    digest_dir = out_dir / str(year) / "digests"
    digest_dir.mkdir(parents=True, exist_ok=True)
    lines = rankings.method_lines(method)
    stamp = _stamp(city["as_of"], year)
    template = env.get_template("digest.html.j2")
    written = []
    for row in city["league"]:
        d = data.digest(con, method, year, row["unit_code"], city)
        html = template.render({"d": d, "method_lines": lines})
        written.append(_write(digest_dir / f"{row['unit_code']}.html", html))
        written.append(office.digest_docx(d, lines, digest_dir / f"{row['unit_code']}.docx",
                                          stamp))
    return written


def render_index(con, method: rankings.Method, env: Environment, out_dir: Path) -> Path:
    """Write ``out/index.html`` linking every year whose city report is in ``out_dir``."""
    entries = []
    for year in reversed(data.years(con)):
        if not (out_dir / str(year) / f"{CITY_REPORT}.html").exists():
            continue
        table = data.league(con, year)
        for r in table:
            r["html"] = f"{year}/digests/{r['unit_code']}.html"
            r["docx"] = f"{year}/digests/{r['unit_code']}.docx"
        entries.append({
            "year": year,
            "city": {k: f"{year}/{CITY_REPORT}.{k}" for k in ("html", "docx", "xlsx", "md")},
            "groups": data.league_groups(table),
        })
    html = env.get_template("index.html.j2").render({
        "city": data.city_name(con), "as_of": data.data_as_of(con), "method": method,
        "years": entries,
    })
    return _write(out_dir / "index.html", html)


def render_all(warehouse_path: str | Path, out_dir: str | Path,
               years: Iterable[int] | None = None) -> list[Path]:
    """Render the city report, the digests and the index; returns the files written.

    Opens the warehouse read-only. ``years`` None means every year the warehouse has; a
    requested year without reports is skipped with a warning.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con, method = rankings.connect(warehouse_path)
    try:
        rankings.snapshot(con)
        available = data.years(con)
        wanted = sorted(set(years)) if years else available
        for year in wanted:
            if year not in available:
                log.warning("render: no current reports for %s in %s; skipped", year,
                            warehouse_path)
        env = environment()
        written: list[Path] = []
        for year in (y for y in wanted if y in available):
            city, files = render_city_report(con, method, env, year, out_dir)
            written += files
            written += render_digests(con, method, env, city, out_dir)
        written.append(render_index(con, method, env, out_dir))
    finally:
        con.close()
    log.info("render: %d files in %.1f s", len(written), time.perf_counter() - started)
    return written


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


def post_artifacts(warehouse_path: str | Path, years: Iterable[int] | None = None) -> list[str]:
    """Post each year's league table and summary as Prefect artifacts; returns their keys.

    Keys are ``league-table-<year>`` and ``city-summary-<year>``. Call inside a flow or task
    run; the method and its version go with every table.
    """
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    con, method = rankings.connect(warehouse_path)
    keys = []
    try:
        rankings.snapshot(con)
        available = data.years(con)
        wanted = [y for y in (sorted(set(years)) if years else available) if y in available]
        env = environment()
        lines = rankings.method_lines(method)
        for year in wanted:
            d = data.city_report(con, method, year)
            key = artifact_key("league-table", year)
            create_table_artifact(key=key, table=league_artifact_rows(d["league"]),
                                  description=f"{d['city']}{year}年度综合排名。" + " ".join(lines))
            keys.append(key)
            key = artifact_key("city-summary", year)
            create_markdown_artifact(
                key=key, markdown=env.get_template("summary.md.j2").render(
                    {"d": d, "method_lines": lines}),
                description=f"{d['city']}{year}年度汇总")
            keys.append(key)
    finally:
        con.close()
    return keys
