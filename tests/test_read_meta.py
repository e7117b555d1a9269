"""Titles and metadata: a title broken over lines, in a page's metadata table, or only in a
breadcrumb; the unit registry decides the unit's code."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai.read import parse_bytes, parse_file

ADVERSARIAL = Path(__file__).parent / "adversarial"


@pytest.mark.parametrize("name,code,year", [
    ("t01-yongan-2021.txt", "430181117", 2021),  # '…2021年政府信息公开工作' / '年度报告'
    ("t02-beisheng-2022.txt", "430181118", 2022),  # '…年政府信息公' / '开工作年度报告'
    ("t03-puji-2020.txt", "430181116", 2020),  # unit line above a broken title
    ("t04-xiaohe-2019.txt", "430181201", 2019),  # only in the breadcrumb
    ("t05-baijia-2021.txt", "430181123", 2021),  # only in the metadata table
    ("t06-weijian-2022.txt", None, 2022),  # a department the registry does not know
    ("t07-dawei-2020.txt", "430181125", 2020),  # '…工作报告' without 年度
])
def test_title_gives_unit_and_year(name, code, year):
    """The unit comes out whole (never '年度报告' or '开工作年度报告') and resolves in the registry."""
    r = parse_file(ADVERSARIAL / name)
    assert r.unit_code == code and r.year == year
    assert r.unit_name and "报告" not in r.unit_name
    if code is None:
        assert r.unit_name == "浏阳市卫生健康局"
        assert any(i.code == "unknown_unit" for i in r.issues)


def _page(head: list[str]) -> bytes:
    body = ["一、总体情况", "概述。", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "问题。",
            "六、其他需要报告的事项", "无。"]
    return "\n".join(head + body).encode("utf-8")


def test_title_in_the_text_wins_over_the_breadcrumb():
    """A breadcrumb names a report (the section's list page) but the page's own title differs:
    the page's title is taken; the breadcrumb only when the page shows none."""
    r = parse_bytes(_page(["当前位置：首页 > 政府信息公开年报 > 浏阳市官渡镇2020年政府信息公开工作年度报告",
                           "浏阳市社港镇2020年政府信息公开工作年度报告"]), "page.txt")
    assert r.unit_code == "430181102"
    r = parse_bytes(_page(["当前位置：首页 > 政府信息公开年报 > 浏阳市官渡镇2020年政府信息公开工作年度报告"]),
                    "page.txt")
    assert r.unit_code == "430181104" and r.year == 2020


def test_broken_title_needs_its_rest():
    """A first line is joined with the next only when the next is the rest of a title
    ('年度报告'), not with any short line after it."""
    r = parse_bytes(_page(["浏阳市张坊镇2021年政府信息公开工作年度报告", "年度报告目录"]), "page.txt")
    assert r.title == "浏阳市张坊镇2021年政府信息公开工作年度报告"
    r = parse_bytes(_page(["浏阳市张坊镇人民政府", "2021年政府信息公开工作", "年度报告"]), "page.txt")
    assert (r.title, r.unit_name, r.unit_code) == (
        "2021年政府信息公开工作年度报告", "浏阳市张坊镇人民政府", "430181105")


def _pdf(header: str | None, title_lines: list[str], body: list[str], pages: int = 2) -> bytes:
    """A PDF (reportlab, the built-in CID font) with an optional running header on every page,
    the title lines, then the body, a page apart."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for page in range(pages):
        if header:
            c.setFont("STSong-Light", 9)
            c.drawCentredString(A4[0] / 2, A4[1] - 30, header)
        y = A4[1] - 90
        half = (len(body) + 1) // pages
        lines = (title_lines if page == 0 else []) + body[page * half:(page + 1) * half]
        for i, line in enumerate(lines):
            c.setFont("STSong-Light", 16 if page == 0 and i < len(title_lines) else 11)
            c.drawString(60, y, line)
            y -= 24
        c.showPage()
    c.save()
    return buf.getvalue()


_BODY = ["一、总体情况", "本年度主动公开信息120条。", "二、主动公开政府信息情况",
         "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
         "五、存在的主要问题及改进情况", "人员不足。", "六、其他需要报告的事项", "无。"]


def test_pdf_title_only_in_the_page_header():
    """A PDF whose title stands only in the running header of its pages: the first page's
    header is kept as its title (the repeats on later pages are dropped)."""
    data = _pdf("浏阳市淳口镇2023年政府信息公开工作年度报告", [], _BODY)
    r = parse_bytes(data, "header.pdf")
    assert (r.unit_code, r.year) == ("430181127", 2023)
    assert r.sections["s5"] == "人员不足。"  # the later page's header is not in the text


def test_pdf_title_wrapped_over_two_lines():
    """A PDF made from Word whose centred title wraps mid-word."""
    data = _pdf(None, ["浏阳市淳口镇人民政府2023年政府信息公", "开工作年度报告"], _BODY)
    r = parse_bytes(data, "wrapped.pdf")
    assert (r.unit_name, r.unit_code, r.year) == ("浏阳市淳口镇人民政府", "430181127", 2023)
