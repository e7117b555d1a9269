-- Reading corrections: where our reading of a file was wrong, the office's correction of a
-- cell (data/corrections.toml; docs/operations.md, "Corrections"). Applied at load by
-- gongkai.warehouse.corrections; the cell keeps `provenance = 'corrected'` and the reading
-- it replaced is kept here.

-- (cells.confidence and confidence_reason, the reader's doubt: 002_reference.sql)
-- read (as the reader found it) or corrected (a correction of the office replaced it)
alter table cells add column if not exists provenance varchar default 'read';

-- grain: one row per correction in the corrections file, as the latest run applied it
create table if not exists cell_corrections (
    unit_code varchar not null,
    report_year integer not null,
    cell_code varchar not null,
    sha256 varchar not null,            -- the file the correction was made against
    value double,                       -- the corrected value (null: the cell is blank)
    printed varchar,                    -- the text printed in the file, as the analyst states it
    reason varchar not null,
    corrected_by varchar not null,
    corrected_at timestamp,             -- UTC
    state varchar not null,             -- applied / stale / orphaned / refused / not_needed
    state_reason varchar,               -- why, in a clerk's words
    submission_id varchar,              -- the current report of the unit-year (null: none)
    read_value double,                  -- the cell as read: value, status, text, confidence
    read_status varchar,
    read_raw_text varchar,
    read_confidence varchar,
    run_id varchar                      -- the run that applied the file
);
