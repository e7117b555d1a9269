-- int_submissions_current: the submissions the checks evaluate (temp table, built at the start
-- of every check run by gongkai.checks.prepare; order in sql/manifest.toml).
-- grain: one row per current, loaded submission (normally one per unit-year)
create or replace temp table int_submissions_current as
with
submissions_current as (
    select * from submissions
    where is_current and status <> 'rejected'
),

registry as (
    select * from units
),

final as (
    select
        s.submission_id,
        s.unit_code,
        s.report_year,
        -- the grid of cells to expect: the detected template, else the one of the year
        coalesce(s.template, template_in_force(s.report_year)) as template,
        s.template as template_detected,
        s.published_date,
        s.filed_unit_code,
        s.filed_year,
        s.text_unit_code,
        s.text_year,
        s.unit_name_printed,
        s.title,
        r.name as unit_name,
        r.city,
        r.unit_type,
        coalesce(
            r.unit_type in ('街道', '镇', '乡'),
            regexp_matches(
                coalesce(s.unit_name_printed, ''),
                '(街道|镇|乡|街)(办事处|人民政府|政府)?$'
            )
        ) as is_township
    from submissions_current as s
    left join registry as r on r.unit_code = s.unit_code
)

select * from final;
