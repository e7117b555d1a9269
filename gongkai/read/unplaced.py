"""Printed numbers the walk could not place as it went, kept until the end of the document.

- *Detached number rows*: a PDF converter printed a table's row labels as a block and the
  number rows after it without labels (or some with, some without).  The template fixes the
  row order: number rows between two rows read with their labels stand for the rows between
  those two, in order.
- *Short rows*: a row showing fewer values than its columns (an empty cell written as nothing,
  a cell a converter dropped): which columns the values stand in is open.
- *Loose values*: a number standing alone between the tables (a cell a converter moved out of
  its row, 'b（其中修订n件）' above the table); it may fill a short row's one gap.

``questions`` turns them into questions for ``placement.settle``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from gongkai import template as tpl
from gongkai.model import ParsedReport
from gongkai.read.document import Cell
from gongkai.read.headers import Headers
from gongkai.read.placement import Question, Reading, position_readings
from gongkai.read.slots import Slot
from gongkai.read.values import parse_value

_NEAREST_LOOSE = 3  # loose values weighed for a short row: the nearest ones of its table


@dataclass(slots=True)
class _Short:
    table: str
    codes: list[str]
    slots: list[Slot]
    where: str
    index: int


@dataclass
class Unplaced:
    """What the walk met but could not place, per table (``t2``, ``t3``)."""

    anchors: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # (line, row)
    labelled: dict[str, set[str]] = field(default_factory=dict)  # rows whose label stood alone
    orphans: dict[str, list[tuple[int, list[Slot]]]] = field(default_factory=dict)
    loose: dict[str, list[tuple[int, Slot]]] = field(default_factory=dict)
    shorts: list[_Short] = field(default_factory=list)
    runs: list[tuple[list[str], Slot, str]] = field(default_factory=list)  # digits run together

    def anchor(self, table: str, row: str, index: int) -> None:
        """A row read with its label and its numbers."""
        self.anchors.setdefault(table, []).append((index, row))

    def label_alone(self, table: str, row: str) -> None:
        """A row label that no numbers followed."""
        self.labelled.setdefault(table, set()).add(row)

    def orphan(self, table: str, index: int, slots: list[Slot]) -> None:
        """A row of numbers without a label."""
        self.orphans.setdefault(table, []).append((index, slots))

    def loose_value(self, table: str, index: int, slot: Slot) -> None:
        """A number standing alone, in no row."""
        self.loose.setdefault(table, []).append((index, slot))

    def short_row(self, table: str, codes: list[str], slots: list[Slot], where: str,
                  index: int) -> None:
        """A row with fewer values than columns (``codes`` in column order)."""
        self.shorts.append(_Short(table, codes, slots, where, index))

    def run_together(self, codes: list[str], digits: Slot, where: str) -> None:
        """A row whose values are printed as one run of digits ('2000002')."""
        self.runs.append((codes, digits, where))

    def questions(self, report: ParsedReport, headers: Headers, version: str) -> list[Question]:
        """Every open place as a question for ``placement.settle``."""
        out = [self._short_question(s) for s in self.shorts]
        out += [_digits_question(*run) for run in self.runs]
        for table, orphans in self.orphans.items():
            out += self._orphan_questions(table, orphans, report, headers, version)
        return out

    # -- short rows ------------------------------------------------------------------------

    def _short_question(self, short: _Short) -> Question:
        n, k = len(short.codes), len(short.slots)
        near = sorted(self.loose.get(short.table, ()), key=lambda x: abs(x[0] - short.index))
        extras = [slot for _, slot in near[:_NEAREST_LOOSE]] if n - k == 1 else []
        location = short.slots[0].location if short.slots else None
        # far more values than columns are not weighed: the row is not read
        readings = position_readings(short.codes, short.slots, extras) if k <= n + 3 else []
        return Question(
            short.where, location, readings,
            f"the row shows {k} of its {n} values",
            (f"该行有 {k} 个数值，而模板为 {n} 列",
             f"the row shows {k} value{'s' if k != 1 else ''} for {n} columns"),
            codes=set(short.codes))

    # -- number rows without labels -------------------------------------------------------

    def _orphan_questions(self, table: str, orphans: list[tuple[int, list[Slot]]],
                          report: ParsedReport, headers: Headers, version: str) -> list[Question]:
        t = tpl.get(version)
        rows = ([r.code for b in t.t2_blocks for r in b.rows] if table == "t2"
                else [r.code for r in t.t3_rows])
        anchors = sorted(self.anchors.get(table, ()))
        groups: dict[tuple[int, int], list[list[Slot]]] = {}
        for index, slots in orphans:
            before = [row for i, row in anchors if i < index]
            after = [row for i, row in anchors if i > index]
            lo = rows.index(before[-1]) if before and before[-1] in rows else -1
            hi = rows.index(after[0]) if after and after[0] in rows else len(rows)
            groups.setdefault((lo, hi), []).append(slots)
        out = []
        for (lo, hi), group in groups.items():
            between = [r for r in rows[lo + 1:hi]
                       if not any(f"{table}.{r}.{c}" in report.sources
                                  for c in headers.order(table, r))]
            out.append(self._orphan_question(table, group, between, headers))
        return out

    def _orphan_question(self, table: str, group: list[list[Slot]], rows: list[str],
                         headers: Headers) -> Question:
        """Number rows for the rows between two rows read with their labels."""
        k = len(group)
        labelled = [r for r in rows if r in self.labelled.get(table, ())]
        if len(rows) == k:
            choices = [tuple(rows)]
        elif len(labelled) == k:
            choices = [tuple(labelled)]  # the labels printed apart say which rows are there
        else:
            choices = list(itertools.combinations(rows, k)) if k < len(rows) else []
        codes = {r: [f"{table}.{r}.{c}" for c in headers.order(table, r)] for r in rows}
        readings: list[Reading] = []
        for choice in choices:
            reading: Reading = {code: None for r in rows for code in codes[r]}
            if any(len(codes[r]) != len(slots) for r, slots in zip(choice, group, strict=True)):
                continue
            for r, slots in zip(choice, group, strict=True):
                reading.update(zip(codes[r], slots, strict=True))
            readings.append(reading)
        first = next((s.location for slots in group for s in slots if s.location), None)
        span = f"{rows[0]}…{rows[-1]}" if rows else "?"
        return Question(
            f"{table} {span}", first, readings,
            "placed by the template's row order: its label stands apart from its numbers",
            (f"{k} 行数值与行标签分开排列", f"{k} number rows stand apart from their labels"),
            codes={code for r in rows for code in codes[r]}, kind="detached")


def _digits_question(codes: list[str], digits: Slot, where: str) -> Question:
    """Every way to cut a run of digits into one number per column (no number but 0 starts
    with 0): one digit per column when the run is as long as the row is wide."""
    text, n = digits.cell.text, len(codes)
    readings: list[Reading] = []
    if "." not in text and n <= len(text) <= n + 12:
        for cuts in itertools.combinations(range(1, len(text)), n - 1):
            parts = [text[a:b] for a, b in zip((0, *cuts), (*cuts, len(text)), strict=True)]
            if any(len(p) > 1 and p[0] == "0" for p in parts):
                continue
            readings.append({code: Slot(Cell(part, digits.location or ""), parse_value(part))
                             for code, part in zip(codes, parts, strict=True)})
    how = "one digit per column" if len(text) == n else "cut where the table's sums hold"
    return Question(where, digits.location, readings,
                    f"digits run together ('{text}'): {how}",
                    (f"数值连在一起（“{text}”）", f"the row's digits run together ('{text}')"),
                    codes=set(codes), kind="digits")
