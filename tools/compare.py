"""Build the demo and a generated corpus with this checkout and compare them with baselines.

    python tools/compare.py BASELINE_DIR [--work DIR] [--only demo|corpus]

``BASELINE_DIR`` holds snapshots taken with ``tools/snapshot.py`` from an earlier version:
``demo.json`` (a run over ``data/raw``) and ``corpus.json`` (a run over
``BASELINE_DIR/corpus-raw``, a generated corpus with injected errors). Each source is run
with ``gongkai run`` into ``--work`` (a temporary folder by default), snapshotted, and
compared: a refactoring must leave the warehouse and the report bytes as they were. New
tables, views and columns are listed as notes. Exit status 0 when nothing changed.
The per-stage timings of each run are printed too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import snapshot  # noqa: E402  (the sibling tool)


def run_and_compare(name: str, source: Path, baseline: Path, work: Path) -> list[str]:
    """Run ``gongkai run`` over ``source`` into ``work/name``; the differences from the
    baseline snapshot (notes included)."""
    warehouse, out = work / name / "gongkai.duckdb", work / name / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "run", "--source", str(source),
         "--warehouse", str(warehouse), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        return [f"gongkai run over {source} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"]
    stages = [line.strip() for line in proc.stdout.splitlines() if line.strip().startswith("stages")]
    print(f"{name}: {stages[0] if stages else '(no stage timings printed)'}")
    after = snapshot.take(warehouse, out)
    (work / f"{name}.json").write_text(json.dumps(after, ensure_ascii=False, indent=1,
                                                  sort_keys=True), encoding="utf-8")
    before = json.loads(baseline.read_text(encoding="utf-8"))
    return snapshot.compare(before, after)


def main(argv: list[str] | None = None) -> int:
    """Command line: compare the demo and the corpus (or one of them)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path, help="folder with demo.json, corpus.json and "
                                                     "corpus-raw/")
    parser.add_argument("--work", type=Path, default=None,
                        help="where to build (default: a temporary folder, removed after)")
    parser.add_argument("--only", choices=("demo", "corpus"), default=None)
    args = parser.parse_args(argv)
    sources = {"demo": ROOT / "data" / "raw", "corpus": args.baseline / "corpus-raw"}
    names = [args.only] if args.only else list(sources)
    with tempfile.TemporaryDirectory(prefix="gongkai-compare-") as tmp:
        work = args.work or Path(tmp)
        bad = 0
        for name in names:
            lines = run_and_compare(name, sources[name], args.baseline / f"{name}.json", work)
            for line in lines:
                print(f"{name}: {line}")
            problems = [line for line in lines if not line.startswith("(note)")]
            print(f"{name}: " + (f"{len(problems)} differences" if problems
                                 else "same warehouse and report bytes"))
            bad += len(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
