"""The HTML report and the digests in headless Chromium: they load, log nothing to the
console, render Chinese with the project's bundled font and no system font at all, and print
to A4 PDFs (screenshots are kept under test-artifacts/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ranking_data import generated_warehouse

from gongkai import rankings
from gongkai.paths import ROOT
from gongkai.render import browser, render_all

ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(browser.executable() is None,
                       reason="chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def tab():
    """One browser for the module, with the bundled CJK font and NO system font."""
    with browser.open_browser(system_fonts=False) as page:
        yield page


def not_blank(png: Path) -> tuple[float, int]:
    """The share of non-white pixels and the number of colours of a screenshot."""
    import numpy as np
    from PIL import Image

    with Image.open(png) as img:
        pixels = np.asarray(img.convert("RGB")).reshape(-1, 3).astype(int)
    ink = float((pixels.sum(axis=1) < 600).mean())
    return ink, len(np.unique(pixels, axis=0))


def pdf_pages(data: bytes) -> tuple[int, tuple[int, int], set[str], str]:
    """Pages, the first page's size (points), the fonts used and the first page's text."""
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as doc:
        first = doc.pages[0]
        fonts = {c["fontname"].split("+")[-1] for p in doc.pages for c in p.chars}
        return (len(doc.pages), (round(first.width), round(first.height)), fonts,
                first.extract_text() or "")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The generated demo rendered, and the unit with the most findings in 2024."""
    warehouse = generated_warehouse((2023, 2024))
    out = tmp_path_factory.mktemp("out")
    render_all(warehouse, out, [2023, 2024], pdf=False)
    con, _ = rankings.connect(warehouse)
    busiest = con.execute("select unit_code from v_rank_findings where report_year = 2024 "
                          "group by unit_code order by count(*) desc, unit_code "
                          "limit 1").fetchone()[0]
    con.close()
    return out, busiest


def test_console_capture_sees_errors(tab, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<html><body><script>console.error("boom-123")</script></body></html>')
    tab.open(page)
    assert any("boom-123" in line for line in tab.console)


def digest_page(out: Path, year: int, unit: str, ext: str = "html") -> Path:
    """A unit's digest (named <code>-<name>.<ext>)."""
    (found,) = (out / str(year) / "digests").glob(f"{unit}-*.{ext}")
    return found


@pytest.mark.parametrize("page, shot, size", [
    ("2024/city-report.html", "city-report-2024.png", (1200, 2600)),
    ("busiest", "digest-2024-busiest.png", (1000, 1500)),
    ("430181001", "digest-2024-430181001.png", (1000, 1500)),
    ("index.html", "index.png", (1200, 1400)),
])
def test_page_loads_cleanly_and_renders_chinese(rendered, tab, page, shot, size):
    out, busiest = rendered
    path = out / page if page.endswith(".html") else digest_page(
        out, 2024, busiest if page == "busiest" else page)
    tab.open(path)
    assert "政府信息公开" in tab.text()
    assert tab.console == []

    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / shot
    target.unlink(missing_ok=True)
    tab.screenshot(target, *size)
    ink, colours = not_blank(target)
    assert 0.01 < ink < 0.9 and colours > 20, (ink, colours)


def test_chinese_is_drawn_with_the_bundled_font_and_no_system_font(rendered, tab):
    """With only the bundled font known to the browser, the printed digest's Chinese text
    is set in Noto Sans CJK SC (not missing-glyph boxes in a fallback font)."""
    out, busiest = rendered
    tab.open(digest_page(out, 2024, busiest))
    _, _, fonts, text = pdf_pages(tab.pdf())
    assert "政府信息公开" in text
    assert any("NotoSansCJK" in f for f in fonts), fonts


def _pages(tab, page: Path) -> tuple[int, tuple[int, int]]:
    """Print a page to PDF with Chromium: the number of pages and the first page's size."""
    tab.open(page)
    n, size, _, _ = pdf_pages(tab.pdf())
    return n, size


def test_the_busiest_digest_prints_on_one_a4_page(rendered, tab):
    """Print-to-PDF (A4, the digest's print CSS) of the unit with the most findings: one
    page, its findings first."""
    out, busiest = rendered
    page = digest_page(out, 2024, busiest)
    html = page.read_text("utf-8")
    assert html.index("需要改正或核实的问题") < html.index("各项指标")
    assert _pages(tab, page) == (1, (595, 842)), busiest  # one A4 page (points)


def test_the_busiest_digest_of_the_bundled_demo_prints_on_one_page(tab, tmp_path):
    """The same for the unit-year with the most findings in the bundled demo (data/raw)."""
    from ranking_data import load_folder

    from gongkai.paths import RAW_DIR

    warehouse = load_folder(RAW_DIR, tmp_path / "demo.duckdb")
    con, _ = rankings.connect(warehouse)
    year, unit, n = con.execute("select report_year, unit_code, count(*) as n "
                                "from v_rank_findings group by all "
                                "order by n desc, report_year, unit_code limit 1").fetchone()
    con.close()
    render_all(warehouse, tmp_path / "out", [year], workers=1, pdf=False)
    page = digest_page(tmp_path / "out", year, unit)
    assert n >= 10, f"the busiest demo digest has only {n} findings: no longer a hard case"
    assert page.read_text("utf-8").count('class="finding"') == n
    assert _pages(tab, page) == (1, (595, 842)), (year, unit, n)


def test_pdf_copies_of_the_city_report_and_every_digest(tmp_path):
    """The render prints the city report and every digest to PDF (A4; a digest on one page),
    and a rerun with nothing changed rewrites none of them."""
    import pypdfium2
    from ranking_data import build_constructed

    from gongkai.render import render

    path = build_constructed(tmp_path / "w.duckdb")
    out = tmp_path / "out"
    done = render(path, out, [2024], workers=1, pdf=True)
    city = out / "2024" / "city-report.pdf"
    digests = sorted((out / "2024" / "digests").glob("*.html"))
    assert city in done.files and digests
    for html in digests:
        assert html.with_suffix(".pdf") in done.files
    for pdf in [city, digests[0].with_suffix(".pdf")]:
        doc = pypdfium2.PdfDocument(str(pdf))
        try:
            assert [round(x) for x in doc[0].get_size()] == [595, 842]
            assert len(doc) >= (2 if pdf == city else 1)
            assert "政府信息公开" in doc[0].get_textpage().get_text_range()
        finally:
            doc.close()
    assert 'href="2024/city-report.pdf"' in (out / "index.html").read_text("utf-8")
    again = render(path, out, [2024], workers=1, pdf=True)
    assert again.written == [] and again.unchanged_years == [2024]
