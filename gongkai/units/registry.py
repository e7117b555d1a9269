"""The unit registry in memory: units by code and year, their changes, and name matching.

A registry row is one unit (a registry code) over one period of years with its name, type
and aliases. A code may have several rows for separate periods (renamed or reclassified,
keeping its code); a unit that ends may name its successors (renamed to a new code, merged
into another unit, or split into several). ``gongkai.units.load`` reads and validates the
CSV; this module only answers questions about a registry that is already valid:

- which units exist in a year (``current``), and as which name and peer group;
- which unit a code stands for in a year (``unit_for``): a code that ended is followed to
  its successor, a code that began by a rename is followed back to its predecessor;
- which unit a printed name means (``resolve``, ``find_in_text``), optionally for a year.

Name matching uses hash lookups of the substrings of the printed text (one lookup per
position and name length), so it costs the same for 30 units and for 40,000.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_SUFFIXES = ("人民政府", "办事处", "政府")
_SPACE = re.compile(r"\s+")
_PARENTHESES = re.compile(r"[（(].*?[)）]")
# free-text history in the note column of registries without successor links (the bundled
# Liuyang file): the names are matched as former names; they carry no code of their own
_ABSORBED = re.compile(r"absorbed\s+(\S+?)\s+in\s+(\d{4})")
_WAS = re.compile(r"was\s+(\S+?)\s+\((\d+)\)\s+until\s+(\d{4})")

# township-level unit types (乡级行政区) and the ranking peer group of each
UNIT_TYPES = ("街道", "镇", "乡", "民族乡", "苏木", "民族苏木")
STREET = "街道"
TOWNSHIP = "乡镇"
MIN_MATCH_CHARS = 3  # shorter names (e.g. 小河) are too likely to occur by chance in text


@dataclass(frozen=True)
class Unit:
    """One township-level unit (街道, 镇, 乡 …) over one period of years (one registry row)."""

    code: str
    name: str
    short_name: str
    type: str
    city: str
    valid_from: int | None
    valid_to: int | None
    aliases: tuple[str, ...]
    note: str
    province: str = ""
    prefecture: str = ""
    successors: tuple[str, ...] = ()
    line: int = 0  # the line of the registry file (0 when built in code)

    @property
    def peer_group(self) -> str:
        """街道 or 乡镇: the peer group used in rankings."""
        return STREET if self.type == STREET else TOWNSHIP

    def is_valid_in(self, year: int) -> bool:
        """Whether the row's period includes the year (a blank bound is open)."""
        return (self.valid_from or 0) <= year <= (self.valid_to or 9999)

    @property
    def period(self) -> str:
        """The period as text: ``2015–2020``, ``2018–``, ``–2017`` or ``–``."""
        return f"{self.valid_from or ''}–{self.valid_to or ''}"


@dataclass(frozen=True)
class UnitChange:
    """One change of the registry: a unit's name or code gave way to another in ``year``.

    ``kind`` is ``rename`` (one unit continues under a new name and/or code), ``merge``
    (the unit joined another, new or existing), ``split`` (the unit was divided; one row
    per successor) or ``reclassify`` (same code and name, another type).
    """

    year: int
    kind: str
    from_code: str
    from_name: str
    to_code: str
    to_name: str


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving a name or code: the unit (or None) and how it matched.

    ``how``: exact, alias, former_name (an earlier name or code of the unit), merged (a unit
    merged into it), later_name (a later name of the unit, used for an earlier year),
    split or ended (the unit had no single successor by that year; the unit itself is
    returned), not_yet (the unit did not exist yet; itself returned), ambiguous (the name
    belongs to several live units, e.g. two 城关镇 in different counties), unknown.
    """

    unit: Unit | None
    how: str


def normalize_name(name: str) -> str:
    """A unit name without spaces, width differences, parentheses or office suffix."""
    return _normalize(name or "")


@lru_cache(maxsize=1 << 18)  # names recur (城关镇 in hundreds of counties, aliases per row)
def _normalize(name: str) -> str:
    s = unicodedata.normalize("NFKC", name)
    if not s.isprintable() or " " in s:
        s = _SPACE.sub("", s)
    if "(" in s:  # NFKC made （ into (
        s = _PARENTHESES.sub("", s)
    for suffix in _SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            s = s[: -len(suffix)]
    return s


def _text_key(text: str) -> str:
    """Text as searched for names: width-normalised, without whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


class Registry:
    """The units of a registry (one or many cities), with their changes and name matching."""

    def __init__(self, units: list[Unit]):
        self.periods: list[Unit] = list(units)
        history: dict[str, list[Unit]] = {}
        for u in self.periods:
            history.setdefault(u.code, []).append(u)
        self._history = {code: sorted(rows, key=lambda u: u.valid_from or 0)
                         for code, rows in history.items()}
        # one row per code, the latest period: what a code is called now
        self.units: list[Unit] = [rows[-1] for rows in self._history.values()]
        self.by_code: dict[str, Unit] = {u.code: u for u in self.units}
        self.changes: list[UnitChange] = self._derive_changes()
        self._forward: dict[str, list[UnitChange]] = {}
        self._back: dict[str, list[UnitChange]] = {}
        for change in self.changes:
            if change.from_code != change.to_code:
                self._forward.setdefault(change.from_code, []).append(change)
                self._back.setdefault(change.to_code, []).append(change)
        self._build_name_index()

    # -- changes ---------------------------------------------------------------------------

    def _derive_changes(self) -> list[UnitChange]:
        """Changes from successor links and from a code's consecutive rows."""
        changes: list[UnitChange] = []
        incoming: dict[tuple[str, int], set[str]] = {}
        for u in self.periods:
            if u.valid_to is not None:
                for s in u.successors:
                    incoming.setdefault((s, u.valid_to + 1), set()).add(u.code)
        for u in self.periods:
            if u.valid_to is None or not u.successors:
                continue
            year = u.valid_to + 1
            for s in u.successors:
                target = self._row_in(s, year) or self.by_code_latest(s)
                if len(u.successors) > 1:
                    kind = "split"
                elif len(incoming.get((s, year), ())) > 1 or self._row_in(s, year - 1):
                    kind = "merge"  # several units became one, or one joined a unit that existed
                else:
                    kind = "rename"
                changes.append(UnitChange(year, kind, u.code, u.name, s,
                                          target.name if target else ""))
        for code, rows in self._history.items():
            for before, after in zip(rows, rows[1:], strict=False):
                if after.valid_from is None:
                    continue
                if before.name != after.name:
                    kind = "rename"
                elif before.type != after.type:
                    kind = "reclassify"
                else:
                    continue
                changes.append(UnitChange(after.valid_from, kind, code, before.name, code,
                                          after.name))
        return sorted(changes, key=lambda c: (c.year, c.from_code, c.to_code))

    def by_code_latest(self, code: str) -> Unit | None:
        """The latest row of a code (None when the code is not in the registry)."""
        return self.by_code.get(code)

    def _row_in(self, code: str, year: int) -> Unit | None:
        for row in self._history.get(code, ()):
            if row.is_valid_in(year):
                return row
        return None

    def history(self, code: str) -> list[Unit]:
        """Every row of a code, oldest period first (empty when unknown)."""
        return list(self._history.get(code, ()))

    def successors(self, code: str) -> list[UnitChange]:
        """The changes by which the code gave way to other codes (rename, merge, split)."""
        return list(self._forward.get(code, ()))

    def predecessors(self, code: str) -> list[UnitChange]:
        """The changes by which other codes gave way to this one."""
        return list(self._back.get(code, ()))

    # -- units by year ---------------------------------------------------------------------

    def current(self, year: int | None = None) -> list[Unit]:
        """The units valid in a year (each as its row of that year), ordered by code.

        With no year: every code once, as its latest row.
        """
        if year is None:
            return sorted(self.units, key=lambda u: u.code)
        out = [row for rows in self._history.values() for row in rows if row.is_valid_in(year)]
        return sorted(out, key=lambda u: u.code)

    def peer_groups(self, year: int) -> dict[str, str]:
        """code → peer group (街道 / 乡镇) of the units valid in a year."""
        return {u.code: u.peer_group for u in self.current(year)}

    def unit_for(self, code: str, year: int | None = None) -> Resolution:
        """The unit a registry code stands for in a year (its latest row without a year).

        A code valid in the year is itself (``exact``, as the row of that year). A code that
        ended earlier is followed through renames and merges to the unit live in the year
        (``former_name`` / ``merged``); a split or an end without successor stops there
        (``split`` / ``ended``, with the unit itself). A code that began by a rename after
        the year is followed back to its predecessor (``later_name``).
        """
        rows = self._history.get(code)
        if not rows:
            return Resolution(None, "unknown")
        if year is None:  # no year to follow changes to: the code as it last stood
            return Resolution(rows[-1], "exact")
        row = self._row_in(code, year)
        if row is not None:
            return Resolution(row, "exact")
        if rows[-1].valid_to is not None and year > rows[-1].valid_to:
            return self._follow(code, year, rows[-1])
        if rows[0].valid_from is not None and year < rows[0].valid_from:
            back = [c for c in self._back.get(code, ())
                    if c.kind == "rename" and c.year == rows[0].valid_from]
            if len(back) == 1:
                earlier = self.unit_for(back[0].from_code, year)
                if earlier.unit is not None and earlier.how in ("exact", "later_name"):
                    return Resolution(earlier.unit, "later_name")
            return Resolution(rows[0], "not_yet")
        return Resolution(rows[-1], "ended")  # a gap between two periods of the code

    def _follow(self, code: str, year: int, last: Unit) -> Resolution:
        """Follow an ended code forward to the unit live in ``year``."""
        out = self._forward.get(code, ())
        if len(out) != 1:
            return Resolution(last, "split" if len(out) > 1 else "ended")
        change = out[0]
        nxt = self.unit_for(change.to_code, year)
        if nxt.how in ("split", "ended", "not_yet", "unknown"):
            return Resolution(last, nxt.how if nxt.how != "unknown" else "ended")
        merged = change.kind == "merge" or nxt.how == "merged"
        return Resolution(nxt.unit, "merged" if merged else "former_name")

    # -- names -----------------------------------------------------------------------------

    def _build_name_index(self) -> None:
        self._index: dict[str, list[tuple[int, str]]] = {}
        add = self._add_name
        for i, u in enumerate(self.periods):
            add(normalize_name(u.name), i, "exact")
            for alias in u.aliases:
                add(normalize_name(alias), i, "alias")
            if u.note:
                for m in _WAS.finditer(u.note):
                    add(normalize_name(m.group(1)), i, "former_name")
                for m in _ABSORBED.finditer(u.note):
                    add(normalize_name(m.group(1)), i, "merged")
        self._order = {key: n for n, key in enumerate(self._index)}
        keys: dict[str, str] = {}
        self._place_keys = [
            tuple(keys.setdefault(p, _text_key(p)) for p in (u.city, u.prefecture, u.province))
            for u in self.periods]
        self._lengths = sorted({len(k) for k in self._index if len(k) >= MIN_MATCH_CHARS},
                               reverse=True)
        places = {getattr(u, attr) for u in self.periods
                  for attr in ("province", "prefecture", "city")}
        self._places = {key for key in map(_text_key, places) if key}
        self._place_lengths = sorted({len(k) for k in self._places}, reverse=True)
        self.city_prefixes = tuple(sorted({u.city for u in self.periods if u.city},
                                          key=len, reverse=True))
        self._short: dict[str, set[str]] = {}
        for u in self.periods:
            if u.short_name and len(u.short_name) >= 2:
                self._short.setdefault(u.short_name, set()).add(u.code)
        self._short_lengths = sorted({len(k) for k in self._short}, reverse=True)

    def _add_name(self, key: str, index: int, how: str) -> None:
        if not key:
            return
        entries = self._index.setdefault(key, [])
        if not entries or entries[-1][0] != index:  # a row's names are added one after another
            entries.append((index, how))

    def _strip_places(self, key: str) -> tuple[str, set[str]]:
        """Leading province / prefecture / city names removed; returns them as hints."""
        hints: set[str] = set()
        stripped = True
        while stripped:
            stripped = False
            for length in self._place_lengths:
                head = key[:length]
                if len(key) > length and head in self._places:
                    hints.add(head)
                    key = key[length:]
                    stripped = True
                    break
        return key, hints

    def _places_in(self, text: str) -> set[str]:
        """Province / prefecture / city names that occur in a text."""
        found: set[str] = set()
        for length in self._place_lengths:
            for pos in range(len(text) - length + 1):
                piece = text[pos:pos + length]
                if piece in self._places:
                    found.add(piece)
        return found

    def _choose(self, entries: list[tuple[int, str]], year: int | None,
                places: set[str]) -> Resolution:
        """The unit a name's registry entries stand for (in a year, near the places named).

        Entries whose unit is valid in the year by this very name or alias come first; then
        those reached by following renames and merges. Live units of several cities under
        one name, with no place to tell them apart, are ``ambiguous``.
        """
        if places and len(entries) > 1:
            for level in range(3):  # city, then prefecture, then province
                near = [e for e in entries if self._place_keys[e[0]][level] in places]
                if near:
                    entries = near
                    break
        direct: Resolution | None = None
        settled: list[Resolution] = []
        unsettled: list[tuple[Resolution, Unit]] = []
        for i, how in entries:
            row = self.periods[i]
            got = self.unit_for(row.code, year)
            if got.how != "exact":
                if got.how in ("split", "ended", "not_yet"):
                    unsettled.append((got, row))
                else:
                    settled.append(got)
                continue
            if got.unit is row or got.unit.name == row.name:
                got = Resolution(got.unit, how)
            else:  # the same code under another row: renamed keeping the code
                older = (row.valid_from or 0) < (got.unit.valid_from or 0)
                got = Resolution(got.unit, "former_name" if older else "later_name")
            settled.append(got)
            if got.how in ("exact", "alias"):
                if direct is None:
                    direct = got
                elif direct.unit.code != got.unit.code and direct.unit.city != got.unit.city:
                    return Resolution(None, "ambiguous")  # e.g. 城关镇 of two counties
        if direct is not None and all(
                r.unit.code == direct.unit.code for r in settled if r.how in ("exact", "alias")):
            return direct
        if settled:
            if len({r.unit.code for r in settled}) == 1:
                return settled[0]
            if len({r.unit.city for r in settled}) > 1:
                return Resolution(None, "ambiguous")
            return settled[0]
        got, row = unsettled[0]
        return Resolution(row, got.how)

    def resolve(self, printed: str | None, year: int | None = None) -> Resolution:
        """Resolve a printed unit name (possibly with province/city prefix or office suffix).

        With a year, the unit valid in that year is chosen: a former name or a unit merged
        since is followed to the unit of that year. Without a year, the unit that bears the
        name (reports are read long after their year: a name is not followed to what its
        unit became). A name shared by live units of several cities, with no city named, is
        ``ambiguous``.
        """
        if not printed:
            return Resolution(None, "unknown")
        key, places = self._strip_places(normalize_name(printed))
        entries = self._index.get(key)
        if entries:
            return self._choose(entries, year, places)
        # a registry name inside a longer name: the longest, then the first in the registry
        for length in self._lengths:
            if length >= len(key):
                continue
            hits = {key[pos:pos + length] for pos in range(len(key) - length + 1)}
            for name in sorted((h for h in hits if h in self._index), key=self._order.get):
                got = self._choose(self._index[name], year, places)
                if got.unit is not None:
                    return got
        return Resolution(None, "unknown")

    def find_in_text(self, text: str, year: int | None = None) -> Resolution:
        """The first registry unit whose name or alias appears in a piece of text.

        The earliest position wins, then the longest name there; a province or city named
        in the text settles a name several cities share.
        """
        s = _text_key(text)
        places: set[str] | None = None
        for pos in range(len(s)):
            for length in self._lengths:
                if pos + length > len(s):
                    continue
                entries = self._index.get(s[pos:pos + length])
                if entries:
                    if places is None:
                        places = self._places_in(s)
                    got = self._choose(entries, year, places)
                    if got.unit is not None:
                        return got
        return Resolution(None, "unknown")

    def short_names_in(self, text: str) -> set[str]:
        """Codes of the units whose short name (two characters or more) occurs in a text."""
        found: set[str] = set()
        for length in self._short_lengths:
            for pos in range(len(text) - length + 1):
                found |= self._short.get(text[pos:pos + length], set())
        return found

    def names(self) -> list[tuple[str, int, str]]:
        """Every (normalised name, row index in ``periods``, how) of the name index."""
        return [(key, i, how) for key, entries in self._index.items() for i, how in entries]
