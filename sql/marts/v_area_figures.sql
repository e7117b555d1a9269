-- v_area_figures: the townships rolled up by level — each city or county, each prefecture,
-- each province — for a province report and for comparing areas.
-- grain: one row per report year × level × area; level is 'province', 'prefecture' or
--   'city' (a city or county: the registry's city column); an area is named with the areas
--   above it (a prefecture's province, a city's prefecture and province), and a registry
--   without provinces (the bundled one) gives only its cities.
-- units_expected counts the registry's units valid that year; units_accepted those whose
--   current report has no failing error finding in the latest check run (v_unit_status).
--   Sums skip blank cells (blank is not zero): applications_units says how many units' sum
--   it is, applications_blank how many reporting units left the cell blank or unreadable.
--   Rates are null when their base is 0.
create or replace view v_area_figures as
with

report_years as (
    select distinct report_year
    from submissions
    where report_year is not null
),

unit_years as (
    select
        y.report_year,
        u.unit_code,
        u.province,
        u.prefecture,
        u.city,
    from units as u
    inner join report_years as y
        on y.report_year between coalesce(u.valid_from, 0) and coalesce(u.valid_to, 9999)
),

status as (
    select * from v_unit_status
),

t3 as (
    select submission_id, t3__new__total, t3__total__total, t3__granted__total,
        t3__partial__total
    from v_t3
),

per_unit as (
    select
        y.*,
        s.submission_id is not null as has_report,
        s.is_accepted,
        s.n_errors,
        t3.t3__new__total as applications,
        t3.t3__total__total as handled,
        t3.t3__granted__total + t3.t3__partial__total as disclosed,
    from unit_years as y
    left join status as s
        on s.unit_code = y.unit_code and s.report_year = y.report_year
    left join t3 on t3.submission_id = s.submission_id
),

rolled as (
    select
        report_year,
        province,
        prefecture,
        city,
        grouping(prefecture) as above_prefecture,
        grouping(city) as above_city,
        count(*) as units_expected,
        count(*) filter (where has_report) as units_reporting,
        count(*) filter (where not has_report) as units_missing,
        count(*) filter (where is_accepted) as units_accepted,
        count(*) filter (where n_errors > 0) as units_with_errors,
        coalesce(sum(n_errors), 0) as error_findings,
        sum(applications) as applications,
        count(applications) as applications_units,
        count(*) filter (where has_report and applications is null) as applications_blank,
        median(applications) as applications_median,
        sum(handled) filter (where disclosed is not null) as disclosure_base,
        sum(disclosed) filter (where handled is not null) as disclosed,
    from per_unit
    group by grouping sets (
        (report_year, province),
        (report_year, province, prefecture),
        (report_year, province, prefecture, city)
    )
),

final as (
    select
        report_year,
        case
            when above_prefecture = 1 then 'province'
            when above_city = 1 then 'prefecture'
            else 'city'
        end as level,
        province,
        prefecture,
        city,
        coalesce(case
            when above_prefecture = 1 then province
            when above_city = 1 then prefecture
            else city
        end, '') as area,
        units_expected,
        units_reporting,
        units_missing,
        units_accepted,
        units_with_errors,
        error_findings,
        units_reporting / nullif(units_expected, 0) as reporting_rate,
        units_accepted / nullif(units_reporting, 0) as acceptance_rate,
        applications,
        applications_units,
        applications_blank,
        applications_median,
        disclosed / nullif(disclosure_base, 0) as disclosure_rate,
    from rolled
    -- a registry without provinces has no province or prefecture level
    where not (above_city = 1 and province is null and prefecture is null)
)

select * from final
order by report_year, province nulls first, prefecture nulls first,
    level = 'city', city nulls first;
