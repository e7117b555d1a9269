-- v_unit_status: the verdict of the latest check run on every unit-year.
-- grain: one row per unit_code × report_year with a finding or a current submission
-- accepted = no error-severity finding with status fail; the counts are what the township
-- has to fix (errors), look at (warnings) or could not be checked (not_assessable).
-- The findings are those of findings_current (the latest check run, v_latest_check_run)
-- that no analyst dismissed; n_dismissed counts the dismissed ones.
create or replace view v_unit_status as
with
latest_run as (
    select * from v_latest_check_run
),

current_submissions as (
    select submission_id, unit_code, report_year
    from v_current_submissions
),

run_findings as (
    select * from findings_current
    where review_decision is distinct from 'dismissed'
),

dismissed as (
    select submission_id, count(*) as n_dismissed
    from findings_current
    where review_decision = 'dismissed'
    group by submission_id
),

per_submission as (
    select
        submission_id,
        count(*) filter (where severity = 'error' and status = 'fail') as n_errors,
        count(*) filter (where severity = 'warning' and status = 'fail') as n_warnings,
        count(*) filter (where severity = 'info' and status = 'fail') as n_info,
        count(*) filter (where status = 'not_assessable') as n_not_assessable,
        count(*) filter (where status = 'fail' and responsibility = 'extraction')
            as n_extraction_doubts,
        string_agg(distinct rule_id, ',' order by rule_id)
            filter (where severity = 'error' and status = 'fail') as error_rules
    from run_findings
    group by submission_id
),

final as (
    select
        s.unit_code,
        s.report_year,
        s.submission_id,
        (select run_id from latest_run) as run_id,
        coalesce(p.n_errors, 0) = 0 as is_accepted,
        coalesce(p.n_errors, 0) as n_errors,
        coalesce(p.n_warnings, 0) as n_warnings,
        coalesce(p.n_info, 0) as n_info,
        coalesce(p.n_not_assessable, 0) as n_not_assessable,
        coalesce(p.n_extraction_doubts, 0) as n_extraction_doubts,
        p.error_rules,
        coalesce(d.n_dismissed, 0) as n_dismissed
    from current_submissions as s
    left join per_submission as p on p.submission_id = s.submission_id
    left join dismissed as d on d.submission_id = s.submission_id
)

select * from final
order by unit_code, report_year, submission_id;
