-- id: Q-SPLIT
-- severity: warning
-- kind: plausibility (extraction)
-- evaluates: int_submissions_current
-- grain: one row per current submission × row of table 三 that fails T3-ROWSUM but would
--   pass if two adjacent single-digit cells were one number (1, 2 → 12)
-- zero rows means: no failing row of table 三 looks like a number split in two by our
--   reading. A row with a missing cell is not assessed here: T3-ROWSUM reports it.

with
splits as (
    select * from chk_t3_row_splits
),

labels as (
    select * from chk_cell_labels
),

split_rows as (
    select r.*
    from chk_cell_groups('t3', 'row', p_flagged_by := 't3_row_sum') as r
    semi join splits as s on s.submission_id = r.submission_id and s.row_code = r.group_code
),

final as (
    select
        r.submission_id, r.unit_code, r.report_year,
        'fail' as status,
        r.cells,
        r.vals['total'] as expected,
        r.parts_sum as actual,
        '表三“' || rl.row_label || '”行各列之和' || chk_num(r.parts_sum) || '与“总计”列'
        || chk_num(r.vals['total']) || '不符；若把“' || ll.col_label || '”列的'
        || chk_num(s.left_value) || '和“' || rl2.col_label || '”列的' || chk_num(s.right_value)
        || '看作一个数' || chk_num(s.joined_value)
        || '，该行即相符。可能是提取时把一个数拆成了两格，请核对原表。' as message_zh,
        'extraction' as responsibility,
        cast(json_object(
            'ord', r.group_ord,
            'row', r.group_code,
            'left_col', s.left_col,
            'right_col', s.right_col,
            'joined_value', s.joined_value
        ) as varchar) as detail
    from split_rows as r
    inner join splits as s on s.submission_id = r.submission_id and s.row_code = r.group_code
    left join labels as rl
        on rl.template = r.template and rl.cell_code = 't3.' || r.group_code || '.total'
    left join labels as ll
        on ll.template = r.template and ll.cell_code = 't3.' || r.group_code || '.' || s.left_col
    left join labels as rl2
        on rl2.template = r.template
        and rl2.cell_code = 't3.' || r.group_code || '.' || s.right_col
)

select * from final
