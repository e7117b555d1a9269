-- indicator_scores: every indicator of the metric dictionary for every ranked report.
-- grain: one row per unit-year with a current report × indicator, as of the last run.
-- Parameters: $run_id, $method_version (see 10_rankings.sql).
create or replace table indicator_scores as
select
    $run_id as run_id,
    $method_version as method_version,
    s.*,
from v_indicator_scores as s
order by s.report_year, s.unit_code, s.metric_order
