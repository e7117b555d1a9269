-- finding_keys: the review key and place of every finding of a run ($run_id) that has none
-- yet, written after the rules ran (gongkai.checks.reviews.key_findings); findings carried
-- over from the run before keep their keys (the same finding has the same key).
-- key   = rule_id:unit:year:fingerprint — the fingerprint hashes the finding's cells with
--         their values (keys sorted, numbers as doubles, so 5 and 5.0 are one value), its
--         expected and actual values and its status; the message is left out, so a change of
--         wording keeps the key.
-- place = a hash of rule_id, unit, year and the names of the cells alone: the same check on
--         the same cells, whatever their values.
-- The unit is the submission's id when the unit is unknown.
update findings as f
set finding_key = k.finding_key, finding_place = k.finding_place
from (
    with

    run_findings as (
        select
            rowid as finding_row,
            rule_id,
            coalesce(unit_code, 'submission-' || left(submission_id, 12)) as unit_key,
            coalesce(cast(report_year as varchar), '?') as year_key,
            case when json_valid(cells) then cells end as cells_json,
            coalesce(cells, '') as cells_text,
            expected,
            actual,
            status,
        from findings
        where run_id = $run_id and finding_key is null
    ),

    canonical as (
        select
            r.*,
            (
                select array_to_string(list_sort(list(
                    je.key || '=' || coalesce(cast(try_cast(je.value as double) as varchar),
                                              je.value)
                )), chr(31))
                from json_each(r.cells_json) as je
            ) as cell_values,
            (
                select array_to_string(list_sort(list(je.key)), chr(31))
                from json_each(r.cells_json) as je
            ) as cell_names,
        from run_findings as r
    ),

    final as (
        select
            finding_row,
            rule_id || ':' || unit_key || ':' || year_key || ':' || left(sha256(
                coalesce(cell_values, cells_text) || '|' || coalesce(cast(expected as varchar), '')
                || '|' || coalesce(cast(actual as varchar), '') || '|' || status
            ), 12) as finding_key,
            left(sha256(
                rule_id || '|' || unit_key || '|' || year_key || '|'
                || coalesce(cell_names, cells_text)
            ), 12) as finding_place,
        from canonical
    )

    select * from final
) as k
where f.rowid = k.finding_row;
