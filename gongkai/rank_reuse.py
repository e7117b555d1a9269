"""Scoring again only what changed: the materialise stage keeps the stored scores of the cities
and counties whose reports and findings did not change since the last run.

Each materialise stage stores a fingerprint of every unit-year of the league table
(``rank_fingerprints``: its row of ``v_rank_unit_years``, what the checks read of its report,
its findings) and the basis it scored on (the method, the ranking SQL and code, the registry,
the reviews). The next stage, on the same basis, scores again the peer groups of each city or
county and year where a fingerprint changed, and of the year after there
(sql/intermediate/rank_scope.sql), reading the year before as history; every other stored row
is kept. Ranks only compare units of one city, so the tables are those of a stage that scores
everything (tests/test_rank_reuse.py compares them).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from gongkai.warehouse.sqlfiles import basis_digest, run_step

# a scope holding more than this share of the unit-years is scored whole
_SCOPE_AT_MOST = 0.5
# the steps whose SQL the scores depend on
_STEPS = ("ranking_inputs", "ranking_scores", "materialise", "rank_fingerprints", "rank_scope")
# the order of the league table's rows within a year: display_order of
# sql/intermediate/v_rankings.sql, given again to the kept and new rows together
_DISPLAY_ORDER = ("row_number() over (partition by report_year order by city nulls last, "
                  "peer_group_order, score desc nulls last, unit_code)")


def basis(con: duckdb.DuckDBPyConnection, method_fingerprint: str) -> str:
    """A hash of what the scores depend on besides the reports and findings: the method
    (the fingerprint of its TOML files), the ranking SQL, this code, the registry and the
    reviews. Stored rows of a stage with another basis are never kept."""
    here = Path(__file__).parent
    return basis_digest(
        con, _STEPS, ("units", "unit_periods", "unit_changes", "finding_reviews"),
        method_fingerprint.encode(),
        *((here / name).read_bytes()
          for name in ("rank_reuse.py", "rankings.py", "rank_ranges.py")))


def fingerprint(con: duckdb.DuckDBPyConnection) -> None:
    """The fingerprints of the unit-years as they stand (``rank_fingerprints_now``), on a
    connection with the ranking views loaded."""
    run_step(con, "rank_fingerprints")


def reusable_run(con: duckdb.DuckDBPyConnection, run_basis: str) -> str | None:
    """The run whose stored rows may be kept: the last materialise stage, on this basis."""
    rows = con.execute("select distinct run_id, basis from rank_fingerprints").fetchall()
    if len(rows) != 1 or rows[0][1] != run_basis:
        return None
    return rows[0][0]


def narrow(con: duckdb.DuckDBPyConnection, previous: str) -> bool:
    """Make the scope of a stage keeping the rows of ``previous``: v_rank_unit_years then
    holds the scope and its year before only. False (nothing narrowed) when the scope is
    over half the unit-years."""
    run_step(con, "rank_scope", {"previous_run": previous})
    in_scope, total = con.execute(
        "select (select count(*) from rank_unit_years_scoped where in_scope), "
        "(select count(*) from rank_fingerprints_now)").fetchone()
    return in_scope <= _SCOPE_AT_MOST * total


def merge(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Point ``v_<table>`` (computed for the scope and its year before) at the stored rows
    of ``table`` outside the scope and its own rows inside it; the league table's
    display order is given again to both."""
    # identifiers from the manifest's file names (gongkai.rankings.stored_scores)
    con.execute(
        f"create or replace temp table rank_new_{table} as "
        f"select n.* from v_{table} as n "
        "inner join rank_fingerprints_now as f "
        "on f.unit_code = n.unit_code and f.report_year = n.report_year "
        "semi join rank_scope as s on s.area = f.area and s.report_year = f.report_year")
    rows = (
        f"select o.* exclude (run_id, method_version) from {table} as o "
        "inner join rank_fingerprints_now as f "
        "on f.unit_code = o.unit_code and f.report_year = o.report_year "
        "anti join rank_scope as s on s.area = f.area and s.report_year = f.report_year "
        f"union all by name select * from rank_new_{table}")
    if table == "rankings":
        rows = f"select * replace ({_DISPLAY_ORDER} as display_order) from ({rows})"
    con.execute(f"create or replace temp view v_{table} as {rows}")


def keep(con: duckdb.DuckDBPyConnection, run_id: str, run_basis: str) -> None:
    """Store this stage's fingerprints and basis for the next one (its rows only)."""
    con.execute("delete from rank_fingerprints")
    con.execute("insert into rank_fingerprints select ?, unit_code, report_year, area, "
                "fingerprint, ? from rank_fingerprints_now", [run_id, run_basis])
