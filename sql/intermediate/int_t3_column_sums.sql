-- int_t3_column_sums: table 三 summed by column once (temp table).
-- grain: one row per current submission × column of table 三: the four rows of the
-- balance and the sum of the outcome rows, with the count of operands that are not
-- numbers for each rule (T3-BALANCE, T3-OUTCOMES)
create or replace temp table int_t3_column_sums as
with
t3_cells as (
    select * from int_cells_current
    where table_code = 't3'
),

final as (
    select
        submission_id,
        col_code,
        sum(case when row_code in ('new', 'carried_in') then value else -value end)
            filter (where row_code in ('new', 'carried_in', 'total', 'carried_out'))
            as balance_difference,
        count(*) filter (
            where value is null and row_code in ('new', 'carried_in', 'total', 'carried_out')
        ) as n_missing_balance,
        max(value) filter (where row_code = 'total') as total_value,
        sum(value) filter (
            where row_code not in ('new', 'carried_in', 'carried_out', 'total')
        ) as outcomes_sum,
        count(*) filter (
            where value is null and row_code not in ('new', 'carried_in', 'carried_out')
        ) as n_missing_outcomes
    from t3_cells
    group by submission_id, col_code
)

select * from final;
