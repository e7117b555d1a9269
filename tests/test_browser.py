"""The HTML report and a digest in headless Chromium: they load, log nothing to the console,
and render Chinese text (screenshots are kept under test-artifacts/)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ranking_data import generated_warehouse

from gongkai import rankings
from gongkai.paths import ROOT
from gongkai.render import render_all

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                       "(apt-get install chromium fonts-noto-cjk)"),
]


def chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on a URL with console messages logged to stderr."""
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         *extra, url],
        capture_output=True, text=True, timeout=120, check=False,
    )


def console_lines(stderr: str) -> list[str]:
    """The console messages of the page (Chromium logs them as ``INFO:CONSOLE:1] "…"``,
    older builds as ``CONSOLE(1)``), and failed loads."""
    return [line for line in stderr.splitlines()
            if re.search(r":CONSOLE[:(]\d+", line) or "Uncaught" in line
            or "net::ERR_" in line]


def not_blank(png: Path) -> tuple[float, int]:
    """The share of non-white pixels and the number of colours of a screenshot."""
    import numpy as np
    from PIL import Image

    with Image.open(png) as img:
        pixels = np.asarray(img.convert("RGB")).reshape(-1, 3).astype(int)
    ink = float((pixels.sum(axis=1) < 600).mean())
    return ink, len(np.unique(pixels, axis=0))


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


def test_console_capture_sees_errors(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<html><body><script>console.error("boom-123")</script></body></html>')
    result = chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert any("boom-123" in line for line in console_lines(result.stderr))


def digest_page(out: Path, year: int, unit: str, ext: str = "html") -> Path:
    """A unit's digest (named <code>-<name>.<ext>)."""
    (found,) = (out / str(year) / "digests").glob(f"{unit}-*.{ext}")
    return found


@pytest.mark.parametrize("page, shot, size", [
    ("2024/city-report.html", "city-report-2024.png", "1200,2600"),
    ("busiest", "digest-2024-busiest.png", "1000,1500"),
    ("430181001", "digest-2024-430181001.png", "1000,1500"),
    ("index.html", "index.png", "1200,1400"),
])
def test_page_loads_cleanly_and_renders_chinese(rendered, tmp_path, page, shot, size):
    out, busiest = rendered
    if page.endswith(".html"):
        url = (out / page).as_uri()
    else:
        url = digest_page(out, 2024, busiest if page == "busiest" else page).as_uri()
    dom = chromium(url, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "政府信息公开" in dom.stdout
    assert console_lines(dom.stderr) == []

    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / shot
    target.unlink(missing_ok=True)
    result = chromium(url, tmp_path / "profile-shot", f"--screenshot={target}",
                      f"--window-size={size}")
    assert target.exists(), result.stderr[-2000:]
    ink, colours = not_blank(target)
    assert 0.01 < ink < 0.9 and colours > 20, (ink, colours)


def test_a_cjk_font_is_installed_for_the_browser():
    fc = shutil.which("fc-match")
    if fc is None:
        pytest.skip("fontconfig is not installed")
    family = subprocess.run([fc, "-f", "%{family}", "sans-serif:lang=zh-cn"],
                            capture_output=True, text=True, check=True).stdout
    assert any(name in family for name in ("CJK", "Han Sans", "WenQuanYi", "Hei")), family


def _pages(page: Path, tmp_path: Path) -> tuple[int, tuple[int, int]]:
    """Print a page to PDF with Chromium: the number of pages and the first page's size."""
    import pypdfium2

    pdf = tmp_path / f"{page.stem}.pdf"
    result = chromium(page.as_uri(), tmp_path / "profile-pdf", f"--print-to-pdf={pdf}",
                      "--no-pdf-header-footer")
    assert pdf.exists(), result.stderr[-2000:]
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        width, height = doc[0].get_size()
        return len(doc), (round(width), round(height))
    finally:
        doc.close()


def test_the_busiest_digest_prints_on_one_a4_page(rendered, tmp_path):
    """Print-to-PDF (A4, the digest's print CSS) of the unit with the most findings: one
    page, its findings first."""
    out, busiest = rendered
    page = digest_page(out, 2024, busiest)
    html = page.read_text("utf-8")
    assert html.index("需要改正或核实的问题") < html.index("各项指标")
    assert _pages(page, tmp_path) == (1, (595, 842)), busiest  # one A4 page (points)


def test_the_busiest_digest_of_the_bundled_demo_prints_on_one_page(tmp_path):
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
    assert _pages(page, tmp_path) == (1, (595, 842)), (year, unit, n)


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
