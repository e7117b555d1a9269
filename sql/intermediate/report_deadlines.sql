-- report_deadlines: the deadline of each report, by the most specific rule of the R-DEADLINE
-- settings (city and year, then city, then year, then the default). R-DEADLINE and the on_time
-- indicator both judge by it (temporary table macro).
-- grain: one row per row of p_reports that a rule covers (submission_id, deadline).
-- p_reports: a relation with submission_id, city and report_year; p_rules: one with the columns
--   of check_deadline_rules (city, report_year, due_date, due_month, due_day). Both are names:
--   the checks pass their own tables, the rankings theirs.
create or replace temp macro report_deadlines(p_reports, p_rules) as table
select
    s.submission_id,
    coalesce(r.due_date, make_date(s.report_year + 1, r.due_month, r.due_day)) as deadline,
from query_table(p_reports) as s
inner join query_table(p_rules) as r
    on (r.city is null or r.city = s.city)
    and (r.report_year is null or r.report_year = s.report_year)
qualify row_number() over (
    partition by s.submission_id
    order by (r.city is not null) desc, (r.report_year is not null) desc
) = 1;
