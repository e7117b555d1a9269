"""Time ``gongkai.render.render_all`` on a published warehouse (by default the one
``make run`` builds from the bundled demo).

For each worker count given, the reports are rendered ``--repeat`` times into a scratch
folder (fresh each time); the best and median wall seconds are printed with the number of
files and their total size. The outputs of the different worker counts are compared byte
for byte: a render must not depend on how many processes wrote it.

With ``--pdf-tabs 1,2`` it times the PDF copies instead (``gongkai render`` as a user runs
it, default workers): a render without PDFs; then, for each number of browser tabs
printing at once, a first render with PDFs into a fresh folder, a rerun with nothing
changed, and a render of every year again with the manifest removed (every page written
again with the same bytes, so nothing is printed); the pages printed, the digests made
denser by the print, and the printed size.

Run: ``.venv/bin/python bench/bench_render.py [--warehouse FILE] [--workers 1,2]
[--repeat 3] [--years 2019-2024] [--pdf-tabs 1,2]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from gongkai.render import MANIFEST, pdf, render, render_all
from gongkai.sources import parse_years


def digest_of(folder: Path) -> tuple[int, int, str]:
    """Files, bytes and one hash over every file (relative path and content) of a folder."""
    h = hashlib.sha256()
    n_files = n_bytes = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        h.update(str(path.relative_to(folder)).encode() + b"\0" + data)
        n_files += 1
        n_bytes += len(data)
    return n_files, n_bytes, h.hexdigest()[:16]


def pdf_timings(warehouse: Path, years: list[int] | None, tabs: list[int]) -> None:
    """Time renders with and without PDF copies (see the module's docstring)."""
    scratch = Path(tempfile.mkdtemp(prefix="gongkai-bench-pdf-"))
    print("| render | tabs | seconds | files written | PDFs printed (MB) |")
    print("|---|---|---|---|---|")
    try:
        done = render(warehouse, scratch / "none", years, pdf=False)
        print(f"| first, no PDF | — | {done.seconds:.1f} | {len(done.written)} | — |")
        for n in tabs:
            pdf.PRINT_TABS = n
            out = scratch / f"tabs{n}"
            for label in ("first, with PDFs", "rerun, nothing changed",
                          "every year again, same bytes"):
                if label.startswith("every"):
                    (out / MANIFEST).unlink()
                done = render(warehouse, out, years)
                printed = [p for p in done.written if p.suffix == ".pdf"]
                size = sum(p.stat().st_size for p in printed) / 1e6
                print(f"| {label} | {n} | {done.seconds:.1f} | {len(done.written)} | "
                      f"{len(printed)} ({size:.0f}) |")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> int:
    """Render repeatedly for each worker count and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default="warehouse/gongkai.duckdb", type=Path)
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}",
                        help="comma-separated worker counts (default: 1 and the CPU count)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--years", default=None, metavar="A-B")
    parser.add_argument("--pdf-tabs", default=None, metavar="N,M",
                        help="time the PDF copies with these numbers of browser tabs")
    args = parser.parse_args()
    if not args.warehouse.is_file():
        print(f"{args.warehouse} not found: build it first with `make run`", file=sys.stderr)
        return 2
    years = parse_years(args.years)
    counts = sorted({int(w) for w in args.workers.split(",")})
    print(f"warehouse {args.warehouse} · years {args.years or 'all'} · {os.cpu_count()} CPUs · "
          f"load average {os.getloadavg()[0]:.2f}")
    if args.pdf_tabs:
        pdf_timings(args.warehouse, years, [int(n) for n in args.pdf_tabs.split(",")])
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        return 0
    print("| workers | best s | median s | files | MB | output hash |")
    print("|---|---|---|---|---|---|")
    hashes = set()
    scratch = Path(tempfile.mkdtemp(prefix="gongkai-bench-render-"))
    try:
        for workers in counts:
            times = []
            for _ in range(args.repeat):
                out = scratch / f"w{workers}"
                shutil.rmtree(out, ignore_errors=True)
                started = time.perf_counter()
                render_all(args.warehouse, out, years, workers=workers)
                times.append(time.perf_counter() - started)
            n_files, n_bytes, digest = digest_of(out)
            hashes.add(digest)
            print(f"| {workers} | {min(times):.2f} | {statistics.median(times):.2f} | "
                  f"{n_files} | {n_bytes / 1e6:.1f} | {digest} |")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if len(hashes) > 1:
        print("outputs differ between worker counts", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
