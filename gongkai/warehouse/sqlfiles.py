"""The one runner of the project's SQL files, with its one parameter binder.

``sql/manifest.toml`` names the steps (schema, check inputs, ranking scores, materialise …)
and each step's files in the order they run. ``run_step(con, "schema")`` runs them: file by
file, statement by statement, binding to each statement the ``$name`` parameters its code
uses (a value is never formatted into the SQL). The rule files of ``sql/checks/`` are single
queries that ``gongkai.checks`` wraps and runs with the same binder.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from gongkai.paths import SQL_DIR

MANIFEST = "manifest.toml"

# a statement ends at a semicolon that ends a line; the project's SQL puts none inside strings
_STATEMENT_END = re.compile(r";[ \t]*(?:\n|$)")
_PARAMETER = re.compile(r"\$([a-z_]+)")


@lru_cache(maxsize=4)
def manifest(sql_dir: Path = SQL_DIR) -> dict[str, tuple[Path, ...]]:
    """Step name → the step's files in run order, from ``sql/manifest.toml``."""
    raw = tomllib.loads((sql_dir / MANIFEST).read_text(encoding="utf-8"))
    return {step: tuple(sql_dir / name for name in spec["files"]) for step, spec in raw.items()}


def step_files(step: str, sql_dir: Path = SQL_DIR) -> tuple[Path, ...]:
    """The files of one step, in run order."""
    steps = manifest(sql_dir)
    if step not in steps:
        raise KeyError(f"no step {step!r} in {MANIFEST} (steps: {', '.join(steps)})")
    return steps[step]


def _code(statement: str) -> str:
    """A statement without its comment lines (a `$name` in a comment is not a parameter)."""
    return "\n".join(line for line in statement.splitlines()
                     if not line.lstrip().startswith("--"))


def statements(text: str) -> list[str]:
    """The statements of a SQL text that hold code (comment-only pieces dropped)."""
    return [s for s in _STATEMENT_END.split(text) if _code(s).strip()]


def bind(statement: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The parameters a statement uses, from ``params``; a missing one is an error that names
    it (DuckDB's own message would not)."""
    used = set(_PARAMETER.findall(_code(statement)))
    missing = sorted(used - set(params or {}))
    if missing:
        raise KeyError(f"SQL parameter(s) not given: {', '.join('$' + m for m in missing)}")
    return {name: params[name] for name in used}


def execute(con: duckdb.DuckDBPyConnection, statement: str,
            params: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """Run one statement with the parameters it uses bound."""
    return con.execute(statement, bind(statement, params) or None)


def run_file(con: duckdb.DuckDBPyConnection, path: Path,
             params: dict[str, Any] | None = None) -> None:
    """Run every statement of one SQL file, in order."""
    for statement in statements(path.read_text(encoding="utf-8")):
        execute(con, statement, params)


def run_step(con: duckdb.DuckDBPyConnection, step: str, params: dict[str, Any] | None = None,
             sql_dir: Path = SQL_DIR) -> list[Path]:
    """Run the files of a manifest step in order; returns them."""
    files = step_files(step, sql_dir)
    for path in files:
        run_file(con, path, params)
    return list(files)


def basis_digest(con: duckdb.DuckDBPyConnection, steps: Sequence[str],
                 tables: Sequence[str], *parts: bytes) -> str:
    """A hash of what a stage depends on besides the reports: the SQL of ``steps``, the
    contents of ``tables`` (a sum of row hashes: the same in any order) and ``parts``. Table
    names are the callers' constants."""
    digest = hashlib.sha256()
    for step in steps:
        for path in step_files(step):
            digest.update(path.read_bytes())
    for part in parts:
        digest.update(part)
        digest.update(b"\0")
    sums = ", ".join(f"(select sum(hash(t)::hugeint) from {name} as t)" for name in tables)
    digest.update(repr(con.execute(f"select {sums}").fetchone()).encode())
    return digest.hexdigest()
