-- findings_current: what the checks say about the reports as they stand, without knowing the
-- run history.
-- grain: one row per finding of the latest check run on a current, loaded submission.
-- The latest check run is v_latest_check_run; findings of earlier runs and of superseded or
-- rejected submissions are left out (they stay in `findings`).
create or replace view findings_current as
with

latest_run as (
    select * from v_latest_check_run
),

current_submissions as (
    select submission_id from v_current_submissions
),

final as (
    select f.*
    from findings as f
    semi join latest_run as r on r.run_id = f.run_id
    semi join current_submissions as s on s.submission_id = f.submission_id
)

select * from final
order by unit_code nulls last, report_year nulls last, submission_id, rule_id, detail, message_zh;
