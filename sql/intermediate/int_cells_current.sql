-- int_cells_current: the cells the checks read, on the template grid (a table of the
-- connection's in-memory database chk_store, read through a temp view of the same name).
-- Reads chk_template_cells, the grid of both template versions filled from the template spec
-- by gongkai.checks.config.
-- grain: one row per current submission × cell code of its template. A cell the
-- warehouse has no row for is 'unseen' with a null value, never 0.
-- method: the cells are joined to the submissions checked and to the grid, the two small
-- sides of the joins, and the grid cells a submission has no row for are added for the
-- submissions that have fewer rows than their grid (a cell has one row per submission: the
-- key of cells, kept by the writer). A left join from the grid to the cells built its hash
-- table of every cell of the warehouse: 10-15 s and 1.4 GB spilled at 40,000 reports, and
-- 3 s for a rerun that checks a handful.
-- storage: the table is stored compressed (chk_store is an in-memory database with
-- compression; CHECKPOINT compresses what was written), not as a temp table: a temp table
-- is kept uncompressed, and the 7.9 million rows of 40,000 reports were ~1.5 GB, past the
-- writer's 1 GB budget: every rule reading them read the spilled blocks back (~1-1.7 s a
-- scan, a dozen scans). Compressed they take ~90 MB (a submission's columns repeat along
-- its cells, the codes come from a grid of a few hundred) and a scan ~0.15 s; compressing
-- them costs ~4 s of CPU once (at 8,000 reports, where the table fits the budget, the
-- check stage costs about what it did; bench/README.md, "The stages after reading"). The
-- cells' location, which no rule reads, is not kept.
attach if not exists ':memory:' as chk_store (compress);

create or replace table chk_store.int_cells_current as
with
submissions_checked as (
    select * from int_submissions_current
),

grid as (
    -- a cell's place on the grid (the columns `g.* exclude (…)` gives below, in this order)
    select
        cell_code, table_code, row_code, col_code, row_ord, col_ord,
        template, template || '|' || cell_code as template_cell
    from chk_template_cells
),

grid_sizes as (
    select template, count(*) as n_cells
    from grid
    group by template
),

issue_locations as (
    select distinct submission_id, location
    from parse_issues
    where location is not null
),

present as (
    -- the cells the warehouse has, of the grid of each submission's template
    select
        s.submission_id, s.unit_code, s.report_year, s.template,
        g.* exclude (template, template_cell),
        c.value,
        coalesce(c.status, 'unseen') as cell_status,
        c.raw_text,
        -- a cell the office corrected is no longer in doubt (cells.provenance)
        i.location is not null and c.provenance is distinct from 'corrected' as has_parse_issue
    from cells as c
    inner join submissions_checked as s on s.submission_id = c.submission_id
    -- one condition over the cell and its submission: the grid is joined to their rows,
    -- never to the submissions alone (every submission times the grid, 7.9 million rows,
    -- became the build side of a join with every cell)
    inner join grid as g on g.template_cell = s.template || '|' || c.cell_code
    left join issue_locations as i
        on i.submission_id = c.submission_id
        and i.location = c.location
),

cell_counts as (
    select c.submission_id, count(*) as n_cells
    from cells as c
    inner join submissions_checked as s on s.submission_id = c.submission_id
    inner join grid as g on g.template_cell = s.template || '|' || c.cell_code
    group by c.submission_id
),

incomplete as (
    -- the submissions with fewer cells than their template's grid
    select s.submission_id, s.unit_code, s.report_year, s.template
    from submissions_checked as s
    inner join grid_sizes as z on z.template = s.template
    left join cell_counts as n on n.submission_id = s.submission_id
    where coalesce(n.n_cells, 0) < z.n_cells
),

missing as (
    -- the grid cells they have no row for: unseen
    select
        s.submission_id, s.unit_code, s.report_year, s.template,
        g.* exclude (template, template_cell),
        null as value,
        'unseen' as cell_status,
        null as raw_text,
        false as has_parse_issue
    from incomplete as s
    inner join grid as g on g.template = s.template
    anti join (
        select submission_id, cell_code from cells
        where submission_id in (select submission_id from incomplete)
    ) as c
        on c.submission_id = s.submission_id
        and c.cell_code = g.cell_code
),

final as (
    select * from present
    union all
    select * from missing
)

select * from final;

checkpoint chk_store;

create or replace temp view int_cells_current as
select * from chk_store.int_cells_current;
