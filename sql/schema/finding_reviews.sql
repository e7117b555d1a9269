-- Reviews of findings: an analyst confirms or dismisses a finding, with a reason (docs/
-- operations.md, "Reviews"). The decisions live in the office's file data/reviews.toml; each
-- run stores the file's entries here and the views match them to the findings by key.

-- the key of a finding (rule, unit, year and a hash of its cells, values, expected and
-- actual) and its place (rule, unit, year and the names of its cells, without values):
-- written for every finding of a run by gongkai.checks.reviews.key_findings
alter table findings add column if not exists finding_key varchar;
alter table findings add column if not exists finding_place varchar;

-- grain: one row per review in the reviews file, as the latest run read it
create table if not exists finding_reviews (
    finding_key varchar primary key,     -- the key of the finding reviewed
    rule_id varchar not null,
    unit_code varchar not null,
    report_year integer not null,
    finding_place varchar,               -- its place: a finding there with another key is
                                         -- the same check with other values (stale review)
    decision varchar not null,           -- confirmed / dismissed
    reason varchar not null,
    reviewed_by varchar not null,
    reviewed_at timestamp,               -- UTC
    sha256 varchar,                      -- the file the finding was reviewed on
    message_zh varchar,                  -- the finding's message when it was reviewed
    run_id varchar                       -- the run that read the file
);
