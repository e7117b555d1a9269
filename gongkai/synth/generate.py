"""Generate a set of synthetic reports with truth files and an error manifest.

The run is deterministic for a seed: every random choice draws from a generator seeded by
the run's seed and the unit (and year), so adding a unit or a year leaves the others as they
were.  Files land in ``OUT/<year>/<unit_code>-<slug>.<ext>``; the truth file of each report
(``<same name>.json``) and ``manifest.json``/``manifest.csv`` go to the truth folder
(``OUT`` itself unless another one is given).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from gongkai import template
from gongkai.synth import inject, narrative
from gongkai.synth.document import (
    CellWriter,
    Document,
    Heading,
    Paragraph,
    Style,
    t2_tables,
    t3_table,
    t4_table,
)
from gongkai.synth.figures import StartState, YearFigures, simulate_unit
from gongkai.synth.layouts import LAYOUT_FORMAT, LAYOUTS, RENDERERS
from gongkai.synth.office import (
    DEMO_LAYOUTS,
    OFFICE_FORMATS,
    OFFICE_LAYOUT_FORMAT,
    OFFICE_LAYOUTS,
    OFFICE_RENDERERS,
    UNREADABLE_LAYOUTS,
)
from gongkai.synth.verify import cross_year_rules, report_rules
from gongkai.units import Registry, Unit, default_registry

TEXT_FORMATS = ("txt", "md", "html")
PLANNED_FORMATS = ()  # every format has a writer (Word, Excel and PDF: see office.py)
RENDERERS = {**RENDERERS, **OFFICE_RENDERERS}
LAYOUT_FORMAT = {**LAYOUT_FORMAT, **OFFICE_LAYOUT_FORMAT}

_SLUGS = {
    "淮川": "huaichuan", "集里": "jili", "荷花": "hehua", "关口": "guankou", "社港": "shegang",
    "官渡": "guandu", "张坊": "zhangfang", "达浒": "dahu", "沿溪": "yanxi", "古港": "gugang",
    "永和": "yonghe", "大瑶": "dayao", "金刚": "jingang", "文家市": "wenjiashi",
    "枨冲": "chengchong", "镇头": "zhentou", "普迹": "puji", "永安": "yongan",
    "北盛": "beisheng", "龙伏": "longfu", "澄潭江": "chengtanjiang", "中和": "zhonghe",
    "柏加": "baijia", "洞阳": "dongyang", "大围山": "daweishan", "沙市": "shashi",
    "淳口": "chunkou", "高坪": "gaoping", "官桥": "guanqiao", "葛家": "gejia", "蕉溪": "jiaoxi",
    "小河": "xiaohe",
}
_SECTION_LABEL_WEIGHTS = (70, 10, 10, 5, 5)


@dataclass
class SynthOptions:
    """What to generate: units (codes, None for all), years, output folders, seed, layouts,
    error injection (a rate in 0..1, ``"all"`` or None) and file formats."""

    out: Path
    years: list[int]
    seed: int = 0
    units: list[str] | None = None
    layouts: list[str] = field(default_factory=lambda: list(LAYOUTS) + [
        lay for lay in OFFICE_LAYOUTS if lay not in UNREADABLE_LAYOUTS])
    inject: float | str | None = None
    formats: list[str] = field(default_factory=lambda: list(TEXT_FORMATS))
    truth_dir: Path | None = None
    skip_existing: bool = False
    registry: Registry | None = None
    office: int = 0  # units per year filed as Word/PDF/Excel (DEMO_LAYOUTS in turn)


@dataclass
class GeneratedReport:
    """One generated report: where its file and truth file are, and what it carries."""

    path: Path
    truth_path: Path
    unit_code: str
    year: int
    layout: str
    template: str
    injected: list[dict]
    unexpected: list[str] = field(default_factory=list)


def slug_for(unit: Unit) -> str:
    """The file-name part after the code: pinyin of the short name, or the short name."""
    return _SLUGS.get(unit.short_name, unit.short_name or unit.code)


def parse_years(text: str) -> list[int]:
    """``2019-2024`` or ``2019,2021`` → a sorted list of years."""
    years: set[int] = set()
    for part in str(text).split(","):
        part = part.strip()
        if "-" in part:
            a, b = part.split("-", 1)
            years.update(range(int(a), int(b) + 1))
        elif part:
            years.add(int(part))
    return sorted(years)


def _published(rng: random.Random, year: int, late: bool) -> str:
    if late:
        d = date(year + 1, 2, 1) + timedelta(days=rng.randint(1, 85))
    else:
        d = date(year + 1, 1, rng.choices(range(3, 32), [1] * 15 + [3] * 14)[0])
    return d.isoformat()


def _existing(opts: SynthOptions, truth_dir: Path, key: tuple[int, str]) -> dict | None:
    year, code = key
    folder = opts.out / str(year)
    for path in sorted(folder.glob(f"{code}-*")) if folder.is_dir() else []:
        if path.suffix == ".json":
            continue
        truth = truth_dir / str(year) / (path.stem + ".json")
        if not truth.is_file():
            raise FileNotFoundError(f"{path} exists but its truth file {truth} does not")
        return json.loads(truth.read_text(encoding="utf-8"))
    return None


def _compose(narr: narrative.Narrative, version: str, writer: CellWriter, style: Style,
             rng: random.Random, sections: list[str], year: int) -> Document:
    """Put prose and tables together in reading order."""
    tpl = template.get(version)
    labels = {s.code: s.labels for s in tpl.sections}
    doc = Document(narr.title, year=year)
    doc.blocks.append(Heading(narr.title, 0))
    for p in narr.preamble:
        doc.blocks.append(Paragraph(p))
    tables = {"s2": t2_tables(version, writer), "s3": [t3_table(version, writer)],
              "s4": [t4_table(writer)]}
    intro = {"s2": narr.s2, "s3": narr.s3, "s4": narr.s4, "s5": narr.s5, "s6": narr.s6}
    for code in sections:
        index = int(code[1])
        options = labels[code]
        label = rng.choices(options, _SECTION_LABEL_WEIGHTS[: len(options)])[0]
        doc.blocks.append(Heading(style.section_heading(index, label), 1, code))
        if code == "s1":
            sub = 0
            inline = rng.random() < 0.4
            for head, text in narr.s1:
                if head is None:
                    doc.blocks.append(Paragraph(text))
                    continue
                sub += 1
                if inline:
                    doc.blocks.append(Paragraph(style.sub_heading(sub, head) + "。" + text))
                else:
                    doc.blocks.append(Heading(style.sub_heading(sub, head), 2))
                    doc.blocks.append(Paragraph(text))
            continue
        for p in intro[code]:
            if p:
                doc.blocks.append(Paragraph(p))
        for table in tables.get(code, []):
            doc.blocks.append(table)
    if "s2" not in sections:  # never happens for the R-SECTIONS errors generated here
        raise AssertionError("table 二 needs section 二")
    for line in narr.signature:
        doc.blocks.append(Paragraph(line))
    return doc


def _similarity(a: narrative.Narrative, b: narrative.Narrative) -> float:
    text_a = "".join(t for _, t in a.s1) + "".join(a.s5)
    text_b = "".join(t for _, t in b.s1) + "".join(b.s5)
    return difflib.SequenceMatcher(None, text_a, text_b, autojunk=False).ratio()


def generate(opts: SynthOptions) -> list[GeneratedReport]:
    """Generate every requested report; returns what was written (see the module doc)."""
    for fmt in opts.formats:
        if fmt in PLANNED_FORMATS:
            raise NotImplementedError(f"format {fmt!r} is planned but has no writer yet")
        if fmt not in TEXT_FORMATS + OFFICE_FORMATS:
            raise ValueError(f"unknown format {fmt!r}; available: "
                             f"{', '.join(TEXT_FORMATS + OFFICE_FORMATS)}")
    unknown = [lay for lay in opts.layouts if lay not in RENDERERS]
    if unknown:
        raise ValueError(f"unknown layout(s) {unknown}; available: "
                         f"{', '.join(LAYOUTS + OFFICE_LAYOUTS)}")
    layouts = [lay for lay in opts.layouts if LAYOUT_FORMAT[lay] in opts.formats]
    if not layouts:
        raise ValueError("no layout left for the chosen formats")
    registry = opts.registry or default_registry()
    truth_dir = opts.truth_dir or opts.out
    units = [registry.by_code[c] for c in opts.units] if opts.units else registry.current()
    years = sorted(opts.years)
    seed = opts.seed

    # --- what exists already, what to make -------------------------------------------------
    existing: dict[tuple[int, str], dict] = {}
    keys: list[tuple[int, str]] = []
    for unit in units:
        for year in years:
            if unit.valid_from and year < unit.valid_from and not any(
                    a.endswith("乡") for a in unit.aliases):
                continue
            if unit.valid_to and year > unit.valid_to:
                continue  # renamed, merged or split by then: its successor reports
            key = (year, unit.code)
            found = _existing(opts, truth_dir, key) if opts.skip_existing else None
            if found:
                existing[key] = found
            else:
                keys.append(key)
    keys.sort()
    by_unit: dict[str, list[int]] = {}
    for year, code in keys:
        by_unit.setdefault(code, []).append(year)

    def start_for(code: str, first: int) -> StartState | None:
        prev = existing.get((first - 1, code))
        return StartState.from_cells(prev["cells"], prev["template"]) if prev else None

    def simulate(scenarios: dict[str, dict[int, set[str]]]) -> dict[str, dict[int, YearFigures]]:
        out = {}
        for code, ys in by_unit.items():
            rng = random.Random(f"{seed}:figures:{code}")
            out[code] = simulate_unit(registry.by_code[code], ys, rng, start_for(code, ys[0]),
                                      scenarios.get(code))
        return out

    figures = simulate({})

    def context(key: tuple[int, str], figs=None) -> inject.Context:
        figs = figs or figures
        year, code = key
        version = template.version_for_year(year)
        prev_key = (year - 1, code)
        if prev_key in existing:
            prev_cells, prev_version = existing[prev_key]["cells"], existing[prev_key]["template"]
        elif code in figs and year - 1 in figs[code]:
            prev_version = template.version_for_year(year - 1)
            prev_cells = figs[code][year - 1].cells(prev_version)
        else:
            prev_cells = prev_version = None
        ys = by_unit[code]
        return inject.Context(
            unit=registry.by_code[code], year=year, version=version,
            cells=figs[code][year].cells(version), figures=figs[code][year],
            prev_cells=prev_cells, prev_version=prev_version, registry=registry,
            first_year=year == ys[0], last_year=year == ys[-1],
            prev_generated=(year - 1) in figs.get(code, {}),
        )

    # --- plan errors: scenarios first (they change the simulated world), then the rest -------
    plan_rng = random.Random(f"{seed}:plan")
    rate = opts.inject
    per_rule = None
    if rate == "all":
        per_rule = max(1, -(-len(keys) // len(inject.RULE_IDS)))
    planned = inject.plan(keys, context, list(inject.SCENARIO_RULES), rate, plan_rng,
                          per_rule=per_rule)
    scenarios: dict[str, dict[int, set[str]]] = {}
    for (year, code), rules in planned.items():
        scenarios.setdefault(code, {}).setdefault(year, set()).update(rules)
    if scenarios:
        figures = simulate(scenarios)
    others = [r for r in inject.RULE_IDS if r not in inject.SCENARIO_RULES]
    planned = inject.plan(keys, context, others, rate, plan_rng, taken=planned)

    # --- layouts: spread evenly, deterministic ----------------------------------------------
    layout_rng = random.Random(f"{seed}:layouts")
    order = list(keys)
    layout_rng.shuffle(order)
    layout_of = {key: layouts[i % len(layouts)] for i, key in enumerate(order)}
    if opts.office:  # a few units a year filed as office documents; the rest stay as drawn
        office_rng = random.Random(f"{seed}:office")
        for year in years:
            year_keys = sorted(k for k in keys if k[0] == year)
            chosen = office_rng.sample(year_keys, min(opts.office, len(year_keys)))
            for i, key in enumerate(sorted(chosen)):
                layout_of[key] = DEMO_LAYOUTS[(i + year) % len(DEMO_LAYOUTS)]

    # --- published cells, with cell-level injections ----------------------------------------
    contexts: dict[tuple[int, str], inject.Context] = {}
    records: dict[tuple[int, str], list[dict]] = {}
    for key in keys:
        ctx = context(key)
        rng = random.Random(f"{seed}:inject:{key[1]}:{key[0]}")
        recs = []
        for rule in inject.APPLY_ORDER:
            if rule in planned.get(key, []):
                rec = inject.INJECTORS[rule].apply(ctx, rng)
                recs.append({"rule_id": rule, **rec})
        contexts[key] = ctx
        records[key] = recs

    # --- prose ------------------------------------------------------------------------------
    narratives: dict[tuple[int, str], narrative.Narrative] = {}
    published: dict[tuple[int, str], str] = {}
    for key in keys:
        year, code = key
        ctx = contexts[key]
        rng = random.Random(f"{seed}:text:{code}:{year}")
        published[key] = _published(rng, year, bool(ctx.flags.get("late")))
        fee_notices = (ctx.cells.get("t3.other.no_fee.total") or 0) if ctx.version == "v2021" else 0
        narratives[key] = narrative.build(
            ctx.unit, year, ctx.cells, rng, title_name=ctx.flags.get("title_name"),
            title_year=ctx.flags.get("title_year"), published=published[key],
            figure_offsets=ctx.flags.get("figure_offsets"), facts=ctx.figures.facts,
            fee_notices=fee_notices, omit_fee_note=bool(ctx.flags.get("omit_fee_note")),
            problems_none=ctx.flags.get("problems_none"))
    originals = dict(narratives)
    for key in keys:
        source = contexts[key].flags.get("copy_from")
        if not source:
            continue
        year, code = key
        if source[0] == "prev":
            src_key = (year - 1, code)
        else:
            peers = sorted(k for k in keys if k[0] == year and k[1] != code)
            src_key = random.Random(f"{seed}:copy:{code}:{year}").choice(peers)
        src = originals[src_key]
        src_name = narrative.name_for_year(registry.by_code[src_key[1]], src_key[0])
        own = narrative.name_for_year(registry.by_code[code], year)
        narr = narratives[key]
        kept = {i: item for i, item in enumerate(narr.s1) if item[0] == "依申请公开情况"}
        s1 = [(h, t.replace(src_name, own)) for h, t in src.s1]
        for i, item in kept.items():
            s1[i] = item
        narr.s1 = s1
        if not contexts[key].flags.get("problems_none"):
            narr.s5 = [p.replace(src_name, own) for p in src.s5]
        for rec in records[key]:
            if rec["rule_id"] == "R-COPY":
                rec["source"] = f"{src_key[0]}/{src_key[1]}"
                rec["similarity"] = round(_similarity(narr, src), 3)

    # --- render, write, verify ----------------------------------------------------------------
    results: list[GeneratedReport] = []
    manifest: list[dict] = []
    published_cells: dict[tuple[int, str], tuple[str, dict]] = {
        k: (v["template"], v["cells"]) for k, v in existing.items()}
    for key in keys:
        year, code = key
        ctx = contexts[key]
        unit = ctx.unit
        layout = layout_of[key]
        rng = random.Random(f"{seed}:render:{code}:{year}")
        style = Style.draw(rng, layout)
        writer = CellWriter(ctx.cells, style, rng, forced=ctx.forced)
        sections = ctx.flags.get("sections") or ["s1", "s2", "s3", "s4", "s5", "s6"]
        narr = narratives[key]
        doc = _compose(narr, ctx.version, writer, style, rng, sections, year)
        rendered = RENDERERS[layout](doc, rng)
        name = f"{code}-{slug_for(unit)}"
        path = opts.out / str(year) / f"{name}.{rendered.ext}"
        truth_path = truth_dir / str(year) / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        truth_path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rendered.data)

        truth_cells = {c: writer.truth.get(c) for c in template.get(ctx.version).cell_codes}
        found = report_rules(truth_cells, ctx.version, year, published[key])
        prev = published_cells.get((year - 1, code))
        if prev:
            found += cross_year_rules(prev[1], prev[0], truth_cells, ctx.version)
        published_cells[key] = (ctx.version, truth_cells)
        broken = sorted({rule for rule, _ in found})
        intended = {r["rule_id"] for r in records[key]}
        for rec in records[key]:
            rec["also_breaks"] = _collateral(rec["rule_id"], broken, intended)
        unexpected = [r for r in broken if r not in intended and not records[key]]
        truth = {
            "source": f"synthetic: gongkai synth --seed {seed}",
            "synthetic": True,
            "file": f"{year}/{path.name}",
            "unit": narr.title_unit,
            "unit_code": code,
            "unit_registry_name": narrative.name_for_year(unit, year),
            "year": year,
            "title": narr.title,
            "title_year": ctx.flags.get("title_year", year),
            "template": ctx.version,
            "published": published[key],
            "layout": layout,
            "format": rendered.ext,
            "encoding": rendered.encoding,
            "layout_traps": sorted(set(style.traps()) | set(rendered.traps)),
            "sections": sections,
            "cells": truth_cells,
            "blank_cells": sorted(writer.blank, key=list(truth_cells).index),
            "narrative_figures": narr.figures,
            "injected": records[key],
            "own_rule_violations": broken,
        }
        truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")
        for rec in records[key]:
            manifest.append({"file": truth["file"], "unit_code": code, "year": year,
                             "rule_id": rec["rule_id"], "cells": rec["cells"],
                             "description": rec["description"]})
        results.append(GeneratedReport(path, truth_path, code, year, layout, ctx.version,
                                       records[key], unexpected))
    _write_manifest(truth_dir, manifest)
    return results


def _collateral(rule: str, broken: list[str], intended: set[str]) -> list[str]:
    """Rules an injection breaks besides its own: those of the same table (an injection
    touches at most one table, so the table prefix attributes them)."""
    areas = inject.INJECTORS[rule].areas
    return [r for r in broken if r not in intended
            and (r.split("-")[0].lower() in areas or (rule == "Q-SPLIT" and r.startswith("T3")))]


def _write_manifest(truth_dir: Path, rows: list[dict]) -> None:
    """``manifest.json`` and ``manifest.csv``: one row per injected error."""
    truth_dir.mkdir(parents=True, exist_ok=True)
    (truth_dir / "manifest.json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "unit_code", "year", "rule_id", "cells", "description"])
    for r in rows:
        w.writerow([r["file"], r["unit_code"], r["year"], r["rule_id"], ";".join(r["cells"]),
                    r["description"]])
    (truth_dir / "manifest.csv").write_text(buf.getvalue(), encoding="utf-8")
