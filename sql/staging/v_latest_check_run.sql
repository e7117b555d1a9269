-- v_latest_check_run: the check run the warehouse's verdicts come from.
-- grain: zero rows (no check has run) or one row.
-- The latest check run is the one whose check_runs rows were written last (ties: the
-- greatest run id).
create or replace view v_latest_check_run as
with

rule_runs as (
    select run_id, checked_at from check_runs
),

final as (
    select run_id
    from rule_runs
    order by checked_at desc nulls last, run_id desc
    limit 1
)

select * from final;
