-- What the last check run read, so the next run checks again only what changed
-- (gongkai.checks.runner, docs/checks.md "Checking again only what changed").
-- grain: one row per current submission the latest check run read (older runs' rows are
-- deleted when a run writes its own).
-- fingerprint: a hash of everything a rule reads of the submission — its row in
-- submissions (the runs that saw it, when, and its file time aside), its cells, sections, narrative figures and
-- parse issues; area: the registry's city or county of its unit ('' when the unit has none,
-- null when the unit is unknown), where R-COPY looks for texts of the same year.
create table if not exists check_fingerprints (
    run_id varchar not null,
    submission_id varchar not null,
    unit_code varchar,
    report_year integer,
    area varchar,
    fingerprint hugeint not null
);

-- the basis of a check run: a hash of the rules, their SQL, the checks' settings and the
-- registry; a run may reuse the findings of a run with the same basis only
alter table check_runs add column if not exists basis varchar;
