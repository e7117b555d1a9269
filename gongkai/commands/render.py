"""``gongkai render``: re-render the reports from a published warehouse, without a run.

The warehouse is opened read-only (it is never written), so this can run while analysts
query it. The reports are written into the output folder; digests of units that no longer
have a report in a rendered year are removed (only ``out/<year>/digests/<unit code>.*``).

Exit status: 0 when the reports were written, 2 when the warehouse or the years are wrong,
1 when rendering failed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gongkai.commands.common import add_out, add_registry, add_warehouse, add_years, years_or_none

HELP = "由数据仓库重新生成全市报告、各单位简报和索引 / re-render the city report, digests and index from a warehouse"
# argparse reflows the description: its line breaks are for reading here
DESCRIPTION = """\
Render the city comparative report (HTML, DOCX, XLSX, Markdown, PDF), one digest per township
with a report (HTML, DOCX, PDF) and the index from a published warehouse, opened read-only.
Digests of units that no longer have a report in a rendered year are removed."""


def register(sub) -> None:
    """Add the ``render`` subcommand."""
    p = sub.add_parser("render", help=HELP, description=DESCRIPTION)
    add_warehouse(p, "the published warehouse file")
    add_out(p)
    add_years(p, "report years to render, e.g. 2024 or 2019-2024 (default: every year the "
                 "warehouse has)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="render processes (default: one per CPU, none for a small render)")
    p.add_argument("--no-pdf", action="store_true",
                   help="do not print the PDF copies (made by headless Chromium when it is "
                        "installed)")
    add_registry(p, "a unit registry CSV to compare with the units stored in the warehouse "
                    "(the reports use the stored ones; gongkai run --registry stores a new "
                    "registry)", default_note=False)
    p.set_defaults(func=run)


def run(args) -> int:
    """Render the reports; returns the exit status (0, 1 or 2)."""
    ok, years = years_or_none("render", args.years)
    if not ok:
        return 2
    if args.workers is not None and args.workers < 1:
        print("gongkai render: --workers must be at least 1", file=sys.stderr)
        return 2
    warehouse = Path(args.warehouse)
    if not warehouse.is_file():
        print(f"gongkai render: the warehouse {warehouse} does not exist "
              "(build it with gongkai run)", file=sys.stderr)
        return 2

    if args.registry is not None:
        from gongkai.units import RegistryError, load_registry
        from gongkai.units.tables import stored_units_differ

        try:
            differ = stored_units_differ(load_registry(args.registry), warehouse)
        except RegistryError as exc:
            print(f"gongkai render: {exc}", file=sys.stderr)
            return 2
        if differ:
            print(f"gongkai render: {len(differ)} units of {Path(args.registry).name} differ "
                  f"from those stored in {warehouse} (e.g. {', '.join(differ[:5])}); the "
                  "reports use the stored units — `gongkai run --registry "
                  f"{args.registry}` stores this registry", file=sys.stderr)

    from gongkai.render import render

    try:
        done = render(warehouse, args.out, years, workers=args.workers, pdf=not args.no_pdf)
    except Exception as exc:
        print(f"gongkai render failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out)
    if not done.years:
        print(f"gongkai render: no reports for {args.years or 'any year'} in {warehouse}; "
              f"only {out / 'index.html'} was written", file=sys.stderr)
    label = (f"{done.years[0]}–{done.years[-1]}" if len(done.years) > 1
             else str(done.years[0]) if done.years else "no year")
    print(f"gongkai render: {len(done.files)} files for {label} in {out}/, "
          f"{len(done.written)} written ({done.seconds:.1f} s)"
          + (f"; unchanged: {', '.join(map(str, done.unchanged_years))}"
             if done.unchanged_years else "")
          + (f"; removed {len(done.removed)} stale digests" if done.removed else ""))
    return 0
