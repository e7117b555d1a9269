"""Benchmark: CPU time per report of the reader's text, Markdown and HTML path, warm.

usage: .venv/bin/python bench/bench_read_text.py [--raw DIR] [--registry CSV] [--per N]
           [--repeat R] [--profile FORMAT] [--collector reader|default]

Times ``gongkai.sources.read_one`` (the read stage's call: the file read from disk, parsed,
placed with the registry) over the first N files of each format (txt, md, html) of a raw
year folder, in one process after a warm-up pass. Each repeat is one pass over the sample;
the figure is the minimum over repeats of the pass's process CPU time
(``time.process_time``) divided by the files read: CPU time, not wall time, so that other
work on the machine moves it less.

That figure reads the same files again and again, so the reader's caches of label and line
texts (``gongkai.read.limits.TEXT_CACHE``) hold most of their lines: it overstates the speed
of a run, which reads each file once. The ``distinct`` column is the honest figure: files
each read once, for the first time in the process (after the warm-up on the sample, other
files), the N files after the sample of each format for the first repeat, the N after those
for the second and so on (as many repeats as the folder has files for); the minimum over
repeats of a pass's CPU time per file. Also prints the floor: bytes read, decoded and cut
into regex tokens, the least a reader of these files could cost.

Defaults: the generated corpus of the scale benchmark (``/tmp/scalework/raw-8000/2023``
and its registry ``/tmp/scalework/units-8000.csv``).

The garbage collector is set as in a reader process of a run (``--collector reader``, the
default: what the process holds after the warm-up frozen, a collection every
``READER_GC_THRESHOLD`` net allocations instead of 700); ``--collector default`` keeps
Python's own settings (figures before 2026-12-06 were taken so).

``--profile txt`` runs cProfile over one pass of that format and prints the top functions.
"""

from __future__ import annotations

import argparse
import gc
import re
import time
from pathlib import Path

from gongkai.read.decode import decode
from gongkai.read.pool import READER_GC_THRESHOLD
from gongkai.sources import LEADING_CODE, Submission, read_one
from gongkai.units import load_registry

FORMATS = ("txt", "md", "html")
_TOKEN = re.compile(r"[^\s|,，<>]+")


def by_format(raw: Path) -> dict[str, list[Path]]:
    """The files of each format in ``raw`` (by name)."""
    files = sorted(p for p in raw.iterdir() if p.is_file())
    return {fmt: [p for p in files if p.suffix == "." + fmt] for fmt in FORMATS}


def sample(raw: Path, per: int) -> dict[str, list[Path]]:
    """The first ``per`` files of each format in ``raw`` (by name)."""
    return {fmt: paths[:per] for fmt, paths in by_format(raw).items()}


def submissions(paths: list[Path], year: int) -> list[Submission]:
    """Submissions filed for the unit the file name's leading code names."""
    out = []
    for p in paths:
        m = LEADING_CODE.match(p.stem)
        out.append(Submission(p.name, str(p), "", p.stat().st_size,
                              m.group(1) if m else None, year))
    return out


def cpu_per_report(fn, items, repeat: int) -> float:
    """Minimum over ``repeat`` passes of the pass's process CPU time, in ms per item."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for it in items:
            fn(it)
        best = min(best, time.process_time() - t0)
    return 1000 * best / len(items)


def cpu_per_distinct(fn, groups) -> float:
    """Minimum over ``groups`` (lists of items never passed to ``fn`` before) of one pass's
    process CPU time, in ms per item: every item is read once."""
    best = float("inf")
    for items in groups:
        t0 = time.process_time()
        for it in items:
            fn(it)
        best = min(best, (time.process_time() - t0) / len(items))
    return 1000 * best


def floor(path: Path) -> int:
    """Read, decode and tokenise one file (what any reader must at least do)."""
    text, _ = decode(path.read_bytes())
    return sum(len(_TOKEN.findall(line)) for line in text.splitlines())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", default="/tmp/scalework/raw-8000/2023")
    ap.add_argument("--registry", default="/tmp/scalework/units-8000.csv")
    ap.add_argument("--per", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profile", choices=FORMATS)
    ap.add_argument("--collector", choices=("reader", "default"), default="reader",
                    help="the garbage collector as a reader process of a run sets it "
                         "(gongkai.read.pool: the start's objects frozen, a collection every "
                         "READER_GC_THRESHOLD net allocations), or Python's default")
    args = ap.parse_args()
    raw = Path(args.raw)
    year = int(raw.name) if raw.name.isdigit() else None
    registry = load_registry(args.registry) if args.registry else None
    every = by_format(raw)
    samples = {fmt: paths[:args.per] for fmt, paths in every.items()}
    subs = {fmt: submissions(paths, year) for fmt, paths in samples.items()}
    # files after the sample, never read before they are timed: one group of N per repeat
    fresh = {fmt: [submissions(paths[k:k + args.per], year)
                   for k in range(args.per, len(paths), args.per)
                   if len(paths[k:k + args.per]) == args.per][:args.repeat]
             for fmt, paths in every.items()}
    for fmt in FORMATS:  # warm-up: imports, caches
        for s in subs[fmt]:
            read_one(s, registry)
    if args.collector == "reader":  # as gongkai.read.pool._worker sets it
        gc.freeze()
        gc.set_threshold(READER_GC_THRESHOLD, *gc.get_threshold()[1:])
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for s in subs[args.profile]:
            read_one(s, registry)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        return
    print(f"{'format':<6} {'files':>5} {'read_one ms':>12} {'distinct ms':>12} "
          f"{'floor ms':>9}   (CPU time per report; read_one: the same files, min of "
          f"{args.repeat} passes; distinct: files read once, min over groups of {args.per})")
    total = n = 0.0
    total_d = n_d = 0.0
    for fmt in FORMATS:
        items = subs[fmt]
        if not items:
            continue
        ms = cpu_per_report(lambda s: read_one(s, registry), items, args.repeat)
        groups = fresh[fmt]
        dist = cpu_per_distinct(lambda s: read_one(s, registry), groups) if groups else None
        fl = cpu_per_report(floor, samples[fmt], args.repeat)
        total += ms * len(items)
        n += len(items)
        shown = "-"
        if dist is not None:
            total_d += dist * len(items)
            n_d += len(items)
            shown = f"{dist:.3f} ({len(groups)})"
        print(f"{fmt:<6} {len(items):>5} {ms:>12.3f} {shown:>12} {fl:>9.3f}")
    print(f"all    {int(n):>5} {total / n:>12.3f} "
          f"{(f'{total_d / n_d:.3f}' if n_d else '-'):>12}")


if __name__ == "__main__":
    main()
