"""Benchmark: how long one report takes to parse (median over repeated runs).

usage: .venv/bin/python bench/bench_parse.py [FILE …] [--repeat N]
Without files it times the bundled seed and the reader's layout test files.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from gongkai.read import parse_bytes

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Time parse_bytes on each file and print ms per report."""
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*")
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    files = [Path(f) for f in args.files] or [
        ROOT / "data" / "raw" / "2019" / "430181002-jili.md",
        *sorted((ROOT / "tests" / "layouts").glob("*")),
    ]
    print(f"{'file':<40} {'bytes':>8} {'median ms':>10} {'p95 ms':>8}")
    all_ms = []
    for f in files:
        data = f.read_bytes()
        parse_bytes(data, f.name)  # warm up imports and caches
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            parse_bytes(data, f.name)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        all_ms += times
        print(f"{f.name:<40} {len(data):>8} {statistics.median(times):>10.2f} "
              f"{times[int(0.95 * (len(times) - 1))]:>8.2f}")
    print(f"all files: median {statistics.median(all_ms):.2f} ms per report")


if __name__ == "__main__":
    main()
