-- v_city_figures: the city at a glance.
-- grain: one row per report year.
-- The sums and rates add the values the city totals count (v_city_cells.counted_value): a
--   value the checks name as wrong or that was read with doubt is left out like a blank
--   (left_out_values counts them; v_flagged_values lists them), and blank is not zero. The
--   *_blank columns count the units whose cell was not counted (blank, unreadable or left
--   out); the city rates use only the units whose operands are all counted (the *_units
--   columns say how many), with the same min_sample rule as the units.
create or replace temp view v_city_figures as
with

unit_years as (
    select * from v_rank_unit_years
),

rankings as (
    select * from v_rankings
),

-- each unit's figures as the city counts them: v_context_figures' operands over the counted
-- values (a value left out is null, as a blank is)
counted as (
    select
        c.submission_id,
        max(c.counted_value) filter (where c.cell_code = 't3.new.total') as applications,
        max(c.counted_value) filter (where c.cell_code = 't3.total.total') as handled,
        max(c.counted_value) filter (where c.cell_code = 't3.granted.total') as granted,
        max(c.counted_value) filter (where c.cell_code = 't3.partial.total') as partial,
        max(c.counted_value) filter (where c.cell_code = 't4.review.corrected') as review_corrected,
        max(c.counted_value) filter (where c.cell_code = 't4.review.total') as review_total,
        max(c.counted_value) filter (where c.cell_code = 't4.review.pending') as review_pending,
        max(c.counted_value) filter (where c.cell_code = 't4.suit_direct.corrected')
        + max(c.counted_value) filter (where c.cell_code = 't4.suit_after_review.corrected')
            as suit_corrected,
        max(c.counted_value) filter (where c.cell_code = 't4.suit_direct.total')
        + max(c.counted_value) filter (where c.cell_code = 't4.suit_after_review.total')
            as suit_total,
        max(c.counted_value) filter (where c.cell_code = 't4.suit_direct.pending')
        + max(c.counted_value) filter (where c.cell_code = 't4.suit_after_review.pending')
            as suit_pending,
        count(*) filter (where c.is_left_out) as left_out_values,
    from v_city_cells as c
    group by c.submission_id
),

figures as (
    select
        u.report_year,
        c.applications,
        c.handled,
        c.granted + c.partial as disclosed,
        c.review_corrected,
        c.review_total,
        c.review_total - c.review_pending as review_decided,
        c.suit_corrected,
        c.suit_total,
        c.suit_total - c.suit_pending as suit_decided,
        coalesce(c.left_out_values, 0) as left_out_values,
    from unit_years as u
    inner join counted as c on c.submission_id = u.submission_id
    where u.has_report
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
        -- reports on the other template version than the year's: only their cells that mean
        -- the same in both versions count in the city totals (v_city_totals)
        count(*) filter (where has_report and template <> template_in_force(report_year))
            as units_other_template,
    from unit_years
    group by report_year
),

scores as (
    select
        report_year,
        ordered_avg(list(score)) as mean_score,
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
        sum(left_out_values) as left_out_values,
    from figures
    group by report_year
),

final as (
    select
        c.*,
        s.* exclude (report_year),
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
        coalesce(m.left_out_values, 0) as left_out_values,
    from coverage as c
    left join scores as s on s.report_year = c.report_year
    left join error_units as e on e.report_year = c.report_year
    left join sums as m on m.report_year = c.report_year
)

select * from final
order by report_year;
