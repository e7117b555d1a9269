"""Time `gongkai run` on the bundled data and on a larger generated corpus.

    .venv/bin/python bench/bench_flow.py [--copies 5] [--skip-large] [--render]

Each case runs the command line in a fresh process (so the temporary Prefect server's start
is included, as a user sees it) into a scratch warehouse, first cold (empty warehouse), then
warm (the same files again: nothing is read). Prints a Markdown table of wall time and the
per-stage seconds recorded in the warehouse's ``runs`` table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
GONGKAI = [sys.executable, "-m", "gongkai.cli"]
STAGES = ("discover", "stage", "read", "load", "check", "materialise")


def run_once(source: Path, work: Path, *, render: bool) -> dict:
    """Run ``gongkai run`` once; returns wall seconds, counts and stage seconds."""
    warehouse = work / "warehouse" / "gongkai.duckdb"
    cmd = [*GONGKAI, "run", "--source", str(source), "--warehouse", str(warehouse),
           "--out", str(work / "out")]
    if not render:
        cmd.append("--no-render")
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"gongkai run failed:\n{proc.stdout}\n{proc.stderr}")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(
            "select files_seen, files_read, files_unchanged, files_rejected, stage_seconds "
            "from runs order by started_at desc, run_id desc limit 1").fetchall()[0]
    finally:
        con.close()
    stages = json.loads(row[4])
    return {"wall": wall, "seen": row[0], "read": row[1], "unchanged": row[2],
            "rejected": row[3], "stages": stages}


def generate_corpus(target: Path, copies: int, scratch: Path) -> int:
    """``copies`` synthetic corpora (different seeds) merged into one raw folder."""
    for copy in range(copies):
        out = scratch / f"synth-{copy}"
        subprocess.run([*GONGKAI, "synth", "--units", "all", "--years", "2019-2024",
                        "--out", str(out), "--truth-dir", str(scratch / f"truth-{copy}"),
                        "--seed", str(1000 + copy), "--inject-errors", "0.12", "--office", "3"],
                       cwd=ROOT, check=True, capture_output=True)
        for path in sorted(out.rglob("*")):
            if path.is_file() and path.parent.name.isdigit():
                dest = target / path.parent.name / f"{path.stem}-s{copy}{path.suffix}"
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)
    return sum(1 for p in target.rglob("*") if p.is_file())


def row(case: str, result: dict) -> str:
    """One Markdown table row."""
    stages = " · ".join(f"{s} {result['stages'].get(s, 0):.1f}" for s in STAGES)
    return (f"| {case} | {result['seen']} | {result['read']} | {result['wall']:.1f} | "
            f"{stages} |")


def main() -> int:
    """Run the benchmark cases and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=5,
                        help="synthetic corpora merged into the large case (192 files each)")
    parser.add_argument("--skip-large", action="store_true", help="bundled data only")
    parser.add_argument("--render", action="store_true",
                        help="include the render stage (off by default: it times the renderer)")
    args = parser.parse_args()
    os.chdir(ROOT)
    lines = ["| case | files | read | wall s | stage seconds |", "|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmp:
        tmp = Path(tmp)
        bundled = tmp / "bundled"
        lines.append(row("bundled, cold", run_once(ROOT / "data" / "raw", bundled,
                                                  render=args.render)))
        lines.append(row("bundled, rerun", run_once(ROOT / "data" / "raw", bundled,
                                                   render=args.render)))
        if not args.skip_large:
            raw = tmp / "large-raw"
            started = time.perf_counter()
            n = generate_corpus(raw, args.copies, tmp / "scratch")
            print(f"generated {n} files in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            large = tmp / "large"
            lines.append(row(f"{args.copies}× synthetic, cold", run_once(raw, large,
                                                                        render=args.render)))
            lines.append(row(f"{args.copies}× synthetic, rerun", run_once(raw, large,
                                                                         render=args.render)))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
