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
