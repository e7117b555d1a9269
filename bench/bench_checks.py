"""Time every consistency rule (sql/checks/) over the demo data and over a bulk corpus.

1. demo: the bundled reports (data/raw, 192 files) read and loaded into an in-memory
   warehouse, then ``run_checks`` timed (best of ``--repeat`` runs, per rule and in total;
   the total includes building the shared check tables);
2. bulk: ``--reports`` (default 40,000) reports generated directly as warehouse rows inside
   DuckDB (units × years 2019–2024, every cell of the template, six narrative sections with
   unit-specific prose, a few errors and copied texts), then the same timing.

Run: ``.venv/bin/python bench/bench_checks.py [--reports 40000] [--repeat 3] [--skip-demo]``.
"""

from __future__ import annotations

import argparse
import time

import duckdb

from gongkai import warehouse as wh
from gongkai.checks import run_checks
from gongkai.checks.config import template_grid
from gongkai.paths import RAW_DIR
from gongkai.pipeline import build_warehouse

YEARS = (2019, 2020, 2021, 2022, 2023, 2024)

# bulk rows, all inside DuckDB; setseed makes the corpus the same on every run
BULK_SQL = """
select setseed(0.42);

create or replace temp table bench_grid as
select * from (values {grid}) as g (template, cell_code, table_code, row_code, col_code,
                                     row_ord, col_ord);

insert into units
select
    printf('9%08d', u) as unit_code,
    printf('第%d镇', u) as name,
    null, '镇', '乡镇', printf('城市%d', u // 30), 2015, null, null, null
from range(?) as t (u);

insert into submissions (submission_id, file_path, file_name, sha256, unit_code, report_year,
                         unit_name_printed, text_unit_code, text_year, template,
                         published_date, status, is_current)
select
    printf('s%08d-%d', u, y) as submission_id,
    'bench', 'bench', 'bench',
    printf('9%08d', u), y, printf('第%d镇', u), printf('9%08d', u), y,
    case when y <= 2020 then 'v2019' else 'v2021' end,
    make_date(y + 1, 1, 1) + (hash(u, y) % 40)::integer,  -- a few are late
    'loaded', true
from range(?) as t (u), unnest([2019, 2020, 2021, 2022, 2023, 2024]) as years (y)
where u * 6 + (y - 2019) < ?;

insert into cells (submission_id, unit_code, report_year, cell_code, table_code, row_code,
                   col_code, value, raw_text, location, status)
select
    s.submission_id, s.unit_code, s.report_year, g.cell_code, g.table_code, g.row_code,
    g.col_code,
    -- all 0 (most townships), with about one cell in 2,000 printed wrong or left blank
    case when random() < 0.0002 then null when random() < 0.0005 then 1 else 0 end as value,
    '0', 'line ' || g.row_ord, 'value'
from submissions as s
inner join bench_grid as g on g.template = s.template;

update cells set status = 'blank', raw_text = '/' where value is null;

-- prose: each unit writes from its own stock of characters; some copy last year's text
insert into narratives
select
    s.submission_id, s.unit_code, s.report_year, sec.code, sec.no,
    case
        when sec.code in ('s2', 's3', 's4') then ''
        when sec.code = 's6' then '无'
        else (
            select string_agg(chr(19968 + ((hash(s.unit_code, sec.code,
                case when hash(s.unit_code) % 50 = 0 then 0 else s.report_year end, i)
                % 3000))::integer), '')
            from range(case when sec.code = 's1' then 400 else 80 end) as chars (i)
        )
    end
from submissions as s,
    (values ('s1', 1), ('s2', 2), ('s3', 3), ('s4', 4), ('s5', 5), ('s6', 6)) as sec (code, no);
"""


def demo_warehouse() -> duckdb.DuckDBPyConnection:
    """The bundled demo reports read and loaded into an in-memory warehouse."""
    return build_warehouse(RAW_DIR, check=False).con


def bulk_warehouse(n_reports: int) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse of ``n_reports`` generated unit-years (rows made in DuckDB)."""
    con = duckdb.connect()
    wh.create_schema(con)
    grid = ", ".join(
        "(" + ", ".join(repr(v) if isinstance(v, str) else str(v) for v in row) + ")"
        for row in template_grid()
    )
    n_units = -(-n_reports // len(YEARS))
    statements = [s.strip() for s in BULK_SQL.format(grid=grid).split(";\n") if s.strip()]
    for statement in statements:
        params = {0: [], 1: [n_units], 2: [n_units, n_reports]}[statement.count("?")]
        con.execute(statement, params)
    return con


def time_checks(con, repeat: int) -> tuple[float, list[dict]]:
    """Best wall time of ``run_checks`` over ``repeat`` runs, with that run's summary."""
    best, best_summary = None, []
    for i in range(repeat):
        started = time.perf_counter()
        summary = run_checks(con, f"bench-{i}")
        elapsed = time.perf_counter() - started
        if best is None or elapsed < best:
            best, best_summary = elapsed, summary
    return best, best_summary


def report(title: str, con, repeat: int) -> None:
    """Print the timing of every rule over one warehouse."""
    n_sub, n_cells = con.execute(
        "select (select count(*) from submissions), (select count(*) from cells)").fetchone()
    elapsed, summary = time_checks(con, repeat)
    n_findings = con.execute(
        "select count(*) from findings where run_id = ?", ["bench-0"]).fetchone()[0]
    print(f"## {title}: {n_sub:,} reports, {n_cells:,} cells, {n_findings:,} findings")
    rules_s = sum(row["duration_ms"] for row in summary) / 1000
    print(f"all {len(summary)} rules: {elapsed:.2f} s (best of {repeat}); "
          f"shared tables and bookkeeping {elapsed - rules_s:.2f} s")
    for row in sorted(summary, key=lambda r: -r["duration_ms"])[:8]:
        print(f"  {row['rule_id']:<18} {row['duration_ms']:>9.1f} ms  {row['status']}")
    broken = [row["rule_id"] for row in summary if row["status"] == "error"]
    if broken:
        print("  broken:", ", ".join(broken))


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    if not args.skip_demo:
        report("demo (data/raw)", demo_warehouse(), args.repeat)
    started = time.perf_counter()
    con = bulk_warehouse(args.reports)
    print(f"(bulk rows generated in {time.perf_counter() - started:.1f} s)")
    report(f"bulk ({args.reports:,} generated reports)", con, args.repeat)


if __name__ == "__main__":
    main()
