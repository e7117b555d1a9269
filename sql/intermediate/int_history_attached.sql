-- History for `gongkai check FILE… --warehouse WAREHOUSE`: the files being checked plus the
-- current submissions of the warehouse attached read-only as `hist`, so that the
-- cross-year rules (T3-CARRY, T2-CHAIN-*, Q-YOY) find last year's report and R-COPY
-- compares with the other units. A unit-year present in the checked files hides the
-- warehouse's copy of it. Loaded after int_history.sql, replacing its three views.

-- grain: one row per current submission, checked files first
create or replace temp view int_history_submissions as
with
checked as (
    select submission_id, unit_code, report_year, template
    from int_submissions_current
),

warehouse_current as (
    select
        submission_id,
        unit_code,
        report_year,
        coalesce(
            template,
            case when report_year <= 2020 then 'v2019' else 'v2021' end
        ) as template
    from hist.submissions
    where is_current and status <> 'rejected'
),

warehouse_only as (
    select w.*
    from warehouse_current as w
    anti join checked as c
        on c.unit_code = w.unit_code
        and c.report_year = w.report_year
),

final as (
    select * from checked
    union all
    select * from warehouse_only
)

select * from final;

-- grain: one row per history submission × cell code
create or replace temp view int_history_cells as
select submission_id, cell_code, value, cell_status from int_cells_current
union all
select c.submission_id, c.cell_code, c.value, c.status
from hist.cells as c
semi join int_history_submissions as h on h.submission_id = c.submission_id
anti join int_submissions_current as s on s.submission_id = c.submission_id;

-- grain: one row per history submission × section
create or replace temp view int_history_narratives as
select submission_id, section_code, text from int_narratives_current
union all
select n.submission_id, n.section_code, n.text
from hist.narratives as n
semi join int_history_submissions as h on h.submission_id = n.submission_id
anti join int_submissions_current as s on s.submission_id = n.submission_id;
