"""PDF pages read through PDFium (gongkai.read.pdffast) read exactly as pdfplumber reads them.

PDFs of three producers: the generator's (reportlab), generated Word reports converted by
LibreOffice with the bundled CJK font (skipped without ``soffice``; .ci/run installs it), and
generated HTML reports printed by Chromium (skipped without it; its fonts are Type 3, so every
page must go the careful way). For each: the objects PDFium gives agree with pdfplumber's on
every page it takes, and the report read with the fast path equals the report read without.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from office_reports import generated

from gongkai.read import legacy, parse_bytes, pdf, pdffast
from gongkai.render import browser

ROOT = Path(__file__).resolve().parents[1]
differences = pdffast.differences


def compare(paths: list[Path], *, readings: bool = True) -> dict:
    """Pages taken by PDFium, pages sent the careful way, and every difference found; with
    ``readings``, each report read both ways must be the same."""
    taken = careful = 0
    found: list[str] = []
    for path in paths:
        data = path.read_bytes()
        doc = pdffast.open_document(data)
        with pdfplumber.open(io.BytesIO(data)) as plumber:
            for i, page in enumerate(plumber.pages):
                mine = pdffast.page_objects(doc, i, page)
                if mine is None:
                    careful += 1
                    continue
                taken += 1
                found += [f"{path.name} p{i + 1}: {d}" for d in differences(page.objects, mine)]
        doc.close()
        if readings:
            assert read(data, path.name, fast=True) == read(data, path.name, fast=False), \
                path.name
    return {"taken": taken, "careful": careful, "differences": found}


def read(data: bytes, name: str, *, fast: bool) -> str:
    """The report read from a PDF, with or without the PDFium path (its repr: every field)."""
    before = pdf.FAST
    pdf.FAST = fast
    try:
        return repr(parse_bytes(data, name))
    finally:
        pdf.FAST = before


@pytest.fixture(scope="module")
def reportlab_pdfs(tmp_path_factory) -> list[Path]:
    """The generator's PDFs, the repository's sample and adversarial PDFs."""
    made = [p for p, _ in generated(tmp_path_factory.mktemp("pdf"), "pdf")]
    return made + sorted((ROOT / "tests" / "adversarial").glob("*.pdf")) \
        + sorted((ROOT / "data" / "raw").glob("*/*.pdf"))[:3]


def test_reportlab_pdfs_read_the_same(reportlab_pdfs):
    result = compare(reportlab_pdfs)
    assert result["differences"] == []
    assert result["taken"] >= 10  # the fast path is really taken
    # one-character text objects of an unembedded CID font have no character in PDFium's
    # text page: those pages (wrapped table cells) go the careful way
    assert result["careful"] >= 1


@pytest.fixture(scope="module")
def truetype_pdfs(tmp_path_factory) -> list[Path]:
    """The generator's PDFs with an embedded TrueType font (the print copy of the bundled CJK
    font, subset by reportlab) in place of its unembedded CID font: the way Word and WPS
    embed fonts."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    import gongkai.synth.pdf_writer as writer
    from gongkai.render.print_font import print_font_dir

    folder = print_font_dir()
    if folder is None:
        pytest.skip("the TrueType copy of the bundled font cannot be made here")
    font = next(folder.glob("*.ttf"))
    if "GongkaiTT" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("GongkaiTT", str(font)))
    before = writer._FONT
    writer._FONT = "GongkaiTT"
    try:
        return [p for p, _ in generated(tmp_path_factory.mktemp("ttf"), "pdf")]
    finally:
        writer._FONT = before


def test_truetype_pdfs_read_the_same_and_through_pdfium(truetype_pdfs):
    result = compare(truetype_pdfs)
    assert result["differences"] == []
    assert result["careful"] == 0  # every page of embedded TrueType subsets is taken
    assert result["taken"] >= len(truetype_pdfs)


def test_a_wrong_descent_is_seen(reportlab_pdfs, monkeypatch):
    """The comparison is sharp enough to see a character box a fraction of a point off."""
    assert compare(reportlab_pdfs[:2], readings=False)["differences"] == []
    real = pdffast._fonts
    monkeypatch.setattr(pdffast, "_fonts", lambda page: {
        name: (0.0 if d is not None else None) for name, d in real(page).items()})
    assert any(" top " in d for d in compare(reportlab_pdfs[:2], readings=False)["differences"])



@pytest.mark.slow
@pytest.mark.skipif(legacy.find_soffice() is None,
                    reason="LibreOffice (soffice) is not installed: apt-get install "
                           "libreoffice-writer-nogui (.ci/run does)")
def test_libreoffice_pdfs_read_the_same(tmp_path):
    docx = [p for p, _ in generated(tmp_path / "docx", "docx")]
    env = {"FONTCONFIG_FILE": str(browser.fontconfig_file(tmp_path, system_fonts=True)),
           "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for year in sorted({p.parent.name for p in docx}):  # a folder a year: names repeat
        subprocess.run([legacy.find_soffice(), "--headless", "--norestore",
                        f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                        "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf" / year),
                        *[str(p) for p in docx if p.parent.name == year]],
                       env=env, check=True, capture_output=True, timeout=240)
    pdfs = sorted((tmp_path / "pdf").glob("*/*.pdf"))
    assert len(pdfs) == len(docx)
    result = compare(pdfs)
    assert result["differences"] == []
    assert result["taken"] >= len(pdfs)  # LibreOffice's pages are all plain: PDFium reads them


@pytest.mark.browser
@pytest.mark.skipif(browser.executable() is None, reason="chromium is not installed")
def test_chromium_pdfs_go_the_careful_way(tmp_path):
    html = sorted((ROOT / "data" / "raw").glob("*/*.html"))[:2]
    pdfs = []
    with browser.open_browser(system_fonts=False) as tab:
        for path in html:
            tab.open(path)
            target = tmp_path / f"{path.stem}.pdf"
            target.write_bytes(tab.pdf())
            pdfs.append(target)
    result = compare(pdfs)
    assert result["differences"] == []
    assert result["taken"] == 0  # Chromium prints the bundled font as Type 3 fonts
    assert result["careful"] >= len(pdfs)


def test_pages_pdfium_does_not_reproduce_go_the_careful_way(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "cases.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 10)
    c.drawString(72, 700, "集里街道 2019")  # page 1: plain text, a rule
    c.line(72, 690, 300, 690)
    c.showPage()
    c.setFont("STSong-Light", 10)
    c.saveState()
    c.translate(300, 400)
    c.rotate(90)  # page 2: text set upwards
    c.drawString(0, 0, "集里街道")
    c.restoreState()
    c.showPage()
    c.setFont("STSong-Light", 10)
    c.drawString(72, 700, "织")  # page 3: a one-character text object
    c.showPage()
    c.setPageRotation(90)  # page 4: a rotated page
    c.setFont("STSong-Light", 10)
    c.drawString(72, 500, "集里街道")
    c.showPage()
    c.save()
    data = path.read_bytes()
    doc = pdffast.open_document(data)
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        got = [pdffast.page_objects(doc, i, page) for i, page in enumerate(plumber.pages)]
        assert got[0] is not None and differences(plumber.pages[0].objects, got[0]) == []
    doc.close()
    assert got[1:] == [None, None, None]
    assert read(data, "cases.pdf", fast=True) == read(data, "cases.pdf", fast=False)


def test_without_pdfium_every_page_is_read_the_careful_way(monkeypatch):
    monkeypatch.setattr(pdffast, "pdfium", None)
    data = sorted((ROOT / "data" / "raw").glob("*/*.pdf"))[0].read_bytes()
    assert pdffast.open_document(data) is None
    assert read(data, "x.pdf", fast=True) == read(data, "x.pdf", fast=False)


def test_a_damaged_pdf_is_reported_as_before():
    data = sorted((ROOT / "data" / "raw").glob("*/*.pdf"))[0].read_bytes()
    cut = data[: len(data) // 2]
    fast = read(cut, "cut.pdf", fast=True)
    assert fast == read(cut, "cut.pdf", fast=False)
    assert "corrupt_file" in fast or "needs_ocr" in fast


def test_page_trees_read_differently_go_the_careful_way(reportlab_pdfs, monkeypatch):
    """PDFium finding another number of pages than pdfminer (a damaged page tree) must not
    pair a page with another's objects: here PDFium is handed another file of other pages."""
    by_pages: dict[int, Path] = {}
    for path in reportlab_pdfs:
        with pdfplumber.open(path) as plumber:
            by_pages.setdefault(len(plumber.pages), path)
    assert len(by_pages) >= 2
    (_, one), (_, other) = list(by_pages.items())[:2]
    other_data = other.read_bytes()
    real = pdffast.open_document
    monkeypatch.setattr(pdffast, "open_document", lambda data, pages=None: real(other_data, pages))
    data = one.read_bytes()
    assert read(data, one.name, fast=True) == read(data, one.name, fast=False)


def test_a_capped_reader_process_reads_through_pdfium(truetype_pdfs):
    """PDFium in a reader process with its address space capped (gongkai.read.pool) reads
    as in this process: no crash, the same reports."""
    from gongkai.read.pool import Job, read_files, read_job

    jobs = [Job(str(i), str(p), p.name) for i, p in enumerate(truetype_pdfs[:3])]
    got = read_files([jobs], workers=1)
    assert {k: repr(r) for k, r in got.items()} == {j.key: repr(read_job(j)) for j in jobs}
    assert not [i for r in got.values() for i in r.issues if i.severity == "error"]


def test_text_state_operators_read_the_same(tmp_path):
    """Horizontal scaling, character and word spacing and rise move characters as pdfminer
    moves them; an unembedded standard font (Helvetica) is measured from pdfminer's tables."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from gongkai.render.print_font import print_font_dir

    folder = print_font_dir()
    if folder is None:
        pytest.skip("the TrueType copy of the bundled font cannot be made here")
    if "GongkaiTT" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("GongkaiTT", str(next(folder.glob("*.ttf")))))
    path = tmp_path / "state.pdf"
    c = canvas.Canvas(str(path))
    for y, font, setting in ((700, "GongkaiTT", "setHorizScale"), (650, "GongkaiTT", "setCharSpace"),
                             (600, "GongkaiTT", "setRise"), (550, "Helvetica", "setWordSpace")):
        text = c.beginText(72, y)
        text.setFont(font, 12)
        getattr(text, setting)(80 if setting == "setHorizScale" else 4)
        text.textLine("集里街道 2019 a b" if font != "Helvetica" else "Jili 2019 a b")
        c.drawText(text)
    c.save()
    result = compare([path])
    assert result["taken"] == 1 and result["differences"] == []


def test_threads_read_as_one(truetype_pdfs):
    """PDFium is not thread-safe; reports read in four threads at once (a Dask worker may run
    tasks in threads) are the reports read one after another."""
    from concurrent.futures import ThreadPoolExecutor

    datas = [(p.read_bytes(), p.name) for p in truetype_pdfs[:4]] * 2
    alone = [read(d, n, fast=True) for d, n in datas]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda item: repr(parse_bytes(*item)), datas))
    assert together == alone
    from pdfminer import pdfinterp

    from gongkai.read.pdfcontent import ContentParser

    assert pdfinterp.PDFContentParser is not ContentParser  # put back after the last reading
