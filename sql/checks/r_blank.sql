-- id: R-BLANK
-- severity: warning
-- kind: report level (completeness)
-- evaluates: int_submissions_current
-- grain: one row per current submission with blank cells in table 三 or 四
-- rule: count the cells of tables 三 and 四 left blank in the report ('', '/', '-', '—',
--   '无' …). Blank is not 0: a township that means 0 must write 0.
-- zero rows means: every cell of tables 三 and 四 of every current report holds a value (or
--   was not seen: cells we could not see or read are not counted here).

with
blank_cells as (
    select * from int_cells_current
    where table_code in ('t3', 't4') and cell_status = 'blank'
),

labels as (
    select * from chk_cell_labels
),

final as (
    select
        c.submission_id, c.unit_code, c.report_year,
        'fail' as status,
        cast(to_json(map_from_entries(list((c.cell_code, c.value)
            order by c.table_code, c.row_ord, c.col_ord))) as varchar) as cells,
        0::double as expected,
        count(*)::double as actual,
        '表三、表四中有' || count(*) || '个单元格空着未填（空白、“/”、“-”、“无”等），'
        || '空白不等于0，没有发生的请填0：'
        || chk_list_text(list(l.cell_label order by c.table_code, c.row_ord, c.col_ord), 20)
        || '。' as message_zh,
        'source' as responsibility,
        cast(json_object(
            't3', count(*) filter (where c.table_code = 't3'),
            't4', count(*) filter (where c.table_code = 't4')
        ) as varchar) as detail
    from blank_cells as c
    left join labels as l on l.template = c.template and l.cell_code = c.cell_code
    group by c.submission_id, c.unit_code, c.report_year
)

select * from final
