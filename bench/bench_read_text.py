"""Benchmark: CPU time per report of the reader's text, Markdown and HTML path, warm.

usage: .venv/bin/python bench/bench_read_text.py [--raw DIR] [--registry CSV] [--per N]
           [--repeat R] [--profile FORMAT]

Times ``gongkai.sources.read_one`` (the read stage's call: the file read from disk, parsed,
placed with the registry) over the first N files of each format (txt, md, html) of a raw
year folder, in one process after a warm-up pass. Each repeat is one pass over the sample;
the figure is the minimum over repeats of the pass's process CPU time
(``time.process_time``) divided by the files read: CPU time, not wall time, so that other
work on the machine moves it less. Also prints the floor: bytes read, decoded and cut into
regex tokens, the least a reader of these files could cost.

Defaults: the generated corpus of the scale benchmark (``/tmp/scalework/raw-8000/2023``
and its registry ``/tmp/scalework/units-8000.csv``).

``--profile txt`` runs cProfile over one pass of that format and prints the top functions.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from gongkai.read.decode import decode
from gongkai.sources import LEADING_CODE, Submission, read_one
from gongkai.units import load_registry

FORMATS = ("txt", "md", "html")
_TOKEN = re.compile(r"[^\s|,，<>]+")


def sample(raw: Path, per: int) -> dict[str, list[Path]]:
    """The first ``per`` files of each format in ``raw`` (by name)."""
    files = sorted(p for p in raw.iterdir() if p.is_file())
    return {fmt: [p for p in files if p.suffix == "." + fmt][:per] for fmt in FORMATS}


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
    args = ap.parse_args()
    raw = Path(args.raw)
    year = int(raw.name) if raw.name.isdigit() else None
    registry = load_registry(args.registry) if args.registry else None
    by_format = sample(raw, args.per)
    subs = {fmt: submissions(paths, year) for fmt, paths in by_format.items()}
    for fmt in FORMATS:  # warm-up: imports, caches
        for s in subs[fmt]:
            read_one(s, registry)
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
    print(f"{'format':<6} {'files':>5} {'read_one ms':>12} {'floor ms':>9}   "
          f"(CPU time per report, min of {args.repeat} passes)")
    total = n = 0.0
    for fmt in FORMATS:
        items = subs[fmt]
        if not items:
            continue
        ms = cpu_per_report(lambda s: read_one(s, registry), items, args.repeat)
        fl = cpu_per_report(floor, by_format[fmt], args.repeat)
        total += ms * len(items)
        n += len(items)
        print(f"{fmt:<6} {len(items):>5} {ms:>12.3f} {fl:>9.3f}")
    print(f"all    {int(n):>5} {total / n:>12.3f}")


if __name__ == "__main__":
    main()
