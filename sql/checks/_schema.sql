-- Columns the checks add to the warehouse core tables findings and check_runs (never a
-- rename or a drop). Run by gongkai.checks before every check run; idempotent.

alter table check_runs add column if not exists checked_at timestamp;
