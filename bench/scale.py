"""How `gongkai run` grows with the number of townships: a generated registry, one report each.

    .venv/bin/python bench/scale.py --units 2000 --units 8000 [--dask] [--work DIR]

For each size N: a registry of about N townships in provinces, prefectures and counties
(gongkai.synth.registry), one text/Markdown/HTML report a township for 2023
(`gongkai synth --registry`), then `gongkai run --registry … --no-render` in a fresh process
into an empty warehouse (cold), and again after one township resubmitted its report (rerun).
With one --units the smaller size is N/4 (with --one-size, N alone).

Printed per run: wall time (the command as a user runs it: Python and the temporary Prefect
server's start included), the stages' seconds the warehouse's ``runs`` row records, the
orchestration share (wall time outside the stages: start-up, Prefect's flow and task
bookkeeping, the command's own checks), peak RSS (the sum over the run's process tree,
sampled every 0.1 s, and the largest single process), and the floor: reading and
tokenising the same files bare in this process (bytes → str → a regex's tokens). Then the
marginal cost per report between the two sizes, which leaves the fixed start-up out.
With --dask the smaller size is also run on a local Dask cluster of 1 and of 2 workers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parents[1]
GONGKAI = [sys.executable, "-m", "gongkai.cli"]
STAGES = ("discover", "stage", "read", "load", "check", "materialise", "publish")
YEAR = 2023
# the floor's tokens: runs of digits, of CJK characters, of Latin letters, or one other mark
TOKEN = re.compile(r"\d+|[\u4e00-\u9fff]+|[A-Za-z]+|\S")


def make_corpus(n: int, work: Path, formats: str) -> tuple[Path, Path, float]:
    """The registry CSV and raw folder of about ``n`` townships (made once, kept in ``work``);
    returns them and the seconds the generation took (0 when they were there)."""
    from gongkai.synth.registry import synthetic_units
    from gongkai.units.load import write_registry

    registry = work / f"units-{n}.csv"
    raw = work / f"raw-{n}"
    if registry.exists() and (raw / str(YEAR)).is_dir():
        return registry, raw, 0.0
    started = time.perf_counter()
    with registry.open("w", encoding="utf-8") as fh:
        write_registry(synthetic_units(n, seed=13), fh)
    subprocess.run([*GONGKAI, "synth", "--registry", str(registry), "--years", str(YEAR),
                    "--formats", formats, "--out", str(raw), "--truth-dir",
                    str(work / f"truth-{n}"), "--seed", "13"],
                   cwd=ROOT, check=True, capture_output=True)
    return registry, raw, time.perf_counter() - started


def floor(raw: Path) -> tuple[int, float]:
    """Files and seconds to read and tokenise every report of ``raw`` bare, in this process."""
    files = sorted(p for p in (raw / str(YEAR)).iterdir() if p.is_file())
    started = time.perf_counter()
    tokens = 0
    for path in files:
        tokens += len(TOKEN.findall(path.read_bytes().decode("utf-8", errors="replace")))
    return len(files), time.perf_counter() - started


class TreeRss:
    """Peak resident memory of a process and its descendants, sampled on a thread."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.root = psutil.Process(pid)
        self.every = every
        self.peak_sum = 0
        self.peak_one = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            sizes = []
            for proc in procs:
                try:
                    sizes.append(proc.memory_info().rss)
                except psutil.Error:
                    pass
            if sizes:
                self.peak_sum = max(self.peak_sum, sum(sizes))
                self.peak_one = max(self.peak_one, max(sizes))
            self._stop.wait(self.every)

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()


def run_once(registry: Path, raw: Path, warehouse: Path, extra: list[str]) -> dict:
    """``gongkai run --no-render`` in a fresh process; wall seconds, RSS, the run's row."""
    cmd = [*GONGKAI, "run", "--registry", str(registry), "--source", str(raw), "--year",
           str(YEAR), "--warehouse", str(warehouse), "--out", str(warehouse.parent / "out"),
           "--no-render", *extra]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    rss = TreeRss(proc.pid)
    # the command's output, each line with the seconds since it started (kept beside the
    # warehouse as run-N.log: where the time outside the stages went)
    lines = [f"{time.perf_counter() - started:8.2f} {line}" for line in proc.stdout]
    proc.wait()
    wall = time.perf_counter() - started
    rss.stop()
    out = "".join(lines)
    logs = sorted(warehouse.parent.glob("run-*.log"))
    (warehouse.parent / f"run-{len(logs) + 1}.log").write_text(out, encoding="utf-8")
    if proc.returncode != 0:
        raise SystemExit(f"gongkai run failed:\n{out[-3000:]}")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        seen, read, unchanged, rejected, stages = con.execute(
            "select files_seen, files_read, files_unchanged, files_rejected, stage_seconds "
            "from runs "
            "order by started_at desc, run_id desc limit 1").fetchone()
    finally:
        con.close()
    stages = json.loads(stages)
    if "publish" not in stages:
        # the run's row is written before its copy is published: the command's summary line
        # ("stages … publish 12.7 s") has the publish stage's time
        said = re.search(r"stages .*publish ([\d.]+) s", out)
        if said:
            stages["publish"] = float(said.group(1))
    in_stages = sum(stages.get(s, 0.0) for s in STAGES)
    if rejected:
        # every generated report is readable: a rejected one is a fault of the run (a
        # reader over its memory limit …), not a figure to print beside the others
        print(f"WARNING: {rejected} of {seen} generated reports were rejected", file=sys.stderr)
    return {"wall": wall, "seen": seen, "read": read, "unchanged": unchanged,
            "rejected": rejected,
            "stages": stages, "orchestration": max(wall - in_stages, 0.0) / wall,
            "rss_sum": rss.peak_sum, "rss_one": rss.peak_one}


def resubmit_one(raw: Path) -> Path:
    """One township sends its report again, changed (a line added at the end)."""
    path = sorted((raw / str(YEAR)).glob("*.txt"))[0]
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n（更正后重新报送）\n")
    return path


def row(case: str, r: dict) -> str:
    """One Markdown table row."""
    stages = " · ".join(f"{s} {r['stages'].get(s, 0):.1f}" for s in STAGES)
    return (f"| {case} | {r['seen']} | {r['read']} | {r['rejected']} | {r['wall']:.1f} | "
            f"{stages} | "
            f"{100 * r['orchestration']:.0f} % | {r['rss_sum'] / 2**20:.0f} / "
            f"{r['rss_one'] / 2**20:.0f} MiB |")


def main() -> int:
    """Generate, run and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, action="append", required=True,
                        help="townships (give it twice for the two sizes; once: N/4 and N)")
    parser.add_argument("--formats", default="txt,md,html", help="report formats (synth)")
    parser.add_argument("--work", help="folder for the generated registries and reports "
                        "(kept and reused; default: a temporary folder)")
    parser.add_argument("--dask", action="store_true",
                        help="also run the smaller size on a local Dask cluster of 1 and 2 "
                        "workers")
    parser.add_argument("--no-rerun", action="store_true", help="skip the reruns")
    parser.add_argument("--one-size", action="store_true",
                        help="with one --units: that size only (no marginal cost)")
    args = parser.parse_args()
    sizes = sorted(args.units) if len(args.units) > 1 else [max(args.units[0] // 4, 1),
                                                             args.units[0]]
    if args.one_size:
        sizes = sizes[-1:]
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory(prefix="gongkai-scale-") as tmp:
        work = Path(args.work) if args.work else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        lines = ["| case | files | read | rejected | wall s | stage seconds | orchestration | "
                 "peak RSS (tree / largest process) |", "|---|---|---|---|---|---|---|---|"]
        colds: dict[int, dict] = {}
        floors: dict[int, float] = {}
        for n in sizes:
            registry, raw, made = make_corpus(n, work, args.formats)
            if made:
                print(f"N={n}: registry and reports generated in {made:.0f} s",
                      file=sys.stderr)
            files, seconds = floor(raw)
            floors[n] = seconds / files
            runs = work / f"runs-{n}-{time.time_ns()}"
            cold = run_once(registry, raw, runs / "processes" / "g.duckdb", [])
            colds[n] = cold
            lines.append(row(f"N={n}, cold", cold))
            print(lines[-1], file=sys.stderr)
            if not args.no_rerun:
                resubmit_one(raw)
                rerun = run_once(registry, raw, runs / "processes" / "g.duckdb", [])
                lines.append(row(f"N={n}, rerun after one resubmission", rerun))
                print(lines[-1], file=sys.stderr)
            if args.dask and n == sizes[0]:
                for workers in (1, 2):
                    r = run_once(registry, raw, runs / f"dask{workers}" / "g.duckdb",
                                 ["--runner", "dask", "--workers", str(workers)])
                    lines.append(row(f"N={n}, cold, Dask {workers} worker(s)", r))
                    print(lines[-1], file=sys.stderr)
        lines.append("")
        if len(sizes) == 2:
            small, large = (colds[n] for n in sizes)
            per_report = (large["wall"] - small["wall"]) / (large["read"] - small["read"])
            read_per = ((large["stages"]["read"] - small["stages"]["read"])
                        / (large["read"] - small["read"]))
            lines.append(f"marginal cost per report (cold, N={sizes[0]} → {sizes[1]}): "
                         f"{1000 * per_report:.2f} ms wall, of which read "
                         f"{1000 * read_per:.2f} ms")
        lines.append("floor (bare read and tokenise, one process): "
                     + ", ".join(f"N={n}: {1000 * floors[n]:.3f} ms a report" for n in sizes))
        lines.append(f"machine: {os.cpu_count()} CPUs, load average "
                     f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
