"""Realistic, internally consistent figures for one unit across report years.

A unit is simulated year by year from a latent state (how many applications it tends to
receive, its licensing and enforcement volumes, its list of 权责事项 items, the normative
documents in force, …).  Each year yields the cells of *both* template versions, so that a
report can be rendered on the version in force or, as an injected error, on the wrong one.

Every clean year satisfies the identities of ``spec/rules.md``: T3-BALANCE, T3-OUTCOMES,
T3-ROWSUM, T4-SUM, non-negative whole numbers, and across years T3-CARRY, T2-CHAIN-2019 and
T2-CHAIN-2021.  The generator also keeps clear of the plausibility rules (T3-BACKLOG,
Q-YOY, T2-MONEY-UNIT) unless a *scenario* asks for the situation on purpose.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from gongkai import template
from gongkai.template import T3_COLS, T4_BLOCKS, T4_COLS
from gongkai.units import Unit

APPLICANT_COLS = T3_COLS[:-1]  # the six applicant types, without 总计
ITEM_BLOCKS = ("license", "other_service", "penalty", "coercion", "fee")
DECISION_ROWS = ("license", "other_service", "penalty", "coercion")

# Scenarios change the simulated world itself (the figures stay consistent): they produce the
# situations that plausibility rules look for.
SCENARIO_BACKLOG = "T3-BACKLOG"
SCENARIO_JUMP = "Q-YOY"
SCENARIO_FEE_NOTICE = "R-FEE-NOTE"
SCENARIOS = (SCENARIO_BACKLOG, SCENARIO_JUMP, SCENARIO_FEE_NOTICE)

# How a year's handled applications split over the outcome rows (v2021 row codes; the v2019
# row ``other`` is the sum of the three ``other.*`` rows).
_OUTCOME_WEIGHTS = {
    "granted": 46, "partial": 9,
    "denied.state_secret": 0.3, "denied.law_forbidden": 0.6, "denied.three_safety": 0.4,
    "denied.third_party": 2, "denied.internal": 1.5, "denied.process": 2,
    "denied.enforcement": 1, "denied.query": 1,
    "unable.not_held": 17, "unable.need_create": 3, "unable.unclear": 2,
    "not_processed.petition": 4, "not_processed.repeat": 3, "not_processed.publication": 0.3,
    "not_processed.massive": 0.5, "not_processed.confirm": 1,
    "other.no_correction": 3, "other.no_fee": 0.6, "other.other": 2.5,
}
_APPLICANT_WEIGHTS = {"natural": 86, "commercial": 8, "research": 0.3, "social": 0.7,
                      "legal": 2.5, "org_other": 2.5}

# Units whose figures run higher: city-centre 街道 and the towns of the development zones
# (land requisition and demolition bring most of the applications a township receives).
_BUSY = {"430181001", "430181002", "430181003", "430181004"}
_ACTIVE = {"430181116", "430181117", "430181118", "430181124", "430181123", "430181128"}


@dataclass
class YearFigures:
    """The figures of one unit and year: cells of both template versions and some facts.

    ``cells_v2019`` and ``cells_v2021`` map every cell code of that version to a number.
    ``facts`` holds narrative material that is not a table cell (posts on the portal, …).
    """

    year: int
    cells_v2019: dict[str, float | int]
    cells_v2021: dict[str, float | int]
    facts: dict[str, int] = field(default_factory=dict)
    scenarios: tuple[str, ...] = ()

    def cells(self, version: str) -> dict[str, float | int]:
        """The cells of one template version (a copy, safe to change)."""
        return dict(self.cells_v2019 if version == "v2019" else self.cells_v2021)


@dataclass
class StartState:
    """Where a unit stands before the first simulated year (carry-overs and levels).

    Built from the previous year's cells (e.g. a real report such as the seed) with
    ``from_cells``; without one the simulation draws a plausible starting state.
    """

    carried_out: dict[str, int]
    items: dict[str, int]  # 上一年项目数量 for the first simulated year (v2019 blocks)
    normative_in_force: int
    decision_levels: dict[str, float]
    procurement_level: tuple[int, float] | None = None
    new_level: float | None = None

    @classmethod
    def from_cells(cls, cells: dict, version: str) -> StartState:
        """The state after a year whose published cells are known (either version)."""
        carried = {c: int(cells.get(f"t3.carried_out.{c}") or 0) for c in APPLICANT_COLS}
        items: dict[str, int] = {}
        levels: dict[str, float] = {}
        if version == "v2019":
            for block in ITEM_BLOCKS:
                prev = cells.get(f"t2.{block}.prev_items") or 0
                delta = cells.get(f"t2.{block}.delta") or 0
                items[block] = int(prev + delta)
            for row in DECISION_ROWS:
                levels[row] = float(cells.get(f"t2.{row}.decisions") or 0)
            in_force = int(cells.get("t2.normative_doc.total_public") or 0)
            procurement = (int(cells.get("t2.procurement.projects") or 0),
                           float(cells.get("t2.procurement.amount") or 0))
        else:
            for row in DECISION_ROWS:
                levels[row] = float(cells.get(f"t2.{row}.decisions") or 0)
            in_force = int(cells.get("t2.normative_doc.in_force") or 0)
            procurement = None
        new_total = cells.get("t3.new.total")
        return cls(carried, items, in_force, levels, procurement,
                   float(new_total) if new_total is not None else None)


@dataclass
class _Profile:
    busy: str  # quiet, active or busy
    new_level: float
    decision_levels: dict[str, float]
    items: dict[str, int]
    normative_in_force: int
    normative_rate: float
    procurement_level: tuple[int, float]
    fee_level: float
    review_rate: float
    suit_rate: float


def _poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth for small means, a rounded normal for large ones)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _split(rng: random.Random, n: int, weights: dict[str, float]) -> dict[str, int]:
    """Distribute ``n`` items over the keys of ``weights`` (a multinomial draw)."""
    keys = list(weights)
    out = dict.fromkeys(keys, 0)
    total = sum(weights.values())
    for _ in range(n):
        r = rng.random() * total
        for k in keys:
            r -= weights[k]
            if r <= 0:
                out[k] += 1
                break
        else:
            out[keys[-1]] += 1
    return out


def _profile(unit: Unit, rng: random.Random, start: StartState | None) -> _Profile:
    if unit.code in _BUSY:
        busy, new_level = "busy", rng.uniform(8, 30)
    elif unit.code in _ACTIVE or rng.random() < 0.2:
        busy, new_level = "active", rng.uniform(1.5, 6)
    else:
        busy, new_level = "quiet", rng.choice([0, 0, 0.2, 0.4, 0.8])
    scale = {"busy": 2.5, "active": 1.3, "quiet": 1.0}[busy]
    levels = {
        "license": rng.uniform(5, 60) * scale,
        "other_service": rng.uniform(300, 2500) * scale,
        "penalty": rng.choice([rng.uniform(0, 8), rng.uniform(10, 80) * scale]),
        "coercion": rng.choice([0, 0, 0, rng.uniform(0, 6)]),
    }
    items = {
        "license": rng.randint(2, 14), "other_service": rng.randint(5, 40),
        "penalty": rng.randint(1, 12), "coercion": rng.randint(0, 9), "fee": rng.randint(0, 6),
    }
    procurement = (rng.randint(0, 9), 0.0)
    in_force = rng.choice([0, 0, 1, 2, 3])
    if start is not None:
        items.update(start.items)
        levels.update({k: v for k, v in start.decision_levels.items() if v})
        in_force = start.normative_in_force
        if start.procurement_level is not None:
            procurement = start.procurement_level
        if start.new_level is not None:
            new_level = max(new_level if start.new_level == 0 else start.new_level, 0)
    return _Profile(
        busy=busy, new_level=new_level, decision_levels=levels, items=items,
        normative_in_force=in_force, normative_rate=rng.choice([0, 0.3, 0.6, 1.2]),
        procurement_level=procurement,
        fee_level=rng.choice([0.0, 0.0, 0.0, rng.uniform(0.3, 12.0)]),
        review_rate={"busy": 0.8, "active": 0.15, "quiet": 0.03}[busy],
        suit_rate={"busy": 0.25, "active": 0.04, "quiet": 0.0}[busy],
    )


def _bounded(value: float, previous: float | None, low: float = 0.35, high: float = 2.8) -> int:
    """A whole number kept within a ratio of last year's (avoids accidental Q-YOY jumps)."""
    v = max(0, round(value))
    if previous is not None and previous >= 10 and v >= 10:
        v = min(max(v, math.ceil(previous * low)), math.floor(previous * high))
    return v


def simulate_unit(unit: Unit, years: list[int], rng: random.Random,
                  start: StartState | None = None,
                  scenarios: dict[int, set[str]] | None = None) -> dict[int, YearFigures]:
    """Simulate consecutive report years of one unit; returns year → figures.

    ``start`` continues from a known previous year (carry-overs, item counts, levels).
    ``scenarios`` maps a year to scenario ids (``T3-BACKLOG``, ``Q-YOY``, ``R-FEE-NOTE``)
    that shape that year's world while keeping every identity.
    """
    scenarios = scenarios or {}
    prof = _profile(unit, rng, start)
    carried = dict(start.carried_out) if start else dict.fromkeys(APPLICANT_COLS, 0)
    items = dict(prof.items)
    in_force = prof.normative_in_force
    levels = dict(prof.decision_levels)
    prev_new: float | None = start.new_level if start else None
    prev_decisions: dict[str, float] = dict(levels) if start else {}
    proc_projects, proc_amount = prof.procurement_level
    out: dict[int, YearFigures] = {}
    for year in years:
        wanted = scenarios.get(year, set())
        drift = rng.lognormvariate(0, 0.25)
        # --- table 三: applications ------------------------------------------------------
        lam = prof.new_level * drift
        n_new = _poisson(rng, lam)
        n_new = _bounded(n_new, prev_new)
        if SCENARIO_BACKLOG in wanted:
            n_new = max(n_new, 12 + rng.randint(0, 10))
        new = _split(rng, n_new, _APPLICANT_WEIGHTS)
        available = {c: new[c] + carried[c] for c in APPLICANT_COLS}
        pool = sum(available.values())
        if SCENARIO_BACKLOG in wanted:
            target_out = min(pool, n_new // 2 + 1 + rng.randint(1, 4))
        elif n_new >= 10:
            target_out = rng.randint(0, n_new // 4)
        else:
            target_out = min(pool, rng.choice([0, 0, 0, 0, 1]))
        carried_out = dict.fromkeys(APPLICANT_COLS, 0)
        for _ in range(target_out):
            choices = [c for c in APPLICANT_COLS if available[c] - carried_out[c] > 0]
            if not choices:
                break
            weights = [available[c] - carried_out[c] for c in choices]
            carried_out[rng.choices(choices, weights)[0]] += 1
        outcomes = {row: dict.fromkeys(APPLICANT_COLS, 0) for row in _OUTCOME_WEIGHTS}
        weights = dict(_OUTCOME_WEIGHTS)
        if year <= 2020:
            weights["other.no_fee"] = 0  # fees for information processing came with 2021
        for c in APPLICANT_COLS:
            handled = available[c] - carried_out[c]
            for row, n in _split(rng, handled, weights).items():
                outcomes[row][c] = n
        if SCENARIO_FEE_NOTICE in wanted and year >= 2021:
            col = max(APPLICANT_COLS, key=lambda c: available[c] - carried_out[c])
            donor = next((r for r in ("granted", "unable.not_held", "other.other")
                          if outcomes[r][col] > 0), None)
            if donor is None:
                new[col] += 1
                available[col] += 1
            else:
                outcomes[donor][col] -= 1
            outcomes["other.no_fee"][col] += 1
        t3: dict[str, int] = {}

        def put(row: str, values: dict[str, int], t3=t3) -> None:
            for c in APPLICANT_COLS:
                t3[f"t3.{row}.{c}"] = values[c]
            t3[f"t3.{row}.total"] = sum(values[c] for c in APPLICANT_COLS)

        put("new", new)
        put("carried_in", carried)
        for row, values in outcomes.items():
            put(row, values)
        put("total", {c: available[c] - carried_out[c] for c in APPLICANT_COLS})
        put("carried_out", carried_out)
        other_v2019 = {c: sum(outcomes[r][c] for r in ("other.no_correction", "other.no_fee",
                                                        "other.other")) for c in APPLICANT_COLS}
        t3_v2019 = {k: v for k, v in t3.items() if not k.startswith("t3.other.")}
        for c in APPLICANT_COLS:
            t3_v2019[f"t3.other.{c}"] = other_v2019[c]
        t3_v2019["t3.other.total"] = sum(other_v2019.values())
        # --- table 四: review and litigation ----------------------------------------------
        t4: dict[str, int] = {}
        for block in T4_BLOCKS:
            rate = prof.review_rate if block == "review" else prof.suit_rate / 2
            n = _poisson(rng, rate * (1 + n_new / 40))
            parts = _split(rng, n, {"upheld": 5, "corrected": 1.5, "other": 1.5, "pending": 2})
            for col in T4_COLS[:-1]:
                t4[f"t4.{block}.{col}"] = parts[col]
            t4[f"t4.{block}.total"] = n
        # --- table 二: proactive disclosure ------------------------------------------------
        decisions: dict[str, int] = {}
        jump_row = None
        if SCENARIO_JUMP in wanted:
            candidates = [r for r in ("penalty", "license") if prev_decisions.get(r, 0) >= 10]
            if not candidates:
                candidates = ["other_service" if year <= 2020 else "penalty"]
            jump_row = candidates[0]
        for row in DECISION_ROWS:
            value = levels[row] * rng.lognormvariate(0, 0.2)
            if row == jump_row:
                base = max(prev_decisions.get(row, 0), 10)
                decisions[row] = round(base * rng.uniform(6.5, 9))
            else:
                decisions[row] = _bounded(value, prev_decisions.get(row))
        deltas = {b: rng.choice([0, 0, 0, 1, 2, -1]) for b in ITEM_BLOCKS}
        deltas["other_service"] = rng.choice([0, 1, 2, 3, -2, 5])
        for b in ITEM_BLOCKS:
            deltas[b] = max(deltas[b], -items[b])
        issued = _poisson(rng, prof.normative_rate)
        repealed = min(in_force, _poisson(rng, prof.normative_rate * 0.4))
        new_in_force = in_force + issued - repealed
        if rng.random() < 0.25:
            proc_projects = max(0, proc_projects + rng.choice([-2, -1, 1, 2]))
        amount = 0.0
        if proc_projects:
            amount = round(proc_projects * rng.uniform(4, 40), 2)
        fee = round(prof.fee_level * rng.uniform(0.6, 1.4), 2) if prof.fee_level else 0.0
        v2019 = {
            "t2.regulation.made": 0, "t2.regulation.published": 0,
            "t2.regulation.total_public": 0,
            "t2.normative_doc.made": issued, "t2.normative_doc.published": issued,
            "t2.normative_doc.total_public": new_in_force,
        }
        for b in ("license", "other_service", "penalty", "coercion"):
            v2019[f"t2.{b}.prev_items"] = items[b]
            v2019[f"t2.{b}.delta"] = deltas[b]
            v2019[f"t2.{b}.decisions"] = decisions[b]
        v2019["t2.fee.prev_items"] = items["fee"]
        v2019["t2.fee.delta"] = deltas["fee"]
        v2019["t2.procurement.projects"] = proc_projects
        v2019["t2.procurement.amount"] = amount
        v2021 = {
            "t2.regulation.issued": 0, "t2.regulation.repealed": 0, "t2.regulation.in_force": 0,
            "t2.normative_doc.issued": issued, "t2.normative_doc.repealed": repealed,
            "t2.normative_doc.in_force": new_in_force,
            "t2.license.decisions": decisions["license"],
            "t2.penalty.decisions": decisions["penalty"],
            "t2.coercion.decisions": decisions["coercion"],
            "t2.fee.amount": fee,
        }
        cells19 = _ordered({**v2019, **t3_v2019, **t4}, "v2019")
        cells21 = _ordered({**v2021, **t3, **t4}, "v2021")
        facts = {
            "posts": max(20, round(rng.uniform(60, 260) * (1.6 if prof.busy == "busy" else 1))),
            "hotline": round(rng.uniform(200, 1800) * (2 if prof.busy == "busy" else 1)),
            "meetings": rng.randint(2, 8),
            "trainings": rng.randint(1, 4),
            "boards": rng.randint(6, 26),
            "policy_readings": rng.randint(1, 9),
            "normative_revised": 0,
        }
        out[year] = YearFigures(year, cells19, cells21, facts, tuple(sorted(wanted)))
        # --- carry into next year --------------------------------------------------------
        carried = carried_out
        for b in ITEM_BLOCKS:
            items[b] += deltas[b]
        in_force = new_in_force
        prev_new = n_new
        prev_decisions = {k: float(v) for k, v in decisions.items()}
        for row in DECISION_ROWS:
            if row == jump_row:
                levels[row] = float(decisions[row])  # the jump is a lasting change of level
            else:
                levels[row] = levels[row] * 0.8 + decisions[row] * 0.2
    return out


def _ordered(cells: dict, version: str) -> dict:
    """Cells in template order; fails loudly if a code is missing or unknown."""
    codes = template.get(version).cell_codes
    missing = [c for c in codes if c not in cells]
    extra = [c for c in cells if c not in codes]
    if missing or extra:
        raise AssertionError(f"{version}: missing {missing[:5]}, unknown {extra[:5]}")
    return {c: cells[c] for c in codes}
