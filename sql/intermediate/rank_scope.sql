-- The scope of a materialise stage that keeps the stored rows of $previous_run outside it:
-- the peer groups to score again, by city or county and year. Run after the ranking views
-- are made; afterwards v_rank_unit_years holds the scope and its year before only.

-- grain: one row per (area, report year) to score again: where a unit-year's fingerprint
-- changed, appeared or disappeared, and the year after there (its previous-year figures,
-- ranks and rank changes read this year)
create or replace temp table rank_scope as
with

before as (
    select unit_code, report_year, area, fingerprint
    from rank_fingerprints
    where run_id = $previous_run
),

now as (
    select unit_code, report_year, area, fingerprint from rank_fingerprints_now
),

changed as (
    select n.area, n.report_year from now as n
    anti join before as b
        on b.unit_code = n.unit_code and b.report_year = n.report_year
        and b.fingerprint = n.fingerprint
    union
    select b.area, b.report_year from before as b
    anti join now as n
        on n.unit_code = b.unit_code and n.report_year = b.report_year
        and n.fingerprint = b.fingerprint
),

final as (
    select area, report_year from changed
    union
    select area, report_year + 1 from changed
)

select * from final;

-- the unit-years scored: those of the scope and, read as the year before, of its areas a
-- year earlier
create or replace temp table rank_unit_years_scoped as
select u.*, s.area is not null as in_scope
from v_rank_unit_years as u
left join rank_scope as s
    on s.area = coalesce(u.city, '') and s.report_year = u.report_year
where
    s.area is not null
    or exists (
        select 1 from rank_scope as p
        where p.area = coalesce(u.city, '') and p.report_year = u.report_year + 1
    );

create or replace temp view v_rank_unit_years as
select * exclude (in_scope) from rank_unit_years_scoped;
