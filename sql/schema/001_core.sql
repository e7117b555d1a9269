-- Core warehouse tables. Grain is stated per table; every cell keeps its raw text and location.
-- Loaded in file-name order by gongkai.warehouse.create_schema().

-- grain: one row per township-level unit of the registry
create table if not exists units (
    unit_code varchar primary key,
    name varchar not null,
    short_name varchar,
    unit_type varchar,          -- 街道 / 镇 / 乡
    peer_group varchar,         -- 街道 / 乡镇 (ranking peer groups)
    city varchar,
    valid_from integer,
    valid_to integer,
    aliases varchar,            -- ';'-separated
    note varchar
);
-- where the unit lies above its city or county (null for a one-city registry): the
-- roll-ups by prefecture and province (v_area_figures)
alter table units add column if not exists province varchar;
alter table units add column if not exists prefecture varchar;

-- grain: one row per run of the annual flow (or of `gongkai check`)
create table if not exists runs (
    run_id varchar primary key,
    started_at timestamp,
    finished_at timestamp,
    source varchar,             -- folder or URL manifest
    years varchar,              -- e.g. '2019-2024'
    reader_version varchar,
    files_seen integer,
    files_read integer,         -- parsed in this run (new or changed)
    files_unchanged integer,    -- already in the warehouse with the same sha256
    files_rejected integer
);

-- grain: one row per submitted file version (a changed file for the same unit-year is a new row)
create table if not exists submissions (
    submission_id varchar primary key,   -- sha256 of the bytes + filed unit-year
    file_path varchar not null,          -- as discovered (relative to the source when possible)
    file_name varchar not null,
    source_url varchar,                  -- when fetched over HTTP
    sha256 varchar not null,
    size_bytes bigint,
    format varchar,                      -- text / markdown / html / docx / xlsx / pdf
    encoding varchar,
    received_at timestamp,               -- when first seen by a run
    filed_unit_code varchar,             -- from the folder / file name / manifest row
    filed_year integer,
    unit_code varchar,                   -- the unit used: filed when known, else from the text
    report_year integer,                 -- the year used: filed when known, else from the text
    unit_name_printed varchar,           -- the unit as printed in the report
    text_unit_code varchar,              -- the unit the printed name resolves to (or null)
    text_year integer,                   -- the year the report's own text states
    template varchar,                    -- v2019 / v2021, detected from the labels
    published_date date,
    title varchar,
    reader_version varchar,
    status varchar not null,             -- loaded / rejected
    reject_reason varchar,
    superseded_by varchar,               -- submission_id of the newer version, when replaced
    is_current boolean not null default false,
    first_run_id varchar,
    last_run_id varchar
);

-- grain: one row per submission × cell code of its template
create table if not exists cells (
    submission_id varchar not null,
    unit_code varchar,
    report_year integer,
    cell_code varchar not null,          -- t3.new.natural …
    table_code varchar not null,         -- t2 / t3 / t4
    row_code varchar not null,           -- new, denied.state_secret, review …
    col_code varchar not null,           -- natural, total, upheld …
    value double,                        -- null = blank, unreadable or not seen
    raw_text varchar,                    -- the text as found ('' when not seen)
    location varchar,                    -- line 42 / table 2 row 5 col 3 / sheet t3 cell C7
    status varchar not null,             -- value / blank / unreadable / unseen
    note varchar                         -- a note written in the cell, e.g. 其中修订3件
    -- key (submission_id, cell_code), not declared: a report's rows are written only with its
    -- submissions row, whose id is the primary key, one per cell code; an index on it was three
    -- quarters of the warehouse file and a third of the load (docs/warehouse.md)
);

-- grain: one row per submission × section of the report (s1..s6)
create table if not exists narratives (
    submission_id varchar not null,
    unit_code varchar,
    report_year integer,
    section_code varchar not null,       -- s1 … s6
    position integer,                    -- order of appearance (1-based), null when missing
    text varchar
    -- key (submission_id, section_code), not declared (as for cells)
);

-- grain: one row per figure stated in a report's narrative
create table if not exists narrative_figures (
    submission_id varchar not null,
    unit_code varchar,
    report_year integer,
    figure_no integer not null,
    phrase varchar,
    value double,
    compared_with varchar,               -- expression over cell codes, e.g. 't3.new.total'
    location varchar
    -- key (submission_id, figure_no), not declared (as for cells)
);

-- grain: one row per parse issue of a submission
create table if not exists parse_issues (
    submission_id varchar not null,
    unit_code varchar,
    report_year integer,
    issue_no integer not null,
    issue_code varchar not null,
    severity varchar not null,           -- error / warning / info
    message_zh varchar,
    message_en varchar,
    location varchar
    -- key (submission_id, issue_no), not declared (as for cells)
);

-- grain: one row per finding of a consistency rule in a run (history kept across runs)
create table if not exists findings (
    run_id varchar not null,
    submission_id varchar,
    unit_code varchar,
    report_year integer,
    rule_id varchar not null,
    severity varchar not null,           -- error / warning / info
    status varchar not null,             -- fail / not_assessable
    cells varchar,                       -- JSON object: cell code → value
    expected double,
    actual double,
    message_zh varchar,
    responsibility varchar,              -- source / extraction
    detail varchar
);

-- grain: one row per rule per run
create table if not exists check_runs (
    run_id varchar not null,
    rule_id varchar not null,
    severity varchar,
    status varchar not null,             -- pass / warn / fail / error
    rows_evaluated integer,
    rows_failing integer,
    duration_ms double,
    error varchar,
    primary key (run_id, rule_id)
);
