-- v_rankings, v_indicator_scores, v_context_figures: the league table, the indicator scores and
--   the context figures as the materialise stage stored them (sql/marts/), in place of the
--   temporary views of the same names that compute them (sql/intermediate/). (When the
--   method is the one in force, gongkai.rankings.connect has pointed them there already.)
-- grain: as the stored tables (rankings: registry unit × report year; indicator_scores:
--   unit-year with a report × indicator; context_figures: unit-year with a report).
-- Loaded by gongkai.render.data.connect after gongkai.rankings.prepare, on a read-only
--   connection, when the stored tables were made with the method in force (same fingerprint):
--   the city views (v_city_*, v_dimension_scores) then read the stored rows, and the rank
--   ranges (1,025 weight scenarios) are not computed again for the reports.
create or replace temp view v_rankings as
select * exclude (run_id, method_version)
from rankings;

create or replace temp view v_indicator_scores as
select * exclude (run_id, method_version)
from indicator_scores;

create or replace temp view v_context_figures as
select * exclude (run_id, method_version)
from context_figures;
