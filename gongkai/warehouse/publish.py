"""Publishing: a run builds a copy of the published file and renames it into place.

``stage_copy`` copies the published file next to itself, the run builds the copy, and
``publish`` checkpoints, closes and renames it into place, so analysts' read-only
connections keep working and a crash leaves the published file intact. ``writer_lock``
keeps a second run from building at the same time.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


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
    con = duckdb.connect(str(staging))
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
