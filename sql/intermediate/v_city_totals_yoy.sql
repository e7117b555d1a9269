-- v_city_totals_yoy: the city total of every line with last year's beside it.
-- grain: one row per report year × line (v_city_totals).
-- Last year's total is the same line's: table 三's rows and groups and table 四 are lines
--   of both versions, so the change is known across the 2020 → 2021 change (其他处理
--   included); a line of one version only (table 二's reworded columns) has none. change is
--   null when either year's total is null (no unit gave a number); change_pct also when
--   last year's total is 0.
create or replace temp view v_city_totals_yoy as
with

totals as (
    select * from v_city_totals
),

final as (
    select
        t.report_year,
        t.cell_code,
        t.table_code,
        t.row_code,
        t.col_code,
        t.row_label,
        t.col_label,
        t.is_group,
        t.cell_position,
        t.total_value,
        t.units_reporting,
        t.units_with_value,
        t.blank_cells,
        t.unreadable_cells,
        t.unseen_cells,
        t.left_out_cells,
        t.left_out_value,
        p.total_value as prev_total_value,
        t.total_value - p.total_value as change,
        (t.total_value - p.total_value) / nullif(p.total_value, 0) as change_pct,
    from totals as t
    left join totals as p
        on p.cell_code = t.cell_code and p.report_year = t.report_year - 1
)

select * from final
order by report_year, cell_position, cell_code;
