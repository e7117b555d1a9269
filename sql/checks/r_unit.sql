-- id: R-UNIT
-- severity: error
-- kind: report level
-- evaluates: int_submissions_current
-- grain: one row per current submission whose printed unit is not a known unit of the
--   registry, names another unit than the one it was filed for, or could not be found
-- rule: the unit named in the title resolves to a registry unit (aliases, renamed and
--   merged units are resolved by the reader: submissions.text_unit_code) and, when the
--   file was filed for a unit, to that unit
-- zero rows means: every current report names a known unit, the one it was filed for.

with
submissions_checked as (
    select * from int_submissions_current
),

registry as (
    select unit_code, name from units
),

final as (
    select
        s.submission_id, s.unit_code, s.report_year,
        case when s.unit_name_printed is null then 'not_assessable' else 'fail' end as status,
        cast(json_object(
            'unit_name_printed', s.unit_name_printed,
            'text_unit_code', s.text_unit_code,
            'filed_unit_code', s.filed_unit_code
        ) as varchar) as cells,
        null::double as expected,
        null::double as actual,
        case
            when s.unit_name_printed is null then
                '未能从报告标题或正文中读到单位名称，无法核对报送单位。'
            when s.text_unit_code is null then
                '报告标题中的单位“' || s.unit_name_printed || '”不是名录中的单位，'
                || '请核对单位全称是否写错。'
            else
                '报告标题中的单位“' || s.unit_name_printed || '”是' || coalesce(t.name, s.text_unit_code)
                || '，但本文件是作为' || coalesce(f.name, s.filed_unit_code) || '的报告报送的。'
        end as message_zh,
        case when s.unit_name_printed is null then 'extraction' else 'source' end
            as responsibility,
        cast(json_object('text_unit_code', s.text_unit_code) as varchar) as detail
    from submissions_checked as s
    left join registry as t on t.unit_code = s.text_unit_code
    left join registry as f on f.unit_code = s.filed_unit_code
    where
        s.unit_name_printed is null
        or s.text_unit_code is null
        or (s.filed_unit_code is not null and s.text_unit_code <> s.filed_unit_code)
)

select * from final
