-- id: T4-INTEGER
-- severity: error
-- kind: implied
-- evaluates: int_submissions_current
-- grain: one row per current submission × cell of 表四 that is not a whole number ≥ 0;
--   plus one not_assessable row per submission listing the cells that are blank,
--   unreadable or not seen
-- rule: every cell of 表四 is a whole number ≥ 0
-- zero rows means: every cell of 表四 of every current report is a whole number ≥ 0.

-- Reviews and suits are counted like applications: the rule is T3-INTEGER's, on table 四
-- (the table macro chk_cell_bounds of sql/checks/shared/rule_macros.sql).

with
final as (
    select * from chk_cell_bounds('t4', '表四', p_whole := true)
)

select * from final
