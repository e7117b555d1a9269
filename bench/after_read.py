"""The stages after reading (load, check, materialise, publish) of a cold run, alone, on a copy.

    .venv/bin/python bench/after_read.py WAREHOUSE [--stage check] [--repeat 1] [--statements]
    .venv/bin/python bench/after_read.py WAREHOUSE --load

WAREHOUSE is a warehouse a cold `gongkai run` built (bench/scale.py keeps them in its work
folder: runs-N-*/processes/g.duckdb). A copy of it is put back in the state a cold run's
load stage leaves (no findings, check runs, fingerprints or stored scores), then each stage
runs as `gongkai.pipeline` runs it, timed in wall and process CPU seconds (DuckDB's threads
included). ``--statements`` also prints the slowest SQL statements and rules. ``--load``
times the load stage instead: the warehouse's rows, as Arrow batches of 256 reports in the
order of their files (what the readers send), written into a copy emptied of them.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from gongkai import pipeline
from gongkai.checks import runner
from gongkai.report_tables import _CHILD_TYPES, _SUBMISSION_TYPES, CHILD_TABLES, ReportRows
from gongkai.sources import Submission
from gongkai.warehouse import sqlfiles

# the tables the stages after loading write (a cold run's load leaves them empty)
WRITTEN_AFTER_LOAD = (
    "findings", "check_runs", "check_fingerprints", "rank_fingerprints", "indicator_scores",
    "context_figures", "dimension_scores", "rank_ranges", "rankings",
)

# the copies of the rows the batches are made of are no concern here
warnings.filterwarnings("ignore", "Arrow output on a DB-API result")

TIMES: list[tuple[float, float, str]] = []


def _timed(execute):
    def wrapped(con, statement, params=None):
        wall, cpu = time.perf_counter(), time.process_time()
        out = execute(con, statement, params)
        code = " ".join(sqlfiles._code(statement).split())[:110]
        TIMES.append((time.perf_counter() - wall, time.process_time() - cpu, code))
        return out
    return wrapped


def post_load_copy(source: Path, folder: Path) -> Path:
    """A copy of ``source`` with the tables the later stages write emptied."""
    target = folder / "g.duckdb"
    shutil.copyfile(source, target)
    con = duckdb.connect(str(target))
    try:
        for table in WRITTEN_AFTER_LOAD:
            con.execute(f"delete from {table}")
        con.execute("checkpoint")
    finally:
        con.close()
    return target


def load_once(source: Path, folder: Path) -> str:
    """The load stage of the warehouse's rows into an emptied copy; its CPU and wall."""
    target = folder / "g.duckdb"
    shutil.copyfile(source, target)
    con = duckdb.connect(str(target))
    run_id = con.execute("select run_id from runs order by started_at desc limit 1").fetchone()[0]
    subs_cols = ", ".join(_SUBMISSION_TYPES)
    subs = con.execute(f"select {subs_cols} from submissions order by file_path").to_arrow_table()
    subs = subs.cast(pa.schema(list(_SUBMISSION_TYPES.items())))
    children = {t: con.execute(f"select {', '.join(_CHILD_TYPES[t])} from {t}").to_arrow_table()
                for t in CHILD_TABLES}
    for table in (*WRITTEN_AFTER_LOAD, *CHILD_TABLES, "submissions"):
        con.execute(f"delete from {table}")
    con.execute("checkpoint")
    con.close()
    batches = []
    for start in range(0, subs.num_rows, 256):
        part = subs.slice(start, 256)
        ids = part.column("submission_id")
        batches.append(ReportRows(part, {
            t: children[t].filter(pc.is_in(children[t].column("submission_id"), ids))
            .cast(pa.schema(list(_CHILD_TYPES[t].items()))) for t in CHILD_TABLES}))
    found = [Submission(r["file_path"], None, r["sha256"], r["size_bytes"],
                        r["filed_unit_code"], r["filed_year"]) for r in subs.to_pylist()]
    wall, cpu = time.perf_counter(), time.process_time()
    pipeline.load(target, found, iter(batches), run_id)
    return f"load {time.process_time() - cpu:.2f} CPU / {time.perf_counter() - wall:.2f} wall"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse")
    parser.add_argument("--stage", action="append",
                        choices=("check", "materialise", "publish"),
                        help="the last stage to run (default: publish)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--load", action="store_true", help="time the load stage instead")
    parser.add_argument("--keep", help="keep the published copy here (a folder)")
    args = parser.parse_args()
    stages = args.stage or ["check", "materialise", "publish"]
    if args.statements:
        sqlfiles.execute = _timed(sqlfiles.execute)
        runner.execute = sqlfiles.execute
    for attempt in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="after-read-") as tmp:
            folder = Path(tmp)
            if args.load:
                print(f"run {attempt + 1}: " + load_once(Path(args.warehouse), folder),
                      flush=True)
                continue
            staging = post_load_copy(Path(args.warehouse), folder)
            # the cold run's own id: its submissions name it
            con = duckdb.connect(str(staging), read_only=True)
            run_id = con.execute("select run_id from runs order by started_at desc "
                                 "limit 1").fetchone()[0]
            con.close()
            figures = []
            order = ("check", "materialise", "publish")
            last = max(order.index(s) for s in stages)
            # each stage reads what the ones before it wrote: they run too
            for stage in order[:last + 1]:
                TIMES.clear()
                wall, cpu = time.perf_counter(), time.process_time()
                if stage == "check":
                    pipeline.check(staging, run_id)
                elif stage == "materialise":
                    pipeline.materialise(staging, run_id)
                else:
                    published = folder / "pub" / "g.duckdb"
                    published.parent.mkdir()
                    counts = {"seen": 0, "read": 0, "unchanged": 0, "rejected": 0,
                              "loaded": 0}
                    pipeline.publish(staging, published, run_id, counts, {},
                                     render_follows=False)
                    if args.keep:
                        shutil.rmtree(args.keep, ignore_errors=True)
                        shutil.copytree(published.parent, args.keep)
                figures.append(f"{stage} {time.process_time() - cpu:.2f} CPU / "
                               f"{time.perf_counter() - wall:.2f} wall")
                if args.statements and stage in stages:
                    for w, c, code in sorted(TIMES, reverse=True)[:12]:
                        print(f"  {stage}: {w:6.2f} s wall {c:6.2f} s CPU  {code}")
                    if stage == "check":
                        con = duckdb.connect(str(staging), read_only=True)
                        for rule, ms in con.execute(
                                "select rule_id, duration_ms from check_runs "
                                "order by duration_ms desc limit 6").fetchall():
                            print(f"  rule {rule}: {ms / 1000:.2f} s wall")
                        con.close()
            print(f"run {attempt + 1}: " + " · ".join(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
