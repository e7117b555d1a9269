-- v_indicator_scores: every scored indicator of gongkai/data/metrics.toml for every report.
-- grain: one row per unit-year with a current report × scored metric (kind rule or computed).
-- score is 0..1, or null when the metric is not assessed for the report (see metrics.toml);
--   evidence says why, in a clerk's words. Rule metrics read the findings of the latest check
--   run (v_rank_findings); sections and cells_filled read the report itself; no_errors counts
--   the error findings of the township's own making that no other metric stands for.
-- Reads the temp tables rank_metrics, rank_metric_rules and rank_params (from the TOML files).
create or replace temp view v_indicator_scores as
with

unit_years as (
    select * from v_rank_unit_years where has_report
),

metrics as (
    select * from rank_metrics where kind in ('rule', 'computed')
),

metric_rules as (
    select * from rank_metric_rules
),

latest_run as (
    select * from v_rank_latest_run
),

rules_ran as (
    select distinct c.rule_id
    from check_runs as c
    semi join latest_run as r on r.run_id = c.run_id
    where c.status <> 'error'
),

run_findings as (
    select * from v_rank_findings
),

-- rule metrics ------------------------------------------------------------------------------

metric_findings as (
    select
        mr.metric_id,
        f.submission_id,
        count(*) filter (
            where f.status = 'fail' and coalesce(f.responsibility, 'source') = 'source'
        ) as n_source_fails,
        count(*) filter (
            where f.status = 'not_assessable' or f.responsibility = 'extraction'
        ) as n_doubtful,
        string_agg(distinct f.rule_id, '、' order by f.rule_id) filter (
            where f.status = 'fail' and coalesce(f.responsibility, 'source') = 'source'
        ) as failing_rules,
    from run_findings as f
    inner join metric_rules as mr on mr.rule_id = f.rule_id
    group by mr.metric_id, f.submission_id
),

metric_rules_ran as (
    select
        mr.metric_id,
        count(*) as n_rules_ran,
    from metric_rules as mr
    semi join rules_ran as r on r.rule_id = mr.rule_id
    group by mr.metric_id
),

rule_scores as (
    select
        u.unit_code,
        u.report_year,
        u.submission_id,
        m.metric_id,
        case
            when coalesce(ran.n_rules_ran, 0) = 0 then null
            when m.needs_previous_year and not u.has_prev_report then null
            when coalesce(f.n_source_fails, 0) > 0 then 0.0
            when coalesce(f.n_doubtful, 0) > 0 then null
            else 1.0
        end as score,
        case
            when coalesce(ran.n_rules_ran, 0) = 0 then '未检查'
            when m.needs_previous_year and not u.has_prev_report then '无上年报告'
            when coalesce(f.n_source_fails, 0) > 0 then '未通过 ' || f.failing_rules
            when coalesce(f.n_doubtful, 0) > 0 then '无法判断'
            else '通过'
        end as evidence,
    from unit_years as u
    cross join metrics as m
    left join metric_rules_ran as ran on ran.metric_id = m.metric_id
    left join metric_findings as f
        on f.metric_id = m.metric_id and f.submission_id = u.submission_id
    where m.kind = 'rule'
),

-- computed metrics --------------------------------------------------------------------------

sections_found as (
    select
        u.submission_id,
        count(distinct n.section_code) filter (
            where n.section_code in ('s1', 's2', 's3', 's4', 's5', 's6')
        ) as n_sections,
    from unit_years as u
    left join narratives as n on n.submission_id = u.submission_id
    group by u.submission_id
),

cells_counted as (
    select
        u.submission_id,
        count(*) filter (where c.status = 'value') as n_filled,
        count(*) as n_cells,
    from unit_years as u
    inner join cells as c on c.submission_id = u.submission_id
    inner join cell_codes as cc on cc.cell_code = c.cell_code
    where
        c.table_code in ('t3', 't4')
        and ((u.template = 'v2019' and cc.in_v2019) or (u.template = 'v2021' and cc.in_v2021))
    group by u.submission_id
),

error_counts as (
    select
        f.submission_id,
        count(*) as n_errors,
    from run_findings as f
    where
        f.severity = 'error'
        and f.status = 'fail'
        and coalesce(f.responsibility, 'source') = 'source'
        and f.rule_id not in (select rule_id from metric_rules)
    group by f.submission_id
),

has_run as (
    select count(*) > 0 as has_run from latest_run
),

params as (
    select max(value) filter (where key = 'error_penalty') as error_penalty,
    from rank_params
),

computed_scores as (
    select
        u.unit_code,
        u.report_year,
        u.submission_id,
        m.metric_id,
        case m.metric_id
            when 'sections' then s.n_sections / 6.0
            when 'cells_filled' then c.n_filled / nullif(c.n_cells, 0)
            when 'no_errors' then
                case
                    when h.has_run then greatest(0.0, 1.0 - p.error_penalty * coalesce(e.n_errors, 0))
                end
        end as score,
        case m.metric_id
            when 'sections' then '找到' || s.n_sections || '/6部分'
            when 'cells_filled' then '填写' || coalesce(c.n_filled, 0) || '/' || coalesce(c.n_cells, 0) || '格'
            when 'no_errors' then
                case
                    when h.has_run then coalesce(e.n_errors, 0) || '条错误'
                    else '未检查'
                end
        end as evidence,
    from unit_years as u
    cross join metrics as m
    cross join has_run as h
    cross join params as p
    left join sections_found as s on s.submission_id = u.submission_id
    left join cells_counted as c on c.submission_id = u.submission_id
    left join error_counts as e on e.submission_id = u.submission_id
    where m.kind = 'computed'
),

all_scores as (
    select * from rule_scores
    union all by name
    select * from computed_scores
),

final as (
    select
        a.unit_code,
        a.report_year,
        a.submission_id,
        a.metric_id,
        m.dimension,
        m.metric_order,
        a.score,
        a.evidence,
    from all_scores as a
    inner join metrics as m on m.metric_id = a.metric_id
)

select * from final
order by report_year, unit_code, metric_order;
