"""The synthetic generator: determinism, consistency of clean figures, injected errors,
every layout family, and the round trip through the readers (cells == truth)."""

from __future__ import annotations

import difflib
import json
import random
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from gongkai import template
from gongkai.paths import DATA_DIR, RAW_DIR
from gongkai.read import parse_file
from gongkai.synth import LAYOUTS, RULE_IDS, SynthOptions, generate
from gongkai.synth.figures import APPLICANT_COLS, StartState, simulate_unit
from gongkai.synth.verify import ERROR_RULES, cross_year_rules, report_rules
from gongkai.units import default_registry

YEARS = list(range(2019, 2025))
TRUTH_DIR = DATA_DIR / "truth"


def _truths(root: Path) -> list[dict]:
    out = []
    for path in sorted(root.glob("*/*.json")):
        t = json.loads(path.read_text(encoding="utf-8"))
        t["_path"] = root / t["file"]
        out.append(t)
    return out


def _text(truth: dict) -> str:
    data = truth["_path"].read_bytes()
    return data.decode("gbk" if truth["encoding"].startswith("gbk") else "utf-8-sig")


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth-clean")
    generate(SynthOptions(out=out, years=YEARS, seed=11))
    return out


@pytest.fixture(scope="module")
def error_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth-errors")
    generate(SynthOptions(out=out, years=YEARS, seed=5, inject="all"))
    return out


# --- determinism ----------------------------------------------------------------------------
def test_same_seed_same_bytes(tmp_path):
    def run(name: str, seed: int) -> dict[str, bytes]:
        out = tmp_path / name
        generate(SynthOptions(out=out, years=[2020, 2021, 2022], seed=seed,
                              units=["430181001", "430181106", "430181132"], inject=0.5))
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
                if p.is_file()}

    first, second, other = run("a", 3), run("b", 3), run("c", 4)
    assert first == second
    def stems(files):
        return {k.rsplit(".", 1)[0] for k in files}

    assert stems(first) == stems(other)
    assert first != other


def test_file_names_carry_code_and_year(clean_run):
    for t in _truths(clean_run):
        year, name = t["file"].split("/")
        assert int(year) == t["year"]
        assert name.startswith(t["unit_code"] + "-")
        assert t["_path"].is_file()


# --- clean figures are consistent -----------------------------------------------------------
def _assert_clean_identities(cells: dict, version: str) -> None:
    rows = [r.code for r in template.get(version).t3_rows]
    outcome = [r for r in rows if r not in ("new", "carried_in", "total", "carried_out")]
    for c in template.T3_COLS:
        assert cells[f"t3.new.{c}"] + cells[f"t3.carried_in.{c}"] == \
            cells[f"t3.total.{c}"] + cells[f"t3.carried_out.{c}"]
        assert cells[f"t3.total.{c}"] == sum(cells[f"t3.{r}.{c}"] for r in outcome)
    for r in rows:
        assert cells[f"t3.{r}.total"] == sum(cells[f"t3.{r}.{c}"] for c in APPLICANT_COLS)
    for b in template.T4_BLOCKS:
        assert cells[f"t4.{b}.total"] == sum(cells[f"t4.{b}.{c}"] for c in template.T4_COLS[:-1])
    for code in template.get(version).t3_codes() + template.get(version).t4_codes():
        assert isinstance(cells[code], int) and cells[code] >= 0, code
    assert all(cells[k] == 0 for k in cells if k.startswith("t2.regulation."))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_simulated_figures_hold_every_identity_and_chain(seed):
    registry = default_registry()
    for unit in registry.current():
        figs = simulate_unit(unit, YEARS, random.Random(f"{seed}:{unit.code}"))
        prev = None
        for year, f in figs.items():
            for version in ("v2019", "v2021"):
                _assert_clean_identities(f.cells(version), version)
            version = template.version_for_year(year)
            cells = f.cells(version)
            assert report_rules(cells, version, year) == []
            if prev:
                pv, pc = prev
                for c in template.T3_COLS:
                    assert cells[f"t3.carried_in.{c}"] == pc[f"t3.carried_out.{c}"]
                if version == pv == "v2021":
                    for row in ("regulation", "normative_doc"):
                        assert cells[f"t2.{row}.in_force"] == pc[f"t2.{row}.in_force"] + \
                            cells[f"t2.{row}.issued"] - cells[f"t2.{row}.repealed"]
                if version == pv == "v2019":
                    for row in ("license", "other_service", "penalty", "coercion", "fee"):
                        assert cells[f"t2.{row}.prev_items"] == \
                            pc[f"t2.{row}.prev_items"] + pc[f"t2.{row}.delta"]
                assert cross_year_rules(pc, pv, cells, version) == []
            # the v2021 chain also runs underneath the v2019 years (2020 → 2021)
            if year > YEARS[0]:
                before = figs[year - 1].cells("v2021")
                now = f.cells("v2021")
                assert now["t2.normative_doc.in_force"] == before["t2.normative_doc.in_force"] \
                    + now["t2.normative_doc.issued"] - now["t2.normative_doc.repealed"]
            prev = (version, cells)


def test_most_townships_are_quiet_and_decisions_are_large():
    registry = default_registry()
    zero, total, decisions = 0, 0, []
    for unit in registry.current():
        figs = simulate_unit(unit, YEARS, random.Random(f"9:{unit.code}"))
        for f in figs.values():
            total += 1
            zero += f.cells_v2021["t3.new.total"] == 0
            decisions.append(f.cells_v2019["t2.other_service.decisions"])
    assert zero / total > 0.3
    assert max(decisions) > 1000
    assert sorted(decisions)[len(decisions) // 2] > 100


def test_start_state_continues_a_known_year():
    seed = json.loads((TRUTH_DIR / "2019" / "430181002-jili.json").read_text("utf-8"))
    start = StartState.from_cells(seed["cells"], "v2019")
    unit = default_registry().by_code["430181002"]
    figs = simulate_unit(unit, [2020, 2021], random.Random(0), start)
    c = figs[2020].cells("v2019")
    assert all(c[f"t3.carried_in.{col}"] == 0 for col in template.T3_COLS)
    assert c["t2.license.prev_items"] == 4 + 3
    assert c["t2.other_service.prev_items"] == 11 + 17


def test_clean_run_breaks_no_rule(clean_run):
    truths = _truths(clean_run)
    assert len(truths) == 32 * 6
    for t in truths:
        assert t["injected"] == []
        assert t["own_rule_violations"] == [], t["file"]
        assert t["template"] == template.version_for_year(t["year"])
        assert date.fromisoformat(t["published"]) <= date(t["year"] + 1, 1, 31)
        assert set(t["cells"]) == set(template.get(t["template"]).cell_codes)
        assert all(f["matches_table"] for f in t["narrative_figures"])
        assert t["sections"] == ["s1", "s2", "s3", "s4", "s5", "s6"]


def test_clean_narratives_are_not_copies(clean_run):
    truths = {(t["unit_code"], t["year"]): _text(t) for t in _truths(clean_run)}

    def prose(text: str) -> str:
        return "".join(line for line in text.splitlines() if len(line) > 40 and "|" not in line
                       and "\t" not in line)

    rng = random.Random(0)
    keys = sorted(truths)
    for _ in range(30):
        a, b = rng.sample(keys, 2)
        ratio = difflib.SequenceMatcher(None, prose(truths[a]), prose(truths[b]),
                                        autojunk=False).ratio()
        assert ratio < 0.75, (a, b, ratio)


def test_fee_notices_are_mentioned_in_section_six(clean_run):
    for t in _truths(clean_run):
        if t["template"] == "v2021" and t["cells"]["t3.other.no_fee.total"]:
            assert "信息处理费" in _text(t)


# --- injected errors ------------------------------------------------------------------------
def test_every_rule_type_is_injected(error_run):
    seen = {i["rule_id"] for t in _truths(error_run) for i in t["injected"]}
    assert seen == set(RULE_IDS)
    manifest = json.loads((error_run / "manifest.json").read_text("utf-8"))
    assert len(manifest) == sum(len(t["injected"]) for t in _truths(error_run))
    assert {"file", "unit_code", "year", "rule_id", "cells", "description"} <= set(manifest[0])
    assert (error_run / "manifest.csv").read_text("utf-8").startswith("file,unit_code,year")


ARITHMETIC = {"T3-BALANCE", "T3-OUTCOMES", "T3-ROWSUM", "T3-INTEGER", "T3-CARRY", "T3-BACKLOG",
              "T4-SUM", "T4-INTEGER", "T2-NONNEG", "T2-NO-REGULATION", "T2-CHAIN-2021",
              "T2-CHAIN-2019", "T2-UNPUBLISHED", "T2-MONEY-UNIT", "R-TEMPLATE", "R-DEADLINE",
              "R-BLANK", "Q-YOY"}


def test_each_injection_breaks_its_rule(error_run):
    registry = default_registry()
    by_key = {(t["unit_code"], t["year"]): t for t in _truths(error_run)}
    for t in by_key.values():
        text = None
        for inj in t["injected"]:
            rule = inj["rule_id"]
            if rule in ARITHMETIC:
                assert rule in t["own_rule_violations"], (t["file"], inj)
                continue
            text = text or _text(t)
            if rule == "R-SECTIONS":
                assert t["sections"] != ["s1", "s2", "s3", "s4", "s5", "s6"]
                if "s6" not in t["sections"]:
                    assert "其他需要报告的事项" not in text.split("主动公开政府信息情况", 1)[1]
            elif rule == "R-UNIT":
                assert registry.resolve(t["unit"]).unit is None
                assert t["unit"] in text
            elif rule == "R-YEAR":
                assert t["title_year"] == t["year"] - 1
                assert f"{t['year'] - 1}年" in t["title"]
            elif rule == "R-COPY":
                assert inj["similarity"] > 0.85
            elif rule == "R-PROBLEMS":
                assert "五" not in t["sections"] or inj["description"].split("'")[1] in text
            elif rule == "R-NARRATIVE":
                wrong = [f for f in t["narrative_figures"] if not f["matches_table"]]
                assert wrong and f"{wrong[0]['phrase']}{wrong[0]['value']}件" in text
            elif rule == "R-FEE-NOTE":
                assert t["cells"]["t3.other.no_fee.total"] > 0
                assert "信息处理费" not in text
            elif rule == "Q-SPLIT":
                a, b = inj["cells"]
                row = a.rsplit(".", 1)[0]
                assert "T3-ROWSUM" in t["own_rule_violations"]
                joined = int(f"{t['cells'][a]}{t['cells'][b]}")
                others = sum(t["cells"][f"{row}.{c}"] for c in APPLICANT_COLS
                             if f"{row}.{c}" not in (a, b))
                assert joined + others == t["cells"][f"{row}.total"]


def test_injections_do_not_spill_over(error_run):
    """A report without injections of its own breaks no rule, even next to injected ones."""
    by_key = {(t["unit_code"], t["year"]): t for t in _truths(error_run)}
    for t in by_key.values():
        assert t["injected"], t["file"]  # 'all' puts errors everywhere
        own = {i["rule_id"] for i in t["injected"]}
        collateral = {r for i in t["injected"] for r in i["also_breaks"]}
        assert set(t["own_rule_violations"]) <= own | collateral, t["file"]


def test_rate_run_stays_a_sprinkling(tmp_path):
    reports = generate(SynthOptions(out=tmp_path, years=YEARS, seed=2, inject=0.12))
    with_errors = [r for r in reports if r.injected]
    assert 0.08 <= len(with_errors) / len(reports) <= 0.2
    assert {i["rule_id"] for r in reports for i in r.injected} == set(RULE_IDS)
    clean = [r for r in reports if not r.injected]
    for r in clean:
        truth = json.loads(r.truth_path.read_text("utf-8"))
        assert not set(truth["own_rule_violations"]) & ERROR_RULES, r.path


# --- layouts --------------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_renders(tmp_path, layout):
    reports = generate(SynthOptions(out=tmp_path, years=[2020, 2022], seed=1,
                                    units=["430181002", "430181110"], layouts=[layout]))
    assert {r.layout for r in reports} == {layout}
    for r in reports:
        truth = json.loads(r.truth_path.read_text("utf-8"))
        truth["_path"] = r.path
        text = _text(truth)
        assert "政府信息公开工作年度报告" in text
        assert "一、本年新收政府信息公开申请数量" in text
        if layout == "html":
            assert "<table" in text and "rowspan" in text
        if layout == "cell_pipe":
            assert "\n||" in text
        if layout == "tabs":
            assert "\t" in text and ("— " in text or "- " in text)


def test_layout_traps_occur(clean_run):
    truths = _truths(clean_run)
    texts = "\n".join(_text(t) for t in truths)
    for trap in ("本年增\\减", "行政事业型收费", "万元", "元", "（其中修订", "+", ",", "(一)", "（一）"):
        assert trap in texts, trap
    assert any(t["blank_cells"] for t in truths)
    assert {t["encoding"] for t in truths if t["layout"] == "html"} >= {
        "utf-8", "utf-8 with BOM"}
    assert any(t["encoding"].startswith("gbk") for t in truths)


# --- round trip through the readers ---------------------------------------------------------
def _round_trip(root: Path) -> dict[tuple[str, str], list]:
    failures: dict[tuple[str, str], list] = defaultdict(list)
    for t in _truths(root):
        report = parse_file(t["_path"], filed_year=t["year"], filed_unit_code=t["unit_code"])
        wrong = {k: (v, report.cells.get(k)) for k, v in t["cells"].items()
                 if report.cells.get(k) != v}
        failures[(t["layout"], t["template"])]
        if wrong:
            failures[(t["layout"], t["template"])].append((t["file"], sorted(wrong.items())[:5]))
    return failures


@pytest.fixture(scope="module")
def round_trip_clean(clean_run):
    return _round_trip(clean_run)


@pytest.fixture(scope="module")
def round_trip_errors(error_run):
    return _round_trip(error_run)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("version", ["v2019", "v2021"])
def test_round_trip_clean(round_trip_clean, layout, version):
    assert (layout, version) in round_trip_clean
    assert round_trip_clean[(layout, version)] == []


@pytest.mark.parametrize("layout", LAYOUTS)
def test_round_trip_with_injected_errors(round_trip_errors, layout):
    failures = [f for (lay, _), fs in round_trip_errors.items() if lay == layout for f in fs]
    assert failures == []


# --- the bundled demo data ------------------------------------------------------------------
def test_demo_data_is_reproducible(tmp_path):
    """data/raw + data/truth are exactly what the command in data/raw/README.md makes."""
    if not (TRUTH_DIR / "manifest.json").is_file():
        pytest.skip("demo data not generated")
    out, truth = tmp_path / "raw", tmp_path / "truth"
    (out / "2019").mkdir(parents=True)
    (truth / "2019").mkdir(parents=True)
    seed = RAW_DIR / "2019" / "430181002-jili.md"
    (out / "2019" / seed.name).write_bytes(seed.read_bytes())
    seed_truth = TRUTH_DIR / "2019" / "430181002-jili.json"
    (truth / "2019" / seed_truth.name).write_bytes(seed_truth.read_bytes())
    generate(SynthOptions(out=out, truth_dir=truth, years=YEARS, seed=2024, inject=0.12,
                          skip_existing=True, office=3))
    for path in sorted(out.rglob("*.*")):
        assert path.read_bytes() == (RAW_DIR / path.relative_to(out)).read_bytes(), path
    for path in sorted(truth.rglob("*.*")):
        assert path.read_bytes() == (TRUTH_DIR / path.relative_to(truth)).read_bytes(), path
    assert len(list(RAW_DIR.glob("*/*.*"))) == len(list(out.glob("*/*.*")))
