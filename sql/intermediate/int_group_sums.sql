-- int_group_sums: the sums of cells the rules check, built once per check run, so that each
-- rule reads a few compact rows instead of the long cell table, and builds its messages for
-- the groups that fail only (temp table).
-- grain: one row per current submission × sum × group of cells:
--   t3_balance    a column of table 三: 本年新收＋上年结转 − （七）总计 − 结转下年度继续办理 (T3-BALANCE)
--   t3_outcomes   a column of table 三: the outcome rows − （七）总计 (T3-OUTCOMES)
--   t3_row_sum    a row of table 三: the six applicant columns − 总计 (T3-ROWSUM, Q-SPLIT)
--   t4_block_sum  a block of table 四: the four results − 总计 (T4-SUM)
-- difference is 0 when the sum holds; null when an operand is not a number (n_missing > 0).
create or replace temp table int_group_sums as
with

t3_cells as (
    select * from int_cells_current
    where table_code = 't3'
),

t4_cells as (
    select * from int_cells_current
    where table_code = 't4'
),

-- every cell once per sum it is an operand of, with its sign
operands as (
    select
        submission_id,
        't3_balance' as sum_code,
        col_code as group_code,
        value,
        case when row_code in ('new', 'carried_in') then 1 else -1 end as sign,
    from t3_cells
    where row_code in ('new', 'carried_in', 'total', 'carried_out')
    union all
    select submission_id, 't3_outcomes', col_code, value, if(row_code = 'total', -1, 1)
    from t3_cells
    where row_code not in ('new', 'carried_in', 'carried_out')
    union all
    select submission_id, 't3_row_sum', row_code, value, if(col_code = 'total', -1, 1)
    from t3_cells
    union all
    select submission_id, 't4_block_sum', row_code, value, if(col_code = 'total', -1, 1)
    from t4_cells
),

final as (
    select
        submission_id,
        sum_code,
        group_code,
        count(*) as n_cells,
        count(*) filter (where value is null) as n_missing,
        -- a plain sum: only compared with 1e-6 (order noise is ~1e-14), never shown or stored
        if(count(*) filter (where value is null) = 0, sum(sign * value), null) as difference,
    from operands
    group by submission_id, sum_code, group_code
)

select * from final;
