-- id: R-YEAR
-- severity: error
-- kind: report level
-- evaluates: int_submissions_current
-- grain: one row per current submission whose years disagree, or whose own year could not
--   be read
-- rule: the year the report states (title: submissions.text_year), the statistical period
--   stated in its text (统计期限自YYYY年1月1日…至YYYY年12月31日, when present) and the
--   submission's year (filed, else read) agree
-- zero rows means: every current report states one year, the one it was filed for.

with
submissions_checked as (
    select * from int_submissions_current
),

period_years as (
    select
        submission_id,
        min(try_cast(regexp_extract(
            regexp_replace(text, '\s+', '', 'g'),
            '(?:统计期限自|自)(\d{4})年1月1日(?:起)?至\d{4}年12月31日', 1
        ) as integer)) as period_year
    from int_narratives_current
    where text is not null
    group by submission_id
),

assessed as (
    select
        s.*,
        p.period_year,
        coalesce(s.filed_year, s.report_year) as submission_year
    from submissions_checked as s
    left join period_years as p on p.submission_id = s.submission_id
),

final as (
    select
        submission_id, unit_code, report_year,
        case when text_year is null then 'not_assessable' else 'fail' end as status,
        cast(json_object(
            'text_year', text_year,
            'period_year', period_year,
            'submission_year', submission_year
        ) as varchar) as cells,
        submission_year::double as expected,
        coalesce(
            case when text_year <> submission_year then text_year end,
            period_year
        )::double as actual,
        case
            when text_year is null then
                '未能从报告标题中读到年度，无法核对报告年度。'
            when text_year <> submission_year then
                '报告标题写的是' || cast(text_year as varchar) || '年度，但本文件是作为'
                || cast(submission_year as varchar) || '年度报告报送的。'
            else
                '报告所列统计期限为' || cast(period_year as varchar) || '年，与报告年度'
                || cast(submission_year as varchar) || '年不一致。'
        end as message_zh,
        case when text_year is null then 'extraction' else 'source' end as responsibility,
        null as detail
    from assessed
    where
        text_year is null
        or text_year <> submission_year
        or (period_year is not null and period_year <> submission_year)
)

select * from final
