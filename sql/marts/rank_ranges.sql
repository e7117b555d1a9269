-- rank_ranges: each report's best and worst rank among its peers when the weights move by the
-- [sensitivity] of ranking.toml.
-- grain: one row per unit-year with a score, as of the last run.
-- The rows of v_rank_ranges with $run_id and $method_version (see rankings.sql).
create or replace table rank_ranges as
select * from stored_rows('v_rank_ranges', $run_id, $method_version)
order by report_year, unit_code;
