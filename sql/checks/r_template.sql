-- id: R-TEMPLATE
-- severity: error
-- kind: report level
-- evaluates: int_submissions_current
-- grain: one row per current submission whose tables use the wrong template version for
--   its year, or whose version or year is unknown
-- rule: v2019 (国办公开办函〔2019〕60号) for report years 2019–2020, v2021 (国办公开办函
--   〔2021〕30号) from 2021
-- zero rows means: every current report uses the template in force for its year.

with
submissions_checked as (
    select * from int_submissions_current
),

assessed as (
    select
        *,
        template_in_force(report_year) as expected_template
    from submissions_checked
),

final as (
    select
        submission_id, unit_code, report_year,
        if(template_detected is null or report_year is null, 'not_assessable', 'fail')
            as status,
        cast(json_object('template', template_detected, 'report_year', report_year)
            as varchar) as cells,
        null::double as expected,
        null::double as actual,
        case
            when report_year is null then '无法判断报告年度，因而无法核对所用表格样式。'
            when template_detected is null then '未能识别报告表格所用的样式版本，无法核对。'
            when expected_template = 'v2021' then
                cast(report_year as varchar) || '年度报告应使用2021年新版格式'
                || '（国办公开办函〔2021〕30号），但表格用的是旧版（国办公开办函〔2019〕60号）。'
            else
                cast(report_year as varchar) || '年度报告应使用国办公开办函〔2019〕60号的格式，'
                || '但表格用的是2021年新版格式（国办公开办函〔2021〕30号）。'
        end as message_zh,
        case
            when template_detected is null or report_year is null then 'extraction'
            else 'source'
        end as responsibility,
        cast(json_object('expected_template', expected_template) as varchar) as detail
    from assessed
    where
        template_detected is null
        or report_year is null
        or template_detected <> expected_template
)

select * from final
