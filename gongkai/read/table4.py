"""Table 四 (行政复议、行政诉讼): fifteen cells, three blocks of five.

Pages print it in many shapes: one row of fifteen numbers, one row per block after its label
(行政复议 | 0 | 0 | 0 | 0 | 0), or runs of numbers under the block labels, one per line.  The
reader collects *tokens* (values, and breaks where a block label stands) while it is inside the
table, and places them when the table ends: a row per block by its label; otherwise runs of
values, each placed by the block label before it (or the next unused block), or — one run of
fifteen — by position.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongkai.read.document import Cell
from gongkai.read.labels import T4_BLOCK_CORES, T4_COL_CORES, T4_GROUP_CORES, split_label
from gongkai.read.slots import Aligner, Slot, blank_slot
from gongkai.read.store import CellStore
from gongkai.read.values import Value
from gongkai.template import T4_BLOCKS, T4_CELLS, T4_COLS, T4_WIDTH


@dataclass(slots=True)
class _Token:
    slot: Slot
    block: str | None = None  # the block a break's label names
    is_break: bool = False  # a block label, or the edge of a whole empty row


def _is_table_word(core: str) -> bool:
    """A word of table 四's header: a block, the 行政诉讼 group, or a column."""
    return core in T4_BLOCK_CORES or core in T4_GROUP_CORES or core in T4_COL_CORES


class Table4:
    """Collects table 四's values while the walk is inside it, and places them at its end."""

    def __init__(self, aligner: Aligner, store: CellStore):
        self.aligner = aligner
        self.store = store
        self.active = False  # the walk is inside table 四
        self.done = False  # placed (a correction notice opens it again)
        self.at_eof = False  # the table ran to the end of the text
        self.labelled = False  # the table's header words were met
        self.tokens: list[_Token] = []
        self.rows: dict[str, list[Slot]] = {}  # block → the values on its label's own row
        # runs with fewer values than their cells: (cell codes, values, where), for the caller
        self.short: list[tuple[list[str], list[Slot], str]] = []

    def label(self, core: str) -> bool:
        """Take a label met inside the table; True when it is one of the table's own."""
        block = T4_BLOCK_CORES.get(core)
        if block:
            self.tokens.append(_Token(blank_slot(), block, True))
            self.labelled = True
            return True
        self.labelled = self.labelled or _is_table_word(core)
        return _is_table_word(core)

    def add_value(self, slot: Slot) -> None:
        """A value on a line of its own."""
        self.tokens.append(_Token(slot))

    def feed_row(self, cells: list[Cell], values: list[Value], is_label: list[bool]) -> bool:
        """Take a row of cells met inside the table; True when it was table content."""
        labels = [split_label(c.text).core for c, f in zip(cells, is_label, strict=True) if f]
        if labels:
            block = next((T4_BLOCK_CORES[c] for c in labels if c in T4_BLOCK_CORES), None)
            has_numbers = any(not f and v.status == "value"
                              for v, f in zip(values, is_label, strict=True))
            if block and has_numbers and (len(labels) == 1 or all(
                    c in T4_BLOCK_CORES or c in T4_GROUP_CORES for c in labels)):
                # one block per row: 行政复议 | 0 | 0 | 0 | 0 | 0
                first_label = max(i for i, f in enumerate(is_label) if f)
                self.rows[block] = [Slot(c, v) for c, v in
                                    zip(cells[first_label + 1:], values[first_label + 1:],
                                        strict=True)]
                return True
            if has_numbers and not any(_is_table_word(c) for c in labels):
                # a caption of the value row (件数, 数量): its other cells are the row
                self.tokens.extend(_Token(Slot(c, v)) for c, v, f in
                                   zip(cells, values, is_label, strict=True) if not f)
                return True
            for core in labels:
                self.label(core)
            return True
        slots = [Slot(c, v) for c, v in zip(cells, values, strict=True)]
        if all(sl.is_bare_empty for sl in slots):
            if len(slots) not in (T4_WIDTH, T4_CELLS):
                return False  # empty filler, not a row of the table's fifteen (or five) cells
            # a whole row left blank: a run of its own
            brk = _Token(blank_slot(), None, True)
            self.tokens.extend([brk, *(_Token(sl) for sl in slots), brk])
        else:
            self.tokens.extend(_Token(sl) for sl in slots)
        return True

    def finish(self) -> None:
        """Place what was collected (once; again after a correction notice)."""
        if self.done:
            return
        self.done = True
        for block, slots in self.rows.items():
            self._fit([block], slots, False, f"t4 “{block}”")
        runs = self._runs()
        if not runs:
            return
        total = sum(len(r) for _, r in runs)
        if len(runs) == 1 or total == T4_CELLS and all(len(r) % T4_WIDTH for _, r in runs):
            self._fit(list(T4_BLOCKS), [s for _, r in runs for s in r], self.at_eof, "t4")
            return
        used: list[str] = []
        for n, (hint_block, run) in enumerate(runs):
            by_label = bool(hint_block) and hint_block not in used
            block = hint_block if by_label else next(
                (b for b in T4_BLOCKS if b not in used), None)
            if block is None:
                break
            used.append(block)
            reason = None if by_label else ("placed in table 四's next block by order: no block "
                                            "label stands before these values")
            self._fit([block], run, self.at_eof and n == len(runs) - 1, f"t4 {block}", reason)

    def _fit(self, blocks: list[str], slots: list[Slot], at_eof: bool, where: str,
             reason: str | None = None) -> None:
        """Store the values of whole blocks, or leave a short run for the caller to settle."""
        codes = [f"t4.{b}.{c}" for b in blocks for c in T4_COLS]
        aligned = self.aligner.align(slots, len(codes), at_eof, where)
        if aligned is None:
            self.short.append((codes, self.aligner.trim(slots, len(codes)), where))
            return
        for code, slot in zip(codes, aligned, strict=True):
            if slot is not None:
                self.store.store(code, slot, "inferred" if reason else "read", reason)

    def _runs(self) -> list[tuple[str | None, list[Slot]]]:
        """The values between breaks, each with the block label last met before it."""
        runs: list[tuple[str | None, list[Slot]]] = []
        current: list[Slot] = []
        hint: str | None = None
        for token in self.tokens:
            if token.is_break:
                if current:
                    runs.append((hint, current))
                current = []
                hint = token.block or hint
                continue
            current.append(token.slot)
        if current:
            runs.append((hint, current))
        # a run is a table row of values; runs of nothing but empty cells count only as whole
        # rows of a table 四 left blank, never as filler between headers or the empty row
        # Word adds below a table
        filled = [(h, r) for h, r in runs if any(s.value.status != "blank" for s in r)]
        if filled:
            return filled
        return [(h, r) for h, r in runs if len(r) in (T4_WIDTH, T4_CELLS)]
