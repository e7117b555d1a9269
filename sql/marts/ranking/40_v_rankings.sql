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

-- v_rank_ranges: each report's lowest and highest rank among its peers when the weights move.
-- grain: one row per unit-year with a score.
-- Scenarios come from rank_scenarios (scenario 0 = the weights as set; see ranking.toml
--   [sensitivity]): each is scored and ranked exactly like the league table.
create or replace temp view v_rank_ranges as
with

scores as (
    select * from v_indicator_scores where score is not null
),

scenarios as (
    select * from rank_scenarios where weight > 0
),

unit_years as (
    select * from v_rank_unit_years where has_report
),

decimals as (
    select max(value) filter (where key = 'score_decimals')::integer as score_decimals,
    from rank_params
),

scenario_scores as (
    select
        sc.scenario_id,
        s.unit_code,
        s.report_year,
        round(100 * sum(sc.weight * s.score) / sum(sc.weight), any_value(d.score_decimals))
            as score,
    from scores as s
    inner join scenarios as sc on sc.metric_id = s.metric_id
    cross join decimals as d
    group by sc.scenario_id, s.unit_code, s.report_year
),

scenario_ranks as (
    select
        ss.scenario_id,
        ss.unit_code,
        ss.report_year,
        rank() over (
            partition by ss.scenario_id, ss.report_year, u.peer_group order by ss.score desc
        ) as rank_in_group,
    from scenario_scores as ss
    inner join unit_years as u on u.unit_code = ss.unit_code and u.report_year = ss.report_year
),

final as (
    select
        unit_code,
        report_year,
        min(rank_in_group) as rank_min,
        max(rank_in_group) as rank_max,
        count(distinct scenario_id) as n_scenarios,
    from scenario_ranks
    group by unit_code, report_year
)

select * from final
order by report_year, unit_code;

-- v_rankings: the league table.
-- grain: one row per registry unit × report year (v_rank_unit_years); a unit without a
--   current report has no score, band or rank.
-- score: 100 × Σ weight × indicator ÷ Σ weight over the indicators assessed for the unit,
--   rounded to score_decimals; coverage is the share of the total weight assessed.
-- rank_in_group / rank_overall: rank() on the rounded score within the peer group (街道,
--   乡镇) / the city: equal scores share a rank (1, 2, 2, 4). display_order breaks ties by
--   unit_code for display only.
-- rank_change: last year's rank in the group minus this year's (positive = moved up).
create or replace temp view v_rankings as
with

unit_years as (
    select * from v_rank_unit_years
),

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

composite as (
    select
        s.unit_code,
        s.report_year,
        round(100 * sum(w.weight * s.score) / sum(w.weight), any_value(d.score_decimals))
            as score,
        sum(w.weight) / (select sum(weight) from weights) as coverage,
        count(*) as n_metrics_assessed,
    from scores as s
    inner join weights as w on w.metric_id = s.metric_id
    cross join decimals as d
    group by s.unit_code, s.report_year
),

scored as (
    select
        u.*,
        c.score,
        c.coverage,
        c.n_metrics_assessed,
    from unit_years as u
    left join composite as c on c.unit_code = u.unit_code and c.report_year = u.report_year
),

ranked as (
    select
        *,
        case when score is not null then rank() over (
            partition by report_year, peer_group, score is null order by score desc
        ) end as rank_in_group,
        count(score) over (partition by report_year, peer_group) as group_size,
        case when score is not null then rank() over (
            partition by report_year, score is null order by score desc
        ) end as rank_overall,
        count(score) over (partition by report_year) as city_size,
    from scored
),

banded as (
    select
        r.*,
        (
            select b.band
            from rank_bands as b
            where r.score >= b.min_score
            order by b.min_score desc
            limit 1
        ) as band,
    from ranked as r
),

final as (
    select
        b.unit_code,
        b.report_year,
        b.unit_name,
        b.short_name,
        b.unit_type,
        b.peer_group,
        b.peer_group_order,
        b.submission_id,
        b.has_report,
        b.score,
        b.band,
        b.coverage,
        b.n_metrics_assessed,
        b.rank_in_group,
        b.group_size,
        b.rank_overall,
        b.city_size,
        rr.rank_min,
        rr.rank_max,
        p.score as prev_score,
        p.rank_in_group as prev_rank_in_group,
        p.band as prev_band,
        b.score - p.score as score_change,
        p.rank_in_group - b.rank_in_group as rank_change,
        row_number() over (
            partition by b.report_year
            order by b.peer_group_order, b.score desc nulls last, b.unit_code
        ) as display_order,
    from banded as b
    left join v_rank_ranges as rr
        on rr.unit_code = b.unit_code and rr.report_year = b.report_year
    left join banded as p
        on p.unit_code = b.unit_code and p.report_year = b.report_year - 1
)

select * from final
order by report_year, display_order;
