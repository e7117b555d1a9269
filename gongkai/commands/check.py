"""``gongkai check FILE… [--json] [--warehouse FILE]``: a township's self-check.

The files are read with the same readers as the annual flow, loaded into an in-memory
warehouse and checked with the very same SQL (``sql/checks/``), so a township's self-check
and the office's run cannot disagree. With ``--warehouse`` the cross-year rules and R-COPY
also see the current reports of that warehouse (attached read-only).

Exit status: 0 when no error-severity rule fails, 1 when one does, 2 when a file could not
be read (the readable files are still checked).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongkai.commands.common import add_listing, add_registry, registry_or_none

RUN_ID = "check"

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
# the reasons a file named on the command line is refused before any reader sees it, by the
# code its English reason ends with ("file not found (file_not_found)")
FILE_ERRORS_ZH = {"file_not_found": "找不到该文件"}
_REASON_CODE = re.compile(r"\((\w+)\)$")
# at most this many places are printed under one finding (a sum names every cell it adds)
MAX_PLACES = 3


HELP = "核对年度报告的勾稽关系 / check report files against the consistency rules"
# argparse reflows the description: its line breaks are for reading here
DESCRIPTION = """\
读取报告文件，按全部核对规则检查，逐个文件列出问题和所在位置（行、列，PDF的页，Excel的工作表单元格）。
退出状态：0 没有“错误”，1 有“错误”，2 有文件无法读取。 —— Read report
files and check them against every rule of the spec (sql/checks/), with where each value was
read. Exit 0: no error-severity rule fails; 1: one does; 2: a file could not be read."""


def register(sub) -> None:
    """Add the ``check`` subcommand."""
    p = sub.add_parser("check", help=HELP, description=DESCRIPTION)
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="要核对的报告文件 / report files to check")
    add_listing(p, "json", "输出 JSON 问题列表 / print a JSON list of findings instead of the text")
    p.add_argument("--warehouse", metavar="FILE", default=None,
                   help="含往年报告的数据仓库（只读），用于跨年度核对和雷同比对 / a warehouse "
                        "(DuckDB file) holding earlier years, attached read-only for the "
                        "cross-year rules (T3-CARRY, T2-CHAIN-*, Q-YOY) and R-COPY")
    p.add_argument("--config", metavar="TOML", default=None,
                   help="核对设置 / check settings (default: the bundled "
                        "gongkai/data/checks.toml)")
    add_registry(p, "单位名录 CSV / the unit registry CSV")
    p.set_defaults(func=run)


@dataclass
class CheckedFile:
    """One file given on the command line and what became of it."""

    path: str
    submission_id: str | None
    readable: bool
    reason: str | None  # in English, as the warehouse stores it
    unit_name: str | None
    year: int | None
    reason_zh: str | None = None

    def as_json(self) -> dict[str, Any]:
        """An unreadable file as an entry of ``check --json``: status ``unreadable``, no rule,
        the reason in Chinese (``message_zh``) and English (``message_en``)."""
        return {"submission_id": None, "unit_code": None, "report_year": None, "rule_id": None,
                "severity": "error", "status": "unreadable", "cells": None, "expected": None,
                "actual": None, "message_zh": self.reason_zh, "responsibility": None,
                "detail": None, "file": self.path, "message_en": self.reason,
                "locations": {}, "locations_zh": {}, "rule_name_zh": None}


def check_files(
    paths: list[str],
    *,
    warehouse: str | None = None,
    config_path: str | None = None,
) -> tuple[list[CheckedFile], list[dict[str, Any]]]:
    """Read, load and check the files; returns the files and the findings (JSON-ready,
    each with its ``file``)."""
    from gongkai import wording
    from gongkai.checks import fetch_findings
    from gongkai.pipeline import build_warehouse
    from gongkai.read.verdict import reject_reason, reject_reason_zh
    from gongkai.sources import file_submissions

    # every file given is checked on its own, even two drafts of one unit-year
    built = build_warehouse(file_submissions(paths), run_id=RUN_ID, history=warehouse,
                            check_config=config_path, every_file_current=True)
    try:
        files: list[CheckedFile] = []
        for sub in built.submissions:
            report = built.reports.get(sub.submission_id)
            reason = sub.error or reject_reason(report)
            code = _REASON_CODE.search(reason or "")
            if sub.error:
                refused = [i.message_zh for i in sub.issues if i.severity == "error"]
                reason_zh = (FILE_ERRORS_ZH.get(code.group(1) if code else "")
                             or (refused[0] if refused else f"无法读取该文件（{sub.error}）"))
            else:
                reason_zh = reject_reason_zh(report)
            if reason_zh and code and code.group(1) not in reason_zh:
                reason_zh += f"（{code.group(1)}）"  # the code to quote when asking for help
            files.append(CheckedFile(
                sub.file_path, None if reason else sub.submission_id, reason is None, reason,
                report.unit_name if report else None, report.year if report else None,
                reason_zh))
        by_submission = {f.submission_id: f.path for f in files if f.submission_id}
        places = _places(built.con)
        findings = []
        for finding in fetch_findings(built.con, RUN_ID):
            finding["file"] = by_submission.get(finding["submission_id"])
            where = places.get(finding["submission_id"], {})
            finding["locations"] = {k: where[k] for k in finding.get("cells") or {}
                                    if k in where}
            finding["locations_zh"] = {wording.short_cell_label(k): wording.location(v)
                                       for k, v in finding["locations"].items()}
            finding["rule_name_zh"] = wording.rule_name(finding["rule_id"])
            findings.append(finding)
    finally:
        built.con.close()
    return files, findings


def _places(con) -> dict[str, dict[str, str]]:
    """submission → cell code → where the reader found the value (line 12 col 3, page 2
    table 1 row 4 col 2, sheet t3 cell E12)."""
    out: dict[str, dict[str, str]] = {}
    for sid, code, location in con.execute(
            "select submission_id, cell_code, location from cells "
            "where location is not null and location <> ''").fetchall():
        out.setdefault(sid, {})[code] = location
    return out


def places_text(finding: dict[str, Any]) -> str:
    """Where the cells a finding names were read, in Chinese. A sum names every cell it adds,
    and the wrong one is rarely a 0: the cells holding another value are shown (all the
    cells when every one is 0), at most MAX_PLACES, and how many cells the finding names. A
    figure of the narrative says where in the text it stands."""
    from gongkai import wording

    located = finding.get("locations") or {}
    values = finding.get("cells") or {}
    detail = finding.get("detail") if isinstance(finding.get("detail"), dict) else {}
    out = []
    if detail.get("location"):
        where = str(detail["location"])
        out.append(f"正文{wording.FACT_LABELS.get(where) or wording.location(where)}")
    if located:
        keys = [k for k in located if values.get(k) not in (0, 0.0)] or list(located)
        out += [f"{wording.short_cell_label(k)} {wording.location(located[k])}"
                for k in keys[:MAX_PLACES]]
        if len(located) > len(out):
            out.append(f"（共涉及{len(located)}个单元格）")
    return "；".join(out).replace("；（", "（")


def exit_status(files: list[CheckedFile], findings: list[dict[str, Any]]) -> int:
    """2 when a file could not be read, else 1 when an error-severity rule fails, else 0."""
    if any(not f.readable for f in files):
        return 2
    if any(f["severity"] == "error" and f["status"] == "fail" for f in findings):
        return 1
    return 0


def _sort_key(finding: dict[str, Any]):
    return (
        SEVERITY_ORDER.get(finding["severity"], 9),
        finding["status"] != "fail",
        finding["rule_id"],
        (finding.get("detail") or {}).get("ord", -1) if isinstance(finding.get("detail"), dict)
        else -1,
        json.dumps(finding.get("detail"), ensure_ascii=False, sort_keys=True),
        finding["message_zh"] or "",
    )


def render_text(files: list[CheckedFile], findings: list[dict[str, Any]]) -> str:
    """The findings grouped per file, in Chinese (each rule named by what it checks, each
    cell by its row and column, where it was read beside it), then a total line."""
    from gongkai import wording

    lines: list[str] = []
    for f in files:
        lines.append(f"== {f.path}")
        if not f.readable:
            lines.append(f"   无法读取：{f.reason_zh or f.reason}")
            lines.append("")
            continue
        lines.append(f"   单位 {f.unit_name or '未识别'}，年度 {f.year or '未识别'}")
        mine = sorted((x for x in findings if x["submission_id"] == f.submission_id),
                      key=_sort_key)
        if not mine:
            lines.append("   通过全部核对，未发现问题。")
        for x in mine:
            tag = f"[{wording.finding_kind(x['severity'], x['status'])}]"
            who = wording.EXTRACTION_NOTE if x["responsibility"] == "extraction" else ""
            lines.append(f"   {tag} {wording.rule_name(x['rule_id'])}："
                         f"{wording.plain(x['message_zh'])}{who}")
            where = places_text(x)
            if where:
                lines.append(f"        位置：{where}")
        lines.append("")
    failing = [x for x in findings if x["status"] == "fail"]
    counts = {sev: sum(1 for x in failing if x["severity"] == sev) for sev in SEVERITY_ORDER}
    n_na = sum(1 for x in findings if x["status"] == "not_assessable")
    n_bad = sum(1 for f in files if not f.readable)
    kinds = "，".join(f"{wording.SEVERITY[sev]} {n} 条" for sev, n in counts.items())
    lines.append(f"共 {len(files)} 个文件（{n_bad} 个无法读取）：{kinds}，"
                 f"{wording.NOT_ASSESSABLE} {n_na} 条。")
    return "\n".join(lines) + "\n"


def run(args) -> int:
    """Check the files and print the findings; returns the exit status (0, 1 or 2)."""
    if args.warehouse is not None and not Path(args.warehouse).is_file():
        sys.stderr.write(f"gongkai check: 找不到数据仓库文件 {args.warehouse} "
                         f"(warehouse not found)\n")
        return 2
    registry = registry_or_none("check", args.registry)
    if registry is None:
        return 2
    with registry:
        files, findings = check_files(args.files, warehouse=args.warehouse,
                                      config_path=args.config)
    if args.json:
        # an unreadable file is an entry too, with its reason (never an empty list)
        entries = [f.as_json() for f in files if not f.readable] + findings
        json.dump(entries, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(files, findings))
    return exit_status(files, findings)
