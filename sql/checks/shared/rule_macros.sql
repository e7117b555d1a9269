-- Table macros whole rules are written with (temporary): each is the query of a family of
-- rules, called by the rule files with the table or block they check. They read
-- int_cells_current and chk_cell_labels, so they are created after them (sql/manifest.toml).

-- T3-INTEGER and T4-INTEGER: every cell of one table is a whole number ≥ 0.
-- grain: one row per current submission × cell that is not a whole number ≥ 0 (status fail);
--   plus one not_assessable row per submission listing the cells that are blank, unreadable or
--   not seen. p_table_code: 't3' or 't4'; p_table_zh: the table's name in messages (表三).
create or replace temp macro chk_whole_numbers(p_table_code, p_table_zh) as table
with
table_cells as (
    select * from int_cells_current
    where table_code = p_table_code
),

labels as (
    select * from chk_cell_labels
),

bad_values as (
    select
        c.submission_id,
        c.unit_code,
        c.report_year,
        'fail' as status,
        cast(to_json(map([c.cell_code], [c.value])) as varchar) as cells,
        case when c.value < 0 then 0 else round(c.value) end as expected,
        c.value as actual,
        l.cell_label || '填写为' || chk_num(c.value) || '（原文“' || coalesce(c.raw_text, '')
        || '”），申请、案件数只能是不小于0的整数。' as message_zh,
        case when c.has_parse_issue then 'extraction' else 'source' end as responsibility,
        cast(json_object('ord', c.row_ord * 100 + c.col_ord, 'cell', c.cell_code) as varchar) as detail
    from table_cells as c
    left join labels as l on l.template = c.template and l.cell_code = c.cell_code
    where c.value is not null and (c.value < 0 or c.value <> round(c.value))
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
        p_table_zh || '有' || count(*) || '个单元格无法判断是否为非负整数：'
        || chk_list_text(list(l.cell_label || chk_missing_word(c.cell_status, c.raw_text)
            order by c.row_ord, c.col_ord), 10)
        || '。' as message_zh,
        min(chk_missing_responsibility(c.cell_status)) as responsibility,
        cast(json_object('missing_cells', count(*)) as varchar) as detail
    from table_cells as c
    left join labels as l on l.template = c.template and l.cell_code = c.cell_code
    where c.value is null
    group by c.submission_id, c.unit_code, c.report_year
)

select * from bad_values
union all
select * from missing;
