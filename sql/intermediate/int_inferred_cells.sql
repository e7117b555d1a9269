-- int_inferred_cells: the cells of each current submission the reader placed by inference
-- (cells.confidence = 'inferred': by the template's row order or the table's own sums), as
-- one list per submission (temp table, built at the start of every check run).
-- grain: one row per current submission with at least one inferred cell.
-- The runner (gongkai.checks.runner) makes a failing finding that names one of these cells
--   a doubt about our reading (responsibility 'extraction'), whatever the rule.
create or replace temp table int_inferred_cells as
with
submissions_checked as (
    select submission_id from int_submissions_current
),

final as (
    select c.submission_id, list(c.cell_code order by c.cell_code) as codes
    from cells as c
    semi join submissions_checked as s on s.submission_id = c.submission_id
    where c.confidence = 'inferred'
        -- a cell the office corrected is settled: no longer our reading's doubt
        and c.provenance is distinct from 'corrected'
    group by c.submission_id
)

select * from final;
