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

-- how each cell was placed by the reader (gongkai parse --json `confidence`): read (label and
-- value together) or inferred (placed by the template's row order or the table's own sums),
-- with the reader's reason for an inferred cell; null for cells loaded before it was stored
alter table cells add column if not exists confidence varchar;
alter table cells add column if not exists confidence_reason varchar;

-- grain: one row per template version × line the city totals are counted on: a cell of the
-- version, or a group of table 三's sub-rows (（三）不予公开 …). Loaded from the template spec by
-- gongkai.warehouse.load_city_lines().
create table if not exists city_lines (
    template varchar not null,           -- v2019 / v2021
    line_code varchar not null,          -- a cell code, or a group's: t3.denied.total
    table_code varchar not null,
    row_code varchar not null,           -- for a group, the group's code (denied, other …)
    col_code varchar not null,
    row_label varchar,                   -- the version's official label (a group's: （三）不予公开)
    col_label varchar,
    position integer not null,           -- the version's template order
    is_group boolean not null,           -- the line adds a group's sub-rows
    primary key (template, line_code)
);

-- grain: one row per line × cell it adds, whichever version the cell belongs to (the 2019
-- version's 其他处理 row and the 2021 version's three sub-rows all add into t3.other.*)
create table if not exists city_line_cells (
    line_code varchar not null,
    cell_code varchar not null,
    primary key (line_code, cell_code)
);

-- the template version in force for a report year (国办公开办函〔2019〕60号 for 2019–2020,
-- 〔2021〕30号 from 2021): R-TEMPLATE checks against it, the city totals count on its lines
create or replace macro template_in_force(report_year) as
    case when report_year <= 2020 then 'v2019' else 'v2021' end;

-- sums that do not depend on the order rows arrive in. Floating-point addition is not
-- associative, and the order of a table's rows follows how its files were loaded (one batch
-- or many, one worker or a cluster), so a plain sum() of fractional values (万元, scores)
-- could differ in its last digit between two builds of the same reports. value_sum adds the
-- values sorted and rounds to 6 decimals (万元 to a hundredth of a yuan, finer than any
-- report prints); ordered_avg averages them sorted. Called on a list:
-- value_sum(list(x) filter (where …)). Nulls are skipped; a list with no number gives null
-- (blank is not zero). (The composite scores are summed exactly in decimals instead:
-- rank_composite.)
create or replace macro value_sum(vals) as round(list_sum(list_sort(vals)), 6);
create or replace macro ordered_avg(vals) as list_avg(list_sort(vals));

-- the rules that judge a value itself and name it as wrong (the other rules judge how values
-- relate: a sum that does not add up names every cell of the sum). A city total leaves out
-- the values a failing error or warning finding of these rules names (v_city_cells).
create or replace view value_rules as
select * from (
    values
    ('T2-MONEY-UNIT'),     -- money written in 元 in the 万元 column
    ('T2-NONNEG'),         -- a negative number in table 二
    ('T2-NO-REGULATION'),  -- a 规章 count of a township
    ('T3-INTEGER'),        -- a negative or fractional count in table 三
    ('T4-INTEGER')         -- … in table 四
) as r (rule_id);
