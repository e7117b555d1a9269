"""Shared fixtures: hand-built parsed reports, the bundled seed report, one Prefect harness."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai import template as tpl
from gongkai.model import CellSource, ParsedReport
from gongkai.paths import RAW_DIR

SEED = RAW_DIR / "2019" / "430181002-jili.md"


def build_report(
    *,
    unit_code: str | None = "430181002",
    unit_name: str | None = "集里街道",
    year: int | None = 2019,
    template: str | None = "v2019",
    values: dict[str, float | None] | None = None,
    blanks: tuple[str, ...] = (),
    file: str = "report.md",
) -> ParsedReport:
    """A parsed report built by hand: every cell of the template read as 0 unless given.

    ``values`` overrides cells (a value of None there means the reader did not see the cell);
    ``blanks`` are visibly empty cells.
    """
    report = ParsedReport(file=file, format="markdown", encoding="utf-8", unit_name=unit_name,
                          unit_code=unit_code, year=year, template=template,
                          published="2020-01-20", title=f"{unit_name} {year} 年报")
    values = values or {}
    codes = tpl.get(template).cell_codes if template else ()
    for i, code in enumerate(codes, start=1):
        if code in blanks:
            report.cells[code] = None
            report.sources[code] = CellSource(raw="/", location=f"line {i}", status="blank")
        elif code in values and values[code] is None:
            continue
        else:
            value = values.get(code, 0)
            report.cells[code] = value
            report.sources[code] = CellSource(raw=str(value), location=f"line {i}")
    report.sections = {"s1": "总体情况……", "s5": "存在的主要问题……"}
    report.section_order = ["s1", "s5"]
    return report


@pytest.fixture
def make_report():
    """Factory for hand-built parsed reports (see ``build_report``)."""
    return build_report


@pytest.fixture
def seed_path() -> Path:
    """The bundled seed report (集里街道 2019)."""
    return SEED


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (starting one costs ~20 s)."""
    import gongkai.prefect_env  # noqa: F401, I001  (quiet settings before prefect is imported)
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
