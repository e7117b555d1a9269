-- stored_rows: a relation's rows stamped with the run that stores them and the ranking
-- method's version, for the stored mart tables (sql/marts/rankings.sql and its siblings).
-- grain: that of the relation named. The name is one of the mart files' own constants.
create or replace temp macro stored_rows(p_relation, p_run_id, p_method_version) as table
select
    p_run_id as run_id,
    p_method_version as method_version,
    *,
from query_table(p_relation);
