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

-- 100 × Σ weight × score ÷ Σ weight over the metrics assessed, rounded to score_decimals: the
-- composite score of the league table, of each dimension and of each weight scenario
create or replace temp macro rank_composite(weight, score) as
    round(100 * ordered_sum(list(weight * score)) / ordered_sum(list(weight)), rank_param('score_decimals')::integer);

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
