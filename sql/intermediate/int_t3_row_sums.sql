-- int_t3_row_sums: table 三 summed by row once, so each rule reads a few compact rows
-- instead of pivoting the long cell table again (temp table).
-- grain: one row per current submission × row of table 三: the row's total, the sum of
-- its six applicant columns, and how many of its cells are not numbers (T3-ROWSUM, Q-SPLIT)
create or replace temp table int_t3_row_sums as
with
t3_cells as (
    select * from int_cells_current
    where table_code = 't3'
),

final as (
    select
        submission_id,
        row_code,
        count(*) as n_cells,
        max(value) filter (where col_code = 'total') as total_value,
        sum(value) filter (where col_code <> 'total') as parts_sum,
        count(*) filter (where value is null) as n_missing
    from t3_cells
    group by submission_id, row_code
)

select * from final;
