"""Publishing: a run builds a copy of the published file and renames it into place.

``stage_copy`` copies the published file next to itself, the run builds the copy, and
``publish`` checkpoints, closes and renames it into place, so analysts' read-only
connections keep working and a crash leaves the published file intact. ``writer_lock``
keeps a second run from building at the same time.

A run also keeps a small marker beside the warehouse saying which stage it is in
(``write_marker``). A run killed outright (``kill -9``, the machine stopping) leaves its
marker and its staging copy behind; the next run, holding the lock, finds them
(``dead_runs``, ``stale_files``), records the dead run as failed in its stage and removes
what it left (``remove_stale``).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from gongkai.warehouse.schema import writer_memory


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


@contextmanager
def writer_lock(warehouse: str | Path) -> Iterator[None]:
    """Hold an exclusive lock beside the warehouse (one writer at a time); a second holder
    gets a ``RuntimeError`` at once instead of waiting."""
    warehouse = Path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.with_name(f".{warehouse.name}.lock")
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another run is already writing {warehouse}") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def stage_copy(published: str | Path, run_id: str) -> Path:
    """Copy the published warehouse (if any) to a temporary file next to it; returns its path.

    The run builds this copy; the published file is never opened for writing.
    """
    published = Path(published)
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(f".{published.name}.{run_id}.tmp")
    discard(staging)
    if published.exists():
        shutil.copyfile(published, staging)
        if _wal(published).exists():  # left by a writer that did not checkpoint: keep its changes
            shutil.copyfile(_wal(published), _wal(staging))
    return staging


def discard(staging: str | Path) -> None:
    """Remove a staging file (and its write-ahead log) left by a failed run."""
    staging = Path(staging)
    for path in (staging, _wal(staging)):
        if path.exists():
            path.unlink()


def publish(staging: str | Path, published: str | Path) -> None:
    """Checkpoint the staging file and rename it over the published one (atomic on POSIX)."""
    staging, published = Path(staging), Path(published)
    con = duckdb.connect(str(staging), config={"memory_limit": writer_memory()})
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    if _wal(staging).exists():
        raise RuntimeError(f"{_wal(staging)} remains after checkpoint; not publishing")
    os.replace(staging, published)
    # a log left beside the old file belongs to it (its changes were copied and checkpointed
    # into the new one); replayed onto the new file it would corrupt it
    _wal(published).unlink(missing_ok=True)


def marker_path(published: str | Path, run_id: str) -> Path:
    """The file beside the warehouse that says which stage a run is in."""
    published = Path(published)
    return published.with_name(f".{published.name}.{run_id}.run")


def write_marker(published: str | Path, run_id: str, fields: dict) -> None:
    """Write a run's marker (its row's fields and the stage it is in), replacing it whole."""
    path = marker_path(published, run_id)
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps({"run_id": run_id, **fields}, sort_keys=True),
                       encoding="utf-8")
    os.replace(partial, path)


def remove_marker(published: str | Path, run_id: str) -> None:
    """Remove a run's marker (the run's outcome is recorded)."""
    marker_path(published, run_id).unlink(missing_ok=True)


def dead_runs(published: str | Path, *, keep: str | None = None) -> list[dict]:
    """The markers of runs that died without recording their outcome (all but ``keep``'s).

    Only meaningful under the writer lock: no other run is alive then.
    """
    published = Path(published)
    out = []
    for path in sorted(published.parent.glob(f".{published.name}.*.run")):
        try:
            fields = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            fields = {}
        run_id = path.name[len(published.name) + 2:-len(".run")]
        if run_id != keep:
            out.append({**fields, "run_id": run_id})
    return out


def stale_files(published: str | Path, *, keep: str | None = None) -> list[Path]:
    """What dead runs left beside the warehouse: staging copies and their logs, markers,
    a half-written Parquet export (all but the files of run ``keep``)."""
    published = Path(published)
    folder = published.parent
    if not folder.is_dir():
        return []
    prefix = f".{published.name}."
    mine = f"{prefix}{keep}." if keep else None
    out = []
    for path in sorted(folder.iterdir()):
        name = path.name
        if not name.startswith(prefix) or (mine and name.startswith(mine)):
            continue
        if name.endswith((".tmp", ".tmp.wal", ".run", ".run.part")):
            out.append(path)
    parquet = published.with_name("parquet")
    for leftover in (parquet.with_name(".parquet.building"), parquet.with_name(".parquet.old")):
        if leftover.exists():
            out.append(leftover)
    runs_part = parquet / "runs" / ".runs.parquet.part"
    if runs_part.exists():
        out.append(runs_part)
    return out


def remove_stale(published: str | Path, *, keep: str | None = None) -> list[str]:
    """Remove what ``stale_files`` finds; returns the names removed.

    A Parquet export killed between its two renames has no ``parquet/`` folder: the previous
    export (``.parquet.old``) is put back rather than removed.
    """
    published = Path(published)
    parquet = published.with_name("parquet")
    old = parquet.with_name(".parquet.old")
    if old.is_dir() and not parquet.exists():
        os.replace(old, parquet)
    removed = []
    for path in stale_files(published, keep=keep):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed
