-- v_rank_findings: the findings of the latest check run on current reports, numbered; the
--   findings an analyst dismissed are left out (they stay in findings_current).
-- grain: one row per finding (finding_no counts from 1 within a submission: failures before
--   not_assessable, errors before warnings).
create or replace temp view v_rank_findings as
with

unit_years as (
    select * from v_rank_unit_years where has_report
),

run_findings as (
    select * from findings_current
    where review_decision is distinct from 'dismissed'  -- an analyst's dismissal counts nowhere
),

final as (
    select
        u.unit_code,
        u.report_year,
        u.unit_name,
        u.peer_group,
        f.submission_id,
        row_number() over (
            partition by f.submission_id
            order by
                case when f.status = 'fail' then 0 else 1 end,
                case f.severity when 'error' then 1 when 'warning' then 2 else 3 end,
                f.rule_id, f.detail nulls first, f.message_zh, f.cells
        ) as finding_no,
        f.rule_id,
        f.severity,
        f.status,
        f.responsibility,
        f.message_zh,
        f.cells,
        f.expected,
        f.actual,
        f.detail,
        f.run_id,
    from run_findings as f
    inner join unit_years as u on u.submission_id = f.submission_id
)

select * from final
order by report_year, unit_code, finding_no;
