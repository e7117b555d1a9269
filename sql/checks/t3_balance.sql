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
t3_cells as (
    select * from int_cells_current
    where table_code = 't3' and row_code in ('new', 'carried_in', 'total', 'carried_out')
),

labels as (
    select * from chk_cell_labels
),

balance_sums as (
    -- the cheap test first (sums built once: int_t3_column_sums): messages and cells are built
    -- for flagged columns only
    select * from int_t3_column_sums
),

flagged as (
    select submission_id, col_code from balance_sums
    where n_missing_balance > 0 or abs(balance_difference) > 1e-6
),

per_column as (
    select
        c.submission_id,
        c.unit_code,
        c.report_year,
        c.col_code,
        any_value(c.col_ord) as col_ord,
        any_value(l.col_label) as col_label,
        max(c.value) filter (where c.row_code = 'new') as new_value,
        max(c.value) filter (where c.row_code = 'carried_in') as carried_in_value,
        max(c.value) filter (where c.row_code = 'total') as total_value,
        max(c.value) filter (where c.row_code = 'carried_out') as carried_out_value,
        count(*) filter (where c.value is null) as n_missing,
        string_agg(
            l.row_label || chk_missing_word(c.cell_status, c.raw_text), '、'
            order by c.row_ord
        ) filter (where c.value is null) as missing_text,
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

assessed as (
    select
        *,
        new_value + carried_in_value as expected,
        total_value + carried_out_value as actual
    from per_column
),

final as (
    select
        submission_id,
        unit_code,
        report_year,
        case when n_missing > 0 then 'not_assessable' else 'fail' end as status,
        cells,
        expected,
        actual,
        case
            when n_missing > 0 then
                '表三“' || col_label || '”列无法核对“本年新收＋上年结转＝（七）总计＋结转下年度继续办理”：'
                || missing_text || '。'
            else
                '表三“' || col_label || '”列不平衡：本年新收' || chk_num(new_value)
                || '＋上年结转' || chk_num(carried_in_value) || '＝' || chk_num(expected)
                || '，但（七）总计' || chk_num(total_value) || '＋结转下年度继续办理'
                || chk_num(carried_out_value) || '＝' || chk_num(actual)
                || '，两者应相等（相差' || chk_num(abs(expected - actual)) || '）。'
        end as message_zh,
        case
            when n_missing > 0 then missing_responsibility
            when has_parse_issue then 'extraction'
            else 'source'
        end as responsibility,
        cast(json_object('ord', col_ord, 'column', col_code) as varchar) as detail
    from assessed
    where n_missing > 0 or abs(expected - actual) > 1e-6
)

select * from final
