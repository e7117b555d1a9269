-- int_finding_causes: how many separate mistakes a report's findings point to, so that one
-- wrong cell is one error for the score however many rules it breaks (issue 12: a −1 in
-- table 三 fails T3-INTEGER, T3-ROWSUM and T3-OUTCOMES; the digest still lists all three).
-- grain: one row per current report with a finding no_errors counts: failing, of the
--   township's making (not a doubt about our reading), error or warning, of a rule no other
--   indicator stands for (v_indicator_scores).
-- A cause is
--   * a value a rule of value_rules names as wrong: one per rule and row of the table (the
--     规章 row of a township filled in is one mistake, named cell by cell);
--   * a sum that does not add up (T3-ROWSUM, T3-OUTCOMES, T3-BALANCE, T4-SUM) whose cells
--     hold such a value: that value's cause, not another one;
--   * the other sums: as many as the fewest wrong cells that could break them. A cell of
--     table 三 lies in one row and one column, so it breaks at most one row sum, one
--     T3-OUTCOMES column and one T3-BALANCE column: the causes are the most failing sums of
--     one rule; table 四's blocks each count;
--   * any other finding: one each.
-- n_errors and n_warnings count the findings, n_error_causes and n_warning_causes the causes.
create or replace temp view int_finding_causes as
with

sum_rules as (
    select * from (
        values ('T3-ROWSUM', 't3'), ('T3-OUTCOMES', 't3'), ('T3-BALANCE', 't3'), ('T4-SUM', 't4')
    ) as r (rule_id, table_code)
),

counted as (
    select
        f.submission_id,
        f.finding_no,
        f.rule_id,
        f.severity,
        -- the cells of the report the finding names (not facts, not last year's cells)
        case
            when f.cells is not null and json_valid(f.cells) then list_filter(
                json_keys(f.cells::json), lambda k: regexp_matches(k, '^t[234]\.'))
            else []
        end as cell_keys,
    from v_rank_findings as f
    where rank_is_source_fail(f.status, f.responsibility)
        and f.severity in ('error', 'warning')
        and f.rule_id not in (select rule_id from rank_metric_rules)
),

value_findings as (
    select
        *,
        -- rule and row: t3.denied.state_secret.commercial → T3-INTEGER:t3.denied.state_secret
        rule_id || ':' || regexp_replace(cell_keys[1], '\.[a-z_]+$', '') as cause,
    from counted
    where rule_id in (select rule_id from value_rules) and len(cell_keys) = 1
),

value_cells as (
    select distinct submission_id, unnest(cell_keys) as cell_code
    from value_findings
),

sum_findings as (
    select c.*, r.table_code
    from counted as c
    inner join sum_rules as r on r.rule_id = c.rule_id
),

unexplained_sums as (
    select s.*
    from sum_findings as s
    where not exists (
        select 1 from value_cells as v
        where v.submission_id = s.submission_id and list_contains(s.cell_keys, v.cell_code)
    )
),

sum_counts as (
    select submission_id, severity, table_code, rule_id, count(*) as n
    from unexplained_sums
    group by all
),

sum_causes as (
    select
        submission_id,
        severity,
        coalesce(sum(n) filter (where table_code = 't4'), 0)
        + coalesce(sum(n) filter (where table_code = 't3'), 0) as n_causes,
    from (
        select submission_id, severity, table_code, max(n) as n
        from sum_counts
        group by all
    )
    group by all
),

other_findings as (
    select c.*
    from counted as c
    anti join value_findings using (submission_id, finding_no)
    anti join sum_findings using (submission_id, finding_no)
),

causes as (
    select submission_id, severity, count(distinct cause) as n
    from value_findings
    group by all
    union all
    select submission_id, severity, n_causes
    from sum_causes
    union all
    select submission_id, severity, count(*)
    from other_findings
    group by all
),

findings_counted as (
    select
        submission_id,
        count(*) filter (where severity = 'error') as n_errors,
        count(*) filter (where severity = 'warning') as n_warnings,
    from counted
    group by submission_id
),

final as (
    select
        f.submission_id,
        f.n_errors,
        f.n_warnings,
        coalesce(sum(c.n) filter (where c.severity = 'error'), 0) as n_error_causes,
        coalesce(sum(c.n) filter (where c.severity = 'warning'), 0) as n_warning_causes,
    from findings_counted as f
    left join causes as c on c.submission_id = f.submission_id
    group by f.submission_id, f.n_errors, f.n_warnings
)

select * from final;
