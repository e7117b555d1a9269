-- v_city_outcomes: how the city's applications were settled (办理结果的构成).
-- grain: one row per report year × outcome (予以公开, 部分公开, 不予公开, 无法提供, 不予处理,
--   其他处理).
-- value sums the '总计' column of the outcome's rows over the units whose cell holds a
--   number; blank_cells counts the cells of those rows that are blank or unreadable (blank
--   is not zero). share is of the sum of the six outcomes.
create or replace temp view v_city_outcomes as
with

unit_years as (
    select * from v_rank_unit_years where has_report
),

outcome_names as (
    select * from (
        values
        ('granted', 1, '予以公开'),
        ('partial', 2, '部分公开'),
        ('denied', 3, '不予公开'),
        ('unable', 4, '无法提供'),
        ('not_processed', 5, '不予处理'),
        ('other', 6, '其他处理')
    ) as o (outcome, outcome_order, outcome_name)
),

outcome_cells as (
    select
        u.report_year,
        split_part(c.row_code, '.', 1) as outcome,
        c.value,
        c.status,
    from unit_years as u
    inner join cells as c on c.submission_id = u.submission_id
    where c.table_code = 't3' and c.col_code = 'total'
),

sums as (
    select
        report_year,
        outcome,
        sum(value) as value,
        count(*) filter (where status <> 'value') as blank_cells,
    from outcome_cells
    group by report_year, outcome
),

years as (
    select distinct report_year from unit_years
),

final as (
    select
        y.report_year,
        o.outcome,
        o.outcome_order,
        o.outcome_name,
        s.value,
        coalesce(s.blank_cells, 0) as blank_cells,
        s.value / nullif(sum(s.value) over (partition by y.report_year), 0) as share,
    from years as y
    cross join outcome_names as o
    left join sums as s on s.report_year = y.report_year and s.outcome = o.outcome
)

select * from final
order by report_year, outcome_order;
