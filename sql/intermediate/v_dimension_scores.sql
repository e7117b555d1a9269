-- v_dimension_scores: the score of each dimension (合规性, 一致性, 质量) of every report.
-- grain: one row per unit-year with a current report × dimension with an assessed metric.
-- Same formula as the composite score, over the metrics of one dimension.
create or replace temp view v_dimension_scores as
with

weighted as (
    select * from int_scores_weighted
),

final as (
    select
        unit_code,
        report_year,
        dimension,
        rank_composite(weight, score) as dimension_score,
    from weighted
    group by unit_code, report_year, dimension
)

select * from final
order by report_year, unit_code, dimension;
