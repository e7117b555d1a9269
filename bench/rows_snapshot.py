"""The warehouse rows of a fixed set of parsed reports: to hold a change to
``gongkai.warehouse.report_rows`` to the very same Arrow tables, and to time it.

usage: .venv/bin/python bench/rows_snapshot.py items ITEMS.pickle [--generated DIR --per N]
       .venv/bin/python bench/rows_snapshot.py dump ITEMS.pickle OUT.arrows
       .venv/bin/python bench/rows_snapshot.py compare A.arrows B.arrows
       .venv/bin/python bench/rows_snapshot.py time [--generated DIR --every N] [--repeat R]

``items`` reads the reports once and pickles the (submission, report) pairs, so that the
rows before and after a change are built from the very same reports: the bundled demo
``data/raw`` (filed as the read stage files it), every report file of the shared fixtures
and of ``tests/`` (nothing filed), every ``--every``-th file of a generated year folder
(``--generated``), and variants made from them: cells made blank or unreadable, sources
dropped (unseen cells, cells with a value and no source), a value None under a ``value``
source, codes outside the template, no template or an unknown one, integer and float
values, a missing report (a file that could not be read), submission issues and a filing
that disagrees with the text.

``dump`` writes every table of ``report_rows(items)`` (schema and values) to one Arrow IPC
stream per table; ``compare`` says whether two dumps are equal, table by table.
``time`` reads the same kind of items afresh (unpickled objects keep their attributes in
dicts of their own, slower to read than those of objects made by the reader) and prints the
CPU time (``time.process_time``) per report of ``report_rows`` over them, the minimum over
``--repeat`` passes.
"""

from __future__ import annotations

import argparse
import copy
import pickle
import random
import sys
import time
from pathlib import Path

import pyarrow as pa

from gongkai.model import CellSource, Issue
from gongkai.sources import Submission, read_one
from gongkai.warehouse import report_rows

sys.path.insert(0, str(Path(__file__).resolve().parent))
from read_snapshot import ROOT, filed, report_files  # noqa: E402


def submission(path: Path, filing: bool) -> Submission:
    import hashlib

    year, code = filed(path) if filing else (None, None)
    data = path.read_bytes()
    return Submission(str(path), str(path), hashlib.sha256(data).hexdigest(), len(data),
                      code, year)


def variants(pairs: list, rng: random.Random) -> list:
    """Reports changed in the ways the rows must carry (see the module doc)."""
    out = []
    readable = [(s, r) for s, r in pairs if r is not None and r.cells]
    for i, (sub, rep) in enumerate(readable[:60]):
        sub, rep = copy.deepcopy(sub), copy.deepcopy(rep)
        codes = list(rep.cells)
        kind = i % 10
        for code in rng.sample(codes, min(len(codes), 12)):
            src = rep.sources.get(code)
            if kind in (0, 5):
                rep.sources[code] = CellSource(src.raw if src else "／", src.location if src
                                               else "line 1", "blank", "a note", "inferred",
                                               "by row order")
                rep.cells[code] = None
            elif kind in (1, 6):
                rep.sources[code] = CellSource("十二", "table 1 row 2 col 3", "unreadable")
                rep.cells[code] = 7  # a number under an unreadable source: still null
            elif kind == 2:
                rep.sources.pop(code, None)  # a value without a source
            elif kind == 3:
                rep.sources.pop(code, None)
                rep.cells.pop(code, None)  # unseen
            elif kind == 4:
                rep.cells[code] = None  # a value source with a None value
            elif kind == 7:
                rep.cells[code] = float(rng.randint(0, 9999)) + 0.5
            elif kind == 8:
                rep.cells[code] = True if rng.random() < 0.5 else 3
        if kind == 3:
            rep.cells["t9.zz.extra"] = 1
            rep.sources["t0.aa.only_source"] = CellSource("1", "line 2")
        if kind == 5:
            rep.template = None
        if kind == 6:
            rep.template = "v2099"
        if kind == 7:
            sub.issues.append(Issue("filed_unknown_unit", "warning", "未知", "unknown", None))
            sub.filed_unit_code = "999999999999"
            sub.filed_year = 2001
        out.append((sub, rep))
    for i, (sub, _rep) in enumerate(pairs[:5]):
        sub = copy.deepcopy(sub)
        sub.error = f"could not read {i}"
        out.append((sub, None))
    return out


def build_items(generated: Path | None, every: int) -> list:
    pairs = []
    for p in report_files(ROOT / "data" / "raw"):
        pairs.append((submission(p, True), None))
    for folder in (ROOT.parent / "shared" / "fixtures", ROOT / "tests"):
        for p in report_files(folder):
            pairs.append((submission(p, False), None))
    if generated is not None:
        files = sorted(p for p in generated.iterdir() if p.is_file())
        for p in files[::every]:
            pairs.append((submission(p, True), None))
    pairs = [(s, read_one(s)) for s, _ in pairs]
    return pairs + variants(pairs, random.Random(7))


def dump(items: list, out: Path) -> None:
    rows = report_rows(items)
    tables = {"submissions": rows.submissions, **rows.children}
    with out.open("wb") as f:
        for name, table in tables.items():
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as w:
                w.write_table(table)
            buf = sink.getvalue().to_pybytes()
            head = f"{name} {len(buf)}\n".encode()
            f.write(head + buf)


def load(path: Path) -> dict[str, pa.Table]:
    data = path.read_bytes()
    out, pos = {}, 0
    while pos < len(data):
        nl = data.index(b"\n", pos)
        name, size = data[pos:nl].decode().split()
        buf = data[nl + 1:nl + 1 + int(size)]
        out[name] = pa.ipc.open_stream(buf).read_all()
        pos = nl + 1 + int(size)
    return out


def compare(a: Path, b: Path) -> int:
    ta, tb = load(a), load(b)
    diffs = 0
    for name in sorted(ta.keys() | tb.keys()):
        x, y = ta.get(name), tb.get(name)
        same = x is not None and y is not None and x.schema.equals(y.schema) and x.equals(y)
        # and value by value, as Python objects (types included: 1 and 1.0 differ here)
        same = same and all(
            [(type(v), v) for v in x.column(c).to_pylist()]
            == [(type(v), v) for v in y.column(c).to_pylist()] for c in x.column_names)
        rows = x.num_rows if x is not None else None
        print(f"{name:<18} rows {rows}  {'identical' if same else 'DIFFERENT'}")
        diffs += not same
    return diffs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("items", "dump", "compare", "time"))
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--generated", type=Path)
    ap.add_argument("--every", type=int, default=25)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    if args.mode == "items":
        items = build_items(args.generated, args.every)
        args.paths[0].write_bytes(pickle.dumps(items))
        print(f"{len(items)} items ({sum(r is None for _, r in items)} without a report) "
              f"written to {args.paths[0]}")
    elif args.mode == "dump":
        dump(pickle.loads(args.paths[0].read_bytes()), args.paths[1])
    elif args.mode == "compare":
        sys.exit(1 if compare(*args.paths) else 0)
    else:
        items = build_items(args.generated, args.every)
        report_rows(items)  # warm-up
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.process_time()
            report_rows(items)
            best = min(best, time.process_time() - t0)
        print(f"report_rows: {1e6 * best / len(items):.1f} µs CPU per report over "
              f"{len(items)} items (min of {args.repeat} passes)")


if __name__ == "__main__":
    main()
