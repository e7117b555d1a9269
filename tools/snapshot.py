"""Snapshot a built warehouse and report folder, or compare two snapshots.

    python tools/snapshot.py take WAREHOUSE OUT_DIR SNAPSHOT.json
    python tools/snapshot.py compare BEFORE.json AFTER.json

A refactoring must leave the warehouse and the report bytes as they were. ``take`` records,
for every table and view of the warehouse, its columns, row count and a hash of its rows
(sorted, with the columns that differ from run to run left out: run ids and timestamps),
and the sha256 of every file under the report folder. ``compare`` lists what differs:
tables or columns that are gone, row hashes that changed, report files changed, gone or
added. A table, view or column that only the newer snapshot has is listed, not a failure.
Exit status: 0 when nothing of the older snapshot changed, 1 otherwise.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import zipfile
from pathlib import Path

import duckdb

# columns whose values come from the clock or from the run's own id
VOLATILE = {
    "run_id", "first_run_id", "last_run_id", "check_run_id", "received_at", "started_at",
    "finished_at", "stage_seconds", "computed_at", "checked_at", "created_at", "updated_at",
    "loaded_at", "decided_at", "duration_ms",
    # and from the machine: the raw folder given and the files' modification times (two
    # checkouts of the same data differ in both)
    "source", "file_mtime",
}

# the time stamp a report prints ("数据截至 2026-12-04 21:01"), when it comes from the clock
STAMP = re.compile(rb"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")
# a run's id, in the name and the text of its notifications
RUN_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# the render manifest's fingerprints hash the renderer's code too: a refactoring changes them
# by design (the reports are rendered again), so the files themselves are compared instead
FINGERPRINT = re.compile(rb'"fingerprint": ?"[0-9a-f]+"')


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "select table_name, table_type from information_schema.tables "
        "where table_schema = 'main' order by table_name").fetchall()


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'main' "
        "and table_name = ? order by ordinal_position", [table]).fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_digest(con: duckdb.DuckDBPyConnection, table: str,
                 columns: list[str] | None = None) -> dict:
    """Row count and a hash of the rows of ``table`` over its stable columns (sorted)."""
    cols = [c for c in (columns or _columns(con, table)) if c not in VOLATILE]
    select = ", ".join(f"cast({_quote(c)} as varchar)" for c in cols) or "1"
    rows = con.execute(f"select {select} from {_quote(table)} order by all").fetchall()
    h = hashlib.sha256()
    for row in rows:
        h.update(json.dumps(row, ensure_ascii=False, default=str).encode("utf-8"))
        h.update(b"\n")
    return {"columns": cols, "rows": len(rows), "sha256": h.hexdigest()}


def file_digest(data: bytes) -> str:
    """sha256 of a report file with clock time stamps blanked (inside ZIP entries too)."""
    h = hashlib.sha256()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in sorted(zf.infolist(), key=lambda i: i.filename):
                h.update(info.filename.encode("utf-8"))
                h.update(STAMP.sub(b"<time>", zf.read(info)))
        return h.hexdigest()
    data = RUN_ID.sub("<run>", data.decode("utf-8", "surrogateescape")).encode(
        "utf-8", "surrogateescape")
    h.update(FINGERPRINT.sub(b"<fingerprint>", STAMP.sub(b"<time>", data)))
    return h.hexdigest()


def take(warehouse: Path, out_dir: Path) -> dict:
    """The snapshot of a warehouse file and a report folder."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {name: {"type": kind, **table_digest(con, name)}
                  for name, kind in _tables(con)}
    finally:
        con.close()
    files = {}
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file()):
        files[RUN_ID.sub("<run>", str(path.relative_to(out_dir)))] = file_digest(path.read_bytes())
    return {"tables": tables, "files": files}


def compare(before: dict, after: dict, after_con: duckdb.DuckDBPyConnection | None = None) -> list[str]:
    """The differences that matter (what the older snapshot has and the newer lost or changed)."""
    problems: list[str] = []
    notes: list[str] = []
    for name, old in before["tables"].items():
        new = after["tables"].get(name)
        if new is None:
            problems.append(f"table/view gone: {name}")
            continue
        missing = [c for c in old["columns"] if c not in new["columns"]]
        if missing:
            problems.append(f"{name}: columns gone: {', '.join(missing)}")
        elif old["columns"] != new["columns"][: len(old["columns"])] and \
                set(old["columns"]) <= set(new["columns"]):
            notes.append(f"{name}: columns reordered or added")
        if old["rows"] != new["rows"]:
            problems.append(f"{name}: {old['rows']} rows before, {new['rows']} after")
        elif old["columns"] == new["columns"] and old["sha256"] != new["sha256"]:
            problems.append(f"{name}: same row count, different values")
    for name in sorted(set(after["tables"]) - set(before["tables"])):
        notes.append(f"new table/view: {name}")
    for path, digest in before["files"].items():
        if path not in after["files"]:
            problems.append(f"report file gone: {path}")
        elif after["files"][path] != digest:
            problems.append(f"report file changed: {path}")
    for path in sorted(set(after["files"]) - set(before["files"])):
        notes.append(f"new report file: {path}")
    return problems + [f"(note) {n}" for n in notes]


def main(argv: list[str]) -> int:
    """Command line: ``take`` or ``compare``."""
    if len(argv) == 4 and argv[0] == "take":
        snap = take(Path(argv[1]), Path(argv[2]))
        Path(argv[3]).write_text(json.dumps(snap, ensure_ascii=False, indent=1, sort_keys=True),
                                 encoding="utf-8")
        print(f"{len(snap['tables'])} tables/views, {len(snap['files'])} report files")
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        before = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        after = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
        lines = compare(before, after)
        for line in lines:
            print(line)
        bad = [line for line in lines if not line.startswith("(note)")]
        print(f"{len(bad)} differences" if bad else "same warehouse and report bytes")
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
