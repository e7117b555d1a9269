-- v_rank_ranges: each report's lowest and highest rank among its peers (its city's 街道 or
-- 乡镇, as in v_rankings) when the weights move.
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

scenario_scores as (
    select
        sc.scenario_id,
        s.unit_code,
        s.report_year,
        rank_composite(sc.weight, s.score) as score,
    from scores as s
    inner join scenarios as sc on sc.metric_id = s.metric_id
    group by sc.scenario_id, s.unit_code, s.report_year
),

scenario_ranks as (
    select
        ss.scenario_id,
        ss.unit_code,
        ss.report_year,
        rank() over (
            partition by ss.scenario_id, ss.report_year, u.city, u.peer_group
            order by ss.score desc
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
