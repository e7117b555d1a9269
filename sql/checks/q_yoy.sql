-- id: Q-YOY
-- severity: info
-- kind: plausibility (cross-year)
-- evaluates: int_previous_year_pairs
-- grain: one row per current submission × key total that jumped or fell sharply from the
--   unit's report of the previous year, or cannot be compared
-- rule: a key total (t3.new.total; the 处理决定数量 of table 二; t4 block totals) is
--   ≥ yoy_factor (5) × last year's or < last year's / yoy_factor, when both years are
--   ≥ yoy_min (10). Only cells present in both years' templates are compared.
-- zero rows means: no key total of a report with a previous-year report changed by a
--   factor of five or more.

with
key_cells as (
    select * from (
        values
        ('t3.new.total'),
        ('t2.license.decisions'),
        ('t2.other_service.decisions'),
        ('t2.penalty.decisions'),
        ('t2.coercion.decisions'),
        ('t4.review.total'),
        ('t4.suit_direct.total'),
        ('t4.suit_after_review.total')
    ) as keys (cell_code)
),

pairs as (
    select * from int_previous_year_pairs
),

grid as (
    select * from chk_template_cells
),

last_year as (
    -- the previous reports' cells only: the left join below would otherwise build its hash
    -- table of every cell
    select * from int_history_cells
    where submission_id in (select prev_submission_id from pairs)
),

params as (
    select chk_param('yoy_factor') as factor, chk_param('yoy_min') as min_value
),

compared as (
    select
        p.submission_id, p.unit_code, p.report_year, p.prev_year,
        k.cell_code,
        c.value,
        c.cell_status,
        c.raw_text,
        l.cell_label,
        prev.value as prev_value,
        coalesce(prev.cell_status, 'unseen') as prev_status
    from pairs as p
    inner join key_cells as k on true
    semi join grid as g_prev on g_prev.template = p.prev_template and g_prev.cell_code = k.cell_code
    inner join int_cells_current as c on c.submission_id = p.submission_id and c.cell_code = k.cell_code
    left join last_year as prev
        on prev.submission_id = p.prev_submission_id and prev.cell_code = k.cell_code
    left join chk_cell_labels as l on l.template = c.template and l.cell_code = c.cell_code
),

final as (
    select
        c.submission_id, c.unit_code, c.report_year,
        case when c.value is null or c.prev_value is null then 'not_assessable' else 'fail' end
            as status,
        cast(to_json(map(
            [c.cell_code, cast(c.prev_year as varchar) || ':' || c.cell_code],
            [c.value, c.prev_value]
        )) as varchar) as cells,
        c.prev_value as expected,
        c.value as actual,
        case
            when c.value is null or c.prev_value is null then
                c.cell_label || '无法与上年比较：本年'
                || case when c.value is null then chk_missing_word(c.cell_status, c.raw_text)
                    else '为' || chk_num(c.value) end
                || '，' || cast(c.prev_year as varchar) || '年'
                || case when c.prev_value is null then chk_missing_word(c.prev_status, null)
                    else '为' || chk_num(c.prev_value) end
                || '。'
            else
                c.cell_label || '由' || cast(c.prev_year as varchar) || '年的' || chk_num(c.prev_value)
                || '变为本年的' || chk_num(c.value) || '（' || chk_num(round(c.value / c.prev_value, 2))
                || '倍），变化异常，请核实。'
        end as message_zh,
        case
            when c.value is null then chk_missing_responsibility(c.cell_status)
            when c.prev_value is null then chk_missing_responsibility(c.prev_status)
            else 'source'
        end as responsibility,
        cast(json_object(
            'cell', c.cell_code,
            'prev_year', c.prev_year,
            'ratio', round(c.value / nullif(c.prev_value, 0), 4)
        ) as varchar) as detail
    from compared as c
    cross join params as p
    where
        c.value is null
        or c.prev_value is null
        or (
            c.value >= p.min_value
            and c.prev_value >= p.min_value
            and (c.value >= p.factor * c.prev_value or c.value * p.factor < c.prev_value)
        )
)

select * from final
