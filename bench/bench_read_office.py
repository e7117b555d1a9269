"""Benchmark: CPU time per report of reading Word, Excel and PDF submissions, per format.

usage: .venv/bin/python bench/bench_read_office.py [--raw DIR] [--work DIR] [--repeat R]
           [--producers] [--extra FILE …]

Times ``gongkai.sources.read_one`` (the read stage's call: the file read from disk, parsed,
placed with the registry) over every ``.docx``, ``.xlsx`` and ``.pdf`` of a raw folder, in one
process after a warm-up pass; the figure is the minimum over ``--repeat`` passes of a pass's
process CPU time, per report (the same files read again: Office and PDF readers keep no
cache of a file's content across files, so this is the figure of a run). For PDF it also
prints pages and the time per page.

Without ``--raw`` it generates the corpus once (``gongkai synth --formats docx,xlsx,pdf``,
the bundled registry, years 2021 and 2023, seed 5) in ``--work``/raw (default work folder
``/tmp/gongkai-bench-office``). ``--extra`` adds files made elsewhere, grouped as a format of
their own by the name's last part before the suffix (``…-chromium.pdf`` → ``pdf chromium``):
for example PDFs printed by Chromium from generated HTML reports, or Word files converted by
LibreOffice (``soffice --headless --convert-to pdf``), so that PDFs of several producers are
timed side by side. ``--producers`` makes such PDFs itself (``make_producers``): LibreOffice's
of the corpus's Word reports, the generator's set in an embedded TrueType font, Chromium's of
generated HTML reports. ``GONGKAI_PDF_CAREFUL=1`` times every PDF page read by pdfplumber alone
(without ``gongkai.read.pdffast``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from gongkai.sources import LEADING_CODE, Submission, read_one

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("docx", "xlsx", "pdf")


def make_corpus(work: Path) -> Path:
    """A generated folder of Word, Excel and PDF reports (made once, kept in ``work``)."""
    raw = work / "raw"
    if not any(raw.glob("*/*.pdf")):
        subprocess.run([sys.executable, "-m", "gongkai.cli", "synth", "--years", "2021,2023",
                        "--formats", "docx,xlsx,pdf", "--out", str(raw), "--seed", "5"],
                       cwd=ROOT, check=True, capture_output=True)
    return raw


def make_producers(work: Path, corpus: Path) -> list[Path]:
    """PDFs of the corpus's reports from other producers (made once, kept in ``work``):
    ``…-libreoffice.pdf`` (its Word reports converted by LibreOffice with the bundled CJK
    font, when ``soffice`` is installed), ``…-truetype.pdf`` (the generator's PDFs with the
    bundled font's TrueType copy embedded, as Word and WPS embed fonts) and
    ``…-chromium.pdf`` (generated HTML reports printed by Chromium, when it is installed)."""
    from gongkai.read import legacy
    from gongkai.render import browser

    out = work / "producers"
    if out.is_dir():
        return sorted(out.glob("*.pdf"))
    out.mkdir(parents=True)
    soffice = legacy.find_soffice()
    if soffice:
        (work / "fontconfig").mkdir(exist_ok=True)
        env = {"FONTCONFIG_FILE": str(browser.fontconfig_file(work / "fontconfig",
                                                              system_fonts=True)),
               "HOME": str(work), "PATH": "/usr/bin:/bin"}
        for year in sorted(p.name for p in corpus.iterdir() if p.is_dir()):
            tmp = work / "lo" / year
            subprocess.run([soffice, "--headless", "--norestore",
                            f"-env:UserInstallation={(work / 'lo-profile').as_uri()}",
                            "--convert-to", "pdf", "--outdir", str(tmp),
                            *map(str, sorted((corpus / year).glob("*.docx")))],
                           env=env, check=True, capture_output=True)
            for pdf in tmp.glob("*.pdf"):
                pdf.rename(out / f"{pdf.stem}-{year}-libreoffice.pdf")
    _truetype_pdfs(work / "ttf", out)
    if browser.executable() is not None:
        html = work / "html"
        subprocess.run([sys.executable, "-m", "gongkai.cli", "synth", "--years", "2023",
                        "--formats", "html", "--out", str(html), "--seed", "5"],
                       cwd=ROOT, check=True, capture_output=True)
        with browser.open_browser(system_fonts=False) as tab:
            for path in sorted(html.glob("*/*.html"))[:12]:
                tab.open(path)
                (out / f"{path.stem}-chromium.pdf").write_bytes(tab.pdf())
    return sorted(out.glob("*.pdf"))


def _truetype_pdfs(folder: Path, out: Path) -> None:
    """The generator's PDFs set in the bundled font's TrueType copy, embedded."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    import gongkai.synth.pdf_writer as writer
    from gongkai.render.print_font import print_font_dir
    from gongkai.synth.generate import SynthOptions, generate

    fonts = print_font_dir()
    if fonts is None:
        return
    pdfmetrics.registerFont(TTFont("GongkaiTT", str(next(fonts.glob("*.ttf")))))
    writer._FONT = "GongkaiTT"
    for report in generate(SynthOptions(out=folder, years=[2021, 2023], seed=5,
                                        layouts=["pdf"], formats=["pdf"])):
        report.path.rename(out / f"{report.path.stem}-{report.path.parent.name}-truetype.pdf")


def submission(path: Path) -> Submission:
    """The submission of one file, filed for the unit its leading code names."""
    m = LEADING_CODE.match(path.stem)
    year = int(path.parent.name) if path.parent.name.isdigit() else None
    return Submission(path.name, str(path), "", path.stat().st_size,
                      m.group(1) if m else None, year)


def pages(path: Path) -> int:
    """Pages of a PDF (0 for other files)."""
    if path.suffix.lower() != ".pdf":
        return 0
    import pypdfium2

    doc = pypdfium2.PdfDocument(path.read_bytes())
    try:
        return len(doc)
    finally:
        doc.close()


def group(path: Path, extra: bool) -> str:
    """The row a file is counted in."""
    fmt = path.suffix.lower().lstrip(".")
    return f"{fmt} {path.stem.rsplit('-', 1)[-1]}" if extra else fmt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", help="a folder of year folders (default: a generated corpus)")
    ap.add_argument("--work", default="/tmp/gongkai-bench-office")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--extra", nargs="*", default=[], help="more files, a row per producer")
    ap.add_argument("--producers", action="store_true",
                    help="also PDFs of the corpus from LibreOffice, reportlab with an embedded "
                         "TrueType font, and Chromium (made once in --work)")
    args = ap.parse_args()
    raw = Path(args.raw) if args.raw else make_corpus(Path(args.work))
    files: dict[str, list[Path]] = {}
    for p in sorted(raw.glob("*/*")):
        if p.suffix.lower().lstrip(".") in FORMATS:
            files.setdefault(group(p, False), []).append(p)
    extra = [Path(name) for name in args.extra]
    if args.producers:
        extra += make_producers(Path(args.work), raw)
    for name in extra:
        p = Path(name)
        files.setdefault(group(p, True), []).append(p)
    print(f"{'format':<17} {'files':>5} {'pages':>6} {'ms a report':>12} {'ms a page':>10}"
          "   (process CPU, warm, min of passes)")
    for fmt, paths in files.items():
        subs = [submission(p) for p in paths]
        for s in subs:  # warm-up: imports, the registry, the reader's caches of labels
            read_one(s)
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.process_time()
            for s in subs:
                read_one(s)
            best = min(best, time.process_time() - t0)
        n_pages = sum(pages(p) for p in paths)
        per_page = f"{1000 * best / n_pages:10.1f}" if n_pages else f"{'':>10}"
        print(f"{fmt:<17} {len(paths):5d} {n_pages or '':>6} {1000 * best / len(paths):12.1f} "
              f"{per_page}")


if __name__ == "__main__":
    main()
