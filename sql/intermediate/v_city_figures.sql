-- v_city_figures: the city at a glance.
-- grain: one row per report year.
-- Sums skip blank cells (blank is not zero) and the *_blank columns count the units whose
--   cell was blank or unreadable; the city rates use only the units whose operands are all
--   numbers (rate_units says how many), with the same min_sample rule as the units.
create or replace temp view v_city_figures as
with

unit_years as (
    select * from v_rank_unit_years
),

rankings as (
    select * from v_rankings
),

figures as (
    select * from v_context_figures
),

latest_run as (
    select * from v_latest_check_run
),

run_findings as (
    select * from v_rank_findings
),

coverage as (
    select
        report_year,
        count(*) as units_expected,
        count(*) filter (where has_report) as units_reporting,
        count(*) filter (where not has_report) as units_missing,
    from unit_years
    group by report_year
),

scores as (
    select
        report_year,
        avg(score) as mean_score,
        median(score) as median_score,
        min(score) as min_score,
        max(score) as max_score,
        -- the bands of rank_bands from the highest (优秀, 良好, 合格, 不合格 by default)
        count(*) filter (where band = (select band from rank_bands where band_order = 1))
            as units_excellent,
        count(*) filter (where band = (select band from rank_bands where band_order = 2))
            as units_good,
        count(*) filter (where band = (select band from rank_bands where band_order = 3))
            as units_pass,
        count(*) filter (where band = (select band from rank_bands where band_order = 4))
            as units_fail,
    from rankings
    group by report_year
),

error_units as (
    select
        report_year,
        count(distinct unit_code) filter (
            where severity = 'error' and status = 'fail'
        ) as units_with_errors,
        count(*) filter (where severity = 'error' and status = 'fail') as error_findings,
        count(*) filter (where severity = 'warning' and status = 'fail') as warning_findings,
    from run_findings
    group by report_year
),

sums as (
    select
        report_year,
        sum(applications) as applications,
        count(applications) as applications_units,
        count(*) filter (where applications is null) as applications_blank,
        avg(applications) as applications_per_unit,
        median(applications) as applications_median,
        sum(handled) as handled,
        count(*) filter (where handled is null) as handled_blank,
        sum(disclosed) filter (where handled is not null) as disclosed,
        sum(handled) filter (where disclosed is not null) as disclosure_base,
        count(*) filter (where disclosed is not null and handled is not null) as disclosure_units,
        sum(review_total) as review_total,
        sum(review_corrected) filter (where review_decided is not null) as review_corrected,
        sum(review_decided) filter (where review_corrected is not null) as review_decided,
        count(*) filter (where review_corrected is not null and review_decided is not null)
            as review_units,
        sum(suit_total) as suit_total,
        sum(suit_corrected) filter (where suit_decided is not null) as suit_corrected,
        sum(suit_decided) filter (where suit_corrected is not null) as suit_decided,
        count(*) filter (where suit_corrected is not null and suit_decided is not null)
            as suit_units,
    from figures
    group by report_year
),

final as (
    select
        c.report_year,
        c.units_expected,
        c.units_reporting,
        c.units_missing,
        s.mean_score,
        s.median_score,
        s.min_score,
        s.max_score,
        s.units_excellent,
        s.units_good,
        s.units_pass,
        s.units_fail,
        coalesce(e.units_with_errors, 0) as units_with_errors,
        coalesce(e.error_findings, 0) as error_findings,
        coalesce(e.warning_findings, 0) as warning_findings,
        (select count(*) from latest_run) > 0 as has_check_run,
        m.applications, m.applications_units, m.applications_blank,
        m.applications_per_unit, m.applications_median,
        m.handled, m.handled_blank,
        m.disclosed, m.disclosure_base, m.disclosure_units,
        rate_status(m.disclosed, m.disclosure_base) as disclosure_status,
        rate_value(m.disclosed, m.disclosure_base) as disclosure_rate,
        m.review_total, m.review_corrected, m.review_decided, m.review_units,
        rate_status(m.review_corrected, m.review_decided) as review_correction_status,
        rate_value(m.review_corrected, m.review_decided) as review_correction_rate,
        m.suit_total, m.suit_corrected, m.suit_decided, m.suit_units,
        rate_status(m.suit_corrected, m.suit_decided) as suit_correction_status,
        rate_value(m.suit_corrected, m.suit_decided) as suit_correction_rate,
    from coverage as c
    left join scores as s on s.report_year = c.report_year
    left join error_units as e on e.report_year = c.report_year
    left join sums as m on m.report_year = c.report_year
)

select * from final
order by report_year;
