-- v_city_totals
-- grain: one row per report year × line of the template version in force that year
-- (city_lines): each cell of the version, and each group of table 三's sub-rows (cell_code
-- t3.denied.total … with is_group). Over the current loaded submissions of known units (a
-- submission whose unit is unknown is left out: it cannot be counted once per unit).
-- One mapping for both versions (city_line_cells): a line adds the cells of its code from
-- every report, and a group also its own row where a version has one, so the 2019
-- version's 其他处理 counts in the 2021 version's 其他处理 and table 三's rows, groups and
-- outcomes agree. Table 二's 2019 columns have no line in a 2021 year (they mean other
-- things) and are not added there.
-- total_value adds the counted values (v_city_cells.counted_value) and is null when none is
-- a number: blank is not zero, and a value the checks name as wrong or that was read with
-- doubt is left out (left_out_cells, left_out_value; listed in v_flagged_values). The
-- counts beside it say how complete the sum is.
create or replace view v_city_totals as
with

city_cells as (
    select * from v_city_cells
),

years as (
    select distinct report_year, template_in_force(report_year) as template
    from city_cells
    where report_year is not null
),

lines as (
    select y.report_year, l.*
    from years as y
    inner join city_lines as l on l.template = y.template
),

line_cells as (
    -- every line has at least one cell (its own code), so every line is in sums: a line no
    -- report has a cell of counts nothing (the left join's one empty row)
    select l.report_year, l.line_code, c.unit_code, c.status, c.value, c.counted_value,
        c.is_left_out,
    from lines as l
    inner join city_line_cells as m on m.line_code = l.line_code
    left join city_cells as c on c.report_year = l.report_year and c.cell_code = m.cell_code
),

sums as (
    select
        report_year,
        line_code,
        value_sum(list(counted_value)) as total_value,
        count(distinct unit_code) as units_reporting,
        count(distinct unit_code) filter (where counted_value is not null) as units_with_value,
        count(*) filter (where status = 'blank') as blank_cells,
        count(*) filter (where status = 'unreadable') as unreadable_cells,
        count(*) filter (where status = 'unseen') as unseen_cells,
        count(*) filter (where is_left_out) as left_out_cells,
        value_sum(list(value) filter (where is_left_out)) as left_out_value,
    from line_cells
    group by report_year, line_code
),

final as (
    select
        l.report_year,
        l.line_code as cell_code,
        l.table_code,
        l.row_code,
        l.col_code,
        l.row_label,
        l.col_label,
        l.is_group,
        s.* exclude (report_year, line_code),
        l.position as cell_position,
    from lines as l
    inner join sums as s on s.report_year = l.report_year and s.line_code = l.line_code
)

select * from final
order by report_year, cell_position, cell_code;
