"""Excel submissions: the office's form (written, handed out, read strictly) and free-form
workbooks read by label."""

from __future__ import annotations

import io
import random

import pytest
from office_reports import generated, report_document, wrong_cells

from gongkai import template as tpl
from gongkai.cli import main
from gongkai.read import parse_bytes, parse_file
from gongkai.synth.xlsx_writer import render_xlsx_form, write_xlsx_sheet
from gongkai.xlsx_form import layout, value_cells, write_form


def _edit(data: bytes, change) -> bytes:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    change(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _filled(version: str) -> tuple[bytes, dict]:
    rng = random.Random(3)
    cells = {c: rng.choice([0, 1, 7, 12, None]) for c in tpl.get(version).cell_codes}
    data = write_form(version, cells=cells, unit_name="集里街道",
                      year=2020 if version == "v2019" else 2022, published="2021-01-15",
                      sections={"s1": "总体情况……", "s5": "问题……", "s6": "无。"})
    return data, cells


# --- the form --------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["v2019", "v2021"])
def test_form_round_trip(version):
    data, cells = _filled(version)
    report = parse_bytes(data, "form.xlsx")
    assert report.template == version
    assert wrong_cells(report, cells) == {}
    assert report.unit_code == "430181002" and report.published == "2021-01-15"
    assert report.sections["s1"] == "总体情况……"
    assert report.issues == []
    blank = next(c for c, v in cells.items() if v is None)
    assert report.sources[blank].status == "blank"  # an empty cell is blank, not 0
    assert report.sources["t3.new.natural"].location == "sheet t3 cell E7"


@pytest.mark.parametrize("layout_name", ["xlsx_form", "xlsx_sheet"])
@pytest.mark.parametrize("version", ["v2019", "v2021"])
def test_round_trip_generated(tmp_path_factory, layout_name, version):
    pairs = [(p, t) for p, t in generated(tmp_path_factory.mktemp(layout_name), layout_name)
             if t["template"] == version]
    assert pairs
    for path, truth in pairs:
        report = parse_file(path, filed_year=truth["year"], filed_unit_code=truth["unit_code"])
        assert report.template == version
        assert wrong_cells(report, truth["cells"]) == {}, path.name
        assert report.year == truth["year"] and report.unit_code == truth["unit_code"]
        assert report.published == truth["published"]
        assert not [i for i in report.issues if i.severity == "error"]


def test_every_value_cell_has_one_place():
    for version in tpl.VERSIONS:
        places = value_cells(version)
        assert set(places) == set(tpl.get(version).cell_codes)
        assert len(set(places.values())) == len(places)


def test_template_command_writes_the_empty_form(tmp_path, capsys):
    target = tmp_path / "form.xlsx"
    assert main(["template", "--xlsx", str(target), "--version", "v2019"]) == 0
    report = parse_file(target)
    assert report.template == "v2019"
    assert all(v is None for v in report.cells.values())  # empty, never 0
    assert all(s.status == "blank" for s in report.sources.values())
    assert main(["template", "--year", "2022"]) == 0
    assert "t2.fee.amount\tt2!C" in capsys.readouterr().out


def test_wrong_sheet_name():
    data, _ = _filled("v2021")
    report = parse_bytes(_edit(data, lambda wb: setattr(wb["t3"], "title", "表三")), "f.xlsx")
    missing = [i for i in report.issues if i.code == "xlsx_sheet_missing"]
    assert missing and missing[0].severity == "error" and missing[0].location == "sheet t3"
    assert any(i.code == "xlsx_unexpected_sheet" and "表三" in i.message_zh for i in report.issues)
    assert not any(code.startswith("t3.") for code in report.sources)  # nothing guessed


def test_missing_sheet():
    data, _ = _filled("v2019")
    report = parse_bytes(_edit(data, lambda wb: wb.remove(wb["t4"])), "f.xlsx")
    assert any(i.code == "xlsx_sheet_missing" and i.location == "sheet t4" for i in report.issues)
    assert any(i.code == "missing_table" and i.location == "t4" for i in report.issues)


def test_moved_row():
    data, cells = _filled("v2021")
    rows = {r.key: r.row for r in layout("v2021")["t3"].rows}
    a, b = rows["t3.denied.state_secret"], rows["t3.denied.law_forbidden"]

    def swap(wb):
        ws = wb["t3"]
        for col in "ADEFGHIJK":
            ws[f"{col}{a}"].value, ws[f"{col}{b}"].value = ws[f"{col}{b}"].value, ws[f"{col}{a}"].value

    report = parse_bytes(_edit(data, swap), "f.xlsx")
    moved = [i for i in report.issues if i.code == "xlsx_row_moved"]
    assert {i.location for i in moved} == {f"sheet t3 cell D{a}", f"sheet t3 cell D{b}"}
    assert all(i.severity == "error" for i in moved)
    assert "t3.denied.state_secret.total" not in report.sources  # not read from a wrong place
    assert report.cells["t3.granted.total"] == cells["t3.granted.total"]  # the rest is read


def test_text_in_numeric_cell():
    data, cells = _filled("v2019")

    def write_text(wb):
        wb["t3"]["E7"] = "十二件"
        wb["t3"]["F7"] = "12"
        wb["t3"]["G7"] = "/"

    report = parse_bytes(_edit(data, write_text), "f.xlsx")
    bad = [i for i in report.issues if i.location == "sheet t3 cell E7"]
    assert bad and bad[0].code == "xlsx_text_in_numeric_cell" and bad[0].severity == "error"
    assert report.cells["t3.new.natural"] is None
    assert report.sources["t3.new.natural"].status == "unreadable"
    assert report.cells["t3.new.commercial"] == 12  # a number typed as text: read, with a warning
    assert any(i.location == "sheet t3 cell F7" and i.severity == "warning" for i in report.issues)
    assert report.sources["t3.new.research"].status == "blank"


def test_changed_header_column_is_not_read():
    data, _ = _filled("v2021")
    report = parse_bytes(_edit(data, lambda wb: wb["t4"].__setitem__("C4", "总计")), "f.xlsx")
    assert any(i.code == "xlsx_header_changed" and i.location == "sheet t4 cell C4"
               for i in report.issues)
    assert "t4.review.upheld" not in report.sources


# --- free-form workbooks ----------------------------------------------------------------------
@pytest.mark.parametrize("version", ["v2019", "v2021"])
@pytest.mark.parametrize("sheet_per_table", [False, True])
def test_free_form_round_trip(version, sheet_per_table):
    for seed in range(4):
        doc, truth = report_document(version, seed)
        report = parse_bytes(write_xlsx_sheet(doc, sheet_per_table=sheet_per_table), "own.xlsx")
        assert report.template == version
        assert wrong_cells(report, truth) == {}
        assert report.sources["t4.review.total"].location.startswith("sheet ")


def test_free_form_merged_cells_kept_once():
    from gongkai.read.xlsx import to_document

    doc, _ = report_document("v2021")
    lines = to_document(write_xlsx_sheet(doc), "own.xlsx").lines
    texts = [c.text for ln in lines for c in ln.cells]
    assert texts.count("申请人情况") == 1 and texts.count("法人或其他组织") == 1


def test_form_written_from_a_generated_report_is_read_back():
    doc, truth = report_document("v2019", 5)
    report = parse_bytes(render_xlsx_form(doc, random.Random(0)).data, "form.xlsx")
    assert wrong_cells(report, truth) == {}
    assert report.section_order == ["s1", "s2", "s3", "s4", "s5", "s6"]
