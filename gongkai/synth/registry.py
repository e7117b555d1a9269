"""Synthetic unit registries of any size, shaped like China's township level.

``synthetic_units(n)`` gives about ``n`` township-level units in provinces, prefectures and
counties of realistic sizes (about 14 townships a county, 9 counties a prefecture, 14
prefectures a province: 40,000 units make ~2,860 counties in ~23 provinces), with names
unique within a county but repeated across counties (城关镇, 城南街道 …, as in the real
country), 9-digit codes (county code + 001–099 街道, 100–199 镇, 200–299 乡), aliases with
the office suffix, and a little history: about 1 % of units renamed to a new code (镇 →
街道) and 1 % merged into a neighbour. Deterministic for a seed.
"""

from __future__ import annotations

import random

from gongkai.units.registry import Unit

# characters of place names; two of them make a base name
_CHARS = ("安宁平和兴隆永丰新华东西南北中山水江河湖桥口石城关坪塘溪田林峰岭洲湾台庄集"
          "铺店市坊阳泉源清明光龙凤鹤云金银玉宝福寿长乐太阳春秋花竹松柏桂梅兰青白红黄"
          "沙土岗坡岩洞湘汉淮沅浏醴茶陵株衡邵岳常益郴永怀娄吉赣抚饶信袁萍宜")
# names that recur in many counties
_COMMON = ("城关", "城南", "城北", "城东", "城西", "新城", "新华", "东风", "红旗", "和平")
YEAR_OF_CHANGE = 2021


def _name_pool(rng: random.Random, used: set[str], k: int) -> list[str]:
    """``k`` two-character names not yet used in a county."""
    out: list[str] = []
    while len(out) < k:
        name = rng.choice(_CHARS) + rng.choice(_CHARS)
        if name not in used and name[0] != name[1]:
            used.add(name)
            out.append(name)
    return out


def synthetic_units(n: int, seed: int = 0, *, history: bool = True) -> list[Unit]:
    """About ``n`` units (rows; more by the renamed units' new rows) in counties of ~14."""
    rng = random.Random(seed)
    units: list[Unit] = []
    county_names: set[str] = set()
    province_no = prefecture_no = 0
    county_in_prefecture = prefecture_in_province = 99
    province = prefecture = ""
    made = 0
    while made < n:
        if prefecture_in_province >= 14:
            province_no += 1
            province = _name_pool(rng, county_names, 1)[0] + "省"
            prefecture_in_province = 0
        if county_in_prefecture >= 9:
            prefecture_no += 1
            prefecture_in_province += 1
            prefecture = _name_pool(rng, county_names, 1)[0] + "市"
            county_in_prefecture = 0
        county_in_prefecture += 1
        county = _name_pool(rng, county_names, 1)[0] + rng.choice("县县县市区")
        county_code = f"{10 + province_no:02d}{prefecture_in_province:02d}{county_in_prefecture:02d}"
        size = min(rng.randint(8, 20), n - made)
        used = set()
        bases = [c for c in _COMMON if rng.random() < 0.3][:3]
        used.update(bases)
        bases += _name_pool(rng, used, size - len(bases))
        counters = {"街道": 1, "镇": 100, "乡": 200}
        county_units = []
        for i, base in enumerate(bases):
            kind = "街道" if i < max(1, size // 6) else rng.choice("镇镇镇乡")
            code = f"{county_code}{counters[kind]:03d}"
            counters[kind] += 1
            suffix = "办事处" if kind == "街道" else "人民政府"
            county_units.append(Unit(
                code=code, name=base + kind, short_name=base, type=kind, city=county,
                valid_from=2015, valid_to=None, aliases=(base + kind + suffix,), note="",
                province=province, prefecture=prefecture))
        if history and size >= 4:
            county_units = _with_history(rng, county_units, counters, county_code)
        units += county_units
        made += size
    return units


def _with_history(rng: random.Random, units: list[Unit], counters: dict[str, int],
                  county_code: str) -> list[Unit]:
    """Rename about 1 % of towns to a new 街道 code and merge about 1 % into a neighbour."""
    out = list(units)
    towns = [i for i, u in enumerate(out) if u.type != "街道"]
    if len(towns) >= 2 and rng.random() < 0.14:
        i = towns.pop(rng.randrange(len(towns)))
        old = out[i]
        new_code = f"{county_code}{counters['街道']:03d}"
        counters["街道"] += 1
        out[i] = _ended(old, (new_code,))
        out.append(Unit(code=new_code, name=old.short_name + "街道", short_name=old.short_name,
                        type="街道", city=old.city, valid_from=YEAR_OF_CHANGE, valid_to=None,
                        aliases=(old.short_name + "街道办事处",), note="", province=old.province,
                        prefecture=old.prefecture))
    if len(towns) >= 2 and rng.random() < 0.14:
        i, j = rng.sample(towns, 2)
        out[i] = _ended(out[i], (out[j].code,))
    return out


def _ended(u: Unit, successors: tuple[str, ...]) -> Unit:
    return Unit(code=u.code, name=u.name, short_name=u.short_name, type=u.type, city=u.city,
                valid_from=u.valid_from, valid_to=YEAR_OF_CHANGE - 1, aliases=u.aliases,
                note=u.note, province=u.province, prefecture=u.prefecture,
                successors=successors)
