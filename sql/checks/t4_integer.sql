-- id: T4-INTEGER
-- severity: error
-- kind: implied
-- evaluates: int_submissions_current
-- grain: one row per current submission × cell of 表四 that is not a whole number ≥ 0;
--   plus one not_assessable row per submission listing the cells that are blank,
--   unreadable or not seen
-- rule: every cell of 表四 is a whole number ≥ 0
-- zero rows means: every cell of 表四 of every current report is a whole number ≥ 0.

-- The rule's SQL is the shared table macro chk_whole_numbers (sql/checks/shared/macros.sql), which
-- T3-INTEGER and T4-INTEGER both use.

with
checked as (
    select * from chk_whole_numbers('t4', '表四')
),

final as (
    select
        submission_id,
        unit_code,
        report_year,
        status,
        cells,
        expected,
        actual,
        message_zh,
        responsibility,
        detail
    from checked
)

select * from final
