-- v_dimension_scores: the score of each dimension (合规性, 一致性, 质量) of every report.
-- grain: one row per unit-year with a current report × dimension with an assessed metric.
-- Same formula as the composite score, over the metrics of one dimension.
create or replace temp view v_dimension_scores as
with

scores as (
    select * from v_indicator_scores where score is not null
),

weights as (
    select * from rank_weights where weight > 0
),

decimals as (
    select max(value) filter (where key = 'score_decimals')::integer as score_decimals,
    from rank_params
),

final as (
    select
        s.unit_code,
        s.report_year,
        s.dimension,
        round(100 * sum(w.weight * s.score) / sum(w.weight), any_value(d.score_decimals))
            as dimension_score,
    from scores as s
    inner join weights as w on w.metric_id = s.metric_id
    cross join decimals as d
    group by s.unit_code, s.report_year, s.dimension
)

select * from final
order by report_year, unit_code, dimension;
