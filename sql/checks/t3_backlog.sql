-- id: T3-BACKLOG
-- severity: warning
-- kind: plausibility
-- evaluates: int_submissions_current
-- grain: one row per current submission whose backlog is implausible or cannot be checked
-- rule: 结转下年度继续办理 (t3.carried_out.total) greater than backlog_ratio (0.5) × 本年新收
--   (t3.new.total), when t3.new.total ≥ backlog_min_new (10); thresholds from check_config
-- zero rows means: no current report carries over more than half of a year's (≥ 10) new
--   applications, and both totals were numbers.

with
totals as (
    select
        submission_id, unit_code, report_year,
        max(value) filter (where cell_code = 't3.new.total') as new_total,
        max(value) filter (where cell_code = 't3.carried_out.total') as carried_out_total,
        count(*) filter (where value is null) as n_missing,
        string_agg(
            case cell_code when 't3.new.total' then '本年新收总计' else '结转下年度总计' end
            || chk_missing_word(cell_status, raw_text), '、' order by cell_code desc
        ) filter (where value is null) as missing_text,
        min(chk_missing_responsibility(cell_status)) filter (where value is null)
            as missing_responsibility,
        cast(to_json(map_from_entries(list((cell_code, value) order by cell_code desc)))
            as varchar) as cells
    from int_cells_current
    where cell_code in ('t3.new.total', 't3.carried_out.total')
    group by submission_id, unit_code, report_year
),

thresholds as (
    select
        chk_param('backlog_ratio') as backlog_ratio,
        chk_param('backlog_min_new') as backlog_min_new
),

final as (
    select
        t.submission_id, t.unit_code, t.report_year,
        case when t.n_missing > 0 then 'not_assessable' else 'fail' end as status,
        t.cells,
        t.new_total * p.backlog_ratio as expected,
        t.carried_out_total as actual,
        case
            when t.n_missing > 0 then
                '表三无法核对结转比例：' || t.missing_text || '。'
            else
                '表三“结转下年度继续办理”总计' || chk_num(t.carried_out_total)
                || '件，超过“本年新收”总计' || chk_num(t.new_total) || '件的'
                || chk_num(100 * p.backlog_ratio) || '%，请核实是否积压或填错。'
        end as message_zh,
        case when t.n_missing > 0 then t.missing_responsibility else 'source' end
            as responsibility,
        cast(json_object('ratio', round(t.carried_out_total / nullif(t.new_total, 0), 4))
            as varchar) as detail
    from totals as t
    cross join thresholds as p
    where
        t.n_missing > 0
        or (
            t.new_total >= p.backlog_min_new
            and t.carried_out_total > p.backlog_ratio * t.new_total
        )
)

select * from final
