"""Reading a registry CSV, validated, and the registry every command uses by default.

The file is the office's own data: ``--registry FILE`` on the commands, else the file named
by the environment variable ``GONGKAI_REGISTRY``, else the bundled Liuyang registry
(``gongkai/data/units/liuyang.csv``). ``gongkai units init FILE`` copies the bundled file
to start from. Columns (docs/registry.md):

    code,name,short_name,type,city,valid_from,valid_to,aliases,note
    [,province,prefecture,successor]

Every problem is reported with the file, line and column, in Chinese and English
(``gongkai.units.validate``); a registry with errors is not used.
"""

from __future__ import annotations

import csv
import io
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from gongkai.units.registry import Registry, Unit
from gongkai.units.validate import Problem, RegistryError, parse_rows, validate

REGISTRY_ENV = "GONGKAI_REGISTRY"
BUNDLED_NAME = "liuyang.csv"


def bundled_text() -> str:
    """The text of the bundled Liuyang registry."""
    return resources.files("gongkai.data.units").joinpath(BUNDLED_NAME).read_text("utf-8")


def read_registry(path: str | Path | None = None) -> tuple[Registry | None, list[Problem]]:
    """Read and validate a registry file; returns (the registry or None, every problem).

    The registry is None when there is an error; warnings alone leave it usable.
    """
    if path is None:
        label, text = BUNDLED_NAME, bundled_text()
    else:
        path = Path(path)
        label = path.name
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            return None, [Problem.file_level(label, "file_not_found",
                                             "名录文件不存在", "the registry file does not exist")]
        except UnicodeDecodeError:
            return None, [Problem.file_level(label, "not_utf8", "名录文件不是 UTF-8 编码",
                                             "the registry file is not UTF-8 text")]
    units, problems = parse_rows(label, csv.reader(io.StringIO(text, newline="")))
    if any(p.severity == "error" for p in problems) and not units:
        return None, problems
    problems += validate(label, units)
    if any(p.severity == "error" for p in problems):
        return None, sorted(problems, key=Problem.sort_key)
    return Registry(units), sorted(problems, key=Problem.sort_key)


def load_registry(path: str | Path | None = None) -> Registry:
    """A validated registry (the bundled Liuyang registry by default).

    Raises ``RegistryError`` (every problem, with file, line and column) when the file
    has errors.
    """
    registry, problems = read_registry(path)
    if registry is None:
        raise RegistryError([p for p in problems if p.severity == "error"])
    return registry


def registry_path() -> Path | None:
    """The registry file named by ``GONGKAI_REGISTRY`` (None: the bundled registry)."""
    value = os.environ.get(REGISTRY_ENV, "").strip()
    return Path(value) if value else None


def default_registry() -> Registry:
    """The registry in use: ``GONGKAI_REGISTRY`` when set, else the bundled one.

    Loaded once per process and file version (a changed file is read again).
    """
    path = registry_path()
    if path is None:
        return _cached(None, 0, 0)
    return _loaded(path)


def _loaded(path: Path) -> Registry:
    """The registry of a file, loaded once per process and file version."""
    try:
        st = path.stat()
    except OSError:
        return load_registry(path)  # raises the clear "does not exist" error
    return _cached(str(path.resolve()), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=4)
def _cached(path: str | None, mtime_ns: int, size: int) -> Registry:
    return load_registry(path)


class registry_scope:  # noqa: N801  (used like a function: ``with registry_scope(path):``)
    """A validated registry made the default of this process and its children for a block.

    Constructing it loads and validates the file (raising ``RegistryError``); inside the
    ``with`` block ``GONGKAI_REGISTRY`` names it, so the flow, its reader processes and a
    served deployment's runs all use it through ``default_registry()``. Used by the
    ``--registry`` option of the commands; with no path, the default registry is validated.
    """

    def __init__(self, path: str | Path | None):
        self.path = Path(path).resolve() if path else None
        # the one the flow's stages find with default_registry() (a country's registry takes
        # a second to read and validate)
        self.registry = _loaded(self.path) if self.path else default_registry()
        self._saved: str | None = None

    def __enter__(self) -> Registry:
        if self.path is not None:
            self._saved = os.environ.get(REGISTRY_ENV)
            os.environ[REGISTRY_ENV] = str(self.path)
        return self.registry

    def __exit__(self, *exc) -> None:
        if self.path is None:
            return
        if self._saved is None:
            os.environ.pop(REGISTRY_ENV, None)
        else:
            os.environ[REGISTRY_ENV] = self._saved


def write_registry(units: list[Unit], out) -> None:
    """Write units as a registry CSV (every column, optional ones when any unit uses them)."""
    columns = ["code", "name", "short_name", "type", "city", "valid_from", "valid_to",
               "aliases", "note"]
    extra = [c for c, attr in (("province", "province"), ("prefecture", "prefecture"),
                               ("successor", "successors"))
             if any(getattr(u, attr) for u in units)]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns + extra)
    for u in units:
        row = [u.code, u.name, u.short_name, u.type, u.city, u.valid_from or "",
               u.valid_to or "", ";".join(u.aliases), u.note]
        for column in extra:
            value = getattr(u, "successors" if column == "successor" else column)
            row.append(";".join(value) if isinstance(value, tuple) else value)
        writer.writerow(row)
