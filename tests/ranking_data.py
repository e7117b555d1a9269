"""Warehouses for the ranking and report tests.

``build_constructed`` loads hand-built reports and writes the findings of one check run by
hand, so every score, tie and band is known in advance (its rankings are computed when read:
no stored tables). ``build_generated`` runs the bundled generator and
``gongkai.pipeline.build_warehouse`` (readers, checks, stored rankings) on a few report years
(the demo data in small).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from gongkai import template as tpl
from gongkai import warehouse as wh
from gongkai.model import CellSource, NarrativeFigure, ParsedReport
from gongkai.pipeline import build_warehouse
from gongkai.units import default_registry

RUN_ID = "run-test"
SECTIONS = {
    "s1": "总体情况：本年度依法公开政府信息。",
    "s2": "主动公开情况见下表。",
    "s3": "申请办理情况见下表。",
    "s4": "行政复议、行政诉讼情况见下表。",
    # concrete enough for full marks: at least six distinct items of ten characters or more,
    # and more than 240 characters once punctuation is removed
    "s5": ("本年度我单位政府信息公开工作还存在以下问题：一是主动公开的政策文件解读不够及时，"
           "部分文件公开后一个月才发布解读材料；二是村（社区）公开栏内容更新慢，个别栏目半年未更新；"
           "三是依申请公开答复书说理不够充分，引用条款不够准确；四是政务新媒体互动回应不及时；"
           "五是信息公开工作人员由其他岗位兼任，年内只参加过一次业务培训。"
           "改进措施：一是建立政策文件与解读材料同步起草、同步审签、同步发布的工作机制；"
           "二是建立公开栏月度巡查台账，由驻村干部每月拍照报送更新情况；"
           "三是组织依申请公开答复书集中评查，每季度通报一次典型问题；"
           "四是明确政务新媒体留言两个工作日内答复，办理结果在平台公开；"
           "五是每半年组织一次政务公开业务培训，并纳入年度考核。"),
    "s6": "无其他需要报告的事项。",
}
# the rules the hand-written check run says it ran
RULES_RAN = ("R-DEADLINE", "R-TEMPLATE", "R-SECTIONS", "R-BLANK", "T3-CARRY", "T2-CHAIN-2019",
             "T2-CHAIN-2021", "R-COPY", "R-PROBLEMS", "T3-BALANCE", "T4-SUM", "R-NARRATIVE",
             "T3-BACKLOG")
# published 26 days before the deadline (full marks for on_time); a report with an
# R-DEADLINE finding is published 40 days after it (on_time 0)
PUBLISHED_EARLY = "{next_year}-01-05"
PUBLISHED_LATE = "{next_year}-03-12"


def report(unit_code: str, year: int, values: dict | None = None, blanks: tuple = (),
           sections: dict | None = None, late: bool = False) -> ParsedReport:
    """A parsed report of a registry unit: every cell 0 unless given, ``line N`` locations,
    one narrative figure (本年新收) that agrees with table 三, published well before the
    deadline unless ``late``."""
    unit = default_registry().by_code[unit_code]
    version = tpl.version_for_year(year)
    published = (PUBLISHED_LATE if late else PUBLISHED_EARLY).format(next_year=year + 1)
    r = ParsedReport(file=f"{year}/{unit_code}.md", format="markdown", encoding="utf-8",
                     unit_name=unit.name, unit_code=unit_code, year=year, template=version,
                     published=published, title=f"{unit.name}{year}年度报告")
    values = values or {}
    for i, code in enumerate(tpl.get(version).cell_codes, start=1):
        if code in blanks:
            r.cells[code] = None
            r.sources[code] = CellSource(raw="/", location=f"line {i}", status="blank")
        else:
            v = values.get(code, 0)
            r.cells[code] = v
            r.sources[code] = CellSource(raw=str(v), location=f"line {i}")
    r.sections = dict(SECTIONS if sections is None else sections)
    r.section_order = sorted(r.sections)
    r.narrative_figures = [NarrativeFigure(phrase="本年新收政府信息公开申请",
                                           value=values.get("t3.new.total", 0),
                                           compared_with="t3.new.total", location="s3")]
    return r


def insert(con, rep: ParsedReport) -> str:
    """Load a parsed report as the current submission of its unit-year; returns its id."""
    sha = f"{rep.unit_code}-{rep.year}".ljust(64, "0")
    sid = wh.submission_id_for(sha, rep.unit_code, rep.year)
    wh.insert_report(con, rep, submission_id=sid, sha256=sha, size_bytes=100,
                     file_path=rep.file, filed_unit_code=rep.unit_code, filed_year=rep.year,
                     run_id=RUN_ID)
    return sid


def finding(con, sid: str, unit_code: str, year: int, rule_id: str, *, severity: str = "error",
            status: str = "fail", responsibility: str = "source", cells: dict | None = None,
            message: str | None = None) -> None:
    """Write one finding of the test check run."""
    con.execute(
        "insert into findings (run_id, submission_id, unit_code, report_year, rule_id, severity, "
        "status, cells, expected, actual, message_zh, responsibility, detail) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, null, null, ?, ?, ?)",
        [RUN_ID, sid, unit_code, year, rule_id, severity, status,
         json.dumps(cells or {}, ensure_ascii=False),
         message or f"问题-{unit_code}-{year}-{rule_id}", responsibility,
         json.dumps({"n": message or rule_id}, ensure_ascii=False)],
    )


# unit → (2024 findings as (rule_id, severity) pairs, expected 2024 score)
STREET_CASES = {
    "430181001": ((), 100.0),                                   # 淮川: clean
    "430181002": ((("R-COPY", "warning"),), 90.0),              # 集里: copied text
    "430181003": ((("T3-BALANCE", "error"),) * 2, 90.0),        # 荷花: two errors, ties 集里
    "430181004": ((("T3-BALANCE", "error"),) * 4, 80.0),        # 关口: four errors
}
TOWN_CASES = {
    "430181102": ((), 100.0),                                   # 社港: far ahead
    "430181104": ((("R-DEADLINE", "warning"),), 85.0),          # 官渡: late
    "430181105": ((("R-COPY", "warning"), ("R-PROBLEMS", "warning")), 80.0),  # 张坊
    "430181106": ((("R-COPY", "warning"), ("R-PROBLEMS", "warning"),
                   ("R-DEADLINE", "warning")), 65.0),           # 达浒: 合格
    "430181107": ((("R-DEADLINE", "warning"), ("R-TEMPLATE", "error"), ("R-COPY", "warning"),
                   ("T3-BALANCE", "error"), ("T3-BALANCE", "error"),
                   ("T3-BALANCE", "error"), ("T3-BALANCE", "error")), 50.0),  # 沿溪: 不合格
}
# context figures of 2024 (cells of table 三 / 四)
CONTEXT_CASES = {
    "430181001": {"t3.new.total": 20, "t3.total.total": 20, "t3.granted.total": 12,
                  "t3.partial.total": 3},                         # rate 75%
    "430181002": {"t3.new.total": 5, "t3.total.total": 5, "t3.granted.total": 2,
                  "t3.partial.total": 1},                         # small: 3/5件
    "430181003": {"t3.new.total": 0, "t3.total.total": 0},          # zero: 不适用
    "430181102": {"t4.review.total": 2, "t4.review.pending": 2},   # decided 0: 不适用
}
BLANK_CASES = {"430181104": ("t3.new.total", "t3.granted.total")}  # blank, not zero


def build_constructed(path: Path) -> Path:
    """A warehouse with known scores: ties (1, 2, 2, 4), every band, n/a cases, a rank range."""
    con = duckdb.connect(str(path))
    try:
        wh.create_schema(con)
        wh.load_units(con, default_registry())
        ids: dict[tuple[str, int], str] = {}
        cases = {**STREET_CASES, **TOWN_CASES}
        for code in cases:
            for year in (2023, 2024):
                values = CONTEXT_CASES.get(code, {}) if year == 2024 else {}
                blanks = BLANK_CASES.get(code, ()) if year == 2024 else ()
                late = year == 2024 and ("R-DEADLINE", "warning") in cases[code][0]
                ids[(code, year)] = insert(con, report(code, year, values, blanks, late=late))
        checked = dt.datetime(2025, 2, 1, 9, 0)
        for rule in RULES_RAN:
            con.execute("insert into check_runs (run_id, rule_id, severity, status, "
                        "rows_evaluated, rows_failing, duration_ms, checked_at) "
                        "values (?, ?, 'error', 'pass', 0, 0, 1, ?)", [RUN_ID, rule, checked])
        for code, (cases, _) in {**STREET_CASES, **TOWN_CASES}.items():
            sid = ids[(code, 2024)]
            for n, (rule, severity) in enumerate(cases, start=1):
                finding(con, sid, code, 2024, rule, severity=severity,
                        cells={"t3.new.total": n, "t3.carried_in.total": 0},
                        message=f"问题-{code}-{rule}-{n}")
        # 2023: 淮川 had one error (so it moved up by score), the rest were clean
        finding(con, ids[("430181001", 2023)], "430181001", 2023, "T3-BALANCE",
                message="问题-430181001-2023")
        con.execute("insert into runs (run_id, started_at, finished_at, source) "
                    "values (?, ?, ?, 'test')", [RUN_ID, checked, checked])
    finally:
        con.close()
    return path


def build_generated(root: Path, years: list[int], seed: int = 11) -> Path:
    """Generate reports, read them, load them and run the real checks; returns the warehouse."""
    from gongkai.synth.generate import SynthOptions, generate

    raw = root / "raw"
    generate(SynthOptions(out=raw, years=years, seed=seed, inject=0.25,
                          truth_dir=root / "truth"))
    return load_folder(raw, root / "gongkai.duckdb", years)


def load_folder(raw: Path, path: Path, years: list[int] | None = None) -> Path:
    """Read a raw folder (``<raw>/<year>/<file>``) into a new warehouse at ``path``, check it
    and store the rankings, as a run does; returns ``path``."""
    built = build_warehouse(raw, path, years=years, run_id="gen", materialise=True)
    try:
        # a fixed load time: the reports print it ("数据截至 …"), and tests compare bytes
        now = dt.datetime(2025, 2, 1, 9, 0)
        built.con.execute("update runs set started_at = ?, finished_at = ?", [now, now])
    finally:
        built.con.close()
    return path


_GENERATED: dict[tuple, Path] = {}


def generated_warehouse(years: tuple[int, ...] = (2023, 2024)) -> Path:
    """The generated warehouse of these years, built once per test process."""
    import atexit
    import shutil
    import tempfile

    if years not in _GENERATED:
        root = Path(tempfile.mkdtemp(prefix="gongkai-render-"))
        atexit.register(shutil.rmtree, root, True)
        _GENERATED[years] = build_generated(root, list(years))
    return _GENERATED[years]
