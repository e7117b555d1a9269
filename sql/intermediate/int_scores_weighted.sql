-- int_scores_weighted: the assessed indicators of every report with their weight, what the
-- composite score (v_rankings) and the dimension scores (v_dimension_scores) are made of.
-- grain: one row per unit-year with a current report × indicator assessed and weighted
--   (score not null, weight > 0).
create or replace temp view int_scores_weighted as
with

scores as (
    select * from v_indicator_scores
    where score is not null
),

weights as (
    select * from rank_weights
    where weight > 0
),

final as (
    select
        s.*,
        w.weight,
    from scores as s
    inner join weights as w on w.metric_id = s.metric_id
)

select * from final;
