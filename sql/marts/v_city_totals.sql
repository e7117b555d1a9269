-- v_city_totals
-- grain: one row per report year × cell code
-- City-wide sums over the current loaded submissions of registry units (a submission whose
-- unit is unknown is left out: it cannot be counted once per unit). total_value sums the
-- cells that hold a number and is null when none does: blank is not zero, and the counts
-- beside it say how complete the sum is.
create or replace view v_city_totals as
with

current_cells as (
    select * from v_current_cells
    where unit_code is not null
),

final as (
    select
        report_year,
        cell_code,
        table_code,
        row_code,
        col_code,
        sum(value) as total_value,
        count(distinct unit_code) as units_reporting,
        count(value) as units_with_value,
        count(*) filter (where status = 'blank') as blank_cells,
        count(*) filter (where status = 'unreadable') as unreadable_cells,
        count(*) filter (where status = 'unseen') as unseen_cells,
        min(cell_position) as cell_position,
    from current_cells
    group by report_year, cell_code, table_code, row_code, col_code
)

select * from final
order by report_year, cell_position nulls last, cell_code;
