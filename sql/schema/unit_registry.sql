-- The unit registry with its history: units by period, their changes, the units of each year.
-- Filled by gongkai.units.tables.store_registry(); safe to run on an existing warehouse
-- (tables: `if not exists`, columns only added, the view `create or replace`).

-- `units` (001_core.sql) keeps one row per unit code, its latest name and type; these two
-- columns place it in a province or prefecture (null for a one-city registry).
alter table units add column if not exists province varchar;
alter table units add column if not exists prefecture varchar;

-- grain: one row per registry row, i.e. per unit code × period of years with one name and
-- type (a code renamed or reclassified keeping its code has one row per period); no key
-- constraint, as valid_from may be null (the registry validates that periods do not overlap)
create table if not exists unit_periods (
    unit_code varchar not null,
    valid_from integer,          -- first report year of the period (null: open)
    valid_to integer,            -- last report year of the period (null: still valid)
    name varchar not null,
    short_name varchar,
    unit_type varchar not null,  -- 街道 / 镇 / 乡 / 民族乡 / 苏木 / 民族苏木
    peer_group varchar not null, -- 街道 / 乡镇: the ranking peer group in these years
    city varchar,
    prefecture varchar,
    province varchar,
    aliases varchar,             -- ';'-separated
    successors varchar,          -- ';'-separated codes that took over after valid_to
    registry_line integer        -- the line of the registry file, for messages
);

-- grain: one row per change of a unit: predecessor code × successor code × year
create table if not exists unit_changes (
    change_year integer not null,  -- first report year under the successor
    change_kind varchar not null,  -- rename / merge / split / reclassify
    from_code varchar not null,
    from_name varchar not null,
    to_code varchar not null,      -- the same as from_code for a rename keeping the code
    to_name varchar not null,
    primary key (from_code, to_code, change_year)
);

-- grain: one row per unit valid in a report year that has submissions, with the name and
-- peer group of that year (what rankings and the list of missing reports join on)
create or replace view v_unit_years as
with

report_years as (
    select distinct report_year
    from submissions
    where report_year is not null
),

final as (
    select
        p.unit_code,
        y.report_year,
        p.name,
        p.short_name,
        p.unit_type,
        p.peer_group,
        p.city,
        p.prefecture,
        p.province,
    from unit_periods as p
    inner join report_years as y
        on y.report_year between coalesce(p.valid_from, 0) and coalesce(p.valid_to, 9999)
)

select * from final
order by report_year, unit_code;
