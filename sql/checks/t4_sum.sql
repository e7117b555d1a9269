-- id: T4-SUM
-- severity: error
-- kind: implied
-- evaluates: int_submissions_current
-- grain: one row per current submission × block of table 四 (行政复议, 未经复议直接起诉,
--   复议后起诉) that breaks the rule or cannot be checked
-- rule: in every block, 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结
-- zero rows means: every block of every current report adds up, and every operand was a
--   number.

with
blocks as (
    -- only the blocks int_group_sums flags: the cheap test is made once, for every rule
    select * from chk_cell_groups(
        't4', 'row', p_flagged_by := 't4_block_sum', p_item_open := '“', p_item_close := '”'
    )
),

final as (
    select
        submission_id, unit_code, report_year,
        chk_status(n_missing) as status,
        cells,
        case when n_missing = 0 then parts_sum end as expected,
        vals['total'] as actual,
        case
            when n_missing > 0 then
                '表四“' || group_label || '”无法核对“结果维持＋结果纠正＋其他结果＋尚未审结＝总计”：'
                || array_to_string(missing, '、') || '。'
            else
                '表四“' || group_label || '”：结果维持、结果纠正、其他结果、尚未审结之和为'
                || chk_num(parts_sum) || '，但“总计”填写为' || chk_num(vals['total'])
                || '，两者应相等（相差' || chk_num(abs(parts_sum - vals['total'])) || '）。'
        end as message_zh,
        chk_responsibility(n_missing, missing_responsibility, has_parse_issue) as responsibility,
        cast(json_object('ord', group_ord, 'block', group_code) as varchar) as detail
    from blocks
    where n_missing > 0 or abs(parts_sum - vals['total']) > 1e-6
)

select * from final
