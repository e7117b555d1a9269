"""``gongkai synth``: generate realistic synthetic reports with truth files and a manifest."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from gongkai.commands.common import add_registry, registry_or_none
from gongkai.synth import LAYOUTS, TEXT_FORMATS, SynthOptions, generate
from gongkai.synth.generate import parse_years
from gongkai.synth.office import OFFICE_FORMATS, OFFICE_LAYOUTS, UNREADABLE_LAYOUTS

_DEFAULT_LAYOUTS = list(LAYOUTS) + [lay for lay in OFFICE_LAYOUTS if lay not in UNREADABLE_LAYOUTS]


def _rate(text: str) -> float | str:
    if text == "all":
        return "all"
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("--inject-errors takes a rate between 0 and 1, or 'all'")
    return value


def _list(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


HELP = "生成模拟年度报告（含答案和差错清单）/ generate synthetic annual reports (with truth files and an error manifest)"
# argparse reflows the description: its line breaks are for reading here
DESCRIPTION = """\
Generate realistic, internally consistent annual reports of township units in every layout
family, each with a truth file (NAME.json) and, with --inject-errors, a manifest of the errors
put in on purpose."""


def register(subparsers) -> None:
    """Add the ``synth`` subcommand."""
    p = subparsers.add_parser("synth", help=HELP, description=DESCRIPTION)
    p.add_argument("--units", default="all",
                   help="'all' or registry codes separated by commas (default: all)")
    p.add_argument("--years", default="2019-2024", help="e.g. 2019-2024 or 2021,2023")
    p.add_argument("--out", required=True, type=Path,
                   help="output folder; files go to OUT/<year>/<code>-<name>.<ext>")
    p.add_argument("--truth-dir", type=Path, default=None,
                   help="folder for truth files and manifest (default: beside the reports)")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same files)")
    p.add_argument("--layouts", type=_list, default=_DEFAULT_LAYOUTS,
                   help="layout families to use, comma-separated (default: every family of "
                        f"the chosen formats: {','.join(_DEFAULT_LAYOUTS)}; also "
                        f"{','.join(UNREADABLE_LAYOUTS)}, a scan without a text layer)")
    p.add_argument("--inject-errors", type=_rate, default=None, metavar="RATE|all",
                   help="share of reports with injected errors (0..1), or 'all' for every report")
    p.add_argument("--formats", type=_list, default=list(TEXT_FORMATS),
                   help=f"file formats (default: {','.join(TEXT_FORMATS)}; also "
                        f"{','.join(OFFICE_FORMATS)})")
    p.add_argument("--office", type=int, default=0, metavar="N",
                   help="file N units per year as Word, PDF and Excel (the office's form) in "
                        "turn, whatever --formats says (default: 0)")
    p.add_argument("--skip-existing", action="store_true",
                   help="keep reports already in OUT (their truth files must exist) and "
                        "continue the carry-overs from them")
    add_registry(p, "the unit registry CSV whose units are generated",
                 "; a unit gets reports only for the years it is valid")
    p.set_defaults(func=run)


def run(args) -> int:
    """Generate the reports and print a short summary."""
    scope = registry_or_none("synth", args.registry)
    if scope is None:
        return 2
    registry = scope.registry
    units = None if args.units == "all" else _list(args.units)
    opts = SynthOptions(out=args.out, years=parse_years(args.years), seed=args.seed,
                        units=units, layouts=args.layouts, inject=args.inject_errors,
                        formats=args.formats, truth_dir=args.truth_dir,
                        skip_existing=args.skip_existing, office=args.office,
                        registry=registry)
    try:
        reports = generate(opts)
    except (ValueError, NotImplementedError, KeyError, FileNotFoundError) as exc:
        print(f"gongkai synth: {exc}")
        return 2
    by_year = Counter(r.year for r in reports)
    by_layout = Counter(r.layout for r in reports)
    rules = Counter(i["rule_id"] for r in reports for i in r.injected)
    print(f"{len(reports)} reports written to {args.out}")
    print("per year:   " + ", ".join(f"{y}: {n}" for y, n in sorted(by_year.items())))
    print("per layout: " + ", ".join(f"{k}: {n}" for k, n in sorted(by_layout.items())))
    with_errors = sum(1 for r in reports if r.injected)
    print(f"injected:   {sum(rules.values())} errors in {with_errors} reports"
          + ("" if not rules else " — " + ", ".join(f"{k} {n}" for k, n in sorted(rules.items()))))
    unexpected = [r for r in reports if r.unexpected]
    for r in unexpected:
        print(f"warning: clean report {r.path} breaks {', '.join(r.unexpected)}")
    return 1 if unexpected else 0
