-- int_previous_year_pairs: each checked submission with last year's report of its unit
-- (temp table; the cross-year rules evaluate it).
-- grain: one row per current submission that has a current submission of the same unit
-- for the previous year (the first by id, should there be two)
create or replace temp table int_previous_year_pairs as
with
submissions_checked as (
    select * from int_submissions_current
),

history as (
    select * from int_history_submissions
),

final as (
    select
        s.submission_id, s.unit_code, s.report_year, s.template,
        p.submission_id as prev_submission_id,
        p.report_year as prev_year,
        p.template as prev_template
    from submissions_checked as s
    inner join history as p
        on p.unit_code = s.unit_code
        and p.report_year = s.report_year - 1
    qualify row_number() over (
        partition by s.submission_id order by p.submission_id
    ) = 1
)

select * from final;
