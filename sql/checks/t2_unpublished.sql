-- id: T2-UNPUBLISHED
-- severity: warning
-- kind: plausibility
-- evaluates: int_submissions_current
-- grain: one row per current v2019 submission × row (规章, 规范性文件) of table 二 that made
--   documents but published none, or cannot be checked
-- rule: v2019: made > 0 while published = 0 and total_public = 0
-- zero rows means: no v2019 report made documents this year without publishing any, and
--   every operand was a number.

with
t2_cells as (
    select * from int_cells_current
    where
        template = 'v2019'
        and table_code = 't2'
        and row_code in ('regulation', 'normative_doc')
),

labels as (
    select * from chk_cell_labels
),

per_row as (
    select
        c.submission_id,
        c.unit_code,
        c.report_year,
        c.row_code,
        any_value(c.row_ord) as row_ord,
        any_value(l.row_label) as row_label,
        max(c.value) filter (where c.col_code = 'made') as made_value,
        max(c.value) filter (where c.col_code = 'published') as published_value,
        max(c.value) filter (where c.col_code = 'total_public') as total_public_value,
        count(*) filter (where c.value is null) as n_missing,
        string_agg('“' || l.col_label || '”' || chk_missing_word(c.cell_status, c.raw_text), '、'
            order by c.col_ord) filter (where c.value is null) as missing_text,
        min(chk_missing_responsibility(c.cell_status)) filter (where c.value is null)
            as missing_responsibility,
        cast(to_json(map_from_entries(list((c.cell_code, c.value) order by c.col_ord)))
            as varchar) as cells
    from t2_cells as c
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
        made_value as expected,
        published_value as actual,
        case
            when n_missing > 0 then
                '表二“' || row_label || '”行无法核对制作与公开数量：' || missing_text || '。'
            else
                '表二“' || row_label || '”行：本年新制作' || chk_num(made_value)
                || '件，但本年新公开和对外公开总数量都是0，请核实是否漏公开或填错。'
        end as message_zh,
        case when n_missing > 0 then missing_responsibility else 'source' end
            as responsibility,
        cast(json_object('ord', row_ord, 'row', row_code) as varchar) as detail
    from per_row
    where
        n_missing > 0
        or (made_value > 0 and published_value = 0 and total_public_value = 0)
)

select * from final
