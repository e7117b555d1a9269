-- v_rank_unit_years: the units a league table is about, with their current report.
-- grain: one row per registry unit × report year, for every year that has at least one
--   current loaded submission: each unit valid that year (v_unit_years: the name, type and
--   peer group of that year), and any registry unit that filed a report for the year
--   although the registry does not expect it (as its latest registry row).
-- has_report is false for a unit with no current loaded report (未报送 or rejected): it gets
--   no score and no rank. A second current submission of the same unit-year (should there be
--   one) is left out: the first by submission_id is used.
create or replace temp view v_rank_unit_years as
with

current_submissions as (
    select
        submission_id,
        unit_code,
        report_year,
        template,
        published_date,
    from v_current_submissions
    where unit_code is not null and report_year is not null
    qualify row_number() over (
        partition by unit_code, report_year order by submission_id
    ) = 1
),

registry as (
    select * from units
),

report_years as (
    select distinct report_year from current_submissions
),

-- each unit valid in a year, with the name, type and peer group of that year (a unit
-- reclassified keeping its code is ranked in the group of each year)
expected as (
    select unit_code, report_year, name, short_name, unit_type, peer_group, city
    from v_unit_years
    semi join report_years using (report_year)
),

-- a registry unit that filed for a year it is not valid in: as its registry row stands
filed_unexpected as (
    select s.unit_code, s.report_year, r.name, r.short_name, r.unit_type, r.peer_group, r.city
    from current_submissions as s
    inner join registry as r on r.unit_code = s.unit_code
    anti join expected as e on e.unit_code = s.unit_code and e.report_year = s.report_year
),

unit_years as (
    select * from expected
    union all
    select * from filed_unexpected
),

final as (
    select
        uy.unit_code,
        uy.report_year,
        uy.name as unit_name,
        coalesce(uy.short_name, uy.name) as short_name,
        uy.unit_type,
        uy.peer_group,
        case uy.peer_group when '街道' then 1 else 2 end as peer_group_order,
        uy.city,
        s.submission_id,
        s.template,
        s.published_date,
        s.submission_id is not null as has_report,
        p.submission_id is not null as has_prev_report,
    from unit_years as uy
    left join current_submissions as s
        on s.unit_code = uy.unit_code and s.report_year = uy.report_year
    left join current_submissions as p
        on p.unit_code = uy.unit_code and p.report_year = uy.report_year - 1
)

select * from final
order by report_year, peer_group_order, unit_code;
