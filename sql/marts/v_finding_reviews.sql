-- v_finding_reviews: every review of the reviews file, matched to the findings as they stand.
-- grain: one row per review (finding_reviews), as the latest run read the file.
-- state:
--   applied   a current finding has the review's key: the same check, on the same cells, with
--             the same values. `carried` is true when that finding is on another file than
--             the one reviewed (a resubmission that left the finding as it was).
--   stale     no finding has the key, but one of the same rule, unit, year and cells does:
--             the values changed (a resubmission, a correction, a newer reader). The review
--             no longer applies; the analyst decides again.
--   orphaned  no finding of that rule on those cells any more (fixed, or the report is gone):
--             the review can be removed from the file.
create or replace view v_finding_reviews as
with

reviews as (
    select * from finding_reviews
),

current_findings as (
    select f.finding_key, f.finding_place, f.submission_id, s.sha256
    from findings_current as f
    inner join submissions as s on s.submission_id = f.submission_id
),

matched as (
    select
        r.*,
        k.submission_id as key_submission_id,
        k.sha256 as key_sha256,
        p.submission_id as place_submission_id,
    from reviews as r
    left join (
        select * from current_findings
        qualify row_number() over (partition by finding_key order by submission_id) = 1
    ) as k on k.finding_key = r.finding_key
    left join (
        select * from current_findings
        qualify row_number() over (partition by finding_place order by submission_id) = 1
    ) as p on p.finding_place = r.finding_place
),

final as (
    select
        finding_key,
        rule_id,
        unit_code,
        report_year,
        decision,
        reason,
        reviewed_by,
        reviewed_at,
        case
            when key_submission_id is not null then 'applied'
            when place_submission_id is not null then 'stale'
            else 'orphaned'
        end as state,
        key_submission_id is not null and sha256 is not null and key_sha256 <> sha256 as carried,
        coalesce(key_submission_id, place_submission_id) as submission_id,
        sha256,
        message_zh,
        finding_place,
        run_id,
    from matched
)

select * from final
order by unit_code, report_year, rule_id, finding_key;
