-- context_figures: figures shown beside the league table but never ranked (disclosure rate,
-- correction rates of reviews and suits, applications), with their n/a and small-sample status.
-- grain: one row per unit-year with a current report, as of the last run.
-- Parameters: $run_id, $method_version (see 10_rankings.sql).
create or replace table context_figures as
select
    $run_id as run_id,
    $method_version as method_version,
    c.*,
from v_context_figures as c
order by c.report_year, c.unit_code
