-- v_current_cells
-- grain: one row per current loaded submission × cell code of its template
-- The cells analysts query: only the current version of each unit-year, only loaded
-- submissions. value is null for blank, unreadable and unseen cells (blank is not zero);
-- status says which; provenance says whether the office corrected our reading.
create or replace view v_current_cells as
with

current_submissions as (
    select submission_id, unit_code, report_year, template
    from v_current_submissions
),

final as (
    select
        s.unit_code,
        u.name as unit_name,
        u.peer_group,
        s.report_year,
        s.template,
        s.submission_id,
        c.cell_code,
        c.table_code,
        c.row_code,
        c.col_code,
        c.value,
        c.status,
        c.raw_text,
        c.location,
        c.note,
        c.confidence,
        c.confidence_reason,
        cc.position as cell_position,
        c.provenance,
    from current_submissions as s
    inner join cells as c on c.submission_id = s.submission_id
    left join units as u on u.unit_code = s.unit_code
    left join cell_codes as cc on cc.cell_code = c.cell_code
)

-- unordered: a query says the order it needs (ordering every cell of a province or the
-- country cost the wide views v_t2/v_t3/v_t4, which read this view, seconds a query)
select * from final;
