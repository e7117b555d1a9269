-- What the last materialise stage scored, so the next run scores again only the cities
-- whose reports or findings changed (gongkai.rankings.materialise, docs/rankings.md "Scoring
-- again only what changed").
-- grain: one row per unit × report year of the league table the latest materialise stage
-- stored (the rows of v_rank_unit_years; older rows are deleted when a run writes its own).
-- fingerprint: a hash of the unit-year's row (its registry entry, report and previous-year
-- report), what the checks read of its report (check_fingerprints) and its findings;
-- basis: a hash of the method, the ranking SQL and code, the registry and the reviews.
create table if not exists rank_fingerprints (
    run_id varchar not null,
    unit_code varchar,
    report_year integer,
    area varchar,
    fingerprint hugeint not null,
    basis varchar not null
);
