"""The arithmetic rules of ``spec/rules.md`` evaluated on a report's cells.

The generator uses this to prove that clean reports are clean, to confirm that an injected
error really breaks its rule, and to record which other rules an injection drags along
(changing one cell of table 三 usually breaks a row and a column identity at once).
This is a small reference implementation for the generator and its tests; the project's
checks proper live in ``sql/checks/``.
"""

from __future__ import annotations

from datetime import date

from gongkai import template
from gongkai.template import T3_COLS, T4_BLOCKS, T4_COLS

APPLICANT_COLS = T3_COLS[:-1]
ERROR_RULES = frozenset({
    "T3-BALANCE", "T3-OUTCOMES", "T3-ROWSUM", "T3-INTEGER", "T3-CARRY", "T4-SUM", "T4-INTEGER",
    "T2-NONNEG", "T2-NO-REGULATION", "R-SECTIONS", "R-TEMPLATE", "R-UNIT", "R-YEAR",
})


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _outcome_rows(version: str) -> list[str]:
    rows = [r.code for r in template.get(version).t3_rows]
    return [r for r in rows if r not in ("new", "carried_in", "total", "carried_out")]


def _eq(values: list, expected_sum_of: list) -> bool | None:
    """True/False when every operand is a number, None when one is blank."""
    if not all(_num(v) for v in values + expected_sum_of):
        return None
    return abs(sum(values) - sum(expected_sum_of)) < 1e-9


def report_rules(cells: dict, version: str, year: int | None = None,
                 published: str | None = None) -> list[tuple[str, list[str]]]:
    """Rules one report breaks on its own: a list of (rule id, cells involved)."""
    found: list[tuple[str, list[str]]] = []
    tpl = template.get(version)
    rows = [r.code for r in tpl.t3_rows]
    for c in T3_COLS:
        ok = _eq([cells.get(f"t3.new.{c}"), cells.get(f"t3.carried_in.{c}")],
                 [cells.get(f"t3.total.{c}"), cells.get(f"t3.carried_out.{c}")])
        if ok is False:
            found.append(("T3-BALANCE", [f"t3.{r}.{c}" for r in
                                         ("new", "carried_in", "total", "carried_out")]))
        ok = _eq([cells.get(f"t3.total.{c}")],
                 [cells.get(f"t3.{r}.{c}") for r in _outcome_rows(version)])
        if ok is False:
            found.append(("T3-OUTCOMES", [f"t3.total.{c}"]))
    for r in rows:
        ok = _eq([cells.get(f"t3.{r}.total")], [cells.get(f"t3.{r}.{c}") for c in APPLICANT_COLS])
        if ok is False:
            found.append(("T3-ROWSUM", [f"t3.{r}.{c}" for c in T3_COLS]))
    bad = [k for k in tpl.t3_codes() if _num(cells.get(k)) and (cells[k] < 0 or cells[k] % 1)]
    if bad:
        found.append(("T3-INTEGER", bad))
    new_total, out_total = cells.get("t3.new.total"), cells.get("t3.carried_out.total")
    if _num(new_total) and _num(out_total) and new_total >= 10 and out_total > new_total / 2:
        found.append(("T3-BACKLOG", ["t3.new.total", "t3.carried_out.total"]))
    for b in T4_BLOCKS:
        ok = _eq([cells.get(f"t4.{b}.total")], [cells.get(f"t4.{b}.{c}") for c in T4_COLS[:-1]])
        if ok is False:
            found.append(("T4-SUM", [f"t4.{b}.{c}" for c in T4_COLS]))
    bad = [k for k in tpl.t4_codes() if _num(cells.get(k)) and (cells[k] < 0 or cells[k] % 1)]
    if bad:
        found.append(("T4-INTEGER", bad))
    t2 = tpl.t2_codes()
    bad = [k for k in t2 if _num(cells.get(k)) and cells[k] < 0 and not k.endswith(".delta")]
    if bad:
        found.append(("T2-NONNEG", bad))
    bad = [k for k in t2 if k.startswith("t2.regulation.") and _num(cells.get(k)) and cells[k]]
    if bad:
        found.append(("T2-NO-REGULATION", bad))
    if version == "v2019":
        for row in ("regulation", "normative_doc"):
            made = cells.get(f"t2.{row}.made")
            if (_num(made) and made > 0 and cells.get(f"t2.{row}.published") == 0
                    and cells.get(f"t2.{row}.total_public") == 0):
                found.append(("T2-UNPUBLISHED", [f"t2.{row}.made", f"t2.{row}.published",
                                                  f"t2.{row}.total_public"]))
    for k in ("t2.procurement.amount", "t2.fee.amount"):
        if _num(cells.get(k)) and cells[k] >= 10000:
            found.append(("T2-MONEY-UNIT", [k]))
    if year is not None and template.version_for_year(year) != version:
        found.append(("R-TEMPLATE", []))
    if year is not None and published and date.fromisoformat(published) > date(year + 1, 1, 31):
        found.append(("R-DEADLINE", []))
    blank = [k for k in tpl.t3_codes() + tpl.t4_codes() if cells.get(k) is None]
    if blank:
        found.append(("R-BLANK", blank))
    return found


def cross_year_rules(prev: dict, prev_version: str, cells: dict,
                     version: str) -> list[tuple[str, list[str]]]:
    """Rules broken between last year's cells and this year's (same unit)."""
    found: list[tuple[str, list[str]]] = []
    for c in T3_COLS:
        a, b = cells.get(f"t3.carried_in.{c}"), prev.get(f"t3.carried_out.{c}")
        if _num(a) and _num(b) and a != b:
            found.append(("T3-CARRY", [f"t3.carried_in.{c}"]))
    if version == prev_version == "v2021":
        for row in ("regulation", "normative_doc"):
            ops = [prev.get(f"t2.{row}.in_force"), cells.get(f"t2.{row}.issued"),
                   cells.get(f"t2.{row}.repealed"), cells.get(f"t2.{row}.in_force")]
            if all(_num(v) for v in ops) and ops[0] + ops[1] - ops[2] != ops[3]:
                found.append(("T2-CHAIN-2021", [f"t2.{row}.in_force"]))
    if version == prev_version == "v2019":
        for row in ("license", "other_service", "penalty", "coercion", "fee"):
            ops = [prev.get(f"t2.{row}.prev_items"), prev.get(f"t2.{row}.delta"),
                   cells.get(f"t2.{row}.prev_items")]
            if all(_num(v) for v in ops) and ops[0] + ops[1] != ops[2]:
                found.append(("T2-CHAIN-2019", [f"t2.{row}.prev_items"]))
    keys = ["t3.new.total", "t4.review.total", "t4.suit_direct.total",
            "t4.suit_after_review.total"]
    keys += [f"t2.{r}.decisions" for r in ("license", "other_service", "penalty", "coercion")]
    for k in keys:
        a, b = prev.get(k), cells.get(k)
        if _num(a) and _num(b) and a >= 10 and b >= 10 and (b >= 5 * a or b < 0.2 * a):
            found.append(("Q-YOY", [k]))
    return found
