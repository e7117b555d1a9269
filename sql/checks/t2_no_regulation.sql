-- id: T2-NO-REGULATION
-- severity: error
-- kind: legal (a 乡镇/街道 has no power to make 规章)
-- evaluates: int_submissions_current
-- grain: one row per current submission of a township-level unit × 规章 cell of table 二
--   that is not 0; plus one not_assessable row per such submission listing 规章 cells that
--   are blank, unreadable or not seen
-- rule: every t2.regulation.* is 0 for township-level units (街道, 镇, 乡: from the
--   registry, else from the printed name)
-- zero rows means: no township reports having made, published or in force any 规章.

with
townships as (
    select submission_id from int_submissions_current
    where is_township
),

regulation_cells as (
    select c.*, l.cell_label, l.col_label
    from int_cells_current as c
    semi join townships as t on t.submission_id = c.submission_id
    left join chk_cell_labels as l on l.template = c.template and l.cell_code = c.cell_code
    where c.table_code = 't2' and c.row_code = 'regulation'
),

-- one finding per 规章 cell that is not 0
nonzero as (
    select
        c.submission_id, c.unit_code, c.report_year,
        'fail' as status,
        chk_one_cell(c.cell_code, c.value) as cells,
        0::double as expected,
        c.value as actual,
        c.cell_label || '填写为' || chk_num(c.value)
        || '，但乡镇、街道没有制定规章的权限，规章各项应为0（规范性文件请填在“规范性文件”行）。'
            as message_zh,
        chk_cell_responsibility(c.has_parse_issue) as responsibility,
        chk_cell_detail(c.row_ord, c.col_ord, c.cell_code) as detail
    from regulation_cells as c
    where c.value <> 0
),

-- one finding per township whose 规章 row has cells that are not numbers, naming them
not_numbers as (
    select
        c.submission_id, c.unit_code, c.report_year,
        count(*) as n_missing,
        string_agg('“' || c.col_label || '”' || chk_missing_word(c.cell_status, c.raw_text),
            '、' order by c.col_ord) as missing_text,
        min(chk_missing_responsibility(c.cell_status)) as missing_responsibility,
        cast(to_json(map_from_entries(list((c.cell_code, c.value) order by c.col_ord)))
            as varchar) as cells
    from regulation_cells as c
    where c.value is null
    group by c.submission_id, c.unit_code, c.report_year
),

final as (
    select * from nonzero
    union all
    select
        submission_id, unit_code, report_year,
        'not_assessable',
        cells,
        0::double,
        null::double,
        '表二“规章”行无法核对是否为0：' || missing_text || '（乡镇、街道的规章各项应填0）。',
        missing_responsibility,
        cast(json_object('missing_cells', n_missing) as varchar)
    from not_numbers
)

select * from final
