-- v_city_cells: the cells of the current reports as the city totals count them.
-- grain: one row per current loaded submission of a known unit × cell code of its template.
-- counted_value is the value the city totals add, or null: blank, unreadable and unseen
--   cells (blank is not zero), and the values left out (is_left_out), those that
--   * a failing error- or warning-level finding of a rule that judges the value itself
--     names as wrong (value_rules: a negative or fractional count, money not in 万元, a 规章
--     count of a township): is_named_wrong, rule_ids; or
--   * were read with doubt: placed by the reader's inference (cells.confidence =
--     'inferred'), or named by a failing error or warning finding that doubts our reading
--     (responsibility 'extraction'): is_read_with_doubt. A 0 read with doubt changes no
--     total and is counted.
-- v_city_totals adds counted_value; v_flagged_values lists the values left out.
create or replace view v_city_cells as
with

cells as (
    select * from v_current_cells
    where unit_code is not null
),

findings as (
    select *
    from findings_current
    where status = 'fail'
        and severity in ('error', 'warning')
        and cells is not null and json_valid(cells)
        and (rule_id in (select rule_id from value_rules) or responsibility = 'extraction')
),

named as (
    select
        submission_id,
        rule_id,
        rule_id in (select rule_id from value_rules) as is_named_wrong,
        responsibility = 'extraction' as is_doubt,
        unnest(json_keys(cells::json)) as cell_code,
    from findings
),

reasons as (
    select submission_id, cell_code, rule_id, is_named_wrong, is_doubt
    from named
    union all
    select submission_id, cell_code, null, false, true
    from cells
    where confidence = 'inferred' and provenance is distinct from 'corrected'
),

flagged as (
    select
        submission_id,
        cell_code,
        string_agg(distinct rule_id, '、' order by rule_id) as rule_ids,
        bool_or(is_named_wrong) as is_named_wrong,
        bool_or(is_doubt) as is_read_with_doubt,
    from reasons
    group by submission_id, cell_code
),

final as (
    select
        c.*,
        coalesce(f.is_named_wrong, false) as is_named_wrong,
        coalesce(f.is_read_with_doubt, false) as is_read_with_doubt,
        f.rule_ids,
        c.value is not null and f.cell_code is not null
            and (f.is_named_wrong or c.value <> 0) as is_left_out,
    from cells as c
    left join flagged as f on f.submission_id = c.submission_id and f.cell_code = c.cell_code
)

select
    * exclude (is_left_out),
    is_left_out,
    if(is_left_out, null, value) as counted_value,
from final;
