-- indicator_scores: every indicator of the metric dictionary for every ranked report.
-- grain: one row per unit-year with a current report × indicator, as of the last run.
-- The rows of v_indicator_scores with $run_id and $method_version (see rankings.sql).
create or replace table indicator_scores as
select * from stored_rows('v_indicator_scores', $run_id, $method_version)
order by report_year, unit_code, metric_order;
