"""The Prefect artifacts of a render, built as data (posting them is the flow's business).

Each year's league table (rows with Chinese column names) and summary (Markdown), keyed
``league-table-<year>`` and ``city-summary-<year>``; ``flows/artifacts.py`` posts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gongkai import rankings, wording
from gongkai.render import data, fmt


def artifact_key(*parts: object) -> str:
    """A Prefect artifact key from parts: lowercase letters, digits and dashes only."""
    text = "-".join(str(p) for p in parts).lower()
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in text)
    return "-".join(p for p in cleaned.split("-") if p)


def league_artifact_rows(league: list) -> list[dict]:
    """The league table as artifact rows (Chinese column names, formatted figures)."""
    return [{
        "组别": r.peer_group,
        "名次": fmt.rank(r.rank_in_group, r.group_size),
        "单位": r.unit_name,
        "得分": fmt.num(r.score),
        "等次": r.band or wording.UNRATED,
        "名次区间": fmt.rank_range(r.rank_min, r.rank_max),
        "得分变化": fmt.signed(r.score_change),
        "名次变化": fmt.rank_change(r.rank_change),
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
    con, method = data.connect(warehouse_path)
    out = []
    try:
        available = data.years(con)
        wanted = [y for y in (sorted(set(years)) if years else available) if y in available]
        from gongkai.render import environment  # the package imports this module

        env = environment()
        lines = rankings.method_lines(method)
        for year in wanted:
            d = data.city_report(con, method, year)
            out.append(CityArtifact(
                key=artifact_key("league-table", year),
                description=f"{d.city}{year}年度综合排名。" + " ".join(lines),
                table=league_artifact_rows(d.league)))
            out.append(CityArtifact(
                key=artifact_key("city-summary", year),
                description=f"{d.city}{year}年度汇总",
                markdown=env.get_template("summary.md.j2").render(
                    {"d": d, "method_lines": lines})))
    finally:
        con.close()
    return out
