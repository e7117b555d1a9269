"""Storing the values read under their cell codes: duplicates, and the report's own
corrections (更正说明).

A cell met twice keeps its first value (a ``duplicate_cell`` issue when the second differs),
except after the report's own correction notice (``…更正如下…以本表为准``): the tables printed
after it replace what the first tables said, each replaced value reported as
``corrected_cell``.
"""

from __future__ import annotations

from gongkai import template as tpl
from gongkai.model import CellSource, ParsedReport
from gongkai.read.rowlabels import per_template
from gongkai.read.slots import Slot
from gongkai.read.values import to_wan_yuan

CORRECTION_WORD = "更正"
_CORRECTION_PHRASES = ("为准", "更正如下", "现更正")


def is_correction_notice(text: str) -> bool:
    """True for the line of a report that announces a corrected copy of its tables."""
    return CORRECTION_WORD in text and any(w in text for w in _CORRECTION_PHRASES)


@per_template
def _code_sets(template: tpl.Template) -> tuple[frozenset[str], frozenset[str]]:
    """The template's cell codes, and those of its cells in 万元."""
    return (frozenset(template.cell_codes),
            frozenset(c for c in template.cell_codes if template.is_money(c)))


class CellStore:
    """Writes slots into a report's cells and sources."""

    def __init__(self, report: ParsedReport, template: tpl.Template):
        self.report = report
        self.template = template
        self.correcting = False  # after a 更正说明: later tables replace earlier values
        self._codes, self._money = _code_sets(template)

    def store(self, code: str, slot: Slot, confidence: str = "read", reason: str | None = None) -> None:
        """Store one slot's value as the cell ``code`` (ignored when not a cell of the template).

        ``confidence`` is ``read`` (the value stood with its row label) or ``inferred`` (the
        reader placed it by the template's order or by the table's sums; ``reason`` says how).
        """
        if code not in self._codes:
            return
        report = self.report
        prev = report.sources.get(code)
        if prev is not None:
            v = slot.value
            number = to_wan_yuan(v) if code in self._money else v.number
            cell = slot.cell
            loc = (cell.location if cell is not None else None) or "(blank line)"
            old = report.cells.get(code)
            if self.correcting:
                if v.status == "value" and (prev.status != "value" or old != number):
                    report.add_issue(
                        "corrected_cell", "info",
                        f"单元格 {code} 按报告所附更正说明取 {number}（原表为 {old}）",
                        f"cell {code}: {number} from the report's own correction (the table said"
                        f" {old})", loc)
                    prev = None
            if prev is not None and (prev.status == "value" or v.status != "value"):
                if prev.status == "value" and v.status == "value" and old != number:
                    report.add_issue(
                        "duplicate_cell", "warning",
                        f"单元格 {code} 出现两次且数值不同（{old} 与 {number}），保留第一次读到的值",
                        f"cell {code} appears twice with different values ({old} vs {number});"
                        " the first is kept", loc)
                return
        self._write(code, slot, confidence, reason)

    def _write(self, code: str, slot: Slot, confidence: str, reason: str | None) -> None:
        """Write a slot's value and source as the cell ``code`` (a cell of the template)."""
        v = slot.value
        money = code in self._money
        report = self.report
        report.cells[code] = to_wan_yuan(v) if money else v.number
        cell = slot.cell
        loc = (cell.location if cell is not None else None) or "(blank line)"
        raw = cell.text if cell is not None else ""
        note = v.note
        if v.unit == "元" and money:
            note = (note + "; " if note else "") + f"converted from 元: {v.number}元"
        report.sources[code] = CellSource(raw, loc, v.status, note, confidence, reason)
        if v.status == "unreadable":
            report.add_issue("unreadable_value", "warning",
                             f"单元格 {code} 的内容“{raw}”不是数字",
                             f"cell {code}: {raw!r} is not a number", loc)

    def store_row(self, codes: tuple[str, ...], slots: list[Slot | None]) -> None:
        """``store(code, slot)`` for each code of a row and its slot (None: no value), as read
        with the row's label: a cell met for the first time (most cells) written straight
        away, a cell met before through ``store`` (duplicates, corrections)."""
        # (self._write, not a local of it: compiled, that is a direct call; store.pxd)
        known, sources = self._codes, self.report.sources
        for code, slot in zip(codes, slots, strict=True):
            if slot is None or code not in known:
                continue
            if code in sources:
                self.store(code, slot)
            else:
                self._write(code, slot, "read", None)
