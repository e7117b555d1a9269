"""The reader against the answer keys: the seed (bundled) and the real fixtures in ../shared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SHARED_FIXTURES, needs_shared_fixtures

from gongkai import template as tpl
from gongkai.paths import ROOT
from gongkai.read import parse_file

FIXTURES = SHARED_FIXTURES
SEED = ROOT / "data" / "raw" / "2019" / "430181002-jili.md"


ADVERSARIAL = Path(__file__).parent / "adversarial"


def _pairs(folder: Path) -> list[tuple[Path, Path]]:
    pairs = []
    for key in sorted(folder.glob("*.json")):
        for report in sorted(key.parent.glob(key.stem + ".*")):
            if report.suffix != ".json":
                pairs.append((report, key))
    return pairs


def _keyed_reports() -> list[tuple[Path, Path]]:
    pairs = []
    for sub in ("seed", "real-pages", "real-full"):
        for key in sorted((FIXTURES / sub).glob("*.json")):
            for report in sorted(key.parent.glob(key.stem + ".*")):
                if report.suffix != ".json":
                    pairs.append((report, key))
    return pairs


needs_fixtures = needs_shared_fixtures


def _norm_unit(s: str) -> str:
    for w in ("人民政府", "办事处", "政府"):
        s = s.replace(w, "")
    return s.strip()


def test_seed_every_cell_and_metadata():
    """The founding example: all 198 cells, unit 集里街道 (430181002), 2019, v2019, 2020-01-03."""
    report = parse_file(SEED)
    key = json.loads((FIXTURES / "seed" / "jili-2019.json").read_text("utf-8")) \
        if FIXTURES.is_dir() else None
    assert report.template == "v2019"
    assert report.year == 2019
    assert report.unit_name == "集里街道"
    assert report.unit_code == "430181002"
    assert report.published == "2020-01-03"
    assert len(report.cells) == 198 == len(tpl.get("v2019").cell_codes)
    assert report.section_order == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert report.cells["t2.other_service.decisions"] == 2658
    assert report.cells["t2.procurement.amount"] == 213.58
    assert report.cells["t2.license.delta"] == 3
    assert all(report.cells[c] == 0 for c in tpl.get("v2019").t3_codes())
    # the row broken by a page break keeps its values and says where they were found
    src = report.sources["t3.denied.third_party.total"]
    assert src.raw == "0" and src.location.startswith("line ")
    assert not [i for i in report.issues if i.severity == "error"]
    if key is not None:
        assert report.cells == key["cells"]


@needs_fixtures
@pytest.mark.parametrize("report_path,key_path", _keyed_reports(), ids=lambda p: p.name)
def test_fixture_matches_key(report_path: Path, key_path: Path):
    """Every visible cell equals the key, blanks are None, unseen cells are not invented."""
    _assert_matches_key(report_path, key_path)


@pytest.mark.parametrize("report_path,key_path", _pairs(ADVERSARIAL), ids=lambda p: p.name)
def test_adversarial_report_matches_key(report_path: Path, key_path: Path):
    """The project's own hard cases (tests/adversarial: grid tables with wrapped cells, 增3/减1,
    ①-numbered rows, （六）其他, UTF-16 with CRLF, Word, Excel, PDF …) read exactly."""
    _assert_matches_key(report_path, key_path, blanks_visible=False)


def _assert_matches_key(report_path: Path, key_path: Path, blanks_visible: bool = True) -> None:
    """Compare a report with its key; ``blanks_visible``: every blank cell of the key is
    visibly empty in the file (some hard cases leave empty cells out entirely: those are null
    and may be unseen, but never a number)."""
    key = json.loads(key_path.read_text("utf-8"))
    report = parse_file(report_path)
    assert report.template == key["template"]
    blank = set(key.get("blank_cells", []))
    unseen = set(key.get("unseen_cells", []))
    ambiguous = set(key.get("ambiguous_cells", []))
    wrong = []
    for code, want in key["cells"].items():
        have = report.cells.get(code)
        if code in ambiguous:
            continue
        if code in unseen:
            if have is not None or code in report.sources:
                wrong.append(f"{code}: invented {have}")
        elif want is None or code in blank:
            if have is not None:
                wrong.append(f"{code}: want blank, got {have}")
        elif have is None or abs(have - want) > 1e-9:
            wrong.append(f"{code}: want {want}, got {have}")
    assert not wrong, wrong
    for code in blank:
        if blanks_visible or code in report.sources:
            assert report.sources[code].status == "blank", code
    text = report_path.read_text("utf-8", errors="replace") if report_path.suffix in (
        ".txt", ".md", ".html") else ""
    if report.format in ("docx", "xlsx", "pdf"):
        assert report.year == key["year"]
    if str(key["year"]) in text:
        assert report.year == key["year"]
    if _norm_unit(key["unit"]) in text:
        assert report.unit_name and (_norm_unit(key["unit"]) in _norm_unit(report.unit_name)
                                     or _norm_unit(report.unit_name) in _norm_unit(key["unit"]))
    if key.get("published"):
        assert report.published == key["published"]
    if unseen and not key.get("complete", False):
        assert any(i.code == "text_cut_off" for i in report.issues)
    if unseen:  # said as missing, or, where rows lost their numbers, as not read
        assert any(i.code in ("table_incomplete", "missing_table", "cells_not_read")
                   for i in report.issues)


@needs_fixtures
def test_cut_off_report_keeps_what_it_shows():
    """A report cut off inside table 三 keeps the six cells it shows and not the 总计."""
    report = parse_file(FIXTURES / "real-pages" / "14-guanzhou-2023.txt")
    assert report.cells["t3.denied.process.org_other"] == 0
    assert report.cells["t3.denied.process.total"] is None
    assert "t3.denied.process.total" not in report.sources
    assert report.cells["t2.penalty.decisions"] == 1472


@needs_fixtures
def test_narrative_figures_of_a_full_report():
    """The 沭阳 report's own narrative is prose-free in the fixture, but its tables are whole."""
    report = parse_file(FIXTURES / "real-full" / "shuyang-2025.md")
    assert report.published == "2026-01-23"
    assert report.cells["t3.other.other.total"] == 143
    assert report.cells["t4.suit_after_review.total"] == 10
