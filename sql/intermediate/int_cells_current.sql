-- int_cells_current: the cells the checks read, on the template grid (temp table).
-- Reads chk_template_cells, the grid of both template versions filled from the template spec
-- by gongkai.checks.config.
-- grain: one row per current submission × cell code of its template. A cell the
-- warehouse has no row for is 'unseen' with a null value, never 0.
create or replace temp table int_cells_current as
with
submissions_checked as (
    select * from int_submissions_current
),

grid as (
    select * from chk_template_cells
),

cell_rows as (
    -- the cells of the submissions checked only: left to itself the left join below builds
    -- its hash table of every cell of the warehouse (3 s at 40,000 reports for a rerun that
    -- checks a handful)
    select * from cells
    where submission_id in (select submission_id from submissions_checked)
),

issue_locations as (
    select distinct submission_id, location
    from parse_issues
    where location is not null
),

final as (
    select
        s.submission_id, s.unit_code, s.report_year, s.template,
        g.cell_code,
        g.table_code,
        g.row_code,
        g.col_code,
        g.row_ord,
        g.col_ord,
        c.value,
        coalesce(c.status, 'unseen') as cell_status,
        c.raw_text,
        c.location,
        -- a cell the office corrected is no longer in doubt (cells.provenance)
        i.location is not null and c.provenance is distinct from 'corrected' as has_parse_issue
    from submissions_checked as s
    inner join grid as g on g.template = s.template
    left join cell_rows as c
        on c.submission_id = s.submission_id
        and c.cell_code = g.cell_code
    left join issue_locations as i
        on i.submission_id = c.submission_id
        and i.location = c.location
)

select * from final;
