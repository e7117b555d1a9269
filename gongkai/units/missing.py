"""Units without a current report for a year (未报送), with their deadline.

A unit of the registry valid in the year is *missing* when the warehouse holds no current
loaded report for it that year: ``未报送`` when nothing was received, ``无法读取`` when every
file received for it was rejected. A report filed under a code that was renamed or merged
counts for the unit that code stands for in the year. The deadline is the one R-DEADLINE
uses (``[deadline]`` of gongkai/data/checks.toml or the given settings).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from gongkai.checks.config import deadline_rules, load_config
from gongkai.units.registry import Registry, Unit

NOT_SUBMITTED = "未报送"
UNREADABLE = "无法读取"


@dataclass(frozen=True)
class MissingReport:
    """A unit with no current report for the year."""

    unit: Unit
    year: int
    status: str  # 未报送 / 无法读取
    deadline: dt.date
    days_overdue: int  # 0 when the deadline has not passed on the as-of date
    rejected_files: int

    def to_json(self) -> dict:
        """The row as JSON-ready data."""
        return {"unit_code": self.unit.code, "unit_name": self.unit.name,
                "unit_type": self.unit.type, "peer_group": self.unit.peer_group,
                "city": self.unit.city, "report_year": self.year, "status": self.status,
                "deadline": self.deadline.isoformat(), "days_overdue": self.days_overdue,
                "rejected_files": self.rejected_files}


def deadline_for(rules: list[tuple], city: str | None, year: int) -> dt.date:
    """The due date of a report year in a city: city + year, then city, then year, then the
    default month-day of the next year (the precedence of R-DEADLINE)."""
    def rank(rule: tuple) -> int | None:
        rule_city, rule_year = rule[0], rule[1]
        if rule_city is not None and rule_city != city:
            return None
        if rule_year is not None and rule_year != year:
            return None
        return (rule_city is not None) * 2 + (rule_year is not None)

    best = max((r for r in rules if rank(r) is not None), key=rank)
    _, _, due_date, month, day = best
    return due_date if due_date is not None else dt.date(year + 1, month, day)


def received(warehouse: str | Path, year: int) -> list[tuple[str, str, bool]]:
    """(unit code, status, is current) of every submission of a report year, read-only."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select unit_code, status, is_current from submissions "
            "where report_year = ? and unit_code is not null order by unit_code",
            [year]).fetchall()
    finally:
        con.close()


def missing_reports(registry: Registry, warehouse: str | Path, year: int, *,
                    config_path: str | Path | None = None,
                    as_of: dt.date | None = None) -> list[MissingReport]:
    """The units valid in ``year`` with no current loaded report, ordered by code."""
    rules = deadline_rules(load_config(config_path)["deadline"])
    as_of = as_of or dt.date.today()
    reported: set[str] = set()
    rejected: dict[str, int] = {}
    for code, status, is_current in received(warehouse, year):
        unit = registry.unit_for(code, year).unit
        code = unit.code if unit is not None else code
        if status == "loaded" and is_current:
            reported.add(code)
        elif status == "rejected":
            rejected[code] = rejected.get(code, 0) + 1
    out = []
    for unit in registry.current(year):
        if unit.code in reported:
            continue
        deadline = deadline_for(rules, unit.city or None, year)
        out.append(MissingReport(
            unit=unit, year=year,
            status=UNREADABLE if rejected.get(unit.code) else NOT_SUBMITTED,
            deadline=deadline, days_overdue=max((as_of - deadline).days, 0),
            rejected_files=rejected.get(unit.code, 0)))
    return out
