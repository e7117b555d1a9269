"""The unit registry: a city's township-level units with aliases, renames and merges.

The registry is a CSV (``gongkai/data/units/<city>.csv``; another city brings its own) with
the columns ``code,name,short_name,type,city,valid_from,valid_to,aliases,note``.
``resolve`` turns a unit name as printed in a report into a registry code.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

_SUFFIXES = ("人民政府", "办事处", "政府")
_ABSORBED = re.compile(r"absorbed\s+(\S+?)\s+in\s+(\d{4})")
_WAS = re.compile(r"was\s+(\S+?)\s+\((\d+)\)\s+until\s+(\d{4})")


@dataclass(frozen=True)
class Unit:
    """One township-level unit (街道, 镇 or 乡) of the registry."""

    code: str
    valid_from: int | None  # the years the code stands for this unit (None: open-ended)
    valid_to: int | None
    name: str
    short_name: str
    type: str
    city: str
    aliases: tuple[str, ...]
    note: str

    @property
    def peer_group(self) -> str:
        """街道 or 乡镇: the peer group used in rankings."""
        return "街道" if self.type == "街道" else "乡镇"


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving a printed name: the unit (or None) and how it matched."""

    unit: Unit | None
    how: str  # exact, alias, former_name, merged, unknown


def normalize_name(name: str) -> str:
    """A unit name without spaces, width differences, city prefix or office suffix."""
    s = unicodedata.normalize("NFKC", name or "")
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"[（(].*?[)）]", "", s)
    for suffix in _SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            s = s[: -len(suffix)]
    return s


class Registry:
    """The units of one city, with name resolution."""

    def __init__(self, units: list[Unit]):
        self.units = units
        self.by_code = {u.code: u for u in units}
        self._names: dict[str, tuple[Unit, str]] = {}
        for u in units:
            self._names.setdefault(normalize_name(u.name), (u, "exact"))
            for a in u.aliases:
                self._names.setdefault(normalize_name(a), (u, "alias"))
            for m in _WAS.finditer(u.note):
                self._names.setdefault(normalize_name(m.group(1)), (u, "former_name"))
            for m in _ABSORBED.finditer(u.note):
                self._names.setdefault(normalize_name(m.group(1)), (u, "merged"))
        # longest names first so 文家市镇 wins over a shorter name inside it
        self._ordered = sorted(self._names.items(), key=lambda kv: -len(kv[0]))
        cities = {u.city for u in units}
        self.city_prefixes = tuple(sorted(cities, key=len, reverse=True))

    def resolve(self, printed: str | None) -> Resolution:
        """Resolve a printed unit name (possibly with city prefix or office suffix)."""
        if not printed:
            return Resolution(None, "unknown")
        key = normalize_name(printed)
        for city in self.city_prefixes:
            if key.startswith(city) and len(key) > len(city):
                key = key[len(city):]
        hit = self._names.get(key)
        if hit:
            return Resolution(hit[0], hit[1])
        for name, (unit, how) in self._ordered:
            if len(name) >= 3 and name in key:
                return Resolution(unit, how)
        return Resolution(None, "unknown")

    def find_in_text(self, text: str) -> Resolution:
        """The first registry unit whose name or alias appears in a piece of text."""
        s = unicodedata.normalize("NFKC", text or "")
        s = re.sub(r"\s+", "", s)
        best: tuple[int, Unit, str] | None = None
        for name, (unit, how) in self._ordered:
            if len(name) < 3:
                continue
            pos = s.find(name)
            if pos >= 0 and (best is None or pos < best[0]):
                best = (pos, unit, how)
        if best:
            return Resolution(best[1], best[2])
        return Resolution(None, "unknown")

    def current(self, year: int | None = None) -> list[Unit]:
        """Units valid in a given year (all when year is None), ordered by code."""
        out = [
            u for u in self.units
            if year is None or ((u.valid_from or 0) <= year <= (u.valid_to or 9999))
        ]
        return sorted(out, key=lambda u: u.code)


def _int(s: str) -> int | None:
    s = (s or "").strip()
    return int(s) if s else None


def load_registry(path: str | Path | None = None) -> Registry:
    """Load a registry CSV (the bundled Liuyang registry by default)."""
    if path is None:
        text = resources.files("gongkai.data.units").joinpath("liuyang.csv").read_text("utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8-sig")
    units = []
    for row in csv.DictReader(text.splitlines()):
        units.append(Unit(
            code=row["code"].strip(),
            name=row["name"].strip(),
            short_name=(row.get("short_name") or "").strip(),
            type=(row.get("type") or "").strip(),
            city=(row.get("city") or "").strip(),
            valid_from=_int(row.get("valid_from", "")),
            valid_to=_int(row.get("valid_to", "")),
            aliases=tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()),
            note=(row.get("note") or "").strip(),
        ))
    return Registry(units)


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The bundled registry (Liuyang's 32 units)."""
    return load_registry()
