-- v_city_totals_yoy: the city total of every cell with last year's beside it.
-- grain: one row per report year × cell code (v_city_totals).
-- change is null when either year's total is null (no unit gave a number); change_pct also
--   when last year's total is 0. A cell of only one template version has no last-year
--   value across the 2020 → 2021 change.
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
        cc.row_label,
        cc.col_label,
        t.cell_position,
        t.total_value,
        t.units_reporting,
        t.units_with_value,
        t.blank_cells,
        t.unreadable_cells,
        t.unseen_cells,
        p.total_value as prev_total_value,
        t.total_value - p.total_value as change,
        (t.total_value - p.total_value) / nullif(p.total_value, 0) as change_pct,
    from totals as t
    left join totals as p
        on p.cell_code = t.cell_code and p.report_year = t.report_year - 1
    left join cell_codes as cc on cc.cell_code = t.cell_code
)

select * from final
order by report_year, cell_position nulls last, cell_code;
