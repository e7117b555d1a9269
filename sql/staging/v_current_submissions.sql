-- v_current_submissions: the submissions that count.
-- grain: one row per current loaded submission, i.e. per unit-year (a submission whose unit or
--   year is unknown has its own row).
-- The latest loaded version of each unit-year; superseded versions and rejected files are
-- left out (they stay in `submissions`).
create or replace view v_current_submissions as
with

submissions_loaded as (
    select * from submissions
    where status = 'loaded'
),

final as (
    select * from submissions_loaded
    where is_current
)

select * from final
order by report_year nulls last, unit_code nulls last, submission_id;
