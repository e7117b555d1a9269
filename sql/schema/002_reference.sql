-- Reference and bookkeeping additions to the core tables (001_core.sql is a shared contract:
-- columns and tables are only ever added, never renamed or dropped).

-- grain: one row per cell code of either template version
-- Loaded from the package's template spec by gongkai.warehouse.load_cell_codes().
create table if not exists cell_codes (
    cell_code varchar primary key,       -- t3.new.natural …
    table_code varchar not null,         -- t2 / t3 / t4
    row_code varchar not null,
    col_code varchar not null,
    position integer not null,           -- template order (v2019 codes first, then v2021-only)
    wide_column varchar not null,        -- the column name in v_t2 / v_t3 / v_t4
    row_label varchar,                   -- official row label (Chinese)
    col_label varchar,                   -- official column label (Chinese)
    in_v2019 boolean not null,
    in_v2021 boolean not null,
    is_money boolean not null            -- amounts in 万元; every other cell is a count
);

-- per-stage timings of the annual flow (seconds), as a JSON object
alter table runs add column if not exists stage_seconds varchar;
-- loaded submissions in the run (new or changed files that could be read)
alter table runs add column if not exists files_loaded integer;
-- outcome of the run: running / published / completed / failed (gongkai.warehouse.runs)
alter table runs add column if not exists status varchar;
-- the stage a failed run stopped in (discover, stage, read, load, check, materialise, publish,
-- render)
alter table runs add column if not exists failed_stage varchar;

-- when a rule was checked (v_unit_status and findings_current read it)
alter table check_runs add column if not exists checked_at timestamp;
