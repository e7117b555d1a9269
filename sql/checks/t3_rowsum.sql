-- id: T3-ROWSUM
-- severity: error
-- kind: implied
-- evaluates: int_submissions_current
-- grain: one row per current submission × row of table 三 that breaks the rule or cannot
--   be checked
-- rule: in every row, 总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他
-- zero rows means: every row of every current report adds up across, and every operand was
--   a number. A failing row that a number split in two would explain (see Q-SPLIT) is
--   handed to extraction.

with
t3_rows as (
    -- only the rows int_group_sums flags: the cheap test is made once, for every rule
    select * from chk_cell_groups(
        't3', 'row', p_flagged_by := 't3_row_sum', p_item_open := '“', p_item_close := '”列'
    )
),

splits as (
    select submission_id, row_code from chk_t3_row_splits
),

final as (
    select
        r.submission_id, r.unit_code, r.report_year,
        chk_status(r.n_missing) as status,
        r.cells,
        case when r.n_missing = 0 then r.parts_sum end as expected,
        r.vals['total'] as actual,
        case
            when r.n_missing > 0 then
                '表三“' || r.group_label || '”行无法核对“各申请人类型之和＝总计”：'
                || array_to_string(r.missing, '、') || '。'
            else
                '表三“' || r.group_label || '”行：自然人、商业企业、科研机构、社会公益组织、'
                || '法律服务机构、其他六列之和为' || chk_num(r.parts_sum)
                || '，但“总计”列填写为' || chk_num(r.vals['total'])
                || '，两者应相等（相差' || chk_num(abs(r.parts_sum - r.vals['total'])) || '）。'
                || case when s.row_code is not null
                    then '该行可能是提取时把一个数拆成了两格（见Q-SPLIT），请先核对原表。'
                    else ''
                end
        end as message_zh,
        chk_responsibility(r.n_missing, r.missing_responsibility,
                           r.has_parse_issue or s.row_code is not null) as responsibility,
        cast(json_object('ord', r.group_ord, 'row', r.group_code) as varchar) as detail
    from t3_rows as r
    left join splits as s on s.submission_id = r.submission_id and s.row_code = r.group_code
    where r.n_missing > 0 or abs(r.parts_sum - r.vals['total']) > 1e-6
)

select * from final
