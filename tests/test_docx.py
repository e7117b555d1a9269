"""Word (.docx) submissions: round trip on generated reports, merged and nested cells, order."""

from __future__ import annotations

import io

import pytest
from office_reports import generated, report_document, wrong_cells

from gongkai.read import parse_bytes, parse_file
from gongkai.read.docx import to_document
from gongkai.synth.docx_writer import write_docx


@pytest.fixture(scope="module")
def docx_reports(tmp_path_factory):
    return generated(tmp_path_factory.mktemp("docx"), "docx")


@pytest.mark.parametrize("version", ["v2019", "v2021"])
def test_round_trip_generated(docx_reports, version):
    pairs = [(p, t) for p, t in docx_reports if t["template"] == version]
    assert pairs
    for path, truth in pairs:
        report = parse_file(path, filed_year=truth["year"], filed_unit_code=truth["unit_code"])
        assert report.format == "docx"
        assert report.template == version
        assert wrong_cells(report, truth["cells"]) == {}, path.name
        assert report.year == truth["year"]
        assert report.unit_code == truth["unit_code"]
        assert report.published == truth["published"]
        assert report.section_order == truth["sections"]
        assert not [i for i in report.issues if i.severity == "error"]


@pytest.mark.parametrize("version", ["v2019", "v2021"])
@pytest.mark.parametrize("nest_t4", [False, True])
def test_round_trip_written(version, nest_t4):
    for seed in range(4):
        doc, truth = report_document(version, seed)
        report = parse_bytes(write_docx(doc, nest_t4=nest_t4), "report.docx")
        assert wrong_cells(report, truth) == {}
        assert all(report.sources[code].location.startswith("table ") for code in truth)


def test_merged_cells_are_kept_once():
    doc, _ = report_document("v2021")
    lines = to_document(write_docx(doc), "report.docx").lines
    texts = [c.text for ln in lines for c in ln.cells]
    # the t3 header spans 7 columns, the group label spans every outcome row: each once
    assert texts.count("申请人情况") == 1
    assert sum(1 for t in texts if t.endswith("本年度办理结果")) == 1
    # a vertically merged cell's continuation is an empty cell at its grid position
    t3_rows = [ln for ln in lines if ln.is_row and any("予以公开" in c.text for c in ln.cells)]
    assert t3_rows and t3_rows[0].cells[0].text.endswith("本年度办理结果")
    partial = next(ln for ln in lines if ln.is_row and any("部分公开" in c.text for c in ln.cells))
    assert partial.cells[0].text == "" and partial.cells[0].location.endswith("col 1")


def test_body_order_and_provenance():
    doc, _ = report_document("v2019")
    lines = to_document(write_docx(doc, nest_t4=True), "report.docx").lines
    kinds = ["row" if ln.is_row else ln.text for ln in lines]
    s3 = kinds.index("三、收到和处理政府信息公开申请情况")
    s4 = kinds.index("四、政府信息公开行政复议、行政诉讼情况")
    assert set(kinds[s3 + 1:s4]) == {"row"}  # table 三 between its heading and the next
    assert lines[0].cells[0].location == "paragraph 1"
    # table 四 nested in a frame: its rows follow the frame's row and get their own number
    frame = next(ln for ln in lines[s4:] if ln.is_row)
    inner = lines[lines.index(frame) + 1]
    assert frame.table_index is not None and inner.table_index == frame.table_index + 1
    assert inner.cells[0].location.startswith(f"table {inner.table_index} row 1")


def test_tab_laid_out_paragraph_is_a_row():
    import docx

    word = docx.Document()
    word.add_paragraph("规章\t0\t0\t0")
    buf = io.BytesIO()
    word.save(buf)
    line = to_document(buf.getvalue(), "x.docx").lines[0]
    assert line.is_row and [c.text for c in line.cells] == ["规章", "0", "0", "0"]
    assert line.cells[1].location == "paragraph 1 col 2"


def test_deleted_revision_text_is_not_read():
    import docx
    from docx.oxml import parse_xml

    word = docx.Document()
    p = word.add_paragraph("总计 ")
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    p._p.append(parse_xml(f'<w:del {ns} w:id="1" w:author="x"><w:r><w:delText>99</w:delText>'
                          '</w:r></w:del>'))
    p._p.append(parse_xml(f'<w:ins {ns} w:id="2" w:author="x"><w:r><w:t>5</w:t></w:r></w:ins>'))
    buf = io.BytesIO()
    word.save(buf)
    assert to_document(buf.getvalue(), "x.docx").lines[0].text == "总计 5"


def _numbered_docx() -> bytes:
    """Headings numbered 一、二、… and rows numbered 1．2．… by Word lists, not by their text."""
    import docx
    from docx.oxml import parse_xml

    word = docx.Document()
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering = word.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {ns} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        '<w:lvlText w:val="%2．"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {ns} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(paragraph, level):
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {ns}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))

    word.add_paragraph("集里街道2021年政府信息公开工作年度报告")
    for heading in ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况"):
        numbered(word.add_paragraph(heading), 0)
    table = word.add_table(rows=2, cols=2)
    for r, label in enumerate(("属于国家秘密", "其他法律行政法规禁止公开")):
        cell = table.cell(r, 0)
        cell.text = label
        numbered(cell.paragraphs[0], 1)
        table.cell(r, 1).text = str(r)
    buf = io.BytesIO()
    word.save(buf)
    return buf.getvalue()


def test_list_numbering_is_shown_as_printed():
    lines = to_document(_numbered_docx(), "numbered.docx").lines
    texts = [ln.text for ln in lines]
    assert texts[1:4] == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"]
    rows = [ln for ln in lines if ln.is_row]
    assert [r.cells[0].text for r in rows] == ["1．属于国家秘密", "2．其他法律行政法规禁止公开"]
