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
    select * from chk_sum_findings(
        't3', 'row', 't3_row_sum', '表三', '行', '各申请人类型之和＝总计',
        '自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他六列之和为', '“总计”列',
        'row', p_item_open := '“', p_item_close := '”列'
    )
),

splits as (
    select submission_id, row_code from chk_t3_row_splits
),

final as (
    select
        r.* exclude (group_code, n_missing, missing_responsibility, has_parse_issue)
        replace (
            r.message_zh || if(s.row_code is not null and r.n_missing = 0,
                '该行可能是提取时把一个数拆成了两格（见Q-SPLIT），请先核对原表。', '')
                as message_zh,
            chk_responsibility(r.n_missing, r.missing_responsibility,
                               r.has_parse_issue or s.row_code is not null) as responsibility
        ),
    from t3_rows as r
    left join splits as s on s.submission_id = r.submission_id and s.row_code = r.group_code
)

select * from final
