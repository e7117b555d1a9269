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
t4_cells as (
    select * from int_cells_current
    where table_code = 't4'
),

labels as (
    select * from chk_cell_labels
),

per_block_sums as (
    -- the cheap test first: messages and cells are built for flagged groups only
    select
        submission_id,
        row_code,
        max(value) filter (where col_code = 'total') as total_value,
        sum(value) filter (where col_code <> 'total') as parts_sum,
        count(*) filter (where value is null) as n_missing
    from t4_cells
    group by submission_id, row_code
),

flagged as (
    select submission_id, row_code from per_block_sums
    where n_missing > 0 or abs(parts_sum - total_value) > 1e-6
),

per_block as (
    select
        c.submission_id,
        c.unit_code,
        c.report_year,
        c.row_code as block_code,
        any_value(c.row_ord) as block_ord,
        any_value(l.row_label) as block_label,
        max(c.value) filter (where c.col_code = 'total') as total_value,
        sum(c.value) filter (where c.col_code <> 'total') as parts_sum,
        count(*) filter (where c.value is null) as n_missing,
        string_agg(
            '“' || l.col_label || '”' || chk_missing_word(c.cell_status, c.raw_text), '、'
            order by c.col_ord
        ) filter (where c.value is null) as missing_text,
        min(chk_missing_responsibility(c.cell_status)) filter (where c.value is null)
            as missing_responsibility,
        bool_or(c.has_parse_issue) as has_parse_issue,
        cast(to_json(map_from_entries(list((c.cell_code, c.value) order by c.col_ord)))
            as varchar) as cells
    from t4_cells as c
    semi join flagged as f on f.submission_id = c.submission_id and f.row_code = c.row_code
    left join labels as l on l.template = c.template and l.cell_code = c.cell_code
    group by c.submission_id, c.unit_code, c.report_year, c.row_code
),

final as (
    select
        submission_id,
        unit_code,
        report_year,
        case when n_missing > 0 then 'not_assessable' else 'fail' end as status,
        cells,
        case when n_missing = 0 then parts_sum end as expected,
        total_value as actual,
        case
            when n_missing > 0 then
                '表四“' || block_label || '”无法核对“结果维持＋结果纠正＋其他结果＋尚未审结＝总计”：'
                || missing_text || '。'
            else
                '表四“' || block_label || '”：结果维持、结果纠正、其他结果、尚未审结之和为'
                || chk_num(parts_sum) || '，但“总计”填写为' || chk_num(total_value)
                || '，两者应相等（相差' || chk_num(abs(parts_sum - total_value)) || '）。'
        end as message_zh,
        case
            when n_missing > 0 then missing_responsibility
            when has_parse_issue then 'extraction'
            else 'source'
        end as responsibility,
        cast(json_object('ord', block_ord, 'block', block_code) as varchar) as detail
    from per_block
    where n_missing > 0 or abs(parts_sum - total_value) > 1e-6
)

select * from final
