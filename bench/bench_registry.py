"""Time loading a unit registry of any size and matching names and codes against it.

1. a synthetic registry of ``--units`` units (default 40,000, shaped like the country's
   township level: ~2,900 counties in ~23 provinces, names repeated across counties, ~1 %
   renamed and ~1 % merged; ``gongkai.synth.registry``) is written as CSV;
2. load: ``read_registry`` (read, validate, index) in a fresh process, ``--repeat`` times,
   and ``gongkai units check`` on the file (the whole command, imports included);
3. matching, per call, over ``--samples`` units valid in 2023:
   - ``resolve`` of the name as a report prints it, with province, city and office suffix;
   - ``resolve`` of the bare name (names several counties share are ``ambiguous``);
   - ``find_in_text`` in a report title;
   - ``filed_unit_from_name`` on a file name with a leading code and on one with the name;
   - ``unit_for`` of the renamed and merged units' old codes in 2023;
   - ``resolve`` of a name not in the registry (the slowest path: every substring length).
   Every answer is checked against the unit it was made from; wrong answers are counted.

Run: ``.venv/bin/python bench/bench_registry.py [--units 40000] [--samples 10000]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gongkai import sources
from gongkai.synth.registry import synthetic_units
from gongkai.units import read_registry, write_registry

YEAR = 2023
CHILD = """
import resource, sys, time
t = time.perf_counter()
from gongkai.units import read_registry
imported = time.perf_counter() - t
t = time.perf_counter()
registry, problems = read_registry(sys.argv[1])
took = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{took:.3f} {imported:.3f} {rss:.0f} {len(registry.periods)} {len(problems)}")
"""


def _per_call(fn, items) -> tuple[float, list]:
    """Microseconds per call of ``fn`` over ``items`` and the answers."""
    start = time.perf_counter()
    answers = [fn(item) for item in items]
    return (time.perf_counter() - start) / max(len(items), 1) * 1e6, answers


def main() -> None:
    """Write the registry, time loading and matching, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--units", type=int, default=40_000)
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "registry.csv"
        units = synthetic_units(args.units, seed=1)
        with path.open("w", encoding="utf-8") as fh:
            write_registry(units, fh)
        size_mb = path.stat().st_size / 1e6
        print(f"registry: {len(units):,} rows, {size_mb:.1f} MB")

        runs = []
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True,
                                 capture_output=True, text=True).stdout.split()
            runs.append(out)
        loads = [float(r[0]) for r in runs]
        print(f"load (read, validate, index) in a fresh process: median "
              f"{statistics.median(loads):.2f} s, best {min(loads):.2f} s "
              f"(of {args.repeat}); import {float(runs[0][1]):.2f} s; peak RSS "
              f"{runs[0][2]} MB; problems {runs[0][4]}")
        start = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "gongkai"), "units", "check",
                        str(path)], check=True, capture_output=True)
        print(f"gongkai units check (whole command): {time.perf_counter() - start:.2f} s")

        registry, _ = read_registry(path)

    rng = random.Random(7)
    live = registry.current(YEAR)
    sample = rng.sample(live, min(args.samples, len(live)))
    shared = {}
    for u in registry.current(YEAR):
        shared[u.name] = shared.get(u.name, 0) + 1
    figures = []

    def measure(label, fn, items, expected):
        us, answers = _per_call(fn, items)
        wrong = sum(1 for got, want in zip(answers, expected, strict=True) if got != want)
        figures.append((label, us, len(items), wrong))

    measure("resolve: province + city + name + office suffix, with year",
            lambda u: registry.resolve(f"{u.province}{u.city}{u.aliases[0]}", YEAR).unit.code,
            sample, [u.code for u in sample])
    measure("resolve: bare name, with year (shared names → ambiguous)",
            lambda u: (registry.resolve(u.name, YEAR).unit or u).code
            if shared[u.name] == 1 else registry.resolve(u.name, YEAR).how,
            sample, [u.code if shared[u.name] == 1 else "ambiguous" for u in sample])
    measure("find_in_text: report title with city",
            lambda u: registry.find_in_text(
                f"{u.city}{u.name}{YEAR}年政府信息公开工作年度报告", YEAR).unit.code,
            sample, [u.code for u in sample])
    measure("filed_unit_from_name: leading code",
            lambda u: sources.filed_unit_from_name(f"{u.code}-{u.short_name}.md", registry,
                                                   YEAR)[0],
            sample, [u.code for u in sample])
    measure("filed_unit_from_name: city and name in the file name",
            lambda u: sources.filed_unit_from_name(f"{u.city}{u.name}{YEAR}年报.pdf", registry,
                                                   YEAR)[0],
            sample, [u.code for u in sample])
    ended = [u for u in registry.units if u.successors]
    measure("unit_for: old code of a renamed or merged unit, in 2023",
            lambda u: registry.unit_for(u.code, YEAR).unit.code, ended,
            [u.successors[0] for u in ended])
    misses = [f"某某{i}不存在单位名称镇人民政府" for i in range(2000)]
    measure("resolve: a name not in the registry", lambda s: registry.resolve(s, YEAR).how,
            misses, ["unknown"] * len(misses))

    print(f"matching against {len(registry.periods):,} rows "
          f"({len(set(u.city for u in registry.units)):,} counties):")
    for label, us, n, wrong in figures:
        print(f"  {label}: {us:.1f} µs per call ({n:,} calls, {wrong} wrong)")


if __name__ == "__main__":
    main()
