"""Placing printed numbers whose cells the layout leaves open, with the template's order and
the table's own sums.

Some layouts print numbers without saying exactly which cells they belong to: number rows
printed apart from their labels, a row showing fewer values than its columns (an empty cell
written as nothing, a cell dropped by a PDF converter), digits run together.  Each such case
is a *question* with its possible *readings* (a reading places every printed number of the
question in a cell, or leaves it out).  Questions are settled together at the end of the
document, when the rest of the tables is known:

- one reading only (the template's row order leaves no choice): it is taken;
- several: the readings that break none of the sums that can be checked are kept, and of
  those the ones that the most sums confirm; a cell is placed when every kept reading puts
  the same printed number there, and left empty (with a ``cells_not_read`` issue) otherwise.
  When no reading keeps the sums, nothing is placed: a report whose printed numbers break its
  own sums still breaks them.

The sums only choose between readings of printed numbers: they never create, fill or change
a number.  Every placed cell is stored with confidence ``inferred`` and the reason.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from gongkai import template as tpl
from gongkai.model import ParsedReport
from gongkai.read.slots import Slot
from gongkai.read.store import CellStore

# the kinds of open places, as the summary of placed cells names them (zh, en)
KINDS = {
    "detached": ("数值行与行标签分开排列", "number rows printed apart from their labels"),
    "short": ("行的数值与列数不符", "rows showing fewer or more values than columns"),
    "digits": ("一行的数字连在一起", "a row's digits run together"),
}
MAX_READINGS = 4096  # readings weighed together at most; beyond, the cells are not read

Reading = dict[str, Slot | None]  # cell code → the printed value placed there (None: none)


@dataclass
class Question:
    """Printed numbers whose cells the layout leaves open, and the ways to read them."""

    where: str  # names the row or rows in messages
    location: str | None
    readings: list[Reading]
    reason: str  # why a placed cell is where it is (stored with the cell)
    why_open: tuple[str, str] = ("", "")  # why the layout leaves the place open (zh, en)
    kind: str = "short"  # detached, short or digits (see KINDS)
    codes: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.codes = set(self.codes) | {c for r in self.readings for c in r}


def position_readings(codes: list[str], slots: list[Slot],
                      extras: list[Slot] = ()) -> list[Reading]:
    """Every way to place a row's values in its columns keeping their order (with more
    values than columns: every way to keep as many as there are columns); with ``extras``
    (values printed apart from the row), also every way to put one of them in the row's one
    missing column."""
    out: list[Reading] = []
    n, k = len(codes), len(slots)
    if k > n:  # more values than columns: which of them are the row's
        for kept in itertools.combinations(slots, n):
            out.append(dict(zip(codes, kept, strict=True)))
        return out
    for cols in itertools.combinations(range(n), k):
        reading: Reading = dict.fromkeys(codes)
        for col, slot in zip(cols, slots, strict=True):
            reading[codes[col]] = slot
        out.append(reading)
        if n - k == 1:
            gap = next(c for c in range(n) if c not in cols)
            for extra in extras:
                out.append({**reading, codes[gap]: extra})
    return out


def _printed(slot: Slot | None) -> tuple | None:
    return None if slot is None else (slot.value.status, slot.value.number)


def _value(slot: Slot | None):
    return slot.value.number if slot is not None and slot.value.status == "value" else None


def _known_values(report: ParsedReport) -> dict[str, float | int | None]:
    return {code: (report.cells.get(code) if src.status == "value" else None)
            for code, src in report.sources.items()}


def _weigh(reading: Reading, known: dict, sums: list[tpl.Sum]) -> tuple[int, int]:
    """(sums broken, sums confirmed) by a reading, over the sums it takes part in."""
    broken = confirmed = 0
    for s in sums:
        values = []
        for code in s.codes:
            v = _value(reading[code]) if code in reading else known.get(code)
            if v is None:
                break
            values.append(v)
        else:
            n_total = len(s.total)
            if abs(sum(values[:n_total]) - sum(values[n_total:])) < 1e-6:
                confirmed += 1
            else:
                broken += 1
    return broken, confirmed


def _components(questions: list[Question], sums: tuple[tpl.Sum, ...]) -> list[list[Question]]:
    """Questions that share a sum are weighed together."""
    parent = list(range(len(questions)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, q in enumerate(questions):
        for code in q.codes:
            owner.setdefault(code, i)
            parent[find(i)] = find(owner[code])
    for s in sums:
        involved = {find(owner[c]) for c in s.codes if c in owner}
        first = next(iter(involved), None)
        for other in involved:
            parent[find(other)] = find(first)
    groups: dict[int, list[Question]] = {}
    for i, q in enumerate(questions):
        groups.setdefault(find(i), []).append(q)
    return list(groups.values())


def settle(questions: list[Question], store: CellStore, version: str) -> set[str]:
    """Place what the order and the sums allow; report the rest as not read (and return
    those cells: their values are in the text, but not where)."""
    report = store.report
    not_read: set[str] = set()
    placed: dict[tuple[str, str], list[tuple[Question, int]]] = {}
    all_sums = tpl.sums(version)
    for group in _components(questions, all_sums):
        codes = set().union(*(q.codes for q in group))
        sums = [s for s in all_sums if codes.intersection(s.codes)]
        known = _known_values(report)
        size = 1
        for q in group:
            size *= max(1, len(q.readings))
        if size > MAX_READINGS:
            not_read |= _not_read(report, group, ("可能的读法过多", "too many ways to read them"))
            continue
        combos = []
        for parts in itertools.product(*(q.readings for q in group)):
            used = [id(s) for part in parts for s in part.values() if s is not None]
            if len(used) != len(set(used)):
                continue  # one printed value in two places
            reading: Reading = {}
            for part in parts:
                reading.update(part)
            combos.append(reading)
        if not combos:
            not_read |= _not_read(report, group, ("没有可行的读法", "no way to read them"))
            continue
        if len(combos) == 1:
            _place(store, group, combos[0], None, placed)
            continue
        weighed = [(_weigh(r, known, sums), r) for r in combos]
        fitting = [(confirmed, r) for (broken, confirmed), r in weighed if broken == 0]
        if not fitting:
            not_read |= _not_read(report, group, ("任何一种读法都与表内合计不符",
                                                  "no placement keeps the table's own sums"))
            continue
        most = max(c for c, _ in fitting)
        kept = [r for c, r in fitting if c == most]
        agreed: Reading = {}
        for code in codes:
            # the same number in every kept reading (possibly from different printed cells,
            # e.g. two equal values one of which stood apart): the cell's value is certain
            first = _printed(kept[0].get(code))
            if all(_printed(r.get(code)) == first for r in kept[1:]):
                agreed[code] = kept[0].get(code)
        open_codes = sorted(codes - set(agreed))
        _place(store, group, agreed, "sums" if len(kept) < len(combos) else None, placed)
        if open_codes:
            if not sums:
                why = ("该表没有合计可供判断", "the table has no sums that could tell")
            elif most:
                why = (f"有 {len(kept)} 种读法同样符合表内合计", f"{len(kept)} placements fit the "
                       "table's own sums equally")
            else:
                why = ("表内合计无法区分这些读法", "the table's own sums cannot tell the placements apart")
            not_read |= _not_read(report, group, why, open_codes)
    _report_placed(report, placed)
    return not_read


def _place(store: CellStore, group: list[Question], reading: Reading,
           group_reason: str | None, placed: dict[tuple[str, str], list[tuple[Question, int]]]
           ) -> None:
    for q in group:
        n = 0
        for code in sorted(q.codes, key=_order):
            if reading.get(code) is None:
                continue
            reason = q.reason if group_reason is None else q.reason + "; the table's sums fit only this"
            store.store(code, reading[code], "inferred", reason)
            n += 1
        if n:
            table = min(q.codes, key=_order).split(".", 1)[0]
            placed.setdefault((table, q.kind), []).append((q, n))


def _report_placed(report: ParsedReport,
                   placed: dict[tuple[str, str], list[tuple[Question, int]]]) -> None:
    """One info issue per table and kind of placement, naming the rows."""
    for (_table, kind), items in placed.items():
        n = sum(k for _, k in items)
        rows = [q.where for q, _ in items]
        shown = "; ".join(rows[:3]) + (f" … ({len(rows)})" if len(rows) > 3 else "")
        zh, en = KINDS[kind]
        report.add_issue(
            "inferred_cells", "info",
            f"{shown}：{zh}，{n} 个单元格的位置由模板行序或表内合计推定（见各单元格的 reason）",
            f"{shown}: {en}; {n} cells placed by the template's order or the table's own sums "
            "(see each cell's reason)", items[0][0].location)


def _not_read(report: ParsedReport, group: list[Question], why: tuple[str, str],
              codes: list[str] | None = None) -> set[str]:
    wanted = set(codes) if codes is not None else set().union(*(q.codes for q in group))
    for q in group:
        mine = sorted(q.codes & wanted, key=_order)
        if not mine:
            continue
        shown = ", ".join(mine[:6]) + (f" … ({len(mine)})" if len(mine) > 6 else "")
        zh, en = q.why_open
        report.add_issue(
            "cells_not_read", "warning",
            f"{q.where}：{zh or '版式未说明数值所在的单元格'}，{why[0]}，以下单元格未读取：{shown}",
            f"{q.where}: {en or 'the layout leaves the place of the values open'}; {why[1]}; "
            f"not read: {shown}", q.location)
    return wanted


_ORDER = {code: i for i, code in enumerate(tpl.all_codes())}


def _order(code: str) -> int:
    return _ORDER.get(code, len(_ORDER))
