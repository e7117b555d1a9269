"""Benchmark: CPU time per report of reading Word, Excel and PDF submissions, per format.

usage: .venv/bin/python bench/bench_read_office.py [--raw DIR] [--units N] [--repeat R]
           [--extra FILE …]

Times ``gongkai.sources.read_one`` (the read stage's call: the file read from disk, parsed,
placed with the registry) over every ``.docx``, ``.xlsx`` and ``.pdf`` of a raw folder, in one
process after a warm-up pass; the figure is the minimum over ``--repeat`` passes of a pass's
process CPU time, per report (the same files read again: Office and PDF readers keep no
cache of a file's content across files, so this is the figure of a run). For PDF it also
prints pages and the time per page.

Without ``--raw`` it generates the corpus once (``gongkai synth --formats docx,xlsx,pdf``,
the bundled registry, years 2021 and 2023, seed 5) in ``--work`` (default
``/tmp/gongkai-bench-office``). ``--extra`` adds files made elsewhere, grouped as a format of
their own by the name's last part before the suffix (``…-chromium.pdf`` → ``pdf chromium``):
for example PDFs printed by Chromium from generated HTML reports, or Word files converted by
LibreOffice (``soffice --headless --convert-to pdf``), so that PDFs of several producers are
timed side by side.
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
    if not any(work.glob("*/*.pdf")):
        subprocess.run([sys.executable, "-m", "gongkai.cli", "synth", "--years", "2021,2023",
                        "--formats", "docx,xlsx,pdf", "--out", str(work), "--seed", "5"],
                       cwd=ROOT, check=True, capture_output=True)
    return work


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
    args = ap.parse_args()
    raw = Path(args.raw) if args.raw else make_corpus(Path(args.work))
    files: dict[str, list[Path]] = {}
    for p in sorted(raw.glob("*/*")):
        if p.suffix.lower().lstrip(".") in FORMATS:
            files.setdefault(group(p, False), []).append(p)
    for name in args.extra:
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
