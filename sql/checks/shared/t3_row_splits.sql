-- chk_t3_row_splits (temp table): the Q-SPLIT candidates.
-- grain: one row per current submission × row of table 三 whose row sum fails although
-- every cell is a number, and would hold if two adjacent single-digit cells were one
-- number (1, 2 → 12: a number split in two by extraction). The first such pair only.
-- Used by Q-SPLIT, and by T3-ROWSUM to hand such rows to extraction. Lists of values are
-- built for the failing rows only.
create or replace temp table chk_t3_row_splits as
with
failing_rows as (
    select submission_id, group_code as row_code
    from int_group_sums
    where
        sum_code = 't3_row_sum'
        and n_missing = 0
        and n_cells = 7
        and abs(difference) > 1e-6
),

t3_rows as (
    select
        c.submission_id,
        c.row_code,
        list(c.value order by c.col_ord) as vals,
        list(c.col_code order by c.col_ord) as cols
    from int_cells_current as c
    semi join failing_rows as f on f.submission_id = c.submission_id and f.row_code = c.row_code
    where c.table_code = 't3'
    group by c.submission_id, c.row_code
),

pair_positions as (
    select i from range(1, 7) as positions (i)
),

candidates as (
    select
        r.submission_id,
        r.row_code,
        p.i as pair_position,
        r.vals,
        r.cols,
        list_concat(
            r.vals[1:p.i - 1],
            [10 * r.vals[p.i] + r.vals[p.i + 1]],
            r.vals[p.i + 2:7]
        ) as merged
    from t3_rows as r
    cross join pair_positions as p
    where
        r.vals[p.i] in (1, 2, 3, 4, 5, 6, 7, 8, 9)
        and r.vals[p.i + 1] in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
),

final as (
    select
        submission_id,
        row_code,
        pair_position,
        cols[pair_position] as left_col,
        cols[pair_position + 1] as right_col,
        vals[pair_position] as left_value,
        vals[pair_position + 1] as right_value,
        10 * vals[pair_position] + vals[pair_position + 1] as joined_value
    from candidates
    where abs(list_sum(merged[1:5]) - merged[6]) <= 1e-6
    qualify row_number() over (
        partition by submission_id, row_code order by pair_position
    ) = 1
)

select * from final;
