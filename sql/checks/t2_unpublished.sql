-- id: T2-UNPUBLISHED
-- severity: warning
-- kind: plausibility
-- evaluates: int_submissions_current
-- grain: one row per current v2019 submission × row (规章, 规范性文件) of table 二 that made
--   documents but published none, or cannot be checked
-- rule: v2019: made > 0 while published = 0 and total_public = 0
-- zero rows means: no v2019 report made documents this year without publishing any, and
--   every operand was a number.

with
t2_rows as (
    select
        *,
        vals['made'] as made_value,
        vals['published'] as published_value,
        vals['total_public'] as total_public_value
    from chk_cell_groups('t2', 'row', p_item_open := '“', p_item_close := '”')
    where template = 'v2019' and group_code in ('regulation', 'normative_doc')
),

final as (
    select
        submission_id, unit_code, report_year,
        chk_status(n_missing) as status,
        cells,
        made_value as expected,
        published_value as actual,
        case
            when n_missing > 0 then
                '表二“' || group_label || '”行无法核对制作与公开数量：'
                || array_to_string(missing, '、') || '。'
            else
                '表二“' || group_label || '”行：本年新制作' || chk_num(made_value)
                || '件，但本年新公开和对外公开总数量都是0，请核实是否漏公开或填错。'
        end as message_zh,
        -- a doubt about our reading does not change who made the documents unpublished
        chk_responsibility(n_missing, missing_responsibility, false) as responsibility,
        cast(json_object('ord', group_ord, 'row', group_code) as varchar) as detail
    from t2_rows
    where
        n_missing > 0
        or (made_value > 0 and published_value = 0 and total_public_value = 0)
)

select * from final
