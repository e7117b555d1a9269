-- id: R-PROBLEMS
-- severity: warning
-- kind: report level
-- evaluates: int_submissions_current
-- grain: one row per current submission whose section 五 (存在的主要问题及改进情况) is empty
--   in effect, or could not be found
-- rule: section 五 is empty, says only 无 (or another text of check_boilerplate
--   empty_text), is only template boilerplate, or has fewer than problems_min_chars (20)
--   characters once spaces, boilerplate, digits and punctuation are removed
-- zero rows means: every current report says something of its own about its problems and
--   how it will improve. A section 五 that was not found is not_assessable (R-SECTIONS
--   reports the absence); so is one whose prose was left out of this copy
--   (check_boilerplate elided).

with
section_five as (
    -- the text as found, and as cleaned once (chk_section_texts)
    select n.*, t.clean_text, t.is_elided
    from int_narratives_current as n
    inner join chk_section_texts as t
        on t.submission_id = n.submission_id and t.section_code = n.section_code
    where n.section_code = 's5'
),

empty_texts as (
    select clean_text from chk_empty_texts
),

cut_off as (
    select * from chk_cut_off
),

assessed as (
    select
        s.*,
        chk_param('problems_min_chars') as min_chars
    from section_five as s
),

final as (
    select
        a.submission_id, a.unit_code, a.report_year,
        case
            when a.position is null or a.is_elided then 'not_assessable'
            else 'fail'
        end as status,
        cast(json_object('s5', left(a.text, 200)) as varchar) as cells,
        a.min_chars as expected,
        length(a.clean_text)::double as actual,
        case
            when a.position is null then
                '未找到“五、存在的主要问题及改进情况”部分，无法核对其内容。'
            when a.is_elided then
                '“五、存在的主要问题及改进情况”的正文在本文件中被省略，无法核对其内容。'
            when length(a.clean_text) = 0 then
                '“五、存在的主要问题及改进情况”部分为空，请写明本单位工作中存在的问题和改进措施。'
            when a.clean_text in (select clean_text from empty_texts) then
                '“五、存在的主要问题及改进情况”只写了“' || trim(a.text)
                || '”，请写明本单位工作中存在的问题和改进措施。'
            else
                '“五、存在的主要问题及改进情况”内容过少或只有套话（“' || left(trim(a.text), 40)
                || '”），请写明本单位工作中存在的问题和改进措施。'
        end as message_zh,
        case
            when a.position is null and c.submission_id is not null then 'extraction'
            when a.position is not null and a.is_elided then 'extraction'
            else 'source'
        end as responsibility,
        cast(json_object('clean_chars', length(a.clean_text)) as varchar) as detail
    from assessed as a
    left join cut_off as c on c.submission_id = a.submission_id
    where a.position is null or length(a.clean_text) < a.min_chars
        or a.clean_text in (select clean_text from empty_texts)
)

select * from final
