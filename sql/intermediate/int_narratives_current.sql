-- int_narratives_current: the six sections of every checked submission (temp table).
-- grain: one row per current submission × section s1..s6 (position null = not found)
create or replace temp table int_narratives_current as
with
submissions_checked as (
    select * from int_submissions_current
),

sections as (
    select * from (values ('s1', 1), ('s2', 2), ('s3', 3), ('s4', 4), ('s5', 5), ('s6', 6))
        as sections (section_code, section_no)
),

narrative_rows as (
    select * from narratives
),

final as (
    select
        s.submission_id, s.unit_code, s.report_year, s.template,
        sec.section_code,
        sec.section_no,
        n.position,
        n.text
    from submissions_checked as s
    cross join sections as sec
    left join narrative_rows as n
        on n.submission_id = s.submission_id
        and n.section_code = sec.section_code
)

select * from final;
