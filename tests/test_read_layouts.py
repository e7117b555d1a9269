"""The reader on hand-made layouts that carry the traps of spec/layouts.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai.read import parse_bytes, parse_file

LAYOUTS = Path(__file__).parent / "layouts"


def test_pdf_text_total_first_split_labels_footer_and_money():
    """PDF text: 总计 column first, vertical group label, a label broken across lines, a page
    footer inside table 三, table 四 on one line, 元 converted to 万元, signs, notes, blanks."""
    r = parse_file(LAYOUTS / "pdf-text-total-first-2020.txt")
    assert (r.unit_code, r.year, r.template, r.published) == ("430181001", 2020, "v2019", "2021-01-15")
    c = r.cells
    assert c["t3.new.total"] == 12 and c["t3.new.natural"] == 10 and c["t3.new.legal"] == 1
    assert c["t3.partial.total"] == 3 and c["t3.partial.natural"] == 3
    assert c["t3.denied.third_party.natural"] == 1
    assert c["t3.not_processed.petition.legal"] == 1
    assert c["t2.procurement.amount"] == 25.1
    assert "元" in (r.sources["t2.procurement.amount"].note or "")
    assert c["t2.other_service.delta"] == -2 and c["t2.license.delta"] == 3
    assert c["t2.other_service.decisions"] == 2658 and c["t2.license.decisions"] == 1234
    assert c["t2.normative_doc.published"] == 2
    assert r.sources["t2.normative_doc.published"].note == "其中修订1件"
    assert c["t2.coercion.delta"] is None and r.sources["t2.coercion.delta"].status == "blank"
    assert c["t2.fee.prev_items"] == 2  # 行政事业型收费 (typo) matched
    assert c["t4.review.upheld"] == 1 and c["t4.review.total"] == 1
    assert c["t4.suit_after_review.total"] == 0
    figures = {f.compared_with: f.value for f in r.narrative_figures}
    assert figures["t3.new.total"] == 12 and figures["t4.review.total"] == 1
    assert not [i for i in r.issues if i.severity == "error"]


@pytest.mark.parametrize("name,encoding", [
    ("html-gbk-declared-2022.html", "gb18030"),
    ("html-gbk-undeclared-2022.html", "gb18030"),
    ("html-utf16-2022.htm", "utf-16"),
])
def test_html_encodings_spans_and_nbsp(name, encoding):
    """HTML in GBK (declared or not) and UTF-16, rowspan/colspan, nested tags, &nbsp; blank."""
    r = parse_file(LAYOUTS / name)
    assert r.encoding == encoding
    assert (r.unit_code, r.year, r.template, r.published) == ("430181102", 2022, "v2021", "2023-01-20")
    c = r.cells
    assert len(c) == 200
    assert c["t2.license.decisions"] == 1205 and c["t2.fee.amount"] == 12.5
    assert c["t2.normative_doc.repealed"] is None
    assert r.sources["t2.normative_doc.repealed"].status == "blank"
    assert c["t3.unable.not_held.natural"] == 1 and c["t3.total.total"] == 3
    assert c["t4.suit_direct.upheld"] == 1 and c["t4.review.total"] == 0
    assert r.sources["t4.suit_direct.upheld"].location == "table 3 row 4 col 6"
    assert r.sections["s6"].startswith("本年度未收取")


def _t3_rows_v2019() -> list[str]:
    return ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量",
            "三、本年度办理结果", "（一）予以公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            "（三）不予公开", "1．属于国家秘密", "2．其他法律行政法规禁止公开", "3．危及“三安全一稳定”",
            "4．保护第三方合法权益", "5．属于三类内部事务信息", "6．属于四类过程性信息", "7．属于行政执法案卷",
            "8．属于行政查询事项", "（四）无法提供", "1．本机关不掌握相关政府信息", "2．没有现成信息需要另行制作",
            "3．补正后申请内容仍不明确", "（五）不予处理", "1．信访举报投诉类申请", "2．重复申请",
            "3．要求提供公开出版物", "4．无正当理由大量反复申请", "5．要求行政机关确认或重新出具已获取信息",
            "（六）其他处理", "（七）总计", "四、结转下年度继续办理"]


_GROUPS = {"三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理"}


def _report(t3_lines: list[str]) -> bytes:
    head = ["浏阳市永和镇2019年政府信息公开工作年度报告", "", "一、总体情况", "", "概述。", "",
            "二、主动公开政府信息情况", "", "三、收到和处理政府信息公开申请情况", ""]
    tail = ["", "四、政府信息公开行政复议、行政诉讼情况", "", "五、存在的主要问题及改进情况", "",
            "问题。", "", "六、其他需要报告的事项", "", "无", "", "浏阳市永和镇人民政府", "2020年1月10日"]
    return "\n".join(head + t3_lines + tail).encode("utf-8")


def test_one_cell_per_line_with_blank_lines_and_empty_cells():
    """Cells separated by blank lines; an empty cell shows as an extra blank line."""
    lines = []
    for label in _t3_rows_v2019():
        lines += [label, ""]
        if label in _GROUPS:
            continue
        if label.startswith("一、"):
            lines += ["3", "", "", "1", "", "0", "", "0", "", "0", "", "4", ""]  # commercial blank
        else:
            lines += ["0", ""] * 7
    r = parse_bytes(_report(lines), "cells.txt")
    assert r.cells["t3.new.natural"] == 3
    assert r.cells["t3.new.commercial"] is None
    assert r.sources["t3.new.commercial"].status == "blank"
    assert r.cells["t3.new.research"] == 1 and r.cells["t3.new.total"] == 4
    assert r.cells["t3.carried_out.total"] == 0


def test_cells_ending_in_pipe_with_bare_pipe_rows():
    """Each cell on its own line ending ' |', rows separated by lines of bare pipes."""
    lines = []
    for label in _t3_rows_v2019():
        lines.append(label + " |")
        if label in _GROUPS:
            continue
        vals = ["2", "0", "0", "0", "0", "1", "3"] if label.startswith("（一）") else ["0"] * 7
        lines += [v + " |" for v in vals] + ["||"]
    r = parse_bytes(_report(lines), "pipes.txt")
    assert r.cells["t3.granted.natural"] == 2 and r.cells["t3.granted.org_other"] == 1
    assert r.cells["t3.granted.total"] == 3
    assert all(v is not None for k, v in r.cells.items() if k.startswith("t3."))


def test_markdown_pipe_rows_with_group_labels_inline_and_blank_markers():
    """Markdown rows; row-spanning group labels inline before the first sub-row; '/', '-', '—'."""
    lines = ["| 项目 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |",
             "|---|---|---|---|---|---|---|---|"]
    group = ""
    for label in _t3_rows_v2019():
        if label in _GROUPS:
            group = label
            continue
        vals = ["/", "-", "—", "无", "0", "0", "0"] if "重复申请" in label else ["0"] * 7
        cells = ([group] if group else []) + [label] + vals
        group = ""
        lines.append("| " + " | ".join(cells) + " |")
    r = parse_bytes(_report(lines), "md.md")
    for col in ("natural", "commercial", "research", "social"):
        assert r.cells[f"t3.not_processed.repeat.{col}"] is None
        assert r.sources[f"t3.not_processed.repeat.{col}"].status == "blank"
    assert r.cells["t3.not_processed.repeat.total"] == 0
    assert r.cells["t3.denied.state_secret.total"] == 0


def test_unknown_input_never_raises():
    """Binary noise, empty files and legacy formats give a report with a clear issue."""
    for data, name in ((b"", "empty.txt"), (bytes(range(256)) * 10, "noise.bin"),
                       (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old.doc"),
                       (b"PK\x03\x04garbage", "broken.docx"), (b"%PDF-1.4 garbage", "broken.pdf")):
        r = parse_bytes(data, name)
        assert r.issues, name
        assert any(i.severity == "error" for i in r.issues), name


def test_tab_rows_padded_at_both_ends_keep_their_columns():
    """A tab row with an empty cell at both ends keeps the columns the table's other rows use:
    the blank 总计 stays blank and 自然人 keeps its value."""
    r = parse_file(LAYOUTS / "tabs-padding-both-ends-cut.txt")
    assert r.cells["t3.carried_in.natural"] == 1
    assert r.cells["t3.carried_in.total"] is None
    assert r.sources["t3.carried_in.total"].status == "blank"
    assert r.sources["t3.carried_in.total"].location == "line 4 col 9"
    assert r.cells["t3.granted.total"] == 2
    assert any(i.code == "text_cut_off" for i in r.issues)


def test_row_label_at_page_bottom_numbers_after_footer_and_repeated_header():
    """A row's label ends a page; the footer and the repeated table header come before its
    numbers on the next page: the numbers still belong to that row."""
    text = "\n".join([
        "浏阳市永和镇2019年政府信息公开工作年度报告",
        "三、收到和处理政府信息公开申请情况",
        "\t\t4．无正当理由大量反复申请\t0\t0\t0\t0\t0\t0\t0",
        "\t\t5．要求行政机关确认或重新出具已获取信息",
        "",
        "— 2 —",
        "",
        "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)\t\t\t申请人情况",
        "\t\t\t自然人\t法人或其他组织\t\t\t\t\t总计",
        "\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他",
        "2\t0\t0\t0\t1\t0\t3",
        "\t(六)其他处理\t\t0\t0\t0\t0\t0\t0\t0",
    ])
    r = parse_bytes(text.encode("utf-8"), "page-break.txt")
    assert r.cells["t3.not_processed.confirm.natural"] == 2
    assert r.cells["t3.not_processed.confirm.legal"] == 1
    assert r.cells["t3.not_processed.confirm.total"] == 3
    assert r.sources["t3.not_processed.confirm.total"].location == "line 11 col 7"
    assert r.cells["t3.other.total"] == 0


def test_label_broken_across_lines():
    """Labels split over two lines, whether or not the first piece is a label on its own."""
    text = "\n".join([
        "第二十条第（五）项", "信息内容", "上一年项目数量", "本年增/减", "处理决定数量",
        "行政许可（项）", "4", "3", "31", "其他对外管理", "服务事项", "11", "17", "2658",
        "三、收到和处理政府信息公开申请情况", "4．保护第", "三方合法权益 1 0 0 0 0 0 1", "",
    ])
    r = parse_bytes(text.encode("utf-8"), "broken-labels.txt")
    assert r.cells["t2.license.decisions"] == 31
    assert (r.cells["t2.other_service.prev_items"], r.cells["t2.other_service.decisions"]) == (11, 2658)
    assert r.cells["t3.denied.third_party.natural"] == 1 and r.cells["t3.denied.third_party.total"] == 1


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le"])
def test_text_encodings_read_the_same(encoding):
    """The seed re-encoded (BOM, GBK/GB18030, UTF-16 with or without BOM) reads the same."""
    seed = Path(__file__).resolve().parents[1] / "data" / "raw" / "2019" / "430181002-jili.md"
    text = seed.read_text("utf-8")
    baseline = parse_bytes(text.encode("utf-8"), "seed.md")
    data = text.encode(encoding, errors="replace")
    r = parse_bytes(data, f"seed-{encoding}.md")
    assert r.cells == baseline.cells
    assert (r.unit_code, r.year, r.published) == ("430181002", 2019, "2020-01-03")


def test_html_page_laid_out_with_a_table():
    """A portal page whose whole article sits inside a layout table cell: the paragraphs,
    headings and nested data tables are read as the page, not as one giant cell."""
    r = parse_file(LAYOUTS / "html-layout-table-2022.html")
    assert r.section_order == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert r.published == "2023-01-20"
    assert r.cells["t2.license.decisions"] == 1205 and r.cells["t4.suit_direct.total"] == 1
    assert not r.issues


def test_table_four_left_blank_is_blank_not_unseen():
    """A table 四 whose value row is all empty cells: fifteen blanks (R-BLANK counts them)."""
    text = "\n".join([
        "浏阳市淳口镇2020年政府信息公开工作年度报告",
        "## 四、政府信息公开行政复议、行政诉讼情况",
        "| 行政复议 | 行政诉讼 |", "|---|---|",
        "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 |",
        "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |",
        "|  |  |  |  |  |  |  |  |  |  |  |  |  |  |  |",
        "## 五、存在的主要问题及改进情况", "问题。",
    ])
    r = parse_bytes(text.encode("utf-8"), "blank-t4.md")
    for code in [c for c in r.cells if c.startswith("t4.")]:
        assert r.cells[code] is None
        assert r.sources[code].status == "blank", code


def test_pdf_text_rows_of_blank_markers():
    """PDF text: a table 四 printed as fifteen dashes, a table 三 row of slashes — blanks."""
    text = "\n".join([
        "浏阳市洞阳镇2023年政府信息公开工作年度报告",
        "三、收到和处理政府信息公开申请情况",
        "（一）予以公开 / / / / / / /",
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议\t\t\t\t\t行政诉讼",
        "结果维持 结果纠正 其他结果 尚未审结 总计",
        "—  —  —  —  —  —  —  —  —  —  —  —  —  —  —",
        "五、存在的主要问题及改进情况",
    ])
    r = parse_bytes(text.encode("utf-8"), "dashes.txt")
    assert all(r.sources[c].status == "blank" for c in r.cells if c.startswith("t4."))
    assert all(r.sources[f"t3.granted.{c}"].status == "blank"
               for c in ("natural", "legal", "total"))


def test_group_and_row_label_on_one_line():
    """'（三）不予公开 1．属于国家秘密 0 …' and a group + row label whose numbers follow on
    their own lines: each row keeps its values."""
    r = parse_file(LAYOUTS / "pdf-text-inline-group-labels-2020.txt")
    assert r.cells["t3.granted.total"] == 2 and r.cells["t3.granted.commercial"] == 1
    assert r.cells["t3.denied.state_secret.total"] == 0
    assert r.cells["t3.unable.not_held.natural"] == 3 and r.cells["t3.unable.not_held.total"] == 3
    assert r.cells["t3.not_processed.petition.legal"] == 1


def test_subheading_numbered_like_a_section_is_not_a_section():
    """Inside 一、总体情况, '（二）主动公开政府信息情况' is a sub-heading: the sections are numbered
    一、二、… and section 二 starts at '二、主动公开政府信息情况'."""
    r = parse_file(LAYOUTS / "sections-numbered-subheadings-2021.txt")
    assert r.section_order == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert "全年主动公开信息120条" in r.sections["s1"]
