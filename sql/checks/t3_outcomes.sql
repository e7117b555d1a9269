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
t3_cells as (
    select * from int_cells_current
    where table_code = 't3' and row_code not in ('new', 'carried_in', 'carried_out')
),

labels as (
    select * from chk_cell_labels
),

per_column_sums as (
    -- the cheap test first (sums built once: int_t3_column_sums): messages and cells are built
    -- for flagged columns only
    select * from int_t3_column_sums
),

flagged as (
    select submission_id, col_code from per_column_sums
    where n_missing_outcomes > 0 or abs(outcomes_sum - total_value) > 1e-6
),

per_column as (
    select
        c.submission_id,
        c.unit_code,
        c.report_year,
        c.col_code,
        any_value(c.col_ord) as col_ord,
        any_value(l.col_label) as col_label,
        max(c.value) filter (where c.row_code = 'total') as total_value,
        sum(c.value) filter (where c.row_code <> 'total') as outcomes_sum,
        count(*) filter (where c.value is null) as n_missing,
        chk_list_text(list(
            l.row_label || chk_missing_word(c.cell_status, c.raw_text) order by c.row_ord
        ) filter (where c.value is null), 8) as missing_text,
        min(chk_missing_responsibility(c.cell_status)) filter (where c.value is null)
            as missing_responsibility,
        bool_or(c.has_parse_issue) as has_parse_issue,
        cast(to_json(map_from_entries(list((c.cell_code, c.value) order by c.row_ord)))
            as varchar) as cells
    from t3_cells as c
    semi join flagged as f on f.submission_id = c.submission_id and f.col_code = c.col_code
    left join labels as l on l.template = c.template and l.cell_code = c.cell_code
    group by c.submission_id, c.unit_code, c.report_year, c.col_code
),

final as (
    select
        submission_id,
        unit_code,
        report_year,
        case when n_missing > 0 then 'not_assessable' else 'fail' end as status,
        cells,
        -- the total as printed is what is checked: the sum of the outcomes is expected
        case when n_missing = 0 then outcomes_sum end as expected,
        total_value as actual,
        case
            when n_missing > 0 then
                '表三“' || col_label || '”列无法核对“各项办理结果之和＝（七）总计”：'
                || missing_text || '。'
            else
                '表三“' || col_label || '”列：各项办理结果（予以公开、部分公开、不予公开、'
                || '无法提供、不予处理、其他处理）合计' || chk_num(outcomes_sum)
                || '，但（七）总计填写为' || chk_num(total_value)
                || '，两者应相等（相差' || chk_num(abs(outcomes_sum - total_value)) || '）。'
        end as message_zh,
        case
            when n_missing > 0 then missing_responsibility
            when has_parse_issue then 'extraction'
            else 'source'
        end as responsibility,
        cast(json_object('ord', col_ord, 'column', col_code) as varchar) as detail
    from per_column
    where n_missing > 0 or abs(outcomes_sum - total_value) > 1e-6
)

select * from final
