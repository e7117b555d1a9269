-- id: T3-INTEGER
-- severity: error
-- kind: implied
-- evaluates: int_submissions_current
-- grain: one row per current submission × cell of 表三 that is not a whole number ≥ 0;
--   plus one not_assessable row per submission listing the cells that are blank,
--   unreadable or not seen
-- rule: every cell of 表三 is a whole number ≥ 0
-- zero rows means: every cell of 表三 of every current report is a whole number ≥ 0.

-- The rule's SQL is the table macro chk_cell_bounds (sql/checks/shared/rule_macros.sql),
-- which T3-INTEGER, T4-INTEGER and T2-NONNEG share.

with
final as (
    select * from chk_cell_bounds('t3', '表三', p_whole := true)
)

select * from final
