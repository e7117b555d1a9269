-- rank_fingerprints_now: what the scores of each unit-year read, hashed (temp table; stored in
-- rank_fingerprints by gongkai.rankings.materialise).
-- grain: one row per row of v_rank_unit_years. area: the unit's city or county ('' for none).
create or replace temp table rank_fingerprints_now as
with

unit_years as (
    select * from v_rank_unit_years
),

latest_findings as (
    select f.* exclude (run_id)
    from findings as f
    semi join v_latest_check_run as l on l.run_id = f.run_id
),

finding_hashes as (
    select submission_id, sum(hash(f)::hugeint) as h
    from latest_findings as f
    group by submission_id
),

final as (
    select
        u.unit_code,
        u.report_year,
        coalesce(u.city, '') as area,
        hash(u)::hugeint + 3 * coalesce(c.fingerprint, 0) + 5 * coalesce(h.h, 0)
            as fingerprint
    from unit_years as u
    left join check_fingerprints as c on c.submission_id = u.submission_id
    left join finding_hashes as h on h.submission_id = u.submission_id
)

select * from final;
