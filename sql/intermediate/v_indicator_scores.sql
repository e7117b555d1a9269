-- v_indicator_scores: every scored indicator of gongkai/data/metrics.toml for every report.
-- grain: one row per unit-year with a current report × scored metric (kind rule or computed).
-- score is 0..1, or null when the metric is not assessed for the report (see metrics.toml);
--   evidence says why, in a clerk's words. Rule metrics read the findings of the latest check
--   run (v_rank_findings). The computed metrics are graded: on_time by the days before or
--   after the deadline, sections and cells_filled by what the report holds, no_errors by
--   the separate mistakes (int_finding_causes) the error and warning findings no other
--   metric stands for point to, narrative by the share of
--   restated figures that agree with the tables, problems_concrete by the distinct items
--   and the length of section 五, backlog by the share of applications carried over. A
--   computed metric that stands for rules is not assessed when none of them ran, or when
--   the only findings are doubts about our own reading (never held against the township).
-- Reads the temp tables rank_metrics, rank_metric_rules, rank_params and
--   rank_deadline_rules, and the variable rank_boilerplate_pattern (from the TOML files).
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
    select * from v_latest_check_run
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
        count(*) filter (where rank_is_source_fail(f.status, f.responsibility)) as n_source_fails,
        count(*) filter (where rank_is_doubtful(f.status, f.responsibility)) as n_doubtful,
        string_agg(distinct f.rule_id, '、' order by f.rule_id)
            filter (where rank_is_source_fail(f.status, f.responsibility)) as failing_rules,
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
        u.unit_code, u.report_year, u.submission_id, m.metric_id,
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

has_run as (
    select count(*) > 0 as has_run from latest_run
),

params as (
    select
        rank_param('error_penalty') as error_penalty,
        rank_param('warning_penalty') as warning_penalty,
        rank_param('on_time_on_deadline') as on_time_on_deadline,
        rank_param('on_time_full_days_early') as on_time_full_days_early,
        rank_param('on_time_late_start') as on_time_late_start,
        rank_param('on_time_zero_days_late') as on_time_zero_days_late,
        rank_param('problems_items_full') as problems_items_full,
        rank_param('problems_chars_full') as problems_chars_full,
        rank_param('problems_item_min_chars') as problems_item_min_chars,
        rank_param('problems_items_share') as problems_items_share,
        rank_param('backlog_full_share') as backlog_full_share,
        rank_param('backlog_zero_share') as backlog_zero_share,
        rank_param('backlog_min_base') as backlog_min_base,
),

-- the deadline of each report, chosen as R-DEADLINE chooses it
deadlines as (
    select * from report_deadlines('v_rank_unit_years', 'rank_deadline_rules')
    where submission_id is not null
),

days_early as (
    select
        u.submission_id,
        d.deadline - u.published_date as n_days,
    from unit_years as u
    inner join deadlines as d on d.submission_id = u.submission_id
    where u.published_date is not null
),

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

-- the findings no_errors counts and the separate mistakes they point to (int_finding_causes)
finding_counts as (
    select * from int_finding_causes
),

figures_stated as (
    select
        g.submission_id,
        count(*) as n_figures,
    from narrative_figures as g
    semi join unit_years as u on u.submission_id = g.submission_id
    group by g.submission_id
),

narrative_findings as (
    select
        f.submission_id,
        count(*) filter (where rank_is_source_fail(f.status, f.responsibility)) as n_disagree,
        count(*) filter (where rank_is_doubtful(f.status, f.responsibility)) as n_doubtful,
    from run_findings as f
    where f.rule_id = 'R-NARRATIVE'
    group by f.submission_id
),

-- section 五 without spaces and without the template's boilerplate sentences
-- (check settings [boilerplate] patterns, as R-PROBLEMS removes them)
problem_texts as (
    select
        n.submission_id,
        regexp_replace(
            regexp_replace(n.text, '\s+', '', 'g'),
            -- the patterns as one alternation, a constant of the query (a pattern read from
            -- a table would be compiled again for every row)
            getvariable('rank_boilerplate_pattern'),
            '', 'g'
        ) as text,
    from narratives as n
    semi join unit_years as u on u.submission_id = n.submission_id
    where n.section_code = 's5'
    qualify row_number() over (partition by n.submission_id order by n.position nulls last) = 1
),

-- the items it states: pieces between sentence ends, semicolons, colons and list markers
-- （1） 1. 1、 一是 一、, reduced to their Chinese characters, letters and digits
problem_items as (
    select
        submission_id,
        regexp_replace(item, '[^\p{Han}A-Za-z0-9]', '', 'g') as item,
    from (
        -- unnested in the select list: a lateral unnest (`from t, unnest(…)`) was planned
        -- as a join of the 600,000 items back to the texts on the whole text (40,000)
        select
            t.submission_id,
            unnest(regexp_split_to_array(
                t.text,
                '[。；;！!？?：:]|[（(][0-9一二三四五六七八九十]+[）)]|[0-9]+[.、．]|[一二三四五六七八九十]+[是、]'
            )) as item,
        from problem_texts as t
    )
),

-- the distinct items long enough to count, by report, grouped once (not a subquery
-- correlated on each text)
problem_item_counts as (
    select
        i.submission_id,
        count(distinct i.item) as n_items,
    from problem_items as i
    where length(i.item) >= (select problems_item_min_chars from params)
    group by i.submission_id
),

problems_measured as (
    select
        t.submission_id,
        length(regexp_replace(t.text, '[^\p{Han}A-Za-z0-9]', '', 'g')) as n_chars,
        coalesce(c.n_items, 0) as n_items,
    from problem_texts as t
    left join problem_item_counts as c on c.submission_id = t.submission_id
),

-- the two cells of table 三 the backlog reads (straight from cells: the wide v_t3 would
-- sort every cell of every report first)
backlog_figures as (
    select
        u.submission_id,
        max(c.value) filter (where c.cell_code = 't3.new.total') as new_total,
        max(c.value) filter (where c.cell_code = 't3.carried_out.total') as carried_out_total,
    from unit_years as u
    left join cells as c
        on c.submission_id = u.submission_id
        and c.cell_code in ('t3.new.total', 't3.carried_out.total')
    group by u.submission_id
),

computed_scores as (
    select
        u.unit_code, u.report_year, u.submission_id, m.metric_id,
        -- the graded rule metrics are gated as the rule metrics are: not assessed when
        -- their rule did not run or (on_time, problems_concrete) when its only findings
        -- are doubts about our reading; narrative leaves doubtful figures out instead
        case
            when m.metric_id in ('on_time', 'narrative', 'problems_concrete')
                and coalesce(ran.n_rules_ran, 0) = 0 then '未检查'
            when m.metric_id in ('on_time', 'problems_concrete')
                and coalesce(mf.n_source_fails, 0) = 0 and coalesce(mf.n_doubtful, 0) > 0
                then '无法判断'
        end as gate,
        case m.metric_id
            when 'on_time' then
                case
                    when de.n_days >= 0 then p.on_time_on_deadline
                        + (1 - p.on_time_on_deadline)
                        * least(de.n_days, p.on_time_full_days_early) / p.on_time_full_days_early
                    else p.on_time_late_start
                        * greatest(0.0, 1 - (-de.n_days) / p.on_time_zero_days_late)
                end
            when 'sections' then s.n_sections / 6.0
            when 'cells_filled' then c.n_filled / nullif(c.n_cells, 0)
            when 'no_errors' then
                case
                    when h.has_run then greatest(
                        0.0,
                        1.0 - p.error_penalty * coalesce(e.n_error_causes, 0)
                        - p.warning_penalty * coalesce(e.n_warning_causes, 0)
                    )
                end
            when 'narrative' then
                (g.n_figures - coalesce(nf.n_doubtful, 0) - coalesce(nf.n_disagree, 0))
                / nullif(g.n_figures - coalesce(nf.n_doubtful, 0), 0)
            when 'problems_concrete' then
                case
                    when coalesce(mf.n_source_fails, 0) > 0 then 0.0
                    when pm.submission_id is not null then
                        p.problems_items_share
                        * least(pm.n_items, p.problems_items_full) / p.problems_items_full
                        + (1 - p.problems_items_share)
                        * least(pm.n_chars, p.problems_chars_full) / p.problems_chars_full
                end
            when 'backlog' then
                case
                    when b.carried_out_total >= 0 and b.new_total >= 0 then least(1.0, greatest(
                        0.0,
                        (p.backlog_zero_share
                         - b.carried_out_total / greatest(b.new_total, p.backlog_min_base))
                        / (p.backlog_zero_share - p.backlog_full_share)
                    ))
                end
        end as graded,
        case m.metric_id
            when 'on_time' then
                case
                    when de.n_days is null then '未读到落款日期'
                    when de.n_days > 0 then '提前' || de.n_days || '天发布'
                    when de.n_days = 0 then '期限当天发布'
                    else '逾期' || (-de.n_days) || '天'
                end
            when 'sections' then '找到' || s.n_sections || '/6部分'
            when 'cells_filled' then '填写' || coalesce(c.n_filled, 0) || '/' || coalesce(c.n_cells, 0) || '格'
            when 'no_errors' then
                case
                    when h.has_run then coalesce(e.n_errors, 0) || '条错误'
                        || case when e.n_error_causes < e.n_errors
                            then '（源自' || e.n_error_causes || '处差错）' else '' end
                        || '、' || coalesce(e.n_warnings, 0) || '条提醒'
                        || case when e.n_warning_causes < e.n_warnings
                            then '（源自' || e.n_warning_causes || '处）' else '' end
                    else '未检查'
                end
            when 'narrative' then
                case
                    when coalesce(g.n_figures, 0) - coalesce(nf.n_doubtful, 0) <= 0
                        then '正文未列可核对的数字'
                    else '正文数字' || (g.n_figures - coalesce(nf.n_doubtful, 0)) || '处，'
                        || coalesce(nf.n_disagree, 0) || '处与表格不符'
                end
            when 'problems_concrete' then
                case
                    when coalesce(mf.n_source_fails, 0) > 0 then '未通过 ' || mf.failing_rules
                    when pm.submission_id is null then '未找到第五部分'
                    else pm.n_items || '条具体问题或措施，' || pm.n_chars || '字'
                end
            when 'backlog' then
                case
                    when b.carried_out_total is null or b.new_total is null then '表三数据空白'
                    else '结转' || b.carried_out_total::bigint || '件／新收'
                        || b.new_total::bigint || '件'
                end
        end as graded_evidence,
    from unit_years as u
    cross join metrics as m
    cross join has_run as h
    cross join params as p
    left join metric_rules_ran as ran on ran.metric_id = m.metric_id
    left join metric_findings as mf
        on mf.metric_id = m.metric_id and mf.submission_id = u.submission_id
    left join days_early as de on de.submission_id = u.submission_id
    left join sections_found as s on s.submission_id = u.submission_id
    left join cells_counted as c on c.submission_id = u.submission_id
    left join finding_counts as e on e.submission_id = u.submission_id
    left join figures_stated as g on g.submission_id = u.submission_id
    left join narrative_findings as nf on nf.submission_id = u.submission_id
    left join problems_measured as pm on pm.submission_id = u.submission_id
    left join backlog_figures as b on b.submission_id = u.submission_id
    where m.kind = 'computed'
),

gated_scores as (
    select
        unit_code,
        report_year,
        submission_id,
        metric_id,
        case when gate is null then graded end as score,
        coalesce(gate, graded_evidence) as evidence,
    from computed_scores
),

all_scores as (
    select * from rule_scores
    union all by name
    select * from gated_scores
),

final as (
    select
        a.unit_code, a.report_year, a.submission_id, a.metric_id,
        m.dimension, m.metric_order,
        a.score, a.evidence,
    from all_scores as a
    inner join metrics as m on m.metric_id = a.metric_id
)

select * from final
order by report_year, unit_code, metric_order;
