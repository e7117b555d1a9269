"""Reading corrections: where our reading of a file was wrong, the office corrects a cell.

The office keeps its corrections in ``data/corrections.toml`` (under version control), one
``[[correction]]`` per cell, made against one file (its sha256)::

    [[correction]]
    unit_code = "430181002"
    report_year = 2023
    cell = "t3.new.total"
    value = 18                  # a number, or "blank"
    printed = "18"              # the text printed in the file at that cell (see below)
    sha256 = "…"                # the file the correction was made against
    reason = "PDF 第3页表三：“18”被读成“13”"
    by = "王芳"
    at = 2025-02-03

``apply_corrections`` runs in the load stage, after the submissions are loaded and the
current versions settled: it first puts back every cell an earlier run corrected (the
reading is kept in ``cell_corrections``), then applies the file again, so removing a
correction from the file restores the reading. A corrected cell has ``provenance =
'corrected'``; the checks then judge the corrected value.

**A correction never changes what a township published.** It applies only where our reading
was in doubt — the cell was unreadable, not seen, or placed by inference — or where the
analyst states the text printed in the file (``printed``), which must denote the corrected
value and differ from what the reader found. A cell read with confidence stays as read
without ``printed`` (``refused``), and a ``printed`` equal to the text read is refused too: the
file says what we read, so a wrong number there is the township's and stays a finding that
goes back to it. ``printed`` corrects a cell read with confidence only in a PDF, whose text
is taken from a page layout (digits can be split, run together or lost); in a text, HTML,
Word or Excel file a cell read with confidence *is* the file's text, so it is refused there. **A total** (the 总计 row or column of table 三, the 总计 column of table
四: the cells the sum rules check as a whole) is corrected only with its printed text
stated, even when it was unreadable: a total is never filled in from its parts, and a
correction of it names on record what the file prints. Every correction, applied or not, is
listed with who made it and why (``cell_corrections``, ``gongkai correction list``, the city
report's appendix; docs/operations.md).

**A correction whose file changed** (the current report of the unit-year has another sha256:
a resubmission) is ``stale``: not applied, listed for the analyst to check the new file. One
whose unit-year has no current report is ``orphaned``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from gongkai import template as tpl
from gongkai.decisions import Checker, read_entries, write_entries
from gongkai.read.values import clean, parse_value, to_wan_yuan
from gongkai.template import split_code
from gongkai.warehouse.rows import insert_rows, renamed

TABLE = "correction"
FIELDS = ("unit_code", "report_year", "cell", "value", "printed", "sha256", "reason", "by",
          "at")
STATES = ("applied", "stale", "orphaned", "refused", "not_needed")
BLANK = "blank"
DOUBTFUL_STATUSES = ("unreadable", "unseen")
# formats whose text we extract from a page layout, where characters can be misread (digits
# split or run together, a glyph without its text); in every other format a cell read with
# confidence is the file's own text, so what it prints is what was read
PRINTED_FORMATS = ("pdf",)
HEADER = """\
Reading corrections: where our reading of a file was wrong, the office's correction of a cell.
Written by `gongkai correction add …` (or by hand); every run applies it at load. A correction
applies only to the file it names (sha256), and only where the reading was in doubt or where
`printed` states the text the file prints; it never changes what a township published.
See docs/operations.md ("Corrections")."""


@dataclass(frozen=True)
class Correction:
    """One correction of one cell of one file."""

    unit_code: str
    report_year: int
    cell: str
    value: float | None  # None: the cell is blank
    sha256: str
    reason: str
    by: str
    printed: str | None = None
    at: dt.datetime | None = None


def is_total(cell_code: str) -> bool:
    """True for a cell the sum rules check as a whole: the 总计 row or column of table 三,
    the 总计 column of table 四."""
    _, row, col = split_code(cell_code)
    return row == "total" or col == "total"


def read_corrections(path: str | Path) -> list[Correction]:
    """The corrections of a file (none when it does not exist), validated: a bad entry
    raises ``gongkai.decisions.DecisionFileError`` listing every problem of the file."""
    entries = read_entries(path, TABLE)
    check = Checker(path, FIELDS)
    codes = set(tpl.all_codes())
    out: list[Correction] = []
    seen: dict[tuple, int] = {}
    for n, raw in enumerate(entries, start=1):
        if not isinstance(raw, dict):
            check.add(n, "", "not a table")
            continue
        check.unknown_fields(n, raw)
        unit = check.text(n, raw, "unit_code", max_chars=40)
        year = check.year(n, raw)
        cell = check.text(n, raw, "cell", max_chars=80)
        if cell is not None and cell not in codes:
            check.add(n, "cell", f"{cell!r} is not a cell code of the template (e.g. t3.new.total)")
            cell = None
        value, ok = _value(check, n, raw)
        sha256 = check.text(n, raw, "sha256", max_chars=64)
        if sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", sha256):
            check.add(n, "sha256", "not a sha256 (64 hexadecimal digits; `gongkai correction "
                                   "add` fills it in)")
            sha256 = None
        printed = check.text(n, raw, "printed", required=False, max_chars=100)
        reason = check.text(n, raw, "reason")
        by = check.text(n, raw, "by", max_chars=100)
        at = check.when(n, raw)
        if None in (unit, year, cell, sha256, reason, by) or not ok:
            continue
        key = (unit, year, cell, sha256)
        if key in seen:
            check.add(n, "cell", f"the cell is corrected twice for this file (entry {seen[key]})")
            continue
        seen[key] = n
        out.append(Correction(unit, year, cell, value, sha256, reason, by, printed, at))
    check.raise_if_any()
    return out


def write_corrections(path: str | Path, corrections: list[Correction]) -> None:
    """Write the corrections file, ordered by unit, year, cell and file."""
    def entry(c: Correction) -> dict:
        value: float | int | str = BLANK if c.value is None else c.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return {"unit_code": c.unit_code, "report_year": c.report_year, "cell": c.cell,
                "value": value, "printed": c.printed, "sha256": c.sha256, "reason": c.reason,
                "by": c.by, "at": c.at}

    write_entries(path, TABLE, HEADER, [entry(c) for c in corrections],
                  order=lambda e: (e["unit_code"], e["report_year"], e["cell"], e["sha256"]))


def _value(check: Checker, n: int, raw: dict) -> tuple[float | None, bool]:
    value = raw.get("value")
    if value is None:
        check.add(n, "value", f'missing (a number, or "{BLANK}")')
        return None, False
    if value == BLANK:
        return None, True
    if isinstance(value, bool) or not isinstance(value, int | float):
        check.add(n, "value", f'{value!r}: write a number, or "{BLANK}"')
        return None, False
    if value < 0:
        check.add(n, "value", "a count or amount is not negative")
        return None, False
    return float(value), True


# ---------------------------------------------------------------------------------------------
# applying them
# ---------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What became of one correction in a run."""

    correction: Correction
    state: str
    why: str
    submission_id: str | None = None
    read: tuple | None = None  # (value, status, raw_text, confidence) of the cell as read


def _printed_number(text: str, cell_code: str) -> tuple[float | None, bool]:
    """The value a printed text denotes: (number or None for a blank, True) or (None, False)
    when it is not a number or a blank."""
    v = parse_value(text)
    if v.status == "blank":
        return None, True
    if v.status != "value":
        return None, False
    number = to_wan_yuan(v) if tpl.get("v2021").is_money(cell_code) else v.number
    return (None if number is None else float(number)), number is not None


def _same(a: str | None, b: str | None) -> bool:
    """Two texts of a cell alike once width, spaces and punctuation widths are set aside."""
    return re.sub(r"\s+", "", clean(a or "")) == re.sub(r"\s+", "", clean(b or ""))


def _fmt(value: float | None) -> str:
    return "空白" if value is None else f"{value:g}"


def judge(c: Correction, current: tuple[str, str, str] | None, cell: tuple | None) -> Outcome:
    """Whether a correction applies to the cell of the unit-year's current report.

    ``current`` is (submission id, sha256, format) of that report (None: none); ``cell`` its
    row (value, status, raw_text, confidence; None: the report's template has no such cell).
    """
    if current is None:
        return Outcome(c, "orphaned", "该单位该年度没有可用的报告")
    sid, sha256, fmt = current
    if sha256 != c.sha256:
        return Outcome(c, "stale", f"报告文件已更换（更正针对 {c.sha256[:8]}，现为 "
                                   f"{sha256[:8]}）：请核对新文件后重新登记", sid)
    if cell is None:
        return Outcome(c, "refused", f"该报告的模板没有单元格 {c.cell}", sid)
    value, status, raw_text, confidence = cell
    read = (value, status, raw_text, confidence)
    if c.printed is not None:
        number, ok = _printed_number(c.printed, c.cell)
        if not ok or number != c.value:
            return Outcome(c, "refused", f"所述印刷文字“{c.printed}”不是更正值"
                                         f"{_fmt(c.value)}", sid, read)
    as_read = None if status != "value" else value
    if status in ("value", "blank") and as_read == c.value and confidence != "inferred":
        return Outcome(c, "not_needed", "读取结果已与更正值一致", sid, read)
    doubtful = status in DOUBTFUL_STATUSES or confidence == "inferred"
    if c.printed is None and is_total(c.cell):
        return Outcome(c, "refused", "合计（总计）单元格只有注明文件所印文字（printed）才能更正，"
                                     "不能由分项推算", sid, read)
    if c.printed is None and not doubtful:
        return Outcome(c, "refused", f"该单元格已确定读为“{raw_text}”：更正须注明文件所印文字"
                                     "（printed）", sid, read)
    if c.printed is not None and not doubtful and _same(c.printed, raw_text):
        return Outcome(c, "refused", f"文件所印即为读取的“{raw_text}”：这是报送单位公布的数值，"
                                     "不作更正，问题退回报送单位", sid, read)
    if c.printed is not None and not doubtful and fmt not in PRINTED_FORMATS:
        return Outcome(c, "refused", f"该文件（{fmt}）的文字即原文，已确定读为“{raw_text}”："
                                     "这是报送单位公布的数值，不作更正，问题退回报送单位",
                       sid, read)
    return Outcome(c, "applied", "已更正" + ("（依所印文字）" if c.printed is not None
                                          else "（原读取存疑）"), sid, read)


def _target(con: duckdb.DuckDBPyConnection, c: Correction) -> tuple[tuple | None, tuple | None]:
    """The current report of the correction's unit-year (submission id, sha256, format) and
    its cell as read (value, status, raw_text, confidence): a cell an earlier run corrected
    is taken as it was read (``cell_corrections``)."""
    current = con.execute(
        "select submission_id, sha256, format from submissions where status = 'loaded' "
        "and is_current and unit_code = ? and report_year = ? order by submission_id "
        "limit 1", [c.unit_code, c.report_year]).fetchall()
    if not current:
        return None, None
    cell = con.execute("""
        select
            if(c.provenance = 'corrected', k.read_value, c.value),
            if(c.provenance = 'corrected', k.read_status, c.status),
            if(c.provenance = 'corrected', k.read_raw_text, c.raw_text),
            c.confidence
        from cells as c
        left join cell_corrections as k
            on k.state = 'applied' and k.submission_id = c.submission_id
            and k.cell_code = c.cell_code
        where c.submission_id = ? and c.cell_code = ?
    """, [current[0][0], c.cell]).fetchall()
    return current[0], (cell[0] if cell else None)


def prospect(con: duckdb.DuckDBPyConnection, c: Correction) -> Outcome:
    """What the next run would do with a correction, judged on a warehouse (read-only is
    enough): for ``gongkai correction add`` before the correction is written."""
    return judge(c, *_target(con, c))


def revert(con: duckdb.DuckDBPyConnection) -> int:
    """Put back every cell an earlier run corrected, as it was read; returns how many."""
    return int(con.execute("""
        update cells as c
        set value = k.read_value, status = k.read_status, raw_text = k.read_raw_text,
            provenance = 'read'
        from cell_corrections as k
        where k.state = 'applied' and c.submission_id = k.submission_id
            and c.cell_code = k.cell_code and c.provenance = 'corrected'
    """).fetchall()[0][0])


def apply_corrections(con: duckdb.DuckDBPyConnection, corrections: list[Correction],
                      run_id: str | None) -> list[Outcome]:
    """Undo the corrections of the last run, apply these to the current reports, and record
    each one's outcome in ``cell_corrections``; returns the outcomes in file order."""
    con.execute("begin transaction")
    try:
        revert(con)
        con.execute("delete from cell_corrections")
        outcomes = []
        for c in corrections:
            outcome = judge(c, *_target(con, c))
            if outcome.state == "applied":
                con.execute(
                    "update cells set value = ?, status = ?, raw_text = coalesce(?, raw_text), "
                    "provenance = 'corrected' where submission_id = ? and cell_code = ?",
                    [c.value, "blank" if c.value is None else "value", c.printed,
                     outcome.submission_id, c.cell])
            outcomes.append(outcome)
        _record(con, outcomes, run_id)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return outcomes


# Correction's fields as the columns of cell_corrections (the others have the column's name),
# and the columns of the cell as it was read (Outcome.read)
_COLUMNS = {"cell": "cell_code", "by": "corrected_by", "at": "corrected_at"}
_READ = ("read_value", "read_status", "read_raw_text", "read_confidence")


def _record(con: duckdb.DuckDBPyConnection, outcomes: list[Outcome], run_id: str | None) -> None:
    insert_rows(con, "cell_corrections", [
        {**renamed(asdict(o.correction), _COLUMNS), "state": o.state, "state_reason": o.why,
         "submission_id": o.submission_id,
         **dict(zip(_READ, o.read or (None,) * len(_READ), strict=True))}
        for o in outcomes], run_id=run_id)
