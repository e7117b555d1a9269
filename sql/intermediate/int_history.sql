-- History seen by the cross-year rules and R-COPY: the checked warehouse itself. `gongkai
-- check --warehouse FILE` replaces these three views (sql/intermediate/int_history_attached.sql)
-- to add the current submissions of an attached warehouse.

-- grain: one row per current submission that history rules may compare with
create or replace temp view int_history_submissions as
select submission_id, unit_code, report_year, template
from int_submissions_current;

-- grain: one row per history submission × cell code
create or replace temp view int_history_cells as
select submission_id, cell_code, value, cell_status
from int_cells_current;

-- grain: one row per history submission × section
create or replace temp view int_history_narratives as
select submission_id, section_code, text
from int_narratives_current;
