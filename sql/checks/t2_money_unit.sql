-- id: T2-MONEY-UNIT
-- severity: warning
-- kind: plausibility
-- evaluates: int_submissions_current
-- grain: one row per current submission of a township-level unit × money cell of table 二
--   (政府集中采购 采购总金额, 行政事业性收费 金额; both in 万元) that looks like it was written
--   in 元, or cannot be checked
-- rule: a township's money cell ≥ money_yuan_township (10000 万元 = 1 亿元, from
--   check_config) is probably in 元. Units above township level are not assessed.
-- zero rows means: every township money cell is a number of plausible size in 万元.

with
money_cells as (
    select c.*
    from int_cells_current as c
    semi join int_submissions_current as s on s.submission_id = c.submission_id and s.is_township
    where c.cell_code in ('t2.procurement.amount', 't2.fee.amount')
),

labels as (
    select * from chk_cell_labels
),

thresholds as (
    select chk_param('money_yuan_township') as money_yuan_township
),

final as (
    select
        c.submission_id, c.unit_code, c.report_year,
        case when c.value is null then 'not_assessable' else 'fail' end as status,
        chk_one_cell(c.cell_code, c.value) as cells,
        p.money_yuan_township as expected,
        c.value as actual,
        case
            when c.value is null then
                l.cell_label || chk_missing_word(c.cell_status, c.raw_text)
                || '，无法核对金额单位。'
            else
                l.cell_label || '填写为' || chk_num(c.value) || '万元（原文“'
                || coalesce(c.raw_text, '') || '”），对乡镇、街道而言过大，可能把“元”当成了“万元”，'
                || '请核实；若按元计应为' || chk_num(c.value / 10000) || '万元。'
        end as message_zh,
        case
            when c.value is null then chk_missing_responsibility(c.cell_status)
            when c.has_parse_issue then 'extraction'
            else 'source'
        end as responsibility,
        chk_cell_detail(c.row_ord, c.col_ord, c.cell_code) as detail
    from money_cells as c
    cross join thresholds as p
    left join labels as l on l.template = c.template and l.cell_code = c.cell_code
    where c.value is null or c.value >= p.money_yuan_township
)

select * from final
