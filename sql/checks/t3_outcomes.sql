-- id: T3-OUTCOMES
-- severity: error
-- kind: implied (each application is counted once)
-- evaluates: int_submissions_current
-- grain: one row per current submission × column of table 三 that breaks the rule or
--   cannot be checked
-- rule: in every column, （七）总计 = 予以公开 + 部分公开 + Σ不予公开 + Σ无法提供 + Σ不予处理
--   + 其他处理 (v2019: one row; v2021: Σ of its three rows)
-- zero rows means: in every column of every current report the outcomes add up to the
--   total, and every operand was a number.

with
final as (
    -- only the columns int_group_sums flags: the cheap test is made once, for every rule
    select * exclude (group_code, n_missing, missing_responsibility, has_parse_issue)
    from chk_sum_findings(
        't3', 'col', 't3_outcomes', '表三', '列', '各项办理结果之和＝（七）总计',
        '各项办理结果（予以公开、部分公开、不予公开、无法提供、不予处理、其他处理）合计',
        '（七）总计', 'column', p_members_out := ['new', 'carried_in', 'carried_out']
    )
)

select * from final
