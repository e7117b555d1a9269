"""Notifications as files: what is new since the previous completed run, ready to send.

After a run publishes its warehouse, ``write_notifications`` lists by township

- the files newly **rejected** (unreadable, not a report, a failed download): rejected
  submissions the run saw that no completed run before it had recorded;
- the new **error findings** the township has to fix: failing error-severity findings of the
  run, of the township's own making (responsibility ``source``: our reading doubts are the
  office's to settle) and not dismissed by an analyst, whose key (rule, unit, year, cells
  and values: ``gongkai.checks.reviews``) the previous completed run did not have,

and writes them as ``<out>/notifications/<run date>-<run id>.csv`` (UTF-8 with BOM, so that
Excel opens it) and ``.md`` (a short text to paste into a message). "New" is measured against
the latest run with status ``completed`` that started before this one; with none, everything
is new. The run date is the run's start in UTC.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from gongkai.warehouse.schema import writer_memory

NOTIFICATIONS_DIR = "notifications"
CSV_COLUMNS = ("unit_code", "unit_name", "report_year", "kind", "file", "rule_id", "message",
               "finding_key")
KIND_REJECTED = "rejected_file"
KIND_ERROR = "error_finding"
NO_UNIT = "未识别单位"

_PREVIOUS_RUN = """
    select p.run_id, p.started_at
    from runs as p, runs as r
    where r.run_id = ? and p.status = 'completed' and p.run_id <> r.run_id
        and p.started_at < r.started_at
    order by p.started_at desc
    limit 1
"""

_UNIT_NAME = """
    coalesce(
        (select y.name from v_unit_years as y
         where y.unit_code = x.unit_code and y.report_year = x.report_year),
        (select u.name from units as u where u.unit_code = x.unit_code)
    )
"""

_REJECTED = f"""
    select x.unit_code, {_UNIT_NAME} as unit_name, x.report_year, x.file_path, x.reject_reason
    from submissions as x
    left join runs as first_run on first_run.run_id = x.first_run_id
    where x.status = 'rejected' and x.last_run_id = $run_id
        and ($previous_started is null
             or coalesce(first_run.started_at, $previous_started) > $previous_started)
    order by x.unit_code nulls last, x.report_year, x.file_path
"""

_NEW_ERRORS = """
    select x.unit_code, x.unit_name, x.report_year, s.file_path, x.rule_id,
           x.message_zh, x.finding_key
    from findings_current as x
    inner join submissions as s on s.submission_id = x.submission_id
    where x.run_id = $run_id and x.severity = 'error' and x.status = 'fail'
        and x.responsibility = 'source' and x.review_decision is distinct from 'dismissed'
        and not exists (
            select 1 from findings as p
            where p.run_id = $previous_run and p.rule_id = x.rule_id
                and (p.finding_key = x.finding_key
                     -- a run older than the keys: the same rule, unit-year, cells and values
                     or (p.finding_key is null
                         and p.unit_code is not distinct from x.unit_code
                         and p.report_year is not distinct from x.report_year
                         and p.cells is not distinct from x.cells
                         and p.expected is not distinct from x.expected
                         and p.actual is not distinct from x.actual))
        )
    order by x.unit_code nulls last, x.report_year, x.rule_id, x.finding_key
"""


@dataclass
class Notifications:
    """What a run has new to tell the townships, against the previous completed run."""

    run_id: str
    run_date: str
    previous_run: str | None
    previous_date: str | None
    rows: list[dict] = field(default_factory=list)  # CSV_COLUMNS

    @property
    def n_rejected(self) -> int:
        """Newly rejected files."""
        return sum(1 for r in self.rows if r["kind"] == KIND_REJECTED)

    @property
    def n_errors(self) -> int:
        """New error findings."""
        return sum(1 for r in self.rows if r["kind"] == KIND_ERROR)

    @property
    def stem(self) -> str:
        """The files' name without extension: ``<run date>-<run id>``."""
        return f"{self.run_date}-{self.run_id}"


def collect(con: duckdb.DuckDBPyConnection, run_id: str) -> Notifications:
    """The new rejected files and new error findings of a run, in a warehouse."""
    started = con.execute("select started_at from runs where run_id = ?", [run_id]).fetchall()
    if not started:
        raise ValueError(f"no run {run_id} in the warehouse")
    run_date = started[0][0].date().isoformat() if started[0][0] else "undated"
    prev = con.execute(_PREVIOUS_RUN, [run_id]).fetchall()
    previous_run, previous_started = prev[0] if prev else (None, None)
    out = Notifications(run_id, run_date, previous_run,
                        previous_started.date().isoformat() if previous_started else None)
    for unit, name, year, path, reason in con.execute(
            _REJECTED, {"run_id": run_id, "previous_started": previous_started}).fetchall():
        out.rows.append({"unit_code": unit, "unit_name": name, "report_year": year,
                         "kind": KIND_REJECTED, "file": path, "rule_id": None,
                         "message": reason, "finding_key": None})
    for unit, name, year, path, rule, message, key in con.execute(
            _NEW_ERRORS, {"run_id": run_id, "previous_run": previous_run}).fetchall():
        out.rows.append({"unit_code": unit, "unit_name": name, "report_year": year,
                         "kind": KIND_ERROR, "file": path, "rule_id": rule,
                         "message": message, "finding_key": key})
    out.rows.sort(key=lambda r: (r["unit_code"] is None, r["unit_code"] or "",
                                 r["report_year"] or 0, r["kind"] != KIND_REJECTED,
                                 r["rule_id"] or "", r["file"] or "", r["finding_key"] or ""))
    return out


def to_csv(n: Notifications) -> str:
    """The notifications as CSV text (one row per file or finding)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in n.rows:
        writer.writerow(["" if r[c] is None else r[c] for c in CSV_COLUMNS])
    return buf.getvalue()


def to_markdown(n: Notifications) -> str:
    """The notifications as a short Markdown text, one section per township."""
    since = (f"与上次完成的运行（{n.previous_date}，{n.previous_run}）相比" if n.previous_run
             else "此前没有完成的运行，以下均为新情况")
    lines = [f"# 通知清单 {n.run_date}（运行 {n.run_id}）", ""]
    if not n.rows:
        lines.append(f"{since}：没有新拒收的文件，也没有新发现的错误。")
        return "\n".join(lines) + "\n"
    units = {r["unit_code"] for r in n.rows}
    lines.append(f"{since}：新拒收文件{n.n_rejected}个，新发现错误{n.n_errors}条，"
                 f"涉及{len(units)}个单位。")
    current = object()
    for r in n.rows:
        if r["unit_code"] != current:
            current = r["unit_code"]
            title = (f"{r['unit_name'] or r['unit_code']}（{r['unit_code']}）" if r["unit_code"]
                     else NO_UNIT)
            lines += ["", f"## {title}", ""]
        year = f"{r['report_year']}年" if r["report_year"] else ""
        if r["kind"] == KIND_REJECTED:
            lines.append(f"- {year}文件 {_md(r['file'])} 未能读取：{_md(r['message'])}")
        else:
            lines.append(f"- {year}[{r['rule_id']}] {_md(r['message'])}")
    return "\n".join(lines) + "\n"


def _md(text: str | None) -> str:
    """Submission text in Markdown: one line, markup characters escaped."""
    out = " ".join(str(text or "").split())
    for ch in "\\`*_[]<>|#":
        out = out.replace(ch, "\\" + ch)
    return out


def write_notifications(warehouse: str | Path, out_dir: str | Path,
                        run_id: str) -> tuple[Notifications, Path, Path]:
    """Write a run's notifications from the published warehouse (opened read-only) into
    ``<out_dir>/notifications/``; returns them and the CSV and Markdown paths."""
    # in the run's process, after the checks: within the writer's budget
    con = duckdb.connect(str(warehouse), read_only=True,
                         config={"memory_limit": writer_memory()})
    try:
        n = collect(con, run_id)
    finally:
        con.close()
    folder = Path(out_dir) / NOTIFICATIONS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = folder / f"{n.stem}.csv", folder / f"{n.stem}.md"
    csv_path.write_text(to_csv(n), encoding="utf-8-sig")
    md_path.write_text(to_markdown(n), encoding="utf-8")
    return n, csv_path, md_path
