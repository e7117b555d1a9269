-- rankings: the league table as the flow's roll-up stage stores it, one statement per file.
-- grain: one row per unit × report year of the registry (units without a readable report
--   included, has_report false), as of the last run.
-- Reads v_rankings (a temporary view of sql/marts/ranking/ that gongkai.rankings.prepare loads
-- with the method of gongkai/data/{metrics,ranking}.toml), so analysts can query the league
-- table in the published file without the method files.
-- Parameters: $run_id (this run), $method_version (metrics/ranking versions and fingerprint).
create or replace table rankings as
select
    $run_id as run_id,
    $method_version as method_version,
    r.*,
from v_rankings as r
order by r.report_year, r.display_order, r.unit_code
