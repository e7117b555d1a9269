-- id: T2-CHAIN-2019
-- severity: warning
-- kind: implied (cross-year)
-- evaluates: int_previous_year_pairs
-- grain: one row per current v2019 submission × row of table 二 with 上一年项目数量 whose
--   count does not follow from the previous year's v2019 report, or cannot be checked
-- rule: prev_items(y) = prev_items(y-1) + delta(y-1) for every block that has them
--   (行政许可, 其他对外管理服务事项, 行政处罚, 行政强制, 行政事业性收费), when both years use
--   the v2019 template
-- zero rows means: every such row continues last year's count, and every operand was a
--   number. Reports without a previous-year v2019 report are not assessed by this rule.

with
pairs as (
    select * from int_previous_year_pairs
    where template = 'v2019' and prev_template = 'v2019'
),

this_year as (
    select * from int_cells_current
    where table_code = 't2' and col_code = 'prev_items'
),

last_year as (
    -- the previous reports' cells only: the left joins below would otherwise build their
    -- hash tables of every cell (1.4 s at 40,000 reports, with no pair to compare)
    select * from int_history_cells
    where submission_id in (select prev_submission_id from pairs)
),

labels as (
    select * from chk_labels where label_kind = 't2row'
),

compared as (
    select
        p.submission_id, p.unit_code, p.report_year, p.prev_year,
        c.row_code,
        c.row_ord,
        c.value as prev_items_value,
        c.cell_status,
        c.raw_text,
        py_items.value as last_prev_items_value,
        coalesce(py_items.cell_status, 'unseen') as last_prev_items_status,
        py_delta.value as last_delta_value,
        coalesce(py_delta.cell_status, 'unseen') as last_delta_status
    from pairs as p
    inner join this_year as c on c.submission_id = p.submission_id
    left join last_year as py_items
        on py_items.submission_id = p.prev_submission_id
        and py_items.cell_code = 't2.' || c.row_code || '.prev_items'
    left join last_year as py_delta
        on py_delta.submission_id = p.prev_submission_id
        and py_delta.cell_code = 't2.' || c.row_code || '.delta'
),

assessed as (
    select
        *,
        prev_items_value is null
        or last_prev_items_value is null
        or last_delta_value is null as is_missing,
        last_prev_items_value + last_delta_value as expected
    from compared
),

final as (
    select
        a.submission_id, a.unit_code, a.report_year,
        case when a.is_missing then 'not_assessable' else 'fail' end as status,
        cast(to_json(map(
            [
                't2.' || a.row_code || '.prev_items',
                cast(a.prev_year as varchar) || ':t2.' || a.row_code || '.prev_items',
                cast(a.prev_year as varchar) || ':t2.' || a.row_code || '.delta'
            ],
            [a.prev_items_value, a.last_prev_items_value, a.last_delta_value]
        )) as varchar) as cells,
        a.expected,
        a.prev_items_value as actual,
        case
            when a.is_missing then
                '表二“' || l.label || '”行无法与上年报告核对“上一年项目数量”：本年填写'
                || case when a.prev_items_value is null
                    then chk_missing_word(a.cell_status, a.raw_text)
                    else '为' || chk_num(a.prev_items_value) end
                || '，' || cast(a.prev_year as varchar) || '年报告上一年项目数量'
                || case when a.last_prev_items_value is null
                    then chk_missing_word(a.last_prev_items_status, null)
                    else '为' || chk_num(a.last_prev_items_value) end
                || '、本年增/减'
                || case when a.last_delta_value is null
                    then chk_missing_word(a.last_delta_status, null)
                    else '为' || chk_num(a.last_delta_value) end
                || '。'
            else
                '表二“' || l.label || '”行：' || cast(a.prev_year as varchar) || '年报告上一年项目数量'
                || chk_num(a.last_prev_items_value) || '＋本年增/减' || chk_num(a.last_delta_value)
                || '＝' || chk_num(a.expected) || '，但本年“上一年项目数量”填写为'
                || chk_num(a.prev_items_value) || '。'
        end as message_zh,
        case
            when a.prev_items_value is null then chk_missing_responsibility(a.cell_status)
            when a.last_prev_items_value is null
                then chk_missing_responsibility(a.last_prev_items_status)
            when a.last_delta_value is null then chk_missing_responsibility(a.last_delta_status)
            else 'source'
        end as responsibility,
        cast(json_object('ord', a.row_ord, 'row', a.row_code, 'prev_year', a.prev_year) as varchar) as detail
    from assessed as a
    left join labels as l on l.code = a.row_code
    where a.is_missing or abs(a.expected - a.prev_items_value) > 1e-6
)

select * from final
