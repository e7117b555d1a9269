"""``gongkai units``: the unit registry — start one, list, check and compare it, and list the
units whose report is missing.

    gongkai units init data/units/liuyang.csv     # a copy of the bundled registry to edit
    gongkai units list [--year Y] [--csv]
    gongkai units check [FILE] [--json]           # exit 1 when the file has errors
    gongkai units diff OLD.csv NEW.csv [--json]
    gongkai units missing --year Y [--warehouse W] [--csv]

Every subcommand reads ``--registry FILE`` (default: ``GONGKAI_REGISTRY``, else the bundled
Liuyang registry). Exit status: 0 done, 1 the registry has errors, 2 wrong arguments or a
file that cannot be used.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

from gongkai.commands.common import add_listing, add_registry, add_warehouse, group_parser

HELP = "单位名录：初始化、列出、核对、比较、未报送 / the unit registry: init, list, check, diff, missing reports"
# argparse reflows the description: its line breaks are for reading here
DESCRIPTION = """\
单位名录：各乡镇、街道及其有效年份、更名、合并与拆分（CSV，见 docs/registry.md）。 —— The unit registry (a CSV of the
township-level units with their periods, renames, merges and splits; see docs/registry.md)."""


def register(sub) -> None:
    """Add the ``units`` subcommand and its own subcommands."""
    p, cmds = group_parser(sub, "units", HELP, DESCRIPTION)


    q = cmds.add_parser("init", help="write a copy of the bundled registry to edit",
                        description="Write the bundled Liuyang registry to FILE, the office's "
                                    "own copy to edit (e.g. data/units/liuyang.csv).")
    q.add_argument("file", metavar="FILE", type=Path)
    q.add_argument("--force", action="store_true", help="overwrite an existing file")
    q.set_defaults(func=run_init)

    q = cmds.add_parser("list", help="the units (valid in a year), as a table or CSV",
                        description="List the units of the registry: every unit as its latest "
                                    "row, or the units valid in --year with that year's name.")
    add_registry(q, "the registry CSV")
    q.add_argument("--year", type=int, default=None, help="only units valid in this year")
    add_listing(q, "csv")
    q.set_defaults(func=run_list)

    q = cmds.add_parser("check", help="validate a registry file (exit 1 on errors)",
                        description="Validate a registry file: every problem with its line and "
                                    "column, in Chinese and English. Exit 0 when it has no "
                                    "error (warnings are printed), 1 when it has errors.")
    q.add_argument("file", nargs="?", default=None, metavar="FILE",
                   help="the registry file (default: --registry, $GONGKAI_REGISTRY or bundled)")
    add_registry(q, "the registry CSV")
    add_listing(q, "json", "print the problems as JSON")
    q.set_defaults(func=run_check)

    q = cmds.add_parser("diff", help="what changed between two registry files",
                        description="Compare two registry files: units added, removed, renamed, "
                                    "merged and split, and other edits.")
    q.add_argument("old", metavar="A.csv")
    q.add_argument("new", metavar="B.csv")
    add_listing(q, "json", "print the differences as JSON")
    q.set_defaults(func=run_diff)

    q = cmds.add_parser("missing", help="units with no current report for a year (未报送)",
                        description="List the units valid in a year that have no current "
                                    "report in the warehouse (未报送; 无法读取 when every file "
                                    "received was rejected), with the deadline of "
                                    "gongkai/data/checks.toml.")
    add_registry(q, "the registry CSV")
    q.add_argument("--year", type=int, required=True, help="the report year")
    add_warehouse(q)
    q.add_argument("--config", metavar="TOML", default=None,
                   help="check settings with the deadlines (default: gongkai/data/checks.toml)")
    q.add_argument("--as-of", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                   help="the date overdue days are counted to (default: today)")
    add_listing(q, "csv")
    q.set_defaults(func=run_missing)


def _print_problems(problems) -> None:
    for problem in problems:
        print(problem.text(), file=sys.stderr)


def _registry(path: str | None):
    """The registry of --registry (or the default); None after printing its problems."""
    from gongkai.units import read_registry, registry_path

    registry, problems = read_registry(path or registry_path())
    _print_problems(problems)
    return registry


def _table(headers: list[str], rows: list[list]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(*headers, box=box.SIMPLE_HEAD, pad_edge=False)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    Console(width=None if sys.stdout.isatty() else 200).print(table)


def _csv(headers: list[str], rows: list[list]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)


def run_init(args) -> int:
    """Write the bundled registry to a file of the office's own."""
    from gongkai.units.load import bundled_text

    if args.file.exists() and not args.force:
        print(f"gongkai units init: {args.file} exists (use --force to overwrite)",
              file=sys.stderr)
        return 2
    args.file.parent.mkdir(parents=True, exist_ok=True)
    args.file.write_text(bundled_text(), encoding="utf-8")
    print(f"wrote {args.file}: edit it, check it with `gongkai units check {args.file}`, and "
          f"use it with --registry {args.file} (or GONGKAI_REGISTRY={args.file})")
    return 0


def run_list(args) -> int:
    """Print the units of the registry."""
    registry = _registry(args.registry)
    if registry is None:
        return 1
    units = registry.current(args.year)
    headers = ["code", "name", "type", "peer_group", "city", "valid_from", "valid_to",
               "successor"]
    rows = [[u.code, u.name, u.type, u.peer_group, u.city, u.valid_from, u.valid_to,
             ";".join(u.successors)] for u in units]
    if args.csv:
        _csv(headers, rows)
        return 0
    _table(["代码 code", "名称 name", "类型 type", "组别 group", "市县 city", "起 from", "止 to",
            "承继 successor"], rows)
    label = f"valid in {args.year}" if args.year else "each code once, as its latest row"
    print(f"{len(units)} units ({label})")
    return 0


def run_check(args) -> int:
    """Validate a registry file; 0 without errors, 1 with errors."""
    from gongkai.units import read_registry, registry_path

    path = args.file or args.registry or registry_path()
    registry, problems = read_registry(path)
    errors = [p for p in problems if p.severity == "error"]
    if args.json:
        json.dump([p.to_json() for p in problems], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 1 if errors else 0
    for problem in problems:
        print(problem.text())
    name = Path(path).name if path else "the bundled registry (liuyang.csv)"
    warnings = len(problems) - len(errors)
    if registry is None:
        print(f"{name}: {len(errors)} 个错误 errors, {warnings} 个提醒 warnings — not usable")
        return 1
    print(f"{name}: {len(registry.units)} units, {len(registry.periods)} rows, "
          f"{len(registry.changes)} changes; 0 errors, {warnings} warnings")
    return 0


def run_diff(args) -> int:
    """Print the differences between two registry files."""
    from gongkai.units import read_registry
    from gongkai.units.diff import diff_registries, diff_text

    loaded = []
    for path in (args.old, args.new):
        registry, problems = read_registry(path)
        if registry is None:
            _print_problems(problems)
            print(f"gongkai units diff: {Path(path).name} has errors", file=sys.stderr)
            return 1
        loaded.append(registry)
    d = diff_registries(*loaded)
    if args.json:
        json.dump(d.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(diff_text(d, Path(args.old).name, Path(args.new).name))
    return 0


def run_missing(args) -> int:
    """Print the units without a current report for the year."""
    from gongkai.units.missing import missing_reports

    registry = _registry(args.registry)
    if registry is None:
        return 1
    if not Path(args.warehouse).is_file():
        print(f"gongkai units missing: the warehouse {args.warehouse} does not exist "
              "(build it with gongkai run)", file=sys.stderr)
        return 2
    rows = missing_reports(registry, args.warehouse, args.year, config_path=args.config,
                           as_of=args.as_of)
    headers = ["unit_code", "unit_name", "unit_type", "city", "status", "deadline",
               "days_overdue", "rejected_files"]
    table = [[m.unit.code, m.unit.name, m.unit.type, m.unit.city, m.status,
              m.deadline.isoformat(), m.days_overdue, m.rejected_files] for m in rows]
    if args.csv:
        _csv(headers, table)
        return 0
    valid = len(registry.current(args.year))
    if not rows:
        print(f"{args.year}: 全部 {valid} 个单位均已报送 every unit valid in {args.year} "
              "has a current report")
        return 0
    _table(["代码 code", "名称 name", "类型 type", "市县 city", "状态 status",
            "截止 deadline", "逾期天数 overdue", "被拒文件 rejected"], table)
    print(f"{args.year}: {len(rows)} of {valid} units have no current report")
    return 0
