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
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RUN_ID = "check"

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_ZH = {"fail": "不符", "not_assessable": "无法核对"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


HELP = "check report files against the consistency rules (勾稽关系)"
# argparse reflows the description: its line breaks are for reading here
DESCRIPTION = """\
Read report files and check them against every rule of the spec (sql/checks/). Exit 0: no
error-severity rule fails; 1: one does; 2: a file could not be read."""


def register(sub) -> None:
    """Add the ``check`` subcommand."""
    p = sub.add_parser("check", help=HELP, description=DESCRIPTION)
    p.add_argument("files", nargs="+", metavar="FILE", help="report files to check")
    p.add_argument("--json", action="store_true",
                   help="print a JSON list of findings instead of the readable text")
    p.add_argument("--warehouse", metavar="FILE", default=None,
                   help="a warehouse (DuckDB file) holding earlier years, attached read-only "
                        "for the cross-year rules (T3-CARRY, T2-CHAIN-*, Q-YOY) and R-COPY")
    p.add_argument("--config", metavar="TOML", default=None,
                   help="check settings (default: the bundled gongkai/data/checks.toml)")
    p.add_argument("--registry", metavar="FILE", default=None,
                   help="the unit registry CSV (default: $GONGKAI_REGISTRY, else the bundled "
                        "Liuyang registry)")
    p.set_defaults(func=run)


@dataclass
class CheckedFile:
    """One file given on the command line and what became of it."""

    path: str
    submission_id: str | None
    readable: bool
    reason: str | None
    unit_name: str | None
    year: int | None


def check_files(
    paths: list[str],
    *,
    warehouse: str | None = None,
    config_path: str | None = None,
) -> tuple[list[CheckedFile], list[dict[str, Any]]]:
    """Read, load and check the files; returns the files and the findings (JSON-ready,
    each with its ``file``)."""
    from gongkai.checks import fetch_findings
    from gongkai.pipeline import build_warehouse
    from gongkai.read.verdict import reject_reason
    from gongkai.sources import file_submissions

    # every file given is checked on its own, even two drafts of one unit-year
    built = build_warehouse(file_submissions(paths), run_id=RUN_ID, history=warehouse,
                            check_config=config_path, every_file_current=True)
    try:
        files: list[CheckedFile] = []
        for sub in built.submissions:
            report = built.reports.get(sub.submission_id)
            reason = sub.error or reject_reason(report)
            files.append(CheckedFile(
                sub.file_path, None if reason else sub.submission_id, reason is None, reason,
                report.unit_name if report else None, report.year if report else None))
        by_submission = {f.submission_id: f.path for f in files if f.submission_id}
        findings = []
        for finding in fetch_findings(built.con, RUN_ID):
            finding["file"] = by_submission.get(finding["submission_id"])
            findings.append(finding)
    finally:
        built.con.close()
    return files, findings


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
    """The findings grouped per file, in Chinese with the rule id, then a total line."""
    lines: list[str] = []
    for f in files:
        lines.append(f"== {f.path}")
        if not f.readable:
            lines.append(f"   无法读取：{f.reason}")
            lines.append("")
            continue
        lines.append(f"   单位 {f.unit_name or '未识别'}，年度 {f.year or '未识别'}")
        mine = sorted((x for x in findings if x["submission_id"] == f.submission_id),
                      key=_sort_key)
        if not mine:
            lines.append("   通过全部核对，未发现问题。")
        for x in mine:
            tag = f"[{SEVERITY_ZH.get(x['severity'], x['severity'])}·{STATUS_ZH[x['status']]}]"
            who = "（可能是读取问题，请核对原文）" if x["responsibility"] == "extraction" else ""
            lines.append(f"   {tag} {x['rule_id']} {x['message_zh']}{who}")
        lines.append("")
    n_err = sum(1 for x in findings if x["severity"] == "error" and x["status"] == "fail")
    n_warn = sum(1 for x in findings if x["severity"] == "warning" and x["status"] == "fail")
    n_info = sum(1 for x in findings if x["severity"] == "info" and x["status"] == "fail")
    n_na = sum(1 for x in findings if x["status"] == "not_assessable")
    n_bad = sum(1 for f in files if not f.readable)
    lines.append(
        f"共 {len(files)} 个文件（{n_bad} 个无法读取）：错误 {n_err} 条，警告 {n_warn} 条，"
        f"提示 {n_info} 条，无法核对 {n_na} 条。"
    )
    return "\n".join(lines) + "\n"


def run(args) -> int:
    """Check the files and print the findings; returns the exit status (0, 1 or 2)."""
    if args.warehouse is not None and not Path(args.warehouse).is_file():
        sys.stderr.write(f"warehouse not found: {args.warehouse}\n")
        return 2
    from gongkai.units import RegistryError, registry_scope

    try:
        registry = registry_scope(args.registry)
    except RegistryError as exc:
        sys.stderr.write(f"gongkai check: {exc}\n")
        return 2
    with registry:
        files, findings = check_files(args.files, warehouse=args.warehouse,
                                      config_path=args.config)
    if args.json:
        json.dump(findings, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(files, findings))
    return exit_status(files, findings)
