-- v_city_metric_rates: how the city's units did on each scored indicator (compliance rates).
-- grain: one row per report year × scored metric.
-- units_assessed counts the reports the metric could be assessed for; share_full is the
--   share of those with a full score; mean_score is the mean indicator (0..1).
create or replace temp view v_city_metric_rates as
with

scores as (
    select * from v_indicator_scores
),

final as (
    select
        s.report_year,
        s.metric_id,
        any_value(s.dimension) as dimension,
        any_value(s.metric_order) as metric_order,
        count(*) as units_reporting,
        count(s.score) as units_assessed,
        count(*) filter (where s.score = 1) as units_full,
        count(*) filter (where s.score = 1) / nullif(count(s.score), 0) as share_full,
        avg(s.score) as mean_score,
    from scores as s
    group by s.report_year, s.metric_id
)

select * from final
order by report_year, metric_order;

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

params as (
    select max(value) filter (where key = 'min_sample') as min_sample,
    from rank_params
),

latest_run as (
    select * from v_rank_latest_run
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
        m.applications,
        m.applications_units,
        m.applications_blank,
        m.applications_per_unit,
        m.applications_median,
        m.handled,
        m.handled_blank,
        m.disclosed,
        m.disclosure_base,
        m.disclosure_units,
        case
            when m.disclosure_base is null then 'blank'
            when m.disclosure_base = 0 then 'zero'
            when m.disclosure_base < p.min_sample then 'small'
            else 'rate'
        end as disclosure_status,
        case when m.disclosure_base >= p.min_sample and m.disclosure_base > 0
            then m.disclosed / m.disclosure_base end as disclosure_rate,
        m.review_total,
        m.review_corrected,
        m.review_decided,
        m.review_units,
        case
            when m.review_decided is null then 'blank'
            when m.review_decided = 0 then 'zero'
            when m.review_decided < p.min_sample then 'small'
            else 'rate'
        end as review_correction_status,
        case when m.review_decided >= p.min_sample and m.review_decided > 0
            then m.review_corrected / m.review_decided end as review_correction_rate,
        m.suit_total,
        m.suit_corrected,
        m.suit_decided,
        m.suit_units,
        case
            when m.suit_decided is null then 'blank'
            when m.suit_decided = 0 then 'zero'
            when m.suit_decided < p.min_sample then 'small'
            else 'rate'
        end as suit_correction_status,
        case when m.suit_decided >= p.min_sample and m.suit_decided > 0
            then m.suit_corrected / m.suit_decided end as suit_correction_rate,
    from coverage as c
    cross join params as p
    left join scores as s on s.report_year = c.report_year
    left join error_units as e on e.report_year = c.report_year
    left join sums as m on m.report_year = c.report_year
)

select * from final
order by report_year;

-- v_city_outcomes: how the city's applications were settled (办理结果的构成).
-- grain: one row per report year × outcome (予以公开, 部分公开, 不予公开, 无法提供, 不予处理,
--   其他处理).
-- value sums the '总计' column of the outcome's rows over the units whose cell holds a
--   number; blank_cells counts the cells of those rows that are blank or unreadable (blank
--   is not zero). share is of the sum of the six outcomes.
create or replace temp view v_city_outcomes as
with

unit_years as (
    select * from v_rank_unit_years where has_report
),

outcome_names as (
    select * from (
        values
        ('granted', 1, '予以公开'),
        ('partial', 2, '部分公开'),
        ('denied', 3, '不予公开'),
        ('unable', 4, '无法提供'),
        ('not_processed', 5, '不予处理'),
        ('other', 6, '其他处理')
    ) as o (outcome, outcome_order, outcome_name)
),

outcome_cells as (
    select
        u.report_year,
        split_part(c.row_code, '.', 1) as outcome,
        c.value,
        c.status,
    from unit_years as u
    inner join cells as c on c.submission_id = u.submission_id
    where c.table_code = 't3' and c.col_code = 'total'
),

sums as (
    select
        report_year,
        outcome,
        sum(value) as value,
        count(*) filter (where status <> 'value') as blank_cells,
    from outcome_cells
    group by report_year, outcome
),

years as (
    select distinct report_year from unit_years
),

final as (
    select
        y.report_year,
        o.outcome,
        o.outcome_order,
        o.outcome_name,
        s.value,
        coalesce(s.blank_cells, 0) as blank_cells,
        s.value / nullif(sum(s.value) over (partition by y.report_year), 0) as share,
    from years as y
    cross join outcome_names as o
    left join sums as s on s.report_year = y.report_year and s.outcome = o.outcome
)

select * from final
order by report_year, outcome_order;

-- v_city_totals_yoy: the city total of every cell with last year's beside it.
-- grain: one row per report year × cell code (v_city_totals).
-- change is null when either year's total is null (no unit gave a number); change_pct also
--   when last year's total is 0. A cell of only one template version has no last-year
--   value across the 2020 → 2021 change.
create or replace temp view v_city_totals_yoy as
with

totals as (
    select * from v_city_totals
),

final as (
    select
        t.report_year,
        t.cell_code,
        t.table_code,
        t.row_code,
        t.col_code,
        cc.row_label,
        cc.col_label,
        t.cell_position,
        t.total_value,
        t.units_reporting,
        t.units_with_value,
        t.blank_cells,
        t.unreadable_cells,
        t.unseen_cells,
        p.total_value as prev_total_value,
        t.total_value - p.total_value as change,
        (t.total_value - p.total_value) / nullif(p.total_value, 0) as change_pct,
    from totals as t
    left join totals as p
        on p.cell_code = t.cell_code and p.report_year = t.report_year - 1
    left join cell_codes as cc on cc.cell_code = t.cell_code
)

select * from final
order by report_year, cell_position nulls last, cell_code;
