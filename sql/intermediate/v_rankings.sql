-- v_rankings: the league table.
-- grain: one row per registry unit × report year (v_rank_unit_years); a unit without a
--   current report has no score, band or rank.
-- score: 100 × Σ weight × indicator ÷ Σ weight over the indicators assessed for the unit,
--   rounded to score_decimals; coverage is the share of the total weight assessed.
-- rank_in_group / rank_overall: rank() on the rounded score within the peer group (街道,
--   乡镇) of the unit's city / within the city (the registry's city column: a county-level
--   city or county; a registry of a province ranks each city's townships among themselves):
--   equal scores share a rank (1, 2, 2, 4). display_order (city, peer group, score) breaks
--   ties by unit_code for display only.
-- rank_change: last year's rank in the group minus this year's (positive = moved up).
create or replace temp view v_rankings as
with

unit_years as (
    select * from v_rank_unit_years
),

weighted as (
    select * from int_scores_weighted
),

total_weight as (
    select sum(rank_weight(weight)) as weight from rank_weights
    where weight > 0
),

composite as (
    select
        unit_code,
        report_year,
        rank_composite(weight, score) as score,
        sum(rank_weight(weight)) / (select weight from total_weight) as coverage,
        count(*) as n_metrics_assessed,
    from weighted
    group by unit_code, report_year
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
            partition by report_year, city, peer_group, score is null order by score desc
        ) end as rank_in_group,
        count(score) over (partition by report_year, city, peer_group) as group_size,
        case when score is not null then rank() over (
            partition by report_year, city, score is null order by score desc
        ) end as rank_overall,
        count(score) over (partition by report_year, city) as city_size,
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
        b.city,
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
            order by b.city nulls last, b.peer_group_order, b.score desc nulls last, b.unit_code
        ) as display_order,
    from banded as b
    left join v_rank_ranges as rr
        on rr.unit_code = b.unit_code and rr.report_year = b.report_year
    left join banded as p
        on p.unit_code = b.unit_code and p.report_year = b.report_year - 1
)

select * from final
order by report_year, display_order;
