-- id: T2-NONNEG
-- severity: error
-- kind: implied
-- evaluates: int_submissions_current
-- grain: one row per current submission × cell of table 二 below 0 (the signed 本年增/减
--   of v2019 excepted); plus one not_assessable row per submission listing the cells
--   that are blank, unreadable or not seen
-- rule: every cell of table 二 is ≥ 0, except the signed `delta` (本年增/减) of v2019
-- zero rows means: no cell of table 二 of any current report is negative or missing.

with
t2_cells as (
    select * from int_cells_current
    where table_code = 't2' and col_code <> 'delta'
),

labels as (
    select * from chk_cell_labels
),

negative_values as (
    select
        c.submission_id,
        c.unit_code,
        c.report_year,
        'fail' as status,
        cast(to_json(map([c.cell_code], [c.value])) as varchar) as cells,
        0::double as expected,
        c.value as actual,
        l.cell_label || '填写为' || chk_num(c.value) || '（原文“' || coalesce(c.raw_text, '')
        || '”），该项数量或金额不能为负数。' as message_zh,
        case when c.has_parse_issue then 'extraction' else 'source' end as responsibility,
        cast(json_object('ord', c.row_ord * 100 + c.col_ord, 'cell', c.cell_code) as varchar) as detail
    from t2_cells as c
    left join labels as l on l.template = c.template and l.cell_code = c.cell_code
    where c.value < 0
),

missing as (
    select
        c.submission_id,
        c.unit_code,
        c.report_year,
        'not_assessable' as status,
        cast(to_json(map_from_entries(list((c.cell_code, c.value) order by c.row_ord, c.col_ord)))
            as varchar) as cells,
        null::double as expected,
        null::double as actual,
        '表二有' || count(*) || '个单元格无法判断是否为非负数：'
        || chk_list_text(list(l.cell_label || chk_missing_word(c.cell_status, c.raw_text)
            order by c.row_ord, c.col_ord), 10)
        || '。' as message_zh,
        min(chk_missing_responsibility(c.cell_status)) as responsibility,
        cast(json_object('missing_cells', count(*)) as varchar) as detail
    from t2_cells as c
    left join labels as l on l.template = c.template and l.cell_code = c.cell_code
    where c.value is null
    group by c.submission_id, c.unit_code, c.report_year
),

final as (
    select
        submission_id,
        unit_code,
        report_year,
        status,
        cells,
        expected,
        actual,
        message_zh,
        responsibility,
        detail
    from (
        select * from negative_values
        union all
        select * from missing
    )
)

select * from final
