-- chk_fingerprints_now: what the rules would read of each current submission, hashed
-- (temp table; stored in check_fingerprints by gongkai.checks.runner after the run).
-- grain: one row per current, loaded submission (the rows of int_submissions_current).
-- Each part is a sum of row hashes, so it does not depend on the order rows are stored in.
create or replace temp table chk_fingerprints_now as
with

-- the runs that saw a file, when and with what file time are left out: no rule reads them,
-- and two builds of the same files differ in them
submissions_current as (
    select * exclude (first_run_id, last_run_id, received_at, file_mtime) from submissions
    where is_current and status <> 'rejected'
),

cell_hashes as (
    select submission_id, sum(hash(c)::hugeint) as h from cells as c group by submission_id
),

narrative_hashes as (
    select submission_id, sum(hash(n)::hugeint) as h from narratives as n group by submission_id
),

figure_hashes as (
    select submission_id, sum(hash(f)::hugeint) as h
    from narrative_figures as f group by submission_id
),

issue_hashes as (
    select submission_id, sum(hash(i)::hugeint) as h from parse_issues as i group by submission_id
),

final as (
    select
        s.submission_id,
        s.unit_code,
        s.report_year,
        case when s.unit_code is not null then coalesce(u.city, '') end as area,
        hash(s)::hugeint
            + 3 * coalesce(c.h, 0) + 5 * coalesce(n.h, 0) + 7 * coalesce(f.h, 0)
            + 11 * coalesce(i.h, 0) as fingerprint
    from submissions_current as s
    left join units as u on u.unit_code = s.unit_code
    left join cell_hashes as c on c.submission_id = s.submission_id
    left join narrative_hashes as n on n.submission_id = s.submission_id
    left join figure_hashes as f on f.submission_id = s.submission_id
    left join issue_hashes as i on i.submission_id = s.submission_id
)

select * from final;
