-- v_city_outcomes: how the city's applications were settled (办理结果的构成).
-- grain: one row per report year × outcome (予以公开, 部分公开, 不予公开, 无法提供, 不予处理,
--   其他处理).
-- value is the city total of the outcome's line in the '总计' column (v_city_totals: a
--   group's line adds its sub-rows, and the 2019 version's 其他处理 row counts in the 2021
--   version's 其他处理), so these figures are table 三's rows in the report; blank_cells
--   counts the blank or unreadable cells of the line, left_out_cells the values left out.
--   share is of the sum of the six outcomes.
create or replace temp view v_city_outcomes as
with

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

lines as (
    select * from v_city_totals
    where table_code = 't3' and col_code = 'total'
),

years as (
    select distinct report_year from v_rank_unit_years where has_report
),

final as (
    select
        y.report_year,
        o.outcome,
        o.outcome_order,
        o.outcome_name,
        l.total_value as value,
        coalesce(l.blank_cells + l.unreadable_cells, 0) as blank_cells,
        coalesce(l.left_out_cells, 0) as left_out_cells,
        l.total_value / nullif(sum(l.total_value) over (partition by y.report_year), 0)
            as share,
    from years as y
    cross join outcome_names as o
    left join lines as l on l.report_year = y.report_year and l.row_code = o.outcome
)

select * from final
order by report_year, outcome_order;
