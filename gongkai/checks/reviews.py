"""Reviews: an analyst confirms or dismisses a finding, with a reason, in a file the runs read.

The office keeps its decisions in ``data/reviews.toml`` (under version control; written by
``gongkai review confirm|dismiss`` or by hand), one ``[[review]]`` per finding::

    [[review]]
    key = "T3-BALANCE:430181002:2023:1a2b3c4d5e6f"
    decision = "dismissed"
    reason = "差额为上年结转口径不同，已电话核实，不影响结论"
    by = "王芳"
    at = 2025-02-03T02:15:00Z
    place = "9f8e7d6c5b4a"
    sha256 = "…"                 # the file the finding was reviewed on
    message = "表三“总计”列不平衡：…"  # the finding as it read, for the record

**Keys.** A finding's key is ``rule:unit:year:fingerprint``, the fingerprint a hash of the
finding's cells with their values, its expected and actual values and its status
(``sql/intermediate/finding_keys.sql``, written by ``key_findings`` after every check run).
A rerun that finds the same thing gives the same key, so a review applies again; the wording
of the message is not part of it. Its *place* hashes the rule, unit, year and the cells'
names only: a finding in the same place with another key is the same check with other
values, and the review of the old values is **stale** — it no longer applies and the analyst
decides again. A review whose place has no finding any more is **orphaned** (the error was
fixed, or the report is gone). A review on a finding that a resubmitted file left unchanged
applies, marked ``carried``. The states are computed in the warehouse
(``v_finding_reviews``) and by ``match`` here, for ``gongkai review list``.

A dismissed finding leaves the scores and the digest's list of what to fix
(``v_rank_findings``) but stays in ``findings_current`` with the decision, reason and name,
and in the city report's appendix.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from gongkai.decisions import Checker, read_entries, write_entries
from gongkai.warehouse.rows import insert_rows, renamed
from gongkai.warehouse.sqlfiles import run_step

TABLE = "review"
DECISIONS = ("confirmed", "dismissed")
STATES = ("applied", "stale", "orphaned")
FIELDS = ("key", "decision", "reason", "by", "at", "place", "sha256", "message")
KEY = re.compile(r"^(?P<rule>[A-Z0-9][A-Z0-9-]*):(?P<unit>[^:\s]+):(?P<year>\d{4}):"
                 r"(?P<fingerprint>[0-9a-f]{12})$")
HEADER = """\
Reviews of findings: an analyst confirms or dismisses a finding, with a reason.
Written by `gongkai review confirm|dismiss KEY --reason …` (or by hand); every run reads it.
A review applies while the finding's cells and values are as they were when it was made;
`gongkai review list` shows the findings, their keys, and the reviews that no longer apply.
See docs/operations.md ("Reviews")."""


@dataclass(frozen=True)
class Review:
    """One decision about one finding."""

    key: str
    decision: str
    reason: str
    by: str
    at: dt.datetime | None = None
    place: str | None = None
    sha256: str | None = None
    message: str | None = None

    @property
    def rule_id(self) -> str:
        """The rule of the finding (from the key)."""
        return KEY.match(self.key).group("rule")

    @property
    def unit_code(self) -> str:
        """The unit of the finding (from the key)."""
        return KEY.match(self.key).group("unit")

    @property
    def report_year(self) -> int:
        """The report year of the finding (from the key)."""
        return int(KEY.match(self.key).group("year"))


def key_findings(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Write the key and place of every finding of a run (after its rules ran)."""
    run_step(con, "finding_keys", {"run_id": run_id})


# ---------------------------------------------------------------------------------------------
# the file
# ---------------------------------------------------------------------------------------------

def read_reviews(path: str | Path) -> list[Review]:
    """The reviews of a file (none when it does not exist), validated: a bad entry raises
    ``gongkai.decisions.DecisionFileError`` listing every problem of the file."""
    entries = read_entries(path, TABLE)
    check = Checker(path, FIELDS)
    out: list[Review] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(entries, start=1):
        if not isinstance(raw, dict):
            check.add(n, "", "not a table")
            continue
        check.unknown_fields(n, raw)
        key = check.text(n, raw, "key")
        if key is not None and not KEY.match(key):
            check.add(n, "key", f"{key!r} is not a finding key (RULE:UNIT:YEAR:fingerprint, as "
                                "`gongkai review list` shows it)")
            key = None
        elif key is not None and key in seen:
            check.add(n, "key", f"the finding is reviewed twice (entry {seen[key]} too)")
        decision = check.text(n, raw, "decision")
        if decision is not None and decision not in DECISIONS:
            check.add(n, "decision", f"{decision!r}: write confirmed or dismissed")
            decision = None
        reason = check.text(n, raw, "reason")
        by = check.text(n, raw, "by", max_chars=100)
        at = check.when(n, raw)
        place = check.text(n, raw, "place", required=False, max_chars=64)
        sha256 = check.text(n, raw, "sha256", required=False, max_chars=64)
        if sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", sha256):
            check.add(n, "sha256", "not a sha256 (64 hexadecimal digits)")
        message = check.text(n, raw, "message", required=False, max_chars=4000)
        if None in (key, decision, reason, by):
            continue
        seen.setdefault(key, n)
        out.append(Review(key, decision, reason, by, at, place, sha256, message))
    check.raise_if_any()
    return out


def write_reviews(path: str | Path, reviews: list[Review]) -> None:
    """Write the reviews file, ordered by unit, year, rule and key."""
    write_entries(path, TABLE, HEADER, [asdict(r) for r in reviews],
                  order=lambda r: (Review(**r).unit_code, Review(**r).report_year,
                                   Review(**r).rule_id, r["key"]))


# ---------------------------------------------------------------------------------------------
# the warehouse
# ---------------------------------------------------------------------------------------------

# Review's fields as the columns of finding_reviews (the other fields have the column's name)
_COLUMNS = {"key": "finding_key", "place": "finding_place", "by": "reviewed_by",
            "at": "reviewed_at", "message": "message_zh"}


def store_reviews(con: duckdb.DuckDBPyConnection, reviews: list[Review],
                  run_id: str | None) -> int:
    """Replace ``finding_reviews`` with the reviews of the file; returns how many."""
    con.execute("delete from finding_reviews")
    insert_rows(con, "finding_reviews",
                [{**renamed(asdict(r), _COLUMNS), "rule_id": r.rule_id, "unit_code": r.unit_code,
                  "report_year": r.report_year} for r in reviews],
                run_id=run_id)
    return len(reviews)


@dataclass(frozen=True)
class CurrentFinding:
    """A finding of the latest check run on a current report, as a review command sees it."""

    key: str
    place: str | None
    rule_id: str
    severity: str
    status: str
    responsibility: str | None
    unit_code: str | None
    report_year: int | None
    message: str
    file_path: str
    sha256: str


def current_findings(con: duckdb.DuckDBPyConnection) -> list[CurrentFinding]:
    """The findings of ``findings_current`` with their keys, ordered by unit, year, rule."""
    rows = con.execute("""
        select f.finding_key, f.finding_place, f.rule_id, f.severity, f.status,
               f.responsibility, f.unit_code, f.report_year, f.message_zh, s.file_path,
               s.sha256
        from findings_current as f
        inner join submissions as s on s.submission_id = f.submission_id
        where f.finding_key is not null
        order by f.unit_code, f.report_year, f.rule_id, f.finding_key
    """).fetchall()
    return [CurrentFinding(*r) for r in rows]


@dataclass(frozen=True)
class Matched:
    """A review as it stands against the findings: its state and the finding it concerns."""

    review: Review
    state: str  # applied / stale / orphaned
    carried: bool  # applied to a finding on another file than the one reviewed
    finding: CurrentFinding | None  # the finding of the key (applied) or of the place (stale)


def match(reviews: list[Review], findings: list[CurrentFinding]) -> list[Matched]:
    """Each review's state against the current findings (as ``v_finding_reviews`` computes
    it in the warehouse)."""
    by_key = {f.key: f for f in reversed(findings)}
    by_place = {f.place: f for f in reversed(findings) if f.place}
    out = []
    for r in reviews:
        if r.key in by_key:
            f = by_key[r.key]
            out.append(Matched(r, "applied", r.sha256 is not None and f.sha256 != r.sha256, f))
        elif r.place and r.place in by_place:
            out.append(Matched(r, "stale", False, by_place[r.place]))
        else:
            out.append(Matched(r, "orphaned", False, None))
    return out


def decide(reviews: list[Review], finding: CurrentFinding, decision: str, reason: str,
           by: str, *, current_keys: frozenset[str] = frozenset(),
           at: dt.datetime | None = None) -> list[Review]:
    """The reviews with the decision about a finding added, replacing any on its key and the
    stale ones of its place (reviews there whose key is not in ``current_keys``): the new
    decision is about the values as they are now."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}")
    if not reason.strip():
        raise ValueError("a review needs a reason")
    made = Review(finding.key, decision, reason.strip(), by.strip(),
                  (at or dt.datetime.now(dt.UTC)).replace(tzinfo=None, microsecond=0),
                  finding.place, finding.sha256, finding.message)
    kept = [r for r in reviews if r.key != finding.key and not (
        finding.place and r.place == finding.place and r.key not in current_keys)]
    return [*kept, made]


def without(reviews: list[Review], key: str) -> list[Review]:
    """The reviews without the one of ``key``."""
    return [r for r in reviews if r.key != key]

