-- id: T3-CARRY
-- severity: error
-- kind: implied (cross-year)
-- evaluates: int_previous_year_pairs
-- grain: one row per current submission × column of table 三 whose 上年结转 disagrees with
--   the 结转下年度继续办理 of the unit's current report of the previous year, or cannot be
--   compared. Works across the 2020→2021 template change: table 三 has the same columns
--   in both versions.
-- zero rows means: every report with a previous-year report carries in exactly what that
--   report carried out, in every column. A report without a previous-year report is not
--   assessed by this rule.

with
pairs as (
    select * from int_previous_year_pairs
),

this_year as (
    -- each 上年结转 cell with the cell of last year's report it must equal
    select *, 't3.carried_out.' || col_code as last_year_code
    from int_cells_current
    where table_code = 't3' and row_code = 'carried_in'
),

last_year as (
    -- the previous reports' cells only: the left joins below would otherwise build their
    -- hash tables of every cell (1.4 s at 40,000 reports, with no pair to compare)
    select * from int_history_cells
    where submission_id in (select prev_submission_id from pairs)
),

labels as (
    select * from chk_cell_labels
),

compared as (
    select
        p.submission_id, p.unit_code, p.report_year, p.prev_year,
        c.col_code,
        c.col_ord,
        c.cell_code as carried_in_code,
        c.value as carried_in_value,
        c.cell_status as carried_in_status,
        c.raw_text as carried_in_raw,
        prev.value as carried_out_value,
        -- a cell last year's report does not have was not seen
        coalesce(prev.cell_status, 'unseen') as carried_out_status,
        l.col_label
    from pairs as p
    inner join this_year as c on c.submission_id = p.submission_id
    left join last_year as prev
        on prev.submission_id = p.prev_submission_id
        and prev.cell_code = c.last_year_code
    left join labels as l on l.template = c.template and l.cell_code = c.cell_code
),

final as (
    select
        submission_id, unit_code, report_year,
        if(carried_in_value is null or carried_out_value is null, 'not_assessable', 'fail')
            as status,
        cast(to_json(map(
            [carried_in_code, cast(prev_year as varchar) || ':t3.carried_out.' || col_code],
            [carried_in_value, carried_out_value]
        )) as varchar) as cells,
        carried_out_value as expected,
        carried_in_value as actual,
        case
            when carried_in_value is null or carried_out_value is null then
                '表三“' || col_label || '”列无法与上年报告核对结转数：本年“上年结转”'
                || case when carried_in_value is null
                    then chk_missing_word(carried_in_status, carried_in_raw)
                    else '为' || chk_num(carried_in_value) end
                || '，' || cast(prev_year as varchar) || '年报告“结转下年度继续办理”'
                || case when carried_out_value is null
                    then chk_missing_word(carried_out_status, null)
                    else '为' || chk_num(carried_out_value) end
                || '。'
            else
                '表三“' || col_label || '”列：本年“上年结转”填写为' || chk_num(carried_in_value)
                || '，但' || cast(prev_year as varchar) || '年报告“结转下年度继续办理”为'
                || chk_num(carried_out_value) || '，两者应相等。'
        end as message_zh,
        case
            when carried_in_value is null then chk_missing_responsibility(carried_in_status)
            when carried_out_value is null then chk_missing_responsibility(carried_out_status)
            else 'source'
        end as responsibility,
        cast(json_object('ord', col_ord, 'column', col_code, 'prev_year', prev_year) as varchar) as detail
    from compared
    where
        carried_in_value is null
        or carried_out_value is null
        or abs(carried_in_value - carried_out_value) > 1e-6
)

select * from final
