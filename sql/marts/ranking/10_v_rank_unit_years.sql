-- v_rank_unit_years: the units a league table is about, with their current report.
-- grain: one row per registry unit × report year, for every year that has at least one
--   current loaded submission: each unit valid that year (units.valid_from/valid_to), and any
--   registry unit that filed a report for the year although the registry does not expect it.
-- has_report is false for a unit with no current loaded report (未报送 or rejected): it gets
--   no score and no rank. A second current submission of the same unit-year (should there be
--   one) is left out: the first by submission_id is used.
-- Temp view: loaded by gongkai.rankings.prepare() on a (read-only) warehouse connection.
create or replace temp view v_rank_unit_years as
with

current_submissions as (
    select
        submission_id,
        unit_code,
        report_year,
        template,
        published_date,
    from submissions
    where status = 'loaded' and is_current and unit_code is not null and report_year is not null
    qualify row_number() over (
        partition by unit_code, report_year order by submission_id
    ) = 1
),

registry as (
    select * from units
),

report_years as (
    select distinct report_year from current_submissions
),

expected as (
    select
        r.unit_code,
        y.report_year,
    from registry as r
    cross join report_years as y
    where
        coalesce(r.valid_from, 0) <= y.report_year
        and y.report_year <= coalesce(r.valid_to, 9999)
),

unit_years as (
    select unit_code, report_year from expected
    union
    select s.unit_code, s.report_year
    from current_submissions as s
    semi join registry as r on r.unit_code = s.unit_code
),

final as (
    select
        uy.unit_code,
        uy.report_year,
        r.name as unit_name,
        coalesce(r.short_name, r.name) as short_name,
        r.unit_type,
        r.peer_group,
        case r.peer_group when '街道' then 1 else 2 end as peer_group_order,
        r.city,
        s.submission_id,
        s.template,
        s.published_date,
        s.submission_id is not null as has_report,
        p.submission_id is not null as has_prev_report,
    from unit_years as uy
    inner join registry as r on r.unit_code = uy.unit_code
    left join current_submissions as s
        on s.unit_code = uy.unit_code and s.report_year = uy.report_year
    left join current_submissions as p
        on p.unit_code = uy.unit_code and p.report_year = uy.report_year - 1
)

select * from final
order by report_year, peer_group_order, unit_code;

-- v_rank_latest_run: the check run the indicators read (the one whose check_runs rows were
-- written last, as in v_unit_status).
-- grain: zero rows (no check has run) or one row.
create or replace temp view v_rank_latest_run as
select run_id
from check_runs
order by checked_at desc nulls last, run_id desc
limit 1;

-- v_rank_findings: the findings of the latest check run on current reports, numbered.
-- grain: one row per finding (finding_no counts from 1 within a submission: failures before
--   not_assessable, errors before warnings).
create or replace temp view v_rank_findings as
with

latest_run as (
    select * from v_rank_latest_run
),

unit_years as (
    select * from v_rank_unit_years where has_report
),

run_findings as (
    select f.*
    from findings as f
    semi join latest_run as r on r.run_id = f.run_id
),

final as (
    select
        u.unit_code,
        u.report_year,
        u.unit_name,
        u.peer_group,
        f.submission_id,
        row_number() over (
            partition by f.submission_id
            order by
                case when f.status = 'fail' then 0 else 1 end,
                case f.severity when 'error' then 1 when 'warning' then 2 else 3 end,
                f.rule_id, f.detail nulls first, f.message_zh, f.cells
        ) as finding_no,
        f.rule_id,
        f.severity,
        f.status,
        f.responsibility,
        f.message_zh,
        f.cells,
        f.expected,
        f.actual,
        f.detail,
        f.run_id,
    from run_findings as f
    inner join unit_years as u on u.submission_id = f.submission_id
)

select * from final
order by report_year, unit_code, finding_no;

-- v_rank_finding_cells: the cells a finding names, with where each was read in the report.
-- grain: one row per finding × key of its `cells` JSON object (a cell code, or a fact such
--   as published_date); location, raw_text and cell_status are null for a key that is not a
--   cell of the report.
create or replace temp view v_rank_finding_cells as
with

finding_rows as (
    select * from v_rank_findings where cells is not null and json_valid(cells)
),

keyed as (
    select
        f.submission_id,
        f.unit_code,
        f.report_year,
        f.finding_no,
        unnest(json_keys(f.cells::json)) as cell_key,
        f.cells,
    from finding_rows as f
),

final as (
    select
        k.unit_code,
        k.report_year,
        k.submission_id,
        k.finding_no,
        k.cell_key,
        k.cells::json ->> ('$."' || replace(k.cell_key, '"', '\"') || '"') as finding_value,
        c.value as cell_value,
        c.raw_text,
        c.location,
        c.status as cell_status,
        cc.row_label,
        cc.col_label,
        cc.position as cell_position,
    from keyed as k
    left join cells as c on c.submission_id = k.submission_id and c.cell_code = k.cell_key
    left join cell_codes as cc on cc.cell_code = k.cell_key
)

select * from final
order by report_year, unit_code, finding_no, cell_position nulls last, cell_key;
