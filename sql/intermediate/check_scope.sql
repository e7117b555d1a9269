-- The scope of a check run that reuses the findings of $previous_run (same basis): which
-- current submissions the rules must see again, and which they may read as history.
-- Run after int_submissions_current is built and before the relations built on it, which
-- then hold the context only (gongkai.checks.runner).

-- grain: one row per submission read by one run and not by the other, or read by both
-- with another fingerprint (a new or changed report, or one no longer current)
create or replace temp table chk_changed as
with

before as (
    select submission_id, unit_code, report_year, area, fingerprint
    from check_fingerprints
    where run_id = $previous_run
),

now as (
    select submission_id, unit_code, report_year, area, fingerprint
    from chk_fingerprints_now
),

final as (
    select n.* exclude (fingerprint) from now as n
    anti join before as b on b.submission_id = n.submission_id and b.fingerprint = n.fingerprint
    union
    select b.* exclude (fingerprint) from before as b
    anti join now as n on n.submission_id = b.submission_id and n.fingerprint = b.fingerprint
)

select * from final;

-- grain: one row per current submission the rules evaluate again: a changed one; every
-- report of the same area and year (R-COPY compares a report with those) and of the year
-- after in that area (their previous-year and same-year comparisons may change); the same
-- unit's report of the year after (the cross-year rules pair it with this one)
create or replace temp table chk_scope as
select n.submission_id
from chk_fingerprints_now as n
where
    n.submission_id in (select submission_id from chk_changed)
    or exists (
        select 1 from chk_changed as c
        where c.area = n.area
            and n.report_year in (c.report_year, c.report_year + 1)
    )
    or exists (
        select 1 from chk_changed as c
        where c.unit_code = n.unit_code and n.report_year = c.report_year + 1
    );

-- grain: one row per current submission the rules read: the scope, and the same units'
-- reports of the year before (history for the cross-year rules and R-COPY)
create or replace temp table chk_context as
select submission_id from chk_scope
union
select n.submission_id
from chk_fingerprints_now as n
inner join chk_fingerprints_now as s
    on s.unit_code = n.unit_code and n.report_year = s.report_year - 1
semi join chk_scope as k on k.submission_id = s.submission_id;

delete from int_submissions_current
where submission_id not in (select submission_id from chk_context);
