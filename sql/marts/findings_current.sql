-- findings_current: what the checks say about the reports as they stand, without knowing the
-- run history.
-- grain: one row per finding of the latest check run on a current, loaded submission.
-- The latest check run is v_latest_check_run; findings of earlier runs and of superseded or
-- rejected submissions are left out (they stay in `findings`). A finding an analyst reviewed
-- carries the review (finding_reviews, matched by finding_key): a dismissed finding stays
-- here, and leaves the scores and the township's list of what to fix (v_rank_findings).
-- unit_name is the unit's name in the report's year (v_unit_years), else its latest name.
create or replace view findings_current as
with

latest_run as (
    select * from v_latest_check_run
),

current_submissions as (
    select submission_id from v_current_submissions
),

reviews as (
    select * from finding_reviews
),

final as (
    select
        f.*,
        coalesce(y.name, u.name) as unit_name,
        v.decision as review_decision,
        v.reason as review_reason,
        v.reviewed_by,
        v.reviewed_at,
    from findings as f
    semi join latest_run using (run_id)
    semi join current_submissions using (submission_id)
    left join v_unit_years as y on y.unit_code = f.unit_code and y.report_year = f.report_year
    left join units as u on u.unit_code = f.unit_code
    left join reviews as v on v.finding_key = f.finding_key
)

select * from final
order by unit_code nulls last, report_year nulls last, submission_id, rule_id, detail, message_zh;
