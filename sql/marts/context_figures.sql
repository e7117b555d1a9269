-- context_figures: figures shown beside the league table but never ranked (disclosure rate,
-- correction rates of reviews and suits, applications), with their n/a and small-sample status.
-- grain: one row per unit-year with a current report, as of the last run.
-- The rows of v_context_figures with $run_id and $method_version (see rankings.sql).
create or replace table context_figures as
select * from stored_rows('v_context_figures', $run_id, $method_version)
order by report_year, unit_code;
