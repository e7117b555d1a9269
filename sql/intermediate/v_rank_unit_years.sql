-- v_rank_unit_years: the units a league table is about, with their current report.
-- grain: one row per registry unit × report year, for every year that has at least one
--   current loaded submission: each unit valid that year (units.valid_from/valid_to), and any
--   registry unit that filed a report for the year although the registry does not expect it.
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

expected as (
    select
        r.unit_code,
        y.report_year,
    from registry as r
    cross join report_years as y
    where
        coalesce(r.valid_from, 0) <= y.report_year
        and y.report_year <= coalesce(r.valid_to, 9999)
),

unit_years as (
    select unit_code, report_year from expected
    union
    select s.unit_code, s.report_year
    from current_submissions as s
    semi join registry as r on r.unit_code = s.unit_code
),

final as (
    select
        uy.unit_code,
        uy.report_year,
        r.name as unit_name,
        coalesce(r.short_name, r.name) as short_name,
        r.unit_type,
        r.peer_group,
        case r.peer_group when '街道' then 1 else 2 end as peer_group_order,
        r.city,
        s.submission_id,
        s.template,
        s.published_date,
        s.submission_id is not null as has_report,
        p.submission_id is not null as has_prev_report,
    from unit_years as uy
    inner join registry as r on r.unit_code = uy.unit_code
    left join current_submissions as s
        on s.unit_code = uy.unit_code and s.report_year = uy.report_year
    left join current_submissions as p
        on p.unit_code = uy.unit_code and p.report_year = uy.report_year - 1
)

select * from final
order by report_year, peer_group_order, unit_code;
