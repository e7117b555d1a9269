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
columns as (
    -- only the columns int_group_sums flags: the cheap test is made once, for every rule
    select * from chk_cell_groups(
        't3', 'col', p_flagged_by := 't3_outcomes',
        p_members_out := ['new', 'carried_in', 'carried_out']
    )
),

final as (
    select
        submission_id, unit_code, report_year,
        chk_status(n_missing) as status,
        cells,
        -- the total as printed is what is checked: the sum of the outcomes is expected
        case when n_missing = 0 then parts_sum end as expected,
        vals['total'] as actual,
        case
            when n_missing > 0 then
                '表三“' || group_label || '”列无法核对“各项办理结果之和＝（七）总计”：'
                || chk_list_text(missing, 8) || '。'
            else
                '表三“' || group_label || '”列：各项办理结果（予以公开、部分公开、不予公开、'
                || '无法提供、不予处理、其他处理）合计' || chk_num(parts_sum)
                || '，但（七）总计填写为' || chk_num(vals['total'])
                || '，两者应相等（相差' || chk_num(abs(parts_sum - vals['total'])) || '）。'
        end as message_zh,
        chk_responsibility(n_missing, missing_responsibility, has_parse_issue) as responsibility,
        cast(json_object('ord', group_ord, 'column', group_code) as varchar) as detail
    from columns
    where n_missing > 0 or abs(parts_sum - vals['total']) > 1e-6
)

select * from final
