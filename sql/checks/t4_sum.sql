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
final as (
    -- only the blocks int_group_sums flags: the cheap test is made once, for every rule
    select * exclude (group_code, n_missing, missing_responsibility, has_parse_issue)
    from chk_sum_findings(
        't4', 'row', 't4_block_sum', '表四', '', '结果维持＋结果纠正＋其他结果＋尚未审结＝总计',
        '结果维持、结果纠正、其他结果、尚未审结之和为', '“总计”', 'block',
        p_item_open := '“', p_item_close := '”'
    )
)

select * from final
