"""The province report: a province's prefectures and their cities and counties side by side.

A registry that names provinces (``--registry`` with a ``province`` column) gets one page a
province and year, ``out/<year>/province-<code>.html`` (the code: the first two digits of its
units' codes, as in China's administrative codes). The figures are the roll-ups of
``v_area_figures``: units expected and reporting, the share of reports without a failing error
check, the applications received (blank cells left out of the sums and counted beside them).
A registry without provinces (the bundled one) has no province page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from gongkai.render import files

PAGE = "province-{code}.html"
_COLUMNS = ("level", "area", "units_expected", "units_reporting", "units_missing",
            "units_accepted", "units_with_errors", "error_findings", "reporting_rate",
            "acceptance_rate", "applications", "applications_units", "applications_blank",
            "applications_median", "disclosure_rate")


@dataclass(frozen=True)
class Area:
    """One row of v_area_figures: a province, a prefecture, or a city or county."""

    level: str
    area: str
    units_expected: int
    units_reporting: int
    units_missing: int
    units_accepted: int
    units_with_errors: int
    error_findings: int
    reporting_rate: float | None
    acceptance_rate: float | None
    applications: float | None
    applications_units: int
    applications_blank: int
    applications_median: float | None
    disclosure_rate: float | None


@dataclass(frozen=True)
class Prefecture:
    """A prefecture's roll-up and its cities and counties (by acceptance rate, lowest first:
    where to look first)."""

    total: Area
    cities: tuple[Area, ...]


@dataclass(frozen=True)
class ProvinceReport:
    """A year's page of one province."""

    year: int
    code: str
    total: Area
    prefectures: tuple[Prefecture, ...]
    as_of: str | None

    @property
    def file_name(self) -> str:
        """The page's file name within the year's folder."""
        return PAGE.format(code=self.code)


def _has_rollups(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse has the roll-up view (warehouses built before it have not)."""
    return con.execute("select count(*) from information_schema.tables "
                       "where table_name = 'v_area_figures'").fetchone()[0] > 0


def province_reports(con: duckdb.DuckDBPyConnection, year: int,
                     as_of: str | None = None) -> list[ProvinceReport]:
    """The province pages of ``year``, in the order of their codes (none without provinces)."""
    if not _has_rollups(con):
        return []
    select = ", ".join(_COLUMNS)
    rows = con.execute(
        f"select province, prefecture, {select} from v_area_figures "
        "where report_year = ? and province is not null", [year]).fetchall()
    codes = dict(con.execute(
        "select province, min(left(unit_code, 2)) from units where province is not null "
        "group by province").fetchall())
    totals: dict[str, Area] = {}
    prefectures: dict[str, dict[str, Area]] = {}
    cities: dict[tuple[str, str], list[Area]] = {}
    for province, prefecture, *values in rows:
        area = Area(*values)
        if area.level == "province":
            totals[province] = area
        elif area.level == "prefecture":
            prefectures.setdefault(province, {})[prefecture or ""] = area
        else:
            cities.setdefault((province, prefecture or ""), []).append(area)
    reports = []
    for province, total in totals.items():
        parts = []
        for name, pref in sorted(prefectures.get(province, {}).items()):
            members = sorted(cities.get((province, name), []),
                             key=lambda a: (a.acceptance_rate is None,
                                            a.acceptance_rate or 0.0, a.area))
            parts.append(Prefecture(pref, tuple(members)))
        reports.append(ProvinceReport(year, codes.get(province, "00"), total, tuple(parts),
                                      as_of))
    return sorted(reports, key=lambda r: r.code)


def write_province_reports(reports: list[ProvinceReport], out_dir: Path, env) -> list[Path]:
    """Write the pages (each only when its bytes change); returns their paths."""
    template = env.get_template("province_report.html.j2")
    paths = []
    for report in reports:
        path = out_dir / str(report.year) / report.file_name
        files.put_text(path, template.render(d=report))
        paths.append(path)
    return paths
