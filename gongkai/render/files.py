"""Writing report files only when their bytes change.

A rerun over unchanged data leaves the files (and their modification times) as they were,
so a reader's copy, a sync to a shared drive or a browser cache sees nothing new. Each
process keeps the list of files it really wrote; a render job hands it back.
"""

from __future__ import annotations

from pathlib import Path

_CHANGED: list[Path] = []


def put(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` unless the file already holds exactly these bytes; returns
    the path."""
    try:
        same = path.stat().st_size == len(data) and path.read_bytes() == data
    except FileNotFoundError:
        same = False
    if not same:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        _CHANGED.append(path)
    return path


def put_text(path: Path, text: str) -> Path:
    """``put`` for UTF-8 text."""
    return put(path, text.encode("utf-8"))


def take_changed() -> list[Path]:
    """The files this process wrote since the last call."""
    out = list(_CHANGED)
    _CHANGED.clear()
    return out
