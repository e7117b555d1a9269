-- Relations materialised once per run after the shared views (and, for `gongkai check
-- --warehouse`, after the history views of _history_attached.sql): the previous-year pairs,
-- the cleaned narrative texts, and the sums of table 三 by row and by column. Each rule
-- then reads a few compact rows instead of pivoting the long cell table again.
-- Parameters (bound by gongkai.checks, one statement at a time):
--   $removed_pattern: the check_boilerplate patterns and elided markers as one alternation
--     ('$^', matching nothing, when there are none);
--   $elided_pattern: the elided markers alone (null when there are none).

-- grain: one row per current submission that has a current submission of the same unit
-- for the previous year (the first by id, should there be two)
create or replace temp table chk_prev_pairs as
with
submissions_checked as (
    select * from chk_submissions
),

history as (
    select * from chk_history_submissions
),

final as (
    select
        s.submission_id,
        s.unit_code,
        s.report_year,
        s.template,
        p.submission_id as prev_submission_id,
        p.report_year as prev_year,
        p.template as prev_template
    from submissions_checked as s
    inner join history as p
        on p.unit_code = s.unit_code
        and p.report_year = s.report_year - 1
    qualify row_number() over (
        partition by s.submission_id order by p.submission_id
    ) = 1
)

select * from final;

-- grain: one row per current submission × section 五 or 六: the text cleaned once
-- (R-PROBLEMS) and whether its prose was left out of this copy (R-PROBLEMS, R-FEE-NOTE)
create or replace temp table chk_section_texts as
with
sections as (
    select * from chk_narratives
    where section_code in ('s5', 's6')
),

final as (
    select
        submission_id,
        section_code,
        chk_clean_text(coalesce(text, ''), $removed_pattern) as clean_text,
        coalesce(regexp_matches(coalesce(text, ''), $elided_pattern), false) as is_elided
    from sections
)

select * from final;

-- grain: one row per check_boilerplate empty_text, cleaned like a section 五 (R-PROBLEMS)
create or replace temp table chk_empty_texts as
select distinct chk_clean_text(text, $removed_pattern) as clean_text
from check_boilerplate
where kind = 'empty_text';

-- grain: one row per history submission with narrative text: sections 一 … 六 joined in
-- section order, then cleaned (R-COPY). Cleaning the joined text, not each section, keeps
-- a boilerplate sentence that runs to the end of the report from counting as prose.
create or replace temp table chk_copy_texts as
with
narratives as (
    select * from chk_history_narratives
    where text is not null
),

final as (
    select
        submission_id,
        chk_clean_text(string_agg(text, '' order by section_code), $removed_pattern)
            as clean_text
    from narratives
    group by submission_id
)

select * from final;

-- grain: one row per current submission × row of table 三: the row's total, the sum of
-- its six applicant columns, and how many of its cells are not numbers (T3-ROWSUM, Q-SPLIT)
create or replace temp table chk_t3_rows as
with
t3_cells as (
    select * from chk_cells
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

-- grain: one row per current submission × column of table 三: the four rows of the
-- balance and the sum of the outcome rows, with the count of operands that are not
-- numbers for each rule (T3-BALANCE, T3-OUTCOMES)
create or replace temp table chk_t3_columns as
with
t3_cells as (
    select * from chk_cells
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

-- grain: one row per current submission × row of table 三 whose row sum fails although
-- every cell is a number, and would hold if two adjacent single-digit cells were one
-- number (1, 2 → 12: a number split in two by extraction). The first such pair only.
-- Used by Q-SPLIT, and by T3-ROWSUM to hand such rows to extraction. Lists of values are
-- built for the failing rows only.
create or replace temp table chk_t3_row_splits as
with
failing_rows as (
    select submission_id, row_code
    from chk_t3_rows
    where
        n_missing = 0
        and n_cells = 7
        and abs(parts_sum - total_value) > 1e-6
),

t3_rows as (
    select
        c.submission_id,
        c.row_code,
        list(c.value order by c.col_ord) as vals,
        list(c.col_code order by c.col_ord) as cols
    from chk_cells as c
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
