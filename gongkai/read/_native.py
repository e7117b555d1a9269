"""Which of the reader's modules run compiled, and a guard against stale compiled modules.

An install compiles the reader's hot modules with Cython (``setup.py``: the same Python
source compiled to C, with the ``.pxd`` declarations beside it; about a fifth less CPU a text
report) when Cython and a C compiler are there, and writes each compiled module's source hash
to ``_compiled.txt`` beside them. Where neither is there, every module runs as Python: the
results are the same.

Python imports a compiled module before the ``.py`` of the same name. After an edit of the
source (a checkout moved on, a developer at work) that compiled module is stale: this guard,
run by ``gongkai.read`` before any of its modules is imported, looks for compiled modules
whose source no longer has the recorded hash (or has none recorded) and, when it finds one,
has them all imported from their source instead, so that the code that runs is always the
code that is read. ``make install`` (or ``python setup.py build_ext --inplace``) compiles
them again.

A module's source is its ``.py`` and, where there is one, the ``.pxd`` beside it (Cython's
declarations for it: its classes as extension types). Compiled modules depend on one
another's declarations (``tables`` builds on the ``TextLines`` type of ``textlines``): a
compiled module cannot run beside a module of its group that runs from source, and may not
even import. So one stale compiled module (or a recorded one gone) has all of them run from
source.

``GONGKAI_PURE=1`` in the environment: every module from its source (to profile the reader
function by function, or to compare the two).

This module itself is never compiled.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECORD = "_compiled.txt"  # one line a compiled module: its name and its source's SHA-256


def source_hash(path: Path) -> str:
    """The SHA-256 of a module's source, as the build records it (setup.py): its ``.py``,
    followed by the ``.pxd`` beside it when there is one."""
    digest = hashlib.sha256(path.read_bytes())
    declarations = path.with_suffix(".pxd")
    if declarations.is_file():
        digest.update(b"\0")
        digest.update(declarations.read_bytes())
    return digest.hexdigest()


def compiled_files(folder: Path, suffixes: list[str] | None = None) -> dict[str, Path]:
    """The compiled modules in ``folder`` that have a ``.py`` source beside them, by name."""
    suffixes = suffixes or importlib.machinery.EXTENSION_SUFFIXES
    found: dict[str, Path] = {}
    for entry in os.scandir(folder):
        for suffix in suffixes:
            if entry.name.endswith(suffix):
                name = entry.name[:-len(suffix)]
                if name.isidentifier() and (folder / f"{name}.py").is_file():
                    found.setdefault(name, Path(entry.path))
                break
    return found


def recorded(folder: Path) -> dict[str, str]:
    """The source hashes the build recorded in ``folder`` (none when it recorded nothing)."""
    try:
        text = (folder / RECORD).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return {}
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2:
            out[parts[0]] = parts[1]
    return out


def stale_modules(folder: Path, pure: bool = False,
                  suffixes: list[str] | None = None) -> dict[str, Path]:
    """The compiled modules of ``folder`` to import from source instead (name → ``.py``):
    every one when one of them has a source whose hash is not the recorded one, or when a
    module recorded, or one with declarations (``.pxd``), has no compiled file (they may
    depend on one another's declarations); every one with ``pure``."""
    built = compiled_files(folder, suffixes)
    if not built:
        return {}
    hashes = {} if pure else recorded(folder)
    # the modules that must be compiled too: those recorded, and those with declarations
    # (one that failed to compile while the others did: they may cimport its types)
    needed = {name for name in hashes if (folder / f"{name}.py").is_file()} | {
        p.stem for p in folder.glob("*.pxd") if p.with_suffix(".py").is_file()}
    fresh = not pure and all(hashes.get(name) == source_hash(folder / f"{name}.py")
                             for name in built) and needed <= built.keys()
    return {} if fresh else {name: folder / f"{name}.py" for name in built}


class SourceFirst(importlib.abc.MetaPathFinder):
    """Imports the named modules from their ``.py`` source, whatever is compiled beside it."""

    def __init__(self, sources: dict[str, Path]):
        self.sources = dict(sources)  # full module name → source path

    def find_spec(self, fullname, path=None, target=None):
        source = self.sources.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def install(package: str, folder: Path = HERE) -> dict[str, Path]:
    """Put a ``SourceFirst`` for ``package``'s stale compiled modules first on the import
    path (none when none is stale); returns them."""
    pure = os.environ.get("GONGKAI_PURE", "") not in ("", "0")
    stale = stale_modules(folder, pure)
    if stale:
        finder = SourceFirst({f"{package}.{name}": path for name, path in stale.items()})
        sys.meta_path.insert(0, finder)
    return stale


def compiled_now(package: str = "gongkai.read") -> list[str]:
    """The modules of ``package`` imported so far that run compiled (by short name)."""
    prefix = package + "."
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return sorted(name[len(prefix):] for name, module in list(sys.modules.items())
                  if name.startswith(prefix) and str(getattr(module, "__file__", "") or "")
                  .endswith(suffixes))


STALE = install(__package__ or "gongkai.read")
