-- dimension_scores: the score of each dimension (合规性, 一致性, 质量) of every ranked report.
-- grain: one row per unit-year with a current report × dimension with an assessed metric, as
--   of the last run.
-- The rows of v_dimension_scores with $run_id and $method_version (see rankings.sql).
create or replace table dimension_scores as
select * from stored_rows('v_dimension_scores', $run_id, $method_version)
order by report_year, unit_code, dimension;
