-- Macros the ranking views share (temporary, loaded first: sql/manifest.toml).

-- a setting of the method: the [params] of metrics.toml, score_decimals, min_sample
create or replace temp macro rank_param(name) as
    (select p.value from rank_params as p where p.key = name);

-- a finding held against the report: it fails, and the fault is the report's (not a doubt about
-- our reading)
create or replace temp macro rank_is_source_fail(status, responsibility) as
    status = 'fail' and coalesce(responsibility, 'source') = 'source';

-- a finding that says nothing for or against the report: it could not be assessed, or our
-- reading is in doubt
create or replace temp macro rank_is_doubtful(status, responsibility) as
    status = 'not_assessable' or responsibility = 'extraction';

-- 100 × Σ weight × score ÷ Σ weight over the metrics assessed, rounded half up to
-- score_decimals: the composite score of the league table, of each dimension and of each
-- weight scenario. Exact: each term is rounded to 9 decimals, the sums are decimals (the
-- same total in any order: a sum of doubles depends on the order the rows arrive in) and the
-- quotient is rounded in integers, so a score of exactly 98.55 is 98.6 in every build, not
-- 98.5 or 98.6 as a double's last digit falls. Weights are at most 1,000 (ranking.toml is
-- refused otherwise) and scores 0–1, so every number fits.
create or replace temp macro rank_weight(weight) as weight::decimal(18, 9);
create or replace temp macro rank_round(num, den, decimals) as
    ((200 * cast(round(power(10, decimals)) as hugeint) * cast(num * 1000000000 as hugeint)
      + cast(den * 1000000000 as hugeint))
     // (2 * cast(den * 1000000000 as hugeint))) / power(10, decimals);
create or replace temp macro rank_composite(weight, score) as
    rank_round(sum(rank_weight(weight * score)), sum(rank_weight(weight)),
               rank_param('score_decimals')::integer);

-- how a rate is shown: 'blank' (an operand is blank or unreadable: blank is not zero, so
-- nothing is computed), 'zero' (the denominator is 0: not applicable), 'small' (fewer than
-- min_sample cases: counts only, e.g. 3/5), else 'rate'
create or replace temp macro rate_status(numerator, denominator) as
    case
        when numerator is null or denominator is null then 'blank'
        when denominator = 0 then 'zero'
        when denominator < rank_param('min_sample') then 'small'
        else 'rate'
    end;

-- the rate itself, only when rate_status says 'rate'
create or replace temp macro rate_value(numerator, denominator) as
    case
        when denominator >= rank_param('min_sample') and denominator > 0
            then numerator / denominator
    end;
