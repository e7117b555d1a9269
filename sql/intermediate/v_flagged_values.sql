-- v_flagged_values: the values of the current reports that the latest check names as wrong
--   (a failing error- or warning-level finding of a rule that judges the value itself: a
--   negative or fractional count, money not in 万元, a regulation count of a township) or
--   that were read with doubt (a non-zero value named by a failing finding whose responsibility
--   is extraction).
-- grain: one row per report year × unit × cell of tables 二–四.
-- in_city_total says whether the city totals (v_city_totals) still add the value: true for
--   every row until the totals leave flagged values out; the reports print the list either way
--   and say which.
-- Loaded by gongkai.render.data.connect (a temporary view, on a read-only connection).
create or replace temp view v_flagged_values as
with
value_rules as (
    select * from (values
        ('T2-MONEY-UNIT'), ('T2-NONNEG'), ('T2-NO-REGULATION'), ('T3-INTEGER'), ('T4-INTEGER')
    ) as r (rule_id)
),

findings as (
    select f.*
    from v_rank_findings as f
    where f.status = 'fail'
        and f.severity in ('error', 'warning')
        and (f.rule_id in (select rule_id from value_rules) or f.responsibility = 'extraction')
),

named_cells as (
    select
        f.report_year,
        f.unit_code,
        f.unit_name,
        f.rule_id,
        f.responsibility,
        c.cell_key,
        c.row_label,
        c.col_label,
        c.cell_position,
        c.finding_value,
        c.raw_text,
        c.location,
    from findings as f
    inner join v_rank_finding_cells as c
        on c.submission_id = f.submission_id and c.finding_no = f.finding_no
    where regexp_matches(c.cell_key, '^t[234]\.') and c.finding_value is not null
        -- a row read with doubt names all its cells: its zeros change no total
        and (f.rule_id in (select rule_id from value_rules) or try_cast(c.finding_value as double) <> 0)
),

final as (
    select
        report_year,
        unit_code,
        any_value(unit_name) as unit_name,
        cell_key,
        any_value(row_label) as row_label,
        any_value(col_label) as col_label,
        any_value(cell_position) as cell_position,
        any_value(finding_value) as value_text,
        any_value(raw_text) as raw_text,
        any_value(location) as location,
        case when cell_key in ('t2.procurement.amount', 't2.fee.amount') then '万元'
            else '件' end as value_unit,
        string_agg(distinct rule_id, '、' order by rule_id) as rule_ids,
        bool_or(responsibility = 'extraction') as is_read_with_doubt,
        true as in_city_total,
    from named_cells
    group by report_year, unit_code, cell_key
)

select * from final
