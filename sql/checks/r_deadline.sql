-- id: R-DEADLINE
-- severity: warning
-- kind: report level
-- evaluates: int_submissions_current
-- grain: one row per current submission published after its deadline, or whose
--   publication date is unknown
-- rule: published_date ≤ deadline. The deadline comes from check_deadline_rules (from
--   gongkai/data/checks.toml [deadline]): the most specific of city + year, city, year,
--   default (the macro report_deadlines, which the on_time indicator uses too); a rule is a
--   fixed date or a month-day of the year after the report year (default 01-31).
-- zero rows means: every current report states a publication date on or before its
--   deadline.

with
submissions_checked as (
    select * from int_submissions_current
),

matched as (
    select
        s.submission_id, s.unit_code, s.report_year,
        s.published_date,
        d.deadline
    from submissions_checked as s
    inner join report_deadlines('int_submissions_current', 'check_deadline_rules') as d
        on d.submission_id = s.submission_id
),

final as (
    select
        submission_id, unit_code, report_year,
        case when published_date is null then 'not_assessable' else 'fail' end as status,
        cast(json_object('published_date', published_date, 'deadline', deadline) as varchar)
            as cells,
        null::double as expected,
        cast(published_date - deadline as double) as actual,
        case
            when published_date is null then
                '未能从报告中读到发布日期（落款日期），无法核对是否在'
                || strftime(deadline, '%Y年%-m月%-d日') || '前发布。'
            else
                '报告落款日期为' || strftime(published_date, '%Y年%-m月%-d日') || '，晚于'
                || strftime(deadline, '%Y年%-m月%-d日') || '的发布期限'
                || cast(published_date - deadline as varchar) || '天。'
        end as message_zh,
        case when published_date is null then 'extraction' else 'source' end as responsibility,
        cast(json_object('days_late', published_date - deadline) as varchar) as detail
    from matched
    where published_date is null or published_date > deadline
)

select * from final
