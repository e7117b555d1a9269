"""The office's decision files: TOML arrays of tables kept under version control.

Reviews of findings (``data/reviews.toml``, ``[[review]]``) and reading corrections
(``data/corrections.toml``, ``[[correction]]``) are files the office writes (with
``gongkai review`` or by hand) and every run reads. This module reads and writes such a file:
``read_entries`` returns its entries with their numbers and reports every problem of the file
at once (``DecisionFileError``, naming the file, the entry and the field); ``write_entries``
writes entries back in a fixed order and layout, so a change shows as a small diff.

Strings are written as TOML basic strings: ``json.dumps`` escapes exactly what TOML needs
(quotes, backslashes, control characters) and leaves Chinese as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# a file bigger than this is not an office's decision file (bounded read)
MAX_FILE_BYTES = 8 << 20


@dataclass(frozen=True)
class Problem:
    """One problem of a decision file: the entry (1-based; 0 for the file) and field."""

    file: str
    entry: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"entry {self.entry}" if self.entry else "the file"
        field = f", {self.field}" if self.field else ""
        return f"{self.file} ({where}{field}): {self.message}"


class DecisionFileError(ValueError):
    """A decision file that cannot be used: every problem, one a line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def read_entries(path: str | Path, table: str) -> list[dict[str, Any]]:
    """The entries ``[[table]]`` of a TOML file (an empty list when the file does not exist).

    Raises ``DecisionFileError`` for a file that is too large, not UTF-8, not TOML, or holds
    anything but ``[[table]]`` entries. Only the file's name appears in messages.
    """
    p = Path(path)
    if not p.exists():
        return []
    name = p.name
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise DecisionFileError([Problem(name, 0, "", f"larger than {MAX_FILE_BYTES} bytes")])
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DecisionFileError([Problem(name, 0, "", f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise DecisionFileError([Problem(name, 0, "", f"cannot be read ({exc.strerror})")]) \
            from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DecisionFileError([Problem(name, 0, "", f"not valid TOML: {exc}")]) from None
    others = sorted(set(data) - {table})
    if others:
        raise DecisionFileError([Problem(name, 0, "", f"only [[{table}]] entries belong here, "
                                                       f"found: {', '.join(others)}")])
    entries = data.get(table, [])
    if not isinstance(entries, list):
        raise DecisionFileError([Problem(name, 0, table, f"write each entry as [[{table}]]")])
    return entries


class Checker:
    """Collects the problems of one file's entries while they are turned into records."""

    def __init__(self, path: str | Path, known_fields: Iterable[str]):
        self.file = Path(path).name
        self.known = set(known_fields)
        self.problems: list[Problem] = []

    def add(self, entry: int, field: str, message: str) -> None:
        """Record a problem of entry ``entry`` (1-based) in ``field``."""
        self.problems.append(Problem(self.file, entry, field, message))

    def unknown_fields(self, entry: int, raw: dict[str, Any]) -> None:
        """A field the entry should not have is a problem (a typo would be silently lost)."""
        for key in sorted(set(raw) - self.known):
            self.add(entry, key, f"unknown field (known: {', '.join(sorted(self.known))})")

    def text(self, entry: int, raw: dict[str, Any], field: str, *, required: bool = True,
             max_chars: int = 2000) -> str | None:
        """A text field, trimmed; a missing or empty required one is a problem."""
        value = raw.get(field)
        if value is None:
            if required:
                self.add(entry, field, "missing")
            return None
        if not isinstance(value, str):
            self.add(entry, field, f"must be text, not {type(value).__name__}")
            return None
        value = value.strip()
        if required and not value:
            self.add(entry, field, "empty")
            return None
        if len(value) > max_chars:
            self.add(entry, field, f"longer than {max_chars} characters")
            return None
        return value or None

    def year(self, entry: int, raw: dict[str, Any], field: str = "report_year") -> int | None:
        """A report year (an integer 1949–2100)."""
        value = raw.get(field)
        if value is None:
            self.add(entry, field, "missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1949 <= value <= 2100:
            self.add(entry, field, f"{value!r} is not a year (e.g. 2023)")
            return None
        return value

    def when(self, entry: int, raw: dict[str, Any], field: str = "at") -> dt.datetime | None:
        """An optional date or date-time (TOML ``2025-02-03`` or ``2025-02-03T10:15:00Z``),
        as a UTC time without zone."""
        value = raw.get(field)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return value
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        self.add(entry, field, f"{value!r} is not a date (e.g. 2025-02-03)")
        return None

    def raise_if_any(self) -> None:
        """Raise ``DecisionFileError`` when a problem was recorded."""
        if self.problems:
            raise DecisionFileError(self.problems)


def toml_value(value: Any) -> str:
    """A value as TOML: text as a basic string, numbers, booleans, UTC date-times."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


def write_entries(path: str | Path, table: str, header: str, entries: list[dict[str, Any]],
                  order: Callable[[dict[str, Any]], Any]) -> None:
    """Write entries as ``[[table]]`` in a fixed order (``order``), fields in the order each
    dict gives them, None left out; the header's lines become comments at the top. The file
    is replaced at once (written beside it, then renamed)."""
    lines = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    for entry in sorted(entries, key=order):
        lines += ["", f"[[{table}]]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in entry.items()
                  if value is not None]
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(p)
