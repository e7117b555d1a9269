"""Measurement: PDF pages read through PDFium (gongkai.read.pdffast) against pdfplumber alone.

usage: .venv/bin/python bench/pdfium_objects.py FILE.pdf [FILE.pdf …]

Prints, over the files given: pages PDFium reads and pages sent the careful way (pdfplumber
alone), pages whose objects differ from pdfplumber's own (``pdffast.differences``: counts,
text, a position more than 0.001 pt apart), reports whose reading (``parse_bytes``) differs
between the two ways, and the CPU time a report both ways. Differences go to standard error,
a page a line. bench/README.md ("Word, Excel and PDF, per format") has the figures.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import pdfplumber

from gongkai.read import parse_bytes, pdf
from gongkai.read.pdffast import differences, open_document, page_objects


def read(data: bytes, name: str, fast: bool):
    """``parse_bytes`` of a PDF, the pages PDFium reads exactly read through it (``fast``) or
    every page by pdfplumber alone."""
    before = pdf.FAST
    pdf.FAST = fast
    try:
        return parse_bytes(data, name)
    finally:
        pdf.FAST = before


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = [(Path(f).read_bytes(), Path(f).name) for f in args.files]
    pages = taken = differ = 0
    for data, name in files:
        plumber = pdfplumber.open(io.BytesIO(data))
        doc = open_document(data)
        for i, page in enumerate(plumber.pages):
            pages += 1
            mine = page_objects(doc, i, page) if doc is not None else None
            if mine is None:
                continue
            taken += 1
            found = differences(page.objects, mine)
            if found:
                differ += 1
                print(f"{name} page {i + 1}: {'; '.join(found[:3])}", file=sys.stderr)
        plumber.close()
        if doc is not None:
            doc.close()
    readings = {}
    times = {}
    for fast in (False, True):
        readings[fast] = [repr(read(data, name, fast)) for data, name in files]
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.process_time()
            for data, name in files:
                read(data, name, fast)
            best = min(best, time.process_time() - t0)
        times[fast] = 1000 * best / len(files)
    changed = sum(a != b for a, b in zip(readings[False], readings[True], strict=True))
    print(f"pages {pages}: taken {taken}, careful {pages - taken}, objects differ on {differ}; "
          f"reports {len(files)}: read differently {changed}; CPU a report: pdfplumber "
          f"{times[False]:.1f} ms, with PDFium's objects {times[True]:.1f} ms")


if __name__ == "__main__":
    main()
