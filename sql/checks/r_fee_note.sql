-- id: R-FEE-NOTE
-- severity: warning
-- kind: report level
-- evaluates: int_submissions_current
-- grain: one row per current v2021 submission that counts applications dropped for unpaid
--   fees but says nothing of fees in section 六, or whose count cannot be read
-- rule: v2021: t3.other.no_fee.total > 0 (申请人逾期未按收费通知要求缴纳费用) but section 六
--   (其他需要报告的事项) says nothing of fees (信息处理费, 收费, 费用, 缴费, 缴纳)
-- A section 六 whose prose was left out of this copy (check_boilerplate elided) is
--   not_assessable.
-- zero rows means: every report that dropped applications over unpaid fees reports on its
--   fees in section 六.

with
fee_cells as (
    select * from int_cells_current
    where template = 'v2021' and cell_code = 't3.other.no_fee.total'
),

section_six as (
    select n.submission_id, n.position, n.text, t.is_elided
    from int_narratives_current as n
    inner join chk_section_texts as t
        on t.submission_id = n.submission_id and t.section_code = n.section_code
    where n.section_code = 's6'
),

final as (
    select
        c.submission_id, c.unit_code, c.report_year,
        case
            when c.value is null or coalesce(s.is_elided, false) then 'not_assessable'
            else 'fail'
        end as status,
        chk_one_cell(c.cell_code, c.value) as cells,
        null::double as expected,
        c.value as actual,
        case
            when c.value is null then
                '表三“其他处理·申请人逾期未按收费通知缴纳费用”“总计”'
                || chk_missing_word(c.cell_status, c.raw_text) || '，无法核对收费情况的说明。'
            when coalesce(s.is_elided, false) then
                '表三中有' || chk_num(c.value) || '件申请因申请人逾期未缴纳费用而不再处理；'
                || '“六、其他需要报告的事项”的正文在本文件中被省略，无法核对是否说明了收费情况。'
            else
                '表三中有' || chk_num(c.value) || '件申请因申请人逾期未缴纳费用而不再处理，'
                || '但“六、其他需要报告的事项”没有说明收取信息处理费的情况。'
        end as message_zh,
        case
            when c.value is null then chk_missing_responsibility(c.cell_status)
            when coalesce(s.is_elided, false) then 'extraction'
            else 'source'
        end as responsibility,
        cast(json_object('s6_found', s.position is not null) as varchar) as detail
    from fee_cells as c
    left join section_six as s on s.submission_id = c.submission_id
    where
        c.value is null
        or (
            c.value > 0
            and not regexp_matches(coalesce(s.text, ''), '信息处理费|收费|费用|缴费|缴纳')
        )
)

select * from final
