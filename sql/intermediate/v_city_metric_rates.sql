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
        ordered_avg(list(s.score)) as mean_score,
    from scores as s
    group by s.report_year, s.metric_id
)

select * from final
order by report_year, metric_order;
