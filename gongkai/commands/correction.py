"""``gongkai correction``: record where our reading of a file was wrong.

    gongkai correction list [--csv]
    gongkai correction add --unit CODE --year Y --cell CODE --value N|blank
                           [--printed TEXT] --reason TEXT [--by NAME]

``add`` takes the file (its sha256) from the unit-year's current report in the published
warehouse (``--warehouse``, read-only), judges the correction as the next run will, and
writes it to the corrections file (``--corrections``, default ``data/corrections.toml``) only
when it would apply: a reading in doubt, or the printed text stated. ``list`` shows every
correction of the file with what the latest run did with it. Exit status: 0 done, 1 the
correction would not apply (nothing written), 2 wrong arguments or a file that cannot be
used.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from gongkai.commands.common import add_listing, decision_group

STATE_WORDS = {"applied": "已更正", "stale": "文件已更换", "orphaned": "无对应报告",
               "refused": "不予更正", "not_needed": "无需更正", "pending": "待下次运行"}


HELP = "更正本系统对报告单元格的误读 / reading corrections of cells (data/corrections.toml)"
# argparse reflows the description: its line breaks are for reading here
DESCRIPTION = """\
Reading corrections: where our reading of a file was wrong, the office corrects a cell, against
that file (sha256), in a TOML file under version control that every run applies at load. A
correction never changes what a township published. See docs/operations.md."""


def register(sub) -> None:
    """Add the ``correction`` subcommand and its own subcommands."""
    cmds, common = decision_group(sub, "correction", "corrections", HELP, DESCRIPTION)

    q = cmds.add_parser("list", help="the corrections and what the latest run did with them",
                        description="List the corrections of the file with their state in the "
                                    "latest run (applied, stale, orphaned, refused, not_needed, "
                                    "or pending when no run has read it yet) and why.")
    common(q)
    add_listing(q, "csv")
    q.set_defaults(func=run_list)

    q = cmds.add_parser("add", help="correct one cell of a unit-year's current report",
                        description="Correct one cell of the current report of a unit and "
                                    "year. Written only when the next run would apply it.")
    q.add_argument("--unit", required=True, metavar="CODE", help="the unit code")
    q.add_argument("--year", required=True, type=int, help="the report year")
    q.add_argument("--cell", required=True, metavar="CODE", help="the cell, e.g. t3.new.total")
    q.add_argument("--value", required=True, metavar="N|blank",
                   help="the value the file gives (a number, or blank)")
    q.add_argument("--printed", default=None, metavar="TEXT",
                   help="the text printed in the file at that cell (needed where the reading "
                        "was not in doubt, and for a total)")
    q.add_argument("--reason", required=True, help="why (kept with the correction)")
    q.add_argument("--by", default=None, metavar="NAME",
                   help="who corrects (default: $GONGKAI_ANALYST)")
    common(q)
    q.set_defaults(func=run_add)


def _fail(message: str, status: int = 2) -> int:
    print(f"gongkai correction: {message}", file=sys.stderr)
    return status


def _connect(path: str):
    import duckdb

    if not Path(path).is_file():
        return None
    con = duckdb.connect(str(path), read_only=True)
    if not con.execute("select count(*) from duckdb_tables() where table_name = "
                       "'cell_corrections'").fetchone()[0]:
        con.close()
        return None
    return con


def run_list(args) -> int:
    """Print the corrections of the file with what the latest run did with them."""
    from gongkai.commands.units import _csv, _table
    from gongkai.decisions import DecisionFileError
    from gongkai.warehouse.corrections import read_corrections

    try:
        corrections = read_corrections(args.corrections)
    except DecisionFileError as exc:
        return _fail(str(exc))
    con = _connect(args.warehouse)
    done: dict[tuple, tuple] = {}
    if con is not None:
        try:
            for unit, year, cell, sha, value, printed, state, why in con.execute(
                    "select unit_code, report_year, cell_code, sha256, value, printed, state, "
                    "state_reason from cell_corrections").fetchall():
                done[(unit, year, cell, sha, value, printed)] = (state, why)
        finally:
            con.close()
    headers = ["unit_code", "report_year", "cell", "value", "printed", "sha256", "state",
               "state_reason", "reason", "by"]
    rows = []
    for c in corrections:
        state, why = done.get((c.unit_code, c.report_year, c.cell, c.sha256, c.value,
                               c.printed), ("pending", ""))
        rows.append([c.unit_code, c.report_year, c.cell, "blank" if c.value is None
                     else f"{c.value:g}", c.printed or "", c.sha256[:12], state, why, c.reason,
                     c.by])
    if args.csv:
        _csv(headers, rows)
        return 0
    _table(["代码", "年度", "单元格 cell", "更正值", "所印 printed", "文件 sha256", "状态 state",
            "说明", "理由", "更正人"],
           [[*r[:6], STATE_WORDS.get(r[6], r[6]) + f" {r[6]}", *r[7:]] for r in rows])
    print(f"{len(rows)} corrections in {Path(args.corrections).name}")
    return 0


def run_add(args) -> int:
    """Judge a correction against the warehouse and write it when it would apply."""
    from gongkai.decisions import DecisionFileError
    from gongkai.template import all_codes
    from gongkai.warehouse.corrections import (
        BLANK,
        Correction,
        prospect,
        read_corrections,
        write_corrections,
    )

    by = (args.by or os.environ.get("GONGKAI_ANALYST", "")).strip()
    if not by:
        return _fail("say who corrects: --by NAME (or set GONGKAI_ANALYST)")
    if args.cell not in set(all_codes()):
        return _fail(f"{args.cell!r} is not a cell code of the template (e.g. t3.new.total)")
    try:
        value = None if args.value.strip().lower() == BLANK else float(args.value)
    except ValueError:
        return _fail(f"--value {args.value!r}: a number, or blank")
    if value is not None and value < 0:
        return _fail("--value: a count or amount is not negative")
    try:
        corrections = read_corrections(args.corrections)
    except DecisionFileError as exc:
        return _fail(str(exc))
    con = _connect(args.warehouse)
    if con is None:
        return _fail(f"the warehouse {args.warehouse} does not exist or was published by an "
                     "older gongkai (run `gongkai run` once)")
    try:
        sha = con.execute(
            "select sha256 from submissions where status = 'loaded' and is_current "
            "and unit_code = ? and report_year = ? order by submission_id limit 1",
            [args.unit, args.year]).fetchall()
        if not sha:
            return _fail(f"no current report of {args.unit} for {args.year} in the warehouse", 1)
        c = Correction(args.unit, args.year, args.cell, value, sha[0][0], args.reason.strip(),
                       by, args.printed.strip() if args.printed else None,
                       dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0))
        outcome = prospect(con, c)
    finally:
        con.close()
    if outcome.state not in ("applied", "not_needed"):
        return _fail(f"not written: {outcome.state}: {outcome.why}", 1)
    kept = [k for k in corrections if (k.unit_code, k.report_year, k.cell, k.sha256)
            != (c.unit_code, c.report_year, c.cell, c.sha256)]
    write_corrections(args.corrections, [*kept, c])
    print(f"{args.corrections}: {c.unit_code} {c.report_year} {c.cell} = "
          f"{'blank' if value is None else f'{value:g}'} against {c.sha256[:12]} "
          f"({outcome.state}: {outcome.why}); the next run applies it")
    return 0
