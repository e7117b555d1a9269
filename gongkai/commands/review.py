"""``gongkai review``: confirm or dismiss a finding, with a reason, in the office's reviews file.

    gongkai review list [--year Y] [--unit CODE] [--rule ID] [--all] [--csv]
    gongkai review confirm KEY --reason TEXT [--by NAME]
    gongkai review dismiss KEY --reason TEXT [--by NAME]
    gongkai review remove KEY

The findings and their keys come from the published warehouse (``--warehouse``, read-only);
the decisions go to the reviews file (``--reviews``, default ``data/reviews.toml``), which the
next run reads. ``list`` also shows the reviews of the file that no longer apply: stale (the
finding's values changed) and orphaned (the finding is gone). Exit status: 0 done, 1 the
key names no current finding, 2 wrong arguments or a file that cannot be used.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gongkai.commands.common import add_listing, decision_group

ANALYST_ENV = "GONGKAI_ANALYST"
STATE_WORDS = {"applied": "有效", "stale": "已过时", "orphaned": "无对应问题"}
DECISION_WORDS = {"confirmed": "确认", "dismissed": "不予采纳"}

HELP = "确认或不予采纳检查发现的问题，并写明理由 / confirm or dismiss findings, with a reason (data/reviews.toml)"
# argparse reflows the description: its line breaks are for reading here
DESCRIPTION = """\
Reviews of findings: an analyst confirms or dismisses a finding with a reason; the decisions
are kept in a TOML file under version control that every run reads. A dismissed finding leaves
the score and the digest's list but stays in the warehouse and the city report's appendix. See
docs/operations.md."""


def register(sub) -> None:
    """Add the ``review`` subcommand and its own subcommands."""
    cmds, common = decision_group(sub, "review", "reviews", HELP, DESCRIPTION)

    q = cmds.add_parser("list", help="findings with their keys and reviews; reviews that "
                                     "no longer apply",
                        description="List the failing findings of the latest run with their "
                                    "keys and the review of each, then the reviews of the file "
                                    "that no longer apply (stale, orphaned).")
    common(q)
    q.add_argument("--year", type=int, default=None, help="one report year")
    q.add_argument("--unit", default=None, metavar="CODE", help="one unit code")
    q.add_argument("--rule", default=None, metavar="ID", help="one rule, e.g. T3-BALANCE")
    q.add_argument("--all", action="store_true",
                   help="every finding, also those that could not be assessed")
    add_listing(q, "csv")
    q.set_defaults(func=run_list)

    for decision, verb in (("confirmed", "confirm"), ("dismissed", "dismiss")):
        q = cmds.add_parser(verb, help=f"record that a finding is {decision}",
                            description=f"Record in the reviews file that the finding KEY is "
                                        f"{decision}, with a reason and who decided. It applies "
                                        "from the next run, while the finding's cells and "
                                        "values stay as they are.")
        q.add_argument("key", metavar="KEY", help="the finding's key (gongkai review list)")
        q.add_argument("--reason", required=True, help="why (kept with the decision)")
        q.add_argument("--by", default=None, metavar="NAME",
                       help=f"who decided (default: ${ANALYST_ENV})")
        common(q)
        q.set_defaults(func=run_decide, decision=decision)

    q = cmds.add_parser("remove", help="remove a review from the file",
                        description="Remove the review of KEY from the reviews file (e.g. an "
                                    "orphaned one).")
    q.add_argument("key", metavar="KEY")
    common(q)
    q.set_defaults(func=run_remove)


def _fail(message: str, status: int = 2) -> int:
    print(f"gongkai review: {message}", file=sys.stderr)
    return status


def _load(args):
    """(reviews of the file, current findings, unit names by code and year), or an exit
    status after printing why."""
    import duckdb

    from gongkai.checks.reviews import current_findings, read_reviews
    from gongkai.decisions import DecisionFileError

    try:
        reviews = read_reviews(args.reviews)
    except DecisionFileError as exc:
        return _fail(str(exc))
    if not Path(args.warehouse).is_file():
        return _fail(f"the warehouse {args.warehouse} does not exist (build it with gongkai run)")
    con = duckdb.connect(str(args.warehouse), read_only=True)
    try:
        if not con.execute("select count(*) from duckdb_columns() where table_name = "
                           "'findings_current' and column_name = 'finding_key'").fetchone()[0]:
            return _fail(f"{Path(args.warehouse).name} was published by an older gongkai: run "
                         "`gongkai run` once to bring it up to date")
        findings = current_findings(con)
        names = {(code, year): name for code, year, name in con.execute(
            "select unit_code, report_year, name from v_unit_years").fetchall()}
    finally:
        con.close()
    return reviews, findings, names


def run_list(args) -> int:
    """Print the findings with their keys and reviews, then the reviews that do not apply."""
    from gongkai.checks.reviews import match
    from gongkai.commands.units import _csv, _table

    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    reviews, findings, names = loaded
    matched = match(reviews, findings)
    by_key = {m.finding.key: m for m in matched if m.state == "applied"}
    shown = [f for f in findings
             if (args.all or f.status == "fail")
             and (args.year is None or f.report_year == args.year)
             and (args.unit is None or f.unit_code == args.unit)
             and (args.rule is None or f.rule_id == args.rule)]
    headers = ["key", "unit_code", "unit_name", "report_year", "rule_id", "severity", "status",
               "review", "message"]
    rows = []
    for f in shown:
        m = by_key.get(f.key)
        review = ""
        if m is not None:
            review = DECISION_WORDS[m.review.decision] + f"（{m.review.by}）"
            review += "·沿用到新文件" if m.carried else ""
        rows.append([f.key, f.unit_code, names.get((f.unit_code, f.report_year), ""),
                     f.report_year, f.rule_id, f.severity, f.status, review, f.message])
    lapsed = [m for m in matched if m.state != "applied"]
    if args.csv:
        _csv(headers, rows)
        return 0
    _table(["键 key", "代码", "单位", "年度", "规则", "级别", "状态", "审核", "问题"],
           [[*r[:8], _short(r[8])] for r in rows])
    print(f"{len(rows)} findings; {len(reviews)} reviews in {Path(args.reviews).name}, "
          f"{len(matched) - len(lapsed)} applied")
    if lapsed:
        print("\nreviews that no longer apply (decide again, or `gongkai review remove KEY`):")
        _table(["键 key", "状态 state", "审核", "理由", "现在的问题 finding now"],
               [[m.review.key, STATE_WORDS[m.state] + f" {m.state}",
                 DECISION_WORDS[m.review.decision] + f"（{m.review.by}）", _short(m.review.reason),
                 f"{m.finding.key} {_short(m.finding.message)}" if m.finding else ""]
                for m in lapsed])
    return 0


def _short(text: str | None, n: int = 60) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def run_decide(args) -> int:
    """Record a confirmation or dismissal in the reviews file."""
    from gongkai.checks.reviews import decide, write_reviews

    by = (args.by or os.environ.get(ANALYST_ENV, "")).strip()
    if not by:
        return _fail(f"say who decided: --by NAME (or set {ANALYST_ENV})")
    if not args.reason.strip():
        return _fail("a review needs a reason (--reason)")
    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    reviews, findings, _ = loaded
    finding = next((f for f in findings if f.key == args.key), None)
    if finding is None:
        return _fail(f"no current finding has the key {args.key} (`gongkai review list` "
                     "shows the keys of the latest run)", 1)
    updated = decide(reviews, finding, args.decision, args.reason, by,
                     current_keys=frozenset(f.key for f in findings))
    write_reviews(args.reviews, updated)
    print(f"{args.reviews}: {finding.key} {args.decision} by {by} "
          f"({len(updated)} reviews); the next run applies it")
    return 0


def run_remove(args) -> int:
    """Remove a review from the file."""
    from gongkai.checks.reviews import read_reviews, without, write_reviews
    from gongkai.decisions import DecisionFileError

    try:
        reviews = read_reviews(args.reviews)
    except DecisionFileError as exc:
        return _fail(str(exc))
    kept = without(reviews, args.key)
    if len(kept) == len(reviews):
        return _fail(f"{Path(args.reviews).name} has no review of {args.key}", 1)
    write_reviews(args.reviews, kept)
    print(f"{args.reviews}: review of {args.key} removed ({len(kept)} reviews left)")
    return 0
