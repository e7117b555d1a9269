-- id: T3-ROWSUM
-- severity: error
-- kind: implied
-- evaluates: int_submissions_current
-- grain: one row per current submission × row of table 三 that breaks the rule or cannot
--   be checked
-- rule: in every row, 总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他
-- zero rows means: every row of every current report adds up across, and every operand was
--   a number. A failing row that a number split in two would explain (see Q-SPLIT) is
--   handed to extraction.

with
t3_cells as (
    select * from int_cells_current
    where table_code = 't3'
),

labels as (
    select * from chk_cell_labels
),

splits as (
    select submission_id, row_code from chk_t3_row_splits
),

per_row_sums as (
    -- the cheap test first (sums built once: int_t3_row_sums): messages and cells are built
    -- for flagged rows only
    select * from int_t3_row_sums
),

flagged as (
    select submission_id, row_code from per_row_sums
    where n_missing > 0 or abs(parts_sum - total_value) > 1e-6
),

per_row as (
    select
        c.submission_id,
        c.unit_code,
        c.report_year,
        c.row_code,
        any_value(c.row_ord) as row_ord,
        any_value(l.row_label) as row_label,
        max(c.value) filter (where c.col_code = 'total') as total_value,
        sum(c.value) filter (where c.col_code <> 'total') as parts_sum,
        count(*) filter (where c.value is null) as n_missing,
        string_agg(
            '“' || l.col_label || '”列' || chk_missing_word(c.cell_status, c.raw_text), '、'
            order by c.col_ord
        ) filter (where c.value is null) as missing_text,
        min(chk_missing_responsibility(c.cell_status)) filter (where c.value is null)
            as missing_responsibility,
        bool_or(c.has_parse_issue) as has_parse_issue,
        cast(to_json(map_from_entries(list((c.cell_code, c.value) order by c.col_ord)))
            as varchar) as cells
    from t3_cells as c
    semi join flagged as f on f.submission_id = c.submission_id and f.row_code = c.row_code
    left join labels as l on l.template = c.template and l.cell_code = c.cell_code
    group by c.submission_id, c.unit_code, c.report_year, c.row_code
),

final as (
    select
        r.submission_id,
        r.unit_code,
        r.report_year,
        case when r.n_missing > 0 then 'not_assessable' else 'fail' end as status,
        r.cells,
        case when r.n_missing = 0 then r.parts_sum end as expected,
        r.total_value as actual,
        case
            when r.n_missing > 0 then
                '表三“' || r.row_label || '”行无法核对“各申请人类型之和＝总计”：'
                || r.missing_text || '。'
            else
                '表三“' || r.row_label || '”行：自然人、商业企业、科研机构、社会公益组织、'
                || '法律服务机构、其他六列之和为' || chk_num(r.parts_sum)
                || '，但“总计”列填写为' || chk_num(r.total_value)
                || '，两者应相等（相差' || chk_num(abs(r.parts_sum - r.total_value)) || '）。'
                || case when s.row_code is not null
                    then '该行可能是提取时把一个数拆成了两格（见Q-SPLIT），请先核对原表。'
                    else ''
                end
        end as message_zh,
        case
            when r.n_missing > 0 then r.missing_responsibility
            when r.has_parse_issue or s.row_code is not null then 'extraction'
            else 'source'
        end as responsibility,
        cast(json_object('ord', r.row_ord, 'row', r.row_code) as varchar) as detail
    from per_row as r
    left join splits as s on s.submission_id = r.submission_id and s.row_code = r.row_code
    where r.n_missing > 0 or abs(r.parts_sum - r.total_value) > 1e-6
)

select * from final
