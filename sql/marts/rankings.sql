-- rankings: the league table, stored once per run by the materialise stage.
-- grain: one row per unit × report year of the registry (units without a readable report
--   included, has_report false), as of the last run.
-- The rows of v_rankings (sql/intermediate/, with the method of gongkai/data/metrics.toml and
-- ranking.toml) stamped with $run_id and $method_version, so analysts and the renderer read
-- the league table from the published file without computing it again.
create or replace table rankings as
select * from stored_rows('v_rankings', $run_id, $method_version)
order by report_year, display_order, unit_code;
