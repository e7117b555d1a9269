-- id: R-NARRATIVE
-- severity: warning
-- kind: report level
-- evaluates: int_submissions_current
-- grain: one row per figure stated in a current report's narrative that disagrees with the
--   table, or cannot be compared
-- rule: narrative_figures.value = the value of narrative_figures.compared_with, an
--   expression over cell codes: terms joined by + or −, each a cell code
--   ('t3.new.total') or a range of columns of one row ('t3.new.{commercial..org_other}',
--   in template column order)
-- zero rows means: every figure the narratives restate (本年新收…N件, 行政复议…N件 …)
--   agrees with the tables.

with
figures as (
    select f.*
    from narrative_figures as f
    semi join int_submissions_current as s on s.submission_id = f.submission_id
),

submissions_checked as (
    select submission_id, template from int_submissions_current
),

grid as (
    select * from chk_template_cells
),

terms as (
    select
        f.submission_id,
        f.figure_no,
        term_no,
        terms[term_no] as term
    from (
        select
            submission_id,
            figure_no,
            regexp_extract_all(
                case
                    when regexp_matches(e, '^[+-]') then e
                    else '+' || e
                end,
                '[+-][^+-]+'
            ) as terms
        from (
            select
                submission_id,
                figure_no,
                replace(regexp_replace(coalesce(compared_with, ''), '\s+', '', 'g'), '−', '-')
                    as e
            from figures
        )
    ) as f
    cross join lateral (select unnest(range(1, len(f.terms) + 1)) as term_no)
),

parsed_terms as (
    select
        submission_id,
        figure_no,
        term_no,
        case when left(term, 1) = '-' then -1 else 1 end as sign,
        substr(term, 2) as code,
        regexp_extract(substr(term, 2), '^(t\d\.[a-z_.]+)\.\{(\w+)\.\.(\w+)\}$',
            ['row_prefix', 'col_from', 'col_to']) as range_parts
    from terms
),

expanded as (
    -- a plain cell code
    select t.submission_id, t.figure_no, t.term_no, t.sign, t.code as cell_code
    from parsed_terms as t
    where t.range_parts.row_prefix = ''
    union all
    -- a range of columns of one row, in template order
    select t.submission_id, t.figure_no, t.term_no, t.sign, g.cell_code
    from parsed_terms as t
    inner join submissions_checked as s on s.submission_id = t.submission_id
    inner join grid as g_from
        on g_from.template = s.template
        and g_from.cell_code = t.range_parts.row_prefix || '.' || t.range_parts.col_from
    inner join grid as g_to
        on g_to.template = s.template
        and g_to.cell_code = t.range_parts.row_prefix || '.' || t.range_parts.col_to
    inner join grid as g
        on g.template = s.template
        and g.table_code = g_from.table_code
        and g.row_code = g_from.row_code
        and g.col_ord between g_from.col_ord and g_to.col_ord
    where t.range_parts.row_prefix <> ''
),

valued as (
    select
        e.submission_id,
        e.figure_no,
        e.sign,
        e.cell_code,
        c.value,
        c.cell_status,
        c.raw_text,
        c.row_ord,
        c.col_ord,
        c.cell_code is not null as is_known,
        l.cell_label
    from expanded as e
    left join int_cells_current as c
        on c.submission_id = e.submission_id and c.cell_code = e.cell_code
    left join chk_cell_labels as l
        on l.template = c.template and l.cell_code = c.cell_code
),

per_figure as (
    select
        submission_id,
        figure_no,
        value_sum(list(sign * value)) as table_value,
        count(*) as n_cells,
        count(*) filter (where value is null) as n_missing,
        count(*) filter (where not is_known) as n_unknown,
        string_agg(
            coalesce(cell_label, cell_code)
            || case when value is null
                then chk_missing_word(coalesce(cell_status, 'unseen'), raw_text) else '' end,
            '、' order by row_ord, col_ord, cell_code
        ) filter (where value is null) as missing_text,
        min(case when is_known then chk_missing_responsibility(cell_status) else 'extraction' end)
            filter (where value is null) as missing_responsibility,
        cast(to_json(map_from_entries(list((cell_code, value) order by row_ord, col_ord, cell_code)))
            as varchar) as cells
    from valued
    group by submission_id, figure_no
),

final as (
    select
        f.submission_id, f.unit_code, f.report_year,
        case
            when f.value is null or p.n_cells is null or p.n_missing > 0 then 'not_assessable'
            else 'fail'
        end as status,
        coalesce(p.cells, '{}') as cells,
        p.table_value as expected,
        f.value as actual,
        case
            when p.n_cells is null then
                '正文中“' || coalesce(f.phrase, '') || '”所对应的表格数字无法确定（'
                || coalesce(f.compared_with, '') || '）。'
            when f.value is null then
                '正文中“' || coalesce(f.phrase, '') || '”的数字无法识别。'
            when p.n_missing > 0 then
                -- the phrase holds its number (本年新收…10件): the number is not repeated
                '正文称' || coalesce('“' || f.phrase || '”', chk_num(f.value))
                || '，但无法与表格核对：' || p.missing_text || '。'
            else
                -- the phrase holds its number (本年新收…10件): the number is not repeated
                '正文称' || coalesce('“' || f.phrase || '”', chk_num(f.value))
                || '，但表格中对应的数字为' || chk_num(p.table_value)
                || '（' || f.compared_with || '），正文与表格应一致。'
        end as message_zh,
        case
            when p.n_cells is null or f.value is null then 'extraction'
            when p.n_missing > 0 then p.missing_responsibility
            else 'source'
        end as responsibility,
        cast(json_object(
            'ord', f.figure_no,
            'compared_with', f.compared_with,
            'location', f.location
        ) as varchar) as detail
    from figures as f
    left join per_figure as p
        on p.submission_id = f.submission_id and p.figure_no = f.figure_no
    where
        f.value is null
        or p.n_cells is null
        or p.n_missing > 0
        or abs(p.table_value - f.value) > 1e-6
)

select * from final
