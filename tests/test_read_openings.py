"""The reader on real report openings never shown to it (../shared/fixtures/real-openings:
47 portal pages cut off after about 2,000 bytes, no answer keys): no exception, no error,
every table that starts is read, nothing is read past the cut-off, and the template, year
and unit are right where the page shows them (its MANIFEST.csv says what it shows)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from test_read_fixtures import FIXTURES, needs_fixtures

from gongkai.read import parse_file

OPENINGS = FIXTURES / "real-openings"
# the first data row of each table, and a value after it (on its line, or on one of the next
# lines, between pipes): the table has started in the text
_FIRST_ROWS = {"t2": "规章", "t3": "本年新收政府信息公开申请数量"}


def _pages() -> list[tuple[Path, dict]]:
    pages = []
    for manifest in sorted(OPENINGS.rglob("MANIFEST.csv")):
        with manifest.open(encoding="utf-8") as f:
            pages += [(manifest.parent / f"{row['name']}.txt", row) for row in csv.DictReader(f)]
    return pages


def _starts(text: str, label: str) -> bool:
    """True when the row labelled ``label`` shows a value: digits right after the label or in
    the next few cells."""
    at = text.find(label)
    if at < 0:
        return False
    rest = text[at + len(label):].split("\n")
    cells = [rest[0]] + [ln for ln in rest[1:] if ln.strip(" |")][:3]
    return any(re.match(r"^[\s|]*[(（]?[^\d\s|]{0,30}[)）]?[\s|]*\d", c) for c in cells[:1]) or any(
        re.match(r"^[\s|]*\d", c) for c in cells[1:])


@needs_fixtures
@pytest.mark.parametrize("path,meta", _pages() if OPENINGS.is_dir() else [],
                         ids=lambda x: x.name if isinstance(x, Path) else "")
def test_real_opening_reads_cleanly(path: Path, meta: dict):
    """No exception or error issue; the template the header shows; every table that starts
    has cells read (or says why not); the year and unit where the page states them."""
    report = parse_file(path)
    text = path.read_text("utf-8")
    errors = [(i.code, i.message_en) for i in report.issues if i.severity == "error"]
    assert not errors, errors
    if meta["template_hint"]:
        assert report.template == meta["template_hint"]
    codes = {i.code for i in report.issues}
    for table, label in _FIRST_ROWS.items():
        if _starts(text, label):
            read = any(c.startswith(table + ".") for c in report.sources)
            assert read or "cells_not_read" in codes, f"{table} starts in the text but was not read"
    if report.year is not None or re.search(rf"{meta['year']}\s*年.{{0,12}}报告", text):
        assert report.year == int(meta["year"])
    unit = meta["unit_as_printed"]
    if unit and re.search(rf"{re.escape(unit)}\s*(?:20\d\d\s*年)?\S{{0,16}}报告", text):
        assert report.unit_name and unit in report.unit_name.replace(" ", "")


@needs_fixtures
@pytest.mark.parametrize("path,meta", _pages() if OPENINGS.is_dir() else [],
                         ids=lambda x: x.name if isinstance(x, Path) else "")
def test_nothing_is_read_past_the_cut_off(path: Path, meta: dict):
    """The page stops part-way: the reader says so, and every value it read stands on a line
    it saw whole (a number on a last line that stops mid-way may be cut short, '1' of '12')."""
    report = parse_file(path)
    text = path.read_text("utf-8")
    assert any(i.code == "text_cut_off" for i in report.issues) or not report.sources
    lines = text.split("\n")
    last = len(lines) if text.endswith("\n") else len(lines) - 1  # the last whole line
    for code, source in report.sources.items():
        m = re.match(r"line (\d+)", source.location)
        assert m and int(m.group(1)) <= last, (code, source.location)


def test_openings_folder_is_present_or_skipped():
    """Without ../shared the parametrised tests above skip with the reason they give."""
    if not OPENINGS.is_dir():
        pytest.skip(f"real openings not found at {OPENINGS} (set GONGKAI_SHARED)")
    assert len(_pages()) == 47
