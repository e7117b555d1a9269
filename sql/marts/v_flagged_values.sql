-- v_flagged_values: the values of the current reports that the city totals leave out, with
-- why (see v_city_cells): named as wrong by a failing error or warning finding of a rule
-- that judges the value itself (rule_ids), or read with doubt (is_read_with_doubt; an
-- inferred placement says how in confidence_reason).
-- grain: one row per current loaded submission of a known unit × cell left out.
-- in_city_total says whether a city total of the report's year (v_city_totals) adds the
--   value: read from v_city_cells, the cells the totals add; false for every value listed.
create or replace view v_flagged_values as
with

city_cells as (
    select * from v_city_cells
),

year_lines as (
    select l.template, m.cell_code
    from city_lines as l
    inner join city_line_cells as m on m.line_code = l.line_code
),

final as (
    select
        c.report_year,
        c.unit_code,
        c.unit_name,
        c.submission_id,
        c.cell_code as cell_key,
        cc.row_label,
        cc.col_label,
        c.cell_position,
        c.value,
        cast(c.value as varchar) as value_text,
        c.raw_text,
        c.location,
        if(cc.is_money, '万元', '件') as value_unit,
        coalesce(c.rule_ids, '') as rule_ids,
        c.is_named_wrong,
        c.is_read_with_doubt,
        coalesce(c.confidence = 'inferred', false) as is_inferred,
        c.confidence_reason,
        c.counted_value is not null and exists (
            select 1 from year_lines as y
            where y.cell_code = c.cell_code
                and y.template = template_in_force(c.report_year)
        ) as in_city_total,
    from city_cells as c
    left join cell_codes as cc on cc.cell_code = c.cell_code
    where c.is_left_out
)

select * from final
order by report_year, unit_code, submission_id, cell_position nulls last, cell_key;
