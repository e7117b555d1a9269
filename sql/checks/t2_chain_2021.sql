-- id: T2-CHAIN-2021
-- severity: warning
-- kind: implied (cross-year)
-- evaluates: int_previous_year_pairs
-- grain: one row per current v2021 submission × row (规章, 规范性文件) of table 二 whose
--   现行有效件数 does not follow from the previous year's v2021 report, or cannot be checked
-- rule: in_force(y) = in_force(y-1) + issued(y) − repealed(y), for regulation and
--   normative_doc, when both years use the v2021 template
-- zero rows means: every such row continues last year's count, and every operand was a
--   number. Reports without a previous-year v2021 report are not assessed by this rule.

with
pairs as (
    select * from int_previous_year_pairs
    where template = 'v2021' and prev_template = 'v2021'
),

this_year as (
    select * from int_cells_current
    where table_code = 't2' and row_code in ('regulation', 'normative_doc')
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

cell_labels as (
    select * from chk_cell_labels
),

per_row as (
    select
        p.submission_id, p.unit_code, p.report_year, p.prev_year,
        c.row_code,
        max(c.value) filter (where c.col_code = 'in_force') as in_force_value,
        max(c.value) filter (where c.col_code = 'issued') as issued_value,
        max(c.value) filter (where c.col_code = 'repealed') as repealed_value,
        any_value(prev.value) as prev_in_force_value,
        any_value(coalesce(prev.cell_status, 'unseen')) as prev_status,
        count(*) filter (where c.value is null) as n_missing_this_year,
        string_agg('本年“' || cl.col_label || '”' || chk_missing_word(c.cell_status, c.raw_text), '、'
            order by c.col_ord) filter (where c.value is null) as missing_this_year,
        min(chk_missing_responsibility(c.cell_status)) filter (where c.value is null)
            as missing_responsibility
    from pairs as p
    inner join this_year as c on c.submission_id = p.submission_id
    left join last_year as prev
        on prev.submission_id = p.prev_submission_id
        and prev.cell_code = 't2.' || c.row_code || '.in_force'
    left join cell_labels as cl on cl.template = c.template and cl.cell_code = c.cell_code
    group by p.submission_id, p.unit_code, p.report_year, p.prev_year, c.row_code
),

final as (
    select
        r.submission_id, r.unit_code, r.report_year,
        case
            when r.n_missing_this_year > 0 or r.prev_in_force_value is null then 'not_assessable'
            else 'fail'
        end as status,
        cast(to_json(map(
            [
                't2.' || r.row_code || '.in_force',
                't2.' || r.row_code || '.issued',
                't2.' || r.row_code || '.repealed',
                cast(r.prev_year as varchar) || ':t2.' || r.row_code || '.in_force'
            ],
            [r.in_force_value, r.issued_value, r.repealed_value, r.prev_in_force_value]
        )) as varchar) as cells,
        r.prev_in_force_value + r.issued_value - r.repealed_value as expected,
        r.in_force_value as actual,
        case
            when r.n_missing_this_year > 0 or r.prev_in_force_value is null then
                -- the reasons joined by '；' (concat_ws skips the absent one): no '；。'
                '表二“' || l.label || '”行无法与上年报告核对现行有效件数：'
                || concat_ws('；', r.missing_this_year,
                    case when r.prev_in_force_value is null
                        then cast(r.prev_year as varchar) || '年报告“现行有效件数”'
                            || chk_missing_word(r.prev_status, null)
                    end)
                || '。'
            else
                '表二“' || l.label || '”行：' || cast(r.prev_year as varchar) || '年现行有效'
                || chk_num(r.prev_in_force_value) || '件＋本年制发' || chk_num(r.issued_value)
                || '件－本年废止' || chk_num(r.repealed_value) || '件＝'
                || chk_num(r.prev_in_force_value + r.issued_value - r.repealed_value)
                || '件，但本年“现行有效件数”填写为' || chk_num(r.in_force_value) || '件。'
        end as message_zh,
        case
            when r.n_missing_this_year > 0 then r.missing_responsibility
            when r.prev_in_force_value is null then chk_missing_responsibility(r.prev_status)
            else 'source'
        end as responsibility,
        cast(json_object('row', r.row_code, 'prev_year', r.prev_year) as varchar) as detail
    from per_row as r
    left join labels as l on l.code = r.row_code
    where
        r.n_missing_this_year > 0
        or r.prev_in_force_value is null
        or abs(r.prev_in_force_value + r.issued_value - r.repealed_value - r.in_force_value)
        > 1e-6
)

select * from final
