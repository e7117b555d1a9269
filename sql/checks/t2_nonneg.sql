-- id: T2-NONNEG
-- severity: error
-- kind: implied
-- evaluates: int_submissions_current
-- grain: one row per current submission × cell of table 二 below 0 (the signed 本年增/减
--   of v2019 excepted); plus one not_assessable row per submission listing the cells
--   that are blank, unreadable or not seen
-- rule: every cell of table 二 is ≥ 0, except the signed `delta` (本年增/减) of v2019
-- zero rows means: no cell of table 二 of any current report is negative or missing.

-- The rule's SQL is the table macro chk_cell_bounds (sql/checks/shared/rule_macros.sql); the
-- signed 本年增/减 of v2019 may be negative.

with
final as (
    select * from chk_cell_bounds('t2', '表二', p_whole := false, p_cols_out := ['delta'])
)

select * from final
