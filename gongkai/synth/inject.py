"""Injected errors: one injector per rule of ``spec/rules.md``, and the planner that spreads
them over a run.

An injector changes the *published* report only in the way its rule describes; the truth
file records what the file then shows.  Three kinds exist:

- scenario injectors shape the simulated world (a backlog, a jump in decisions, fee
  notices) and are planned before the figures are simulated;
- cell injectors change published cells (a total that does not add up, a split number …);
- text injectors change the prose, title, date or sections.

Each injector names the *areas* it touches so that two injections on one report never
interfere (at most one change to table 三, one to table 二, …).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from gongkai.synth.figures import APPLICANT_COLS, YearFigures
from gongkai.template import T4_BLOCKS
from gongkai.units import Registry, Unit

RULE_IDS = (
    "T3-BALANCE", "T3-OUTCOMES", "T3-ROWSUM", "T3-INTEGER", "T3-CARRY", "T3-BACKLOG",
    "T4-SUM", "T4-INTEGER",
    "T2-NONNEG", "T2-NO-REGULATION", "T2-CHAIN-2021", "T2-CHAIN-2019", "T2-UNPUBLISHED",
    "T2-MONEY-UNIT",
    "R-SECTIONS", "R-TEMPLATE", "R-DEADLINE", "R-UNIT", "R-YEAR", "R-BLANK", "R-COPY",
    "R-PROBLEMS", "R-NARRATIVE", "R-FEE-NOTE",
    "Q-YOY", "Q-SPLIT",
)
SCENARIO_RULES = ("T3-BACKLOG", "Q-YOY", "R-FEE-NOTE")

_OUTCOME_ROWS_V2021 = (
    "granted", "partial", "denied.state_secret", "denied.law_forbidden", "denied.three_safety",
    "denied.third_party", "denied.internal", "denied.process", "denied.enforcement",
    "denied.query", "unable.not_held", "unable.need_create", "unable.unclear",
    "not_processed.petition", "not_processed.repeat", "not_processed.publication",
    "not_processed.massive", "not_processed.confirm", "other.no_correction", "other.no_fee",
    "other.other",
)
_ALL_T3_ROWS_V2021 = ("new", "carried_in") + _OUTCOME_ROWS_V2021 + ("total", "carried_out")
_HOMOPHONES = {"里": "理", "川": "州", "荷": "和", "关": "官", "社": "舍", "官": "关", "张": "章",
               "达": "大", "沿": "延", "古": "谷", "永": "泳", "大": "达", "金": "津", "文": "温",
               "枨": "长", "镇": "震", "普": "浦", "北": "百", "龙": "隆", "澄": "成", "中": "忠",
               "柏": "百", "洞": "东", "沙": "莎", "淳": "纯", "高": "郜", "葛": "格", "蕉": "焦",
               "小": "晓", "围": "维", "和": "禾", "瑶": "遥", "刚": "钢", "冲": "充", "头": "投",
               "迹": "际", "安": "岸", "盛": "胜", "伏": "福", "潭": "谭", "加": "家", "阳": "杨",
               "市": "是", "口": "扣", "坪": "平", "桥": "乔", "家": "佳", "溪": "西", "河": "合",
               "渡": "度", "坊": "方", "浒": "许", "港": "岗"}


@dataclass
class Context:
    """Everything an injector may look at or change for one report."""

    unit: Unit
    year: int
    version: str
    cells: dict  # published cells (changed in place)
    figures: YearFigures
    prev_cells: dict | None
    prev_version: str | None
    flags: dict = field(default_factory=dict)
    forced: dict = field(default_factory=dict)  # code → exact text to print
    registry: Registry | None = None
    first_year: bool = False
    last_year: bool = False
    prev_generated: bool = False  # the previous year's report is generated in this run


@dataclass(frozen=True)
class Injector:
    """One rule's injector: where it applies, what it touches, and how it changes a report."""

    rule_id: str
    areas: frozenset[str]
    applies: Callable[[Context], bool]
    apply: Callable[[Context, random.Random], dict]


def _t3(ctx: Context, row: str, col: str) -> str:
    return f"t3.{row}.{col}"


def _bump(ctx: Context, row: str, col: str, k) -> None:
    ctx.cells[_t3(ctx, row, col)] += k
    ctx.cells[_t3(ctx, row, "total")] += k


def _outcome_rows(ctx: Context) -> list[str]:
    if ctx.version == "v2019":
        return [r for r in _OUTCOME_ROWS_V2021 if not r.startswith("other.")] + ["other"]
    return list(_OUTCOME_ROWS_V2021)


def _t3_rows(ctx: Context) -> list[str]:
    return ["new", "carried_in"] + _outcome_rows(ctx) + ["total", "carried_out"]


# --- table 三 ---------------------------------------------------------------------------------
def _raise_t3(ctx: Context, rng: random.Random, row: str, most: int, what: str) -> dict:
    """Raise one applicant column of a table 三 row (and so its total) by 1 to ``most``."""
    col = rng.choice(("natural", "natural", "commercial"))
    k = rng.randint(1, most)
    _bump(ctx, row, col, k)
    return {"cells": [_t3(ctx, row, col), f"t3.{row}.total"],
            "description": what.format(col=col, k=k)}


def _balance(ctx: Context, rng: random.Random) -> dict:
    return _raise_t3(ctx, rng, "new", 3,
                     "本年新收 ({col}) raised by {k} without the handled or carried-out rows: "
                     "第一项加第二项 ≠ 第三项加第四项 in columns {col} and 总计")


def _outcomes(ctx: Context, rng: random.Random) -> dict:
    return _raise_t3(ctx, rng, "granted", 2,
                     "（一）予以公开 ({col}) raised by {k}: the outcome rows no longer add up "
                     "to （七）总计 in columns {col} and 总计")


def _rowsum_applies(ctx: Context) -> bool:
    return any(ctx.cells[_t3(ctx, r, c)] >= 1 for r in _outcome_rows(ctx) for c in APPLICANT_COLS)


def _rowsum(ctx: Context, rng: random.Random) -> dict:
    options = [(r, c) for r in _outcome_rows(ctx) for c in APPLICANT_COLS
               if ctx.cells[_t3(ctx, r, c)] >= 1]
    donor, col = rng.choice(options)
    receiver = rng.choice([r for r in ("granted", "partial", "unable.not_held") if r != donor])
    ctx.cells[_t3(ctx, donor, col)] -= 1
    ctx.cells[_t3(ctx, receiver, col)] += 1
    return {"cells": [_t3(ctx, donor, col), _t3(ctx, receiver, col)],
            "description": f"one application ({col}) moved from row {donor} to row {receiver} "
                           f"without moving it in the 总计 column: both rows fail their row sum"}


def _integer(ctx: Context, rng: random.Random) -> dict:
    row = rng.choice(_outcome_rows(ctx)[:4])
    col = rng.choice(("natural", "commercial"))
    code = _t3(ctx, row, col)
    old = ctx.cells[code]
    new = -1 if old == 0 else old + 0.5
    ctx.cells[code] = new
    return {"cells": [code], "description": f"{code} printed as {new} (was {old}): not a whole "
                                            "number ≥ 0; the row and column sums break with it"}


def _carry_applies(ctx: Context) -> bool:
    return ctx.prev_cells is not None


def _carry(ctx: Context, rng: random.Random) -> dict:
    col = rng.choice(("natural", "natural", "commercial", "legal"))
    k = rng.randint(1, 3)
    for row in ("carried_in", "granted", "total"):
        _bump(ctx, row, col, k)
    return {"cells": [_t3(ctx, "carried_in", col), "t3.carried_in.total"],
            "description": f"上年结转 ({col}) is {k} more than last year's 结转下年度 (the report "
                           "is consistent in itself)"}


def _backlog_applies(ctx: Context) -> bool:
    return ctx.figures.cells_v2021["t3.new.total"] >= 2


def _backlog(ctx: Context, rng: random.Random) -> dict:
    return {"cells": ["t3.new.total", "t3.carried_out.total"],
            "description": "more than half of this year's applications carried over to next year "
                           f"({ctx.cells['t3.carried_out.total']} of {ctx.cells['t3.new.total']})"}


def _split_candidates(ctx: Context) -> list[tuple[str, str, str]]:
    out = []
    cols = list(APPLICANT_COLS)
    for row in _t3_rows(ctx):
        for a, b in zip(cols, cols[1:], strict=False):
            v = ctx.cells[_t3(ctx, row, a)]
            if 10 <= v <= 99 and ctx.cells[_t3(ctx, row, b)] == 0:
                out.append((row, a, b))
    return out


def _split(ctx: Context, rng: random.Random) -> dict:
    row, a, b = rng.choice(_split_candidates(ctx))
    v = ctx.cells[_t3(ctx, row, a)]
    ctx.cells[_t3(ctx, row, a)] = v // 10
    ctx.cells[_t3(ctx, row, b)] = v % 10
    return {"cells": [_t3(ctx, row, a), _t3(ctx, row, b)],
            "description": f"{v} in row {row} split over two cells as '{v // 10}' and '{v % 10}' "
                           f"({a}, {b}); joining them restores the row sum (responsibility: "
                           "extraction)"}


def _blank_applies(ctx: Context) -> bool:
    zeros = [c for c in APPLICANT_COLS for r in ("new", "carried_in")
             if ctx.cells[_t3(ctx, r, c)] == 0]
    return bool(zeros) or all(ctx.cells[f"t4.{b}.total"] == 0 for b in T4_BLOCKS)


def _blank(ctx: Context, rng: random.Random) -> dict:
    t4_zero = all(ctx.cells[f"t4.{b}.total"] == 0 for b in T4_BLOCKS)
    if t4_zero and rng.random() < 0.5:
        codes = [k for k in ctx.cells if k.startswith("t4.")]
        what = "table 四 left blank"
    else:
        codes = [_t3(ctx, r, c) for r in ("new", "carried_in") for c in APPLICANT_COLS
                 if ctx.cells[_t3(ctx, r, c)] == 0]
        what = "zero applicant-type cells of rows 一 and 二 left blank (only 总计 filled)"
    token = rng.choice(["", "/", "-", "—", "无"])
    for code in codes:
        ctx.cells[code] = None
        ctx.forced[code] = token
    return {"cells": codes, "description": f"{what}, written as {token!r}: blank, not 0"}


# --- table 四 ---------------------------------------------------------------------------------
def _t4_sum(ctx: Context, rng: random.Random) -> dict:
    block = rng.choice(("review", "review", "suit_direct"))
    k = rng.randint(1, 2)
    ctx.cells[f"t4.{block}.total"] += k
    return {"cells": [f"t4.{block}.total"],
            "description": f"{block} 总计 {k} more than 维持+纠正+其他+尚未审结"}


def _t4_integer(ctx: Context, rng: random.Random) -> dict:
    zeros = [(b, c) for b in T4_BLOCKS for c in ("upheld", "corrected", "other")
             if ctx.cells[f"t4.{b}.{c}"] == 0]
    if zeros:
        block, col = rng.choice(zeros)
        ctx.cells[f"t4.{block}.{col}"] = -1
        ctx.cells[f"t4.{block}.pending"] += 1
        return {"cells": [f"t4.{block}.{col}", f"t4.{block}.pending"],
                "description": f"t4.{block}.{col} printed as -1 with 尚未审结 one higher "
                               "(the block still adds up)"}
    block = rng.choice(T4_BLOCKS)
    ctx.cells[f"t4.{block}.upheld"] += 0.5
    return {"cells": [f"t4.{block}.upheld"],
            "description": f"t4.{block}.upheld printed with a fraction (.5); the block sum breaks"}


def _t4_integer_applies(ctx: Context) -> bool:
    return True


# --- table 二 ---------------------------------------------------------------------------------
def _nonneg(ctx: Context, rng: random.Random) -> dict:
    code = f"t2.{rng.choice(('license', 'penalty'))}.decisions"
    value = ctx.cells[code]
    ctx.cells[code] = -value if value else -rng.randint(1, 5)
    return {"cells": [code], "description": f"{code} printed negative ({ctx.cells[code]})"}


def _regulation_applies(ctx: Context) -> bool:
    return ctx.version == "v2019" or ctx.last_year


def _regulation(ctx: Context, rng: random.Random) -> dict:
    n = rng.randint(1, 2)
    if ctx.version == "v2019":
        codes = ["t2.regulation.made", "t2.regulation.published", "t2.regulation.total_public"]
    else:
        codes = ["t2.regulation.issued", "t2.regulation.in_force"]
    for code in codes:
        ctx.cells[code] = n
    return {"cells": codes, "description": f"{n} 规章 reported although a township makes none "
                                           "(normative documents entered in the 规章 row)"}


def _chain21_applies(ctx: Context) -> bool:
    return ctx.version == "v2021" and ctx.prev_version == "v2021"


def _chain21(ctx: Context, rng: random.Random) -> dict:
    k = rng.randint(1, 2)
    ctx.cells["t2.normative_doc.issued"] += k
    return {"cells": ["t2.normative_doc.issued", "t2.normative_doc.in_force"],
            "description": f"本年制发 raised by {k} while 现行有效 stays: last year's 现行有效 + "
                           "制发 − 废止 ≠ this year's 现行有效"}


def _chain19_applies(ctx: Context) -> bool:
    return ctx.version == "v2019" and ctx.prev_version == "v2019"


def _chain19(ctx: Context, rng: random.Random) -> dict:
    row = rng.choice(("license", "other_service", "penalty"))
    code = f"t2.{row}.prev_items"
    k = rng.randint(1, 3)
    ctx.cells[code] = ctx.cells[code] + k if ctx.cells[code] < k or rng.random() < 0.5 \
        else ctx.cells[code] - k
    return {"cells": [code], "description": f"上一年项目数量 of {row} differs from last year's "
                                            "上一年项目数量 + 本年增/减"}


def _unpublished(ctx: Context, rng: random.Random) -> dict:
    made = max(ctx.cells["t2.normative_doc.made"], rng.randint(1, 3))
    ctx.cells["t2.normative_doc.made"] = made
    ctx.cells["t2.normative_doc.published"] = 0
    ctx.cells["t2.normative_doc.total_public"] = 0
    return {"cells": ["t2.normative_doc.made", "t2.normative_doc.published",
                      "t2.normative_doc.total_public"],
            "description": f"{made} normative documents made, none published"}


def _money(ctx: Context, rng: random.Random) -> dict:
    if ctx.version == "v2019":
        code = "t2.procurement.amount"
        if not ctx.cells["t2.procurement.projects"]:
            ctx.cells["t2.procurement.projects"] = rng.randint(1, 4)
    else:
        code = "t2.fee.amount"
    amount = ctx.cells[code] or round(rng.uniform(1.5, 60), 2)
    yuan = round(amount * 10000)
    ctx.cells[code] = yuan
    ctx.forced[code] = str(yuan)
    return {"cells": [code], "description": f"{code} written in 元 ({yuan}) in the 万元 column "
                                            f"({amount} 万元 meant)"}


# --- report level -----------------------------------------------------------------------------
def _sections(ctx: Context, rng: random.Random) -> dict:
    if rng.random() < 0.5:
        ctx.flags["sections"] = ["s1", "s2", "s3", "s4", "s6", "s5"]
        what = "sections 五 and 六 in the wrong order"
    else:
        ctx.flags["sections"] = ["s1", "s2", "s3", "s4", "s5"]
        what = "section 六 missing"
    return {"cells": [], "description": what}


def _template_applies(ctx: Context) -> bool:
    return ctx.year >= 2021


def _template(ctx: Context, rng: random.Random) -> dict:
    ctx.version = "v2019"
    ctx.cells.clear()
    ctx.cells.update(ctx.figures.cells("v2019"))
    return {"cells": [], "description": f"{ctx.year} report filled in on the v2019 table"}


def _deadline(ctx: Context, rng: random.Random) -> dict:
    ctx.flags["late"] = True
    return {"cells": [], "description": "published after 31 January"}


def _unit_applies(ctx: Context) -> bool:
    return ctx.registry is not None


def _unit(ctx: Context, rng: random.Random) -> dict:
    name = ctx.unit.name
    for i in range(len(name) - 1):
        ch = name[i]
        if ch in _HOMOPHONES:
            typo = name[:i] + _HOMOPHONES[ch] + name[i + 1:]
            if ctx.registry.resolve(typo).unit is None:
                ctx.flags["title_name"] = typo
                return {"cells": [], "description": f"title names {typo} (for {name}): "
                                                    "not a unit of the registry"}
    typo = "东" + name[1:]
    ctx.flags["title_name"] = typo
    return {"cells": [], "description": f"title names {typo} (for {name})"}


def _year(ctx: Context, rng: random.Random) -> dict:
    ctx.flags["title_year"] = ctx.year - 1
    return {"cells": [], "description": f"title says {ctx.year - 1} for the {ctx.year} report "
                                        "(last year's title kept)"}


def _copy_applies(ctx: Context) -> bool:
    return True


def _copy(ctx: Context, rng: random.Random) -> dict:
    if ctx.prev_generated and rng.random() < 0.6:
        ctx.flags["copy_from"] = ("prev", ctx.unit.code, ctx.year - 1)
        what = "sections 一 and 五 copied from the unit's previous report"
    else:
        ctx.flags["copy_from"] = ("peer", None, ctx.year)
        what = "sections 一 and 五 copied from another unit's report of the same year"
    return {"cells": [], "description": what}


def _problems(ctx: Context, rng: random.Random) -> dict:
    ctx.flags["problems_none"] = rng.choice(["无", "无。", "本年度无。", "暂无。"])
    return {"cells": [], "description": f"section 五 says only {ctx.flags['problems_none']!r}"}


def _narrative(ctx: Context, rng: random.Random) -> dict:
    phrase = rng.choice(["本年新收政府信息公开申请", "结转下年度继续办理", "行政复议"])
    k = rng.randint(1, 4)
    ctx.flags["figure_offsets"] = {phrase: k}
    code = {"本年新收政府信息公开申请": "t3.new.total", "结转下年度继续办理": "t3.carried_out.total",
            "行政复议": "t4.review.total"}[phrase]
    return {"cells": [code], "description": f"narrative says {phrase} {k} more than the table"}


def _fee_applies(ctx: Context) -> bool:
    return ctx.version == "v2021" and ctx.year >= 2021


def _fee(ctx: Context, rng: random.Random) -> dict:
    ctx.flags["omit_fee_note"] = True
    return {"cells": ["t3.other.no_fee.total"],
            "description": f"{ctx.cells['t3.other.no_fee.total']} applications lapsed for unpaid "
                           "fees but section 六 says nothing of 信息处理费"}


def _yoy_applies(ctx: Context) -> bool:
    if ctx.prev_cells is None:
        return False
    keys = ["t2.penalty.decisions", "t2.license.decisions"]
    if ctx.year <= 2020:
        keys.append("t2.other_service.decisions")
    return any((ctx.prev_cells.get(k) or 0) >= 10 for k in keys)


def _yoy(ctx: Context, rng: random.Random) -> dict:
    keys = ["t2.penalty.decisions", "t2.license.decisions", "t2.other_service.decisions"]
    code = max((k for k in keys if k in ctx.cells and ctx.prev_cells.get(k) is not None),
               key=lambda k: ctx.cells[k] / max(ctx.prev_cells[k], 1))
    return {"cells": [code], "description": f"{code} jumps from {ctx.prev_cells[code]} to "
                                            f"{ctx.cells[code]} (a lasting change of level)"}


def _always(ctx: Context) -> bool:
    return True


def _v2019(ctx: Context) -> bool:
    return ctx.version == "v2019"


INJECTORS: dict[str, Injector] = {i.rule_id: i for i in (
    Injector("T3-BALANCE", frozenset({"t3"}), _always, _balance),
    Injector("T3-OUTCOMES", frozenset({"t3"}), _always, _outcomes),
    Injector("T3-ROWSUM", frozenset({"t3"}), _rowsum_applies, _rowsum),
    Injector("T3-INTEGER", frozenset({"t3"}), _always, _integer),
    Injector("T3-CARRY", frozenset({"t3"}), _carry_applies, _carry),
    Injector("T3-BACKLOG", frozenset({"t3", "scenario"}), _backlog_applies, _backlog),
    Injector("T4-SUM", frozenset({"t4"}), _always, _t4_sum),
    Injector("T4-INTEGER", frozenset({"t4"}), _t4_integer_applies, _t4_integer),
    Injector("T2-NONNEG", frozenset({"t2"}), _always, _nonneg),
    Injector("T2-NO-REGULATION", frozenset({"t2"}), _regulation_applies, _regulation),
    Injector("T2-CHAIN-2021", frozenset({"t2"}), _chain21_applies, _chain21),
    Injector("T2-CHAIN-2019", frozenset({"t2"}), _chain19_applies, _chain19),
    Injector("T2-UNPUBLISHED", frozenset({"t2"}), _v2019, _unpublished),
    Injector("T2-MONEY-UNIT", frozenset({"t2"}), _always, _money),
    Injector("R-SECTIONS", frozenset({"sections", "s6"}), _always, _sections),
    Injector("R-TEMPLATE", frozenset({"version", "t2", "t3"}), _template_applies, _template),
    Injector("R-DEADLINE", frozenset({"date"}), _always, _deadline),
    Injector("R-UNIT", frozenset({"title"}), _unit_applies, _unit),
    Injector("R-YEAR", frozenset({"title"}), _always, _year),
    Injector("R-BLANK", frozenset({"t3", "t4"}), _blank_applies, _blank),
    Injector("R-COPY", frozenset({"s5", "s1"}), _copy_applies, _copy),
    Injector("R-PROBLEMS", frozenset({"s5"}), _always, _problems),
    Injector("R-NARRATIVE", frozenset({"s1"}), _always, _narrative),
    Injector("R-FEE-NOTE", frozenset({"version", "t3", "s6", "scenario"}), _fee_applies, _fee),
    Injector("Q-YOY", frozenset({"t2", "scenario"}), _yoy_applies, _yoy),
    Injector("Q-SPLIT", frozenset({"t3"}), lambda ctx: bool(_split_candidates(ctx)), _split),
)}
# The order in which cell and text injectors run on one report (R-TEMPLATE first: it swaps
# the cells for the other version's).
APPLY_ORDER = ("R-TEMPLATE",) + tuple(r for r in RULE_IDS if r != "R-TEMPLATE")


def plan(keys: list[tuple[int, str]], contexts: Callable[[tuple[int, str]], Context],
         rules: list[str], rate: float | str | None, rng: random.Random,
         taken: dict[tuple[int, str], list[str]] | None = None,
         n_reports: int | None = None,
         per_rule: int | None = None) -> dict[tuple[int, str], list[str]]:
    """Choose which reports get which rules: report key → rule ids.

    ``rate`` is the share of reports that carry errors (each gets one to three, so that
    every rule type appears a few times), or ``"all"``: every report gets at least one,
    cycling through the rule types.  ``taken`` holds earlier picks (scenario rules).
    """
    chosen: dict[tuple[int, str], list[str]] = {k: list(v) for k, v in (taken or {}).items()}
    if not rate or not keys or not rules:
        return chosen
    n_total = n_reports or len(keys)
    rule_ids = list(RULE_IDS)

    def areas(key) -> frozenset[str]:
        return frozenset().union(*(INJECTORS[r].areas for r in chosen.get(key, [])))

    def fits(key, rule) -> bool:
        if rule in chosen.get(key, []) or len(chosen.get(key, [])) >= 3:
            return False
        if INJECTORS[rule].areas & areas(key):
            return False
        if rule in ("T3-CARRY", "T2-CHAIN-2021", "T2-CHAIN-2019", "Q-YOY"):
            prev = (key[0] - 1, key[1])
            if "R-TEMPLATE" in chosen.get(prev, []) or "R-BLANK" in chosen.get(prev, []):
                return False
        if rule == "R-TEMPLATE":
            nxt = (key[0] + 1, key[1])
            if any(r in chosen.get(nxt, []) for r in ("T2-CHAIN-2021", "T3-CARRY", "Q-YOY")):
                return False
        return INJECTORS[rule].applies(contexts(key))

    order = list(keys)
    rng.shuffle(order)
    if rate == "all" and per_rule is None:
        counts = dict.fromkeys(rules, 0)
        for key in order:
            if chosen.get(key):
                continue
            for rule in sorted(rules, key=lambda r: (counts[r], rule_ids.index(r))):
                if fits(key, rule):
                    chosen.setdefault(key, []).append(rule)
                    counts[rule] += 1
                    break
        return chosen
    if rate == "all":
        target_reports = n_total
    else:
        target_reports = max(1, round(float(rate) * n_total))
        per_rule = per_rule or max(1, round(target_reports * 1.9 / len(RULE_IDS)))
    for _ in range(per_rule):
        for rule in rules:
            with_errors = [k for k in order if chosen.get(k)]
            fresh = [k for k in order if not chosen.get(k)]
            rng.shuffle(with_errors)
            pools = ([fresh, with_errors] if len(with_errors) < target_reports
                     else [with_errors, fresh])
            for pool in pools:
                pick = next((k for k in pool if fits(k, rule)), None)
                if pick is not None:
                    chosen.setdefault(pick, []).append(rule)
                    break
    return chosen


