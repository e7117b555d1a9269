-- Narrative texts cleaned once per check run with the boilerplate of checks.toml (temp tables).
-- Parameters (bound by the SQL runner, gongkai.warehouse.sqlfiles):
--   $removed_pattern: the check_boilerplate patterns and elided markers as one alternation
--     ('$^', matching nothing, when there are none);
--   $elided_pattern: the elided markers alone (null when there are none).

-- grain: one row per current submission × section 五 or 六: the text cleaned once
-- (R-PROBLEMS) and whether its prose was left out of this copy (R-PROBLEMS, R-FEE-NOTE)
create or replace temp table chk_section_texts as
with
sections as (
    select * from int_narratives_current
    where section_code in ('s5', 's6')
),

final as (
    select
        submission_id,
        section_code,
        chk_clean_text(coalesce(text, ''), $removed_pattern) as clean_text,
        coalesce(regexp_matches(coalesce(text, ''), $elided_pattern), false) as is_elided
    from sections
)

select * from final;

-- grain: one row per check_boilerplate empty_text, cleaned like a section 五 (R-PROBLEMS)
create or replace temp table chk_empty_texts as
select distinct chk_clean_text(text, $removed_pattern) as clean_text
from check_boilerplate
where kind = 'empty_text';

-- grain: one row per history submission with narrative text: sections 一 … 六 joined in
-- section order, then cleaned (R-COPY). Cleaning the joined text, not each section, keeps
-- a boilerplate sentence that runs to the end of the report from counting as prose.
create or replace temp table chk_copy_texts as
with
narratives as (
    select * from int_history_narratives
    where text is not null
),

final as (
    select
        submission_id,
        chk_clean_text(string_agg(text, '' order by section_code), $removed_pattern)
            as clean_text
    from narratives
    group by submission_id
)

select * from final;

-- grain: one row per current submission whose text was cut off: a parse issue text_cut_off,
-- or cells of its tables not seen (R-SECTIONS and R-PROBLEMS hand such a report to
-- extraction: what is missing may be in the part we did not get)
create or replace temp table chk_cut_off as
select distinct submission_id from parse_issues where issue_code = 'text_cut_off'
union
select distinct submission_id from int_cells_current where cell_status = 'unseen';
