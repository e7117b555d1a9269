"""``gongkai template``: hand out the office's Excel form, or list the template's cell codes."""

from __future__ import annotations

import sys
from pathlib import Path

from gongkai import template as tpl

HELP = "生成 Excel 填报表或列出单元格代码 / write the office's Excel form (--xlsx FILE) or list the cell codes"
# argparse reflows the description: its line breaks are for reading here
DESCRIPTION = """\
Write the office's own Excel form for townships to fill in (one sheet per table plus 封面 and
正文; see docs/xlsx-form.md), or, without --xlsx, list every cell code of the template with its
place in the form."""


def register(sub) -> None:
    """Add the ``template`` subcommand."""
    p = sub.add_parser("template", help=HELP, description=DESCRIPTION)
    p.add_argument("--xlsx", type=Path, default=None, metavar="FILE",
                   help="write the empty form to FILE (.xlsx)")
    p.add_argument("--version", dest="template_version", choices=tpl.VERSIONS, default=None,
                   help="template version: v2019 (report years 2019–2020) or v2021 (from 2021); "
                        "default: the version in force for --year, else v2021")
    p.add_argument("--unit", default=None, help="pre-fill the unit name on the cover sheet")
    p.add_argument("--year", type=int, default=None, help="pre-fill the report year")
    p.set_defaults(func=run)


def run(args) -> int:
    """Write the form, or print the cell codes; exit 0 (2 when the file cannot be written)."""
    from gongkai.xlsx_form import value_cells, write_form

    version = args.template_version or tpl.version_for_year(args.year) or "v2021"
    if args.xlsx is None:
        for code, place in value_cells(version).items():
            sys.stdout.write(f"{code}\t{place}\n")
        return 0
    data = write_form(version, unit_name=args.unit, year=args.year)
    try:
        args.xlsx.parent.mkdir(parents=True, exist_ok=True)
        args.xlsx.write_bytes(data)
    except OSError as exc:
        sys.stderr.write(f"gongkai template: cannot write {args.xlsx}: {exc}\n")
        return 2
    sys.stdout.write(f"{args.xlsx}: 报送表 ({version}), {len(value_cells(version))} value cells\n")
    return 0
