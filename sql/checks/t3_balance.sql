-- id: T3-BALANCE
-- severity: error
-- kind: official (the table's header note: 第一项加第二项之和，等于第三项加第四项之和)
-- evaluates: int_submissions_current
-- grain: one row per current submission × column of table 三 that breaks the rule or
--   cannot be checked
-- rule: in every column, new + carried_in = total + carried_out
-- zero rows means: every column of every current report balances, and every operand was
--   a number.

with
columns as (
    -- only the columns int_group_sums flags: the cheap test is made once, for every rule
    select
        *,
        vals['new'] + vals['carried_in'] as expected,
        vals['total'] + vals['carried_out'] as actual
    from chk_cell_groups(
        't3', 'col', p_flagged_by := 't3_balance',
        p_members_in := ['new', 'carried_in', 'total', 'carried_out']
    )
),

final as (
    select
        submission_id, unit_code, report_year,
        chk_status(n_missing) as status,
        cells,
        expected,
        actual,
        case
            when n_missing > 0 then
                '表三“' || group_label || '”列无法核对“本年新收＋上年结转＝（七）总计＋结转下年度继续办理”：'
                || array_to_string(missing, '、') || '。'
            else
                '表三“' || group_label || '”列不平衡：本年新收' || chk_num(vals['new'])
                || '＋上年结转' || chk_num(vals['carried_in']) || '＝' || chk_num(expected)
                || '，但（七）总计' || chk_num(vals['total']) || '＋结转下年度继续办理'
                || chk_num(vals['carried_out']) || '＝' || chk_num(actual)
                || '，两者应相等（相差' || chk_num(abs(expected - actual)) || '）。'
        end as message_zh,
        chk_responsibility(n_missing, missing_responsibility, has_parse_issue) as responsibility,
        cast(json_object('ord', group_ord, 'column', group_code) as varchar) as detail
    from columns
    where n_missing > 0 or abs(expected - actual) > 1e-6
)

select * from final
