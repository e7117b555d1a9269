-- Table macros the rules are written with (temporary): each is the query a family of rules
-- shares, called by the rule files with the table, the cells and the words they check. A
-- table macro is bound when it is created, so these come after the relations they read
-- (sql/manifest.toml).

-- chk_cell_groups: groups of cells (the columns or the rows of a table) gathered for a rule's
-- findings: the operands by member (a column's rows, a row's columns), the members that are
-- not numbers in a clerk's words, who is responsible for them, whether our reading of a cell
-- is in doubt, and the cells as JSON in template order.
-- grain: one row per current submission × group; with p_flagged_by, only the groups that sum
--   of int_group_sums flags (it fails, or an operand is not a number).
-- p_axis: 'col' (a group is a column; its members are rows) or 'row'. p_members_in /
--   p_members_out: the members that are operands (default: all). p_item_open / p_item_close:
--   what goes around a member's label in the list of missing operands (“自然人”列).
create or replace temp macro chk_cell_groups(
    p_table_code, p_axis, p_flagged_by := null, p_members_in := null, p_members_out := [],
    p_item_open := '', p_item_close := ''
) as table
with
members as (
    select
        *,
        if(p_axis = 'col', col_code, row_code) as group_code,
        if(p_axis = 'col', row_code, col_code) as member_code,
        if(p_axis = 'col', col_ord, row_ord) as group_ord,
        if(p_axis = 'col', row_ord, col_ord) as member_ord
    from int_cells_current
    where table_code = p_table_code
),

-- the groups to gather: those the sum flags, or every group when no sum is named
flagged as (
    select submission_id, group_code
    from int_group_sums
    where sum_code = p_flagged_by and (n_missing > 0 or abs(difference) > 1e-6)
    union all
    select distinct submission_id, group_code
    from members
    where p_flagged_by is null
),

operands as (
    select m.*
    from members as m
    semi join flagged as f on f.submission_id = m.submission_id and f.group_code = m.group_code
    where
        (p_members_in is null or list_contains(p_members_in, m.member_code))
        and not list_contains(p_members_out, m.member_code)
),

labels as (
    select
        template,
        cell_code,
        if(p_axis = 'col', col_label, row_label) as group_label,
        if(p_axis = 'col', row_label, col_label) as member_label
    from chk_cell_labels
),

final as (
    select
        o.submission_id,
        o.unit_code,
        o.report_year,
        o.template,
        o.group_code,
        any_value(o.group_ord) as group_ord,
        any_value(l.group_label) as group_label,
        map_from_entries(list((o.member_code, o.value))) as vals,
        value_sum(list(o.value) filter (where o.member_code <> 'total')) as parts_sum,
        count(*) filter (where o.value is null) as n_missing,
        list(
            p_item_open || l.member_label || p_item_close
            || chk_missing_word(o.cell_status, o.raw_text) order by o.member_ord
        ) filter (where o.value is null) as missing,
        min(chk_missing_responsibility(o.cell_status)) filter (where o.value is null)
            as missing_responsibility,
        bool_or(o.has_parse_issue) as has_parse_issue,
        cast(to_json(map_from_entries(list((o.cell_code, o.value) order by o.member_ord)))
            as varchar) as cells
    from operands as o
    left join labels as l on l.template = o.template and l.cell_code = o.cell_code
    group by o.submission_id, o.unit_code, o.report_year, o.template, o.group_code
)

select * from final;

-- chk_sum_findings: the findings of a rule "the members of a group add up to its total"
-- (T3-OUTCOMES, T3-ROWSUM, T4-SUM) over the groups chk_cell_groups gathers: a group that
-- does not add up (the total as printed is what is checked: expected is the sum of the
-- members), or whose members are not all numbers (not assessable, the missing ones named).
-- grain: one row per current submission × group that breaks the rule or cannot be checked;
--   the finding's columns, and group_code, n_missing, missing_responsibility and
--   has_parse_issue for a rule that adds to the message or the responsibility.
-- Words: p_table_zh 表三; p_axis_zh what the group is after its label (列, 行 or nothing);
--   p_rule_zh the rule as an equation; p_parts_zh the members' sum as a message says it;
--   p_total_zh the total's name; p_detail_key the detail's key for the group (column …).
create or replace temp macro chk_sum_findings(
    p_table_code, p_axis, p_flagged_by, p_table_zh, p_axis_zh, p_rule_zh, p_parts_zh,
    p_total_zh, p_detail_key, p_members_out := [], p_item_open := '', p_item_close := ''
) as table
select
    submission_id, unit_code, report_year,
    chk_status(n_missing) as status,
    cells,
    case when n_missing = 0 then parts_sum end as expected,
    vals['total'] as actual,
    case
        when n_missing > 0 then
            p_table_zh || '“' || group_label || '”' || p_axis_zh || '无法核对“' || p_rule_zh
            || '”：' || chk_list_text(missing, 8) || '。'
        else
            p_table_zh || '“' || group_label || '”' || p_axis_zh || '：' || p_parts_zh
            || chk_num(parts_sum) || '，但' || p_total_zh || '填写为' || chk_num(vals['total'])
            || '，两者应相等（相差' || chk_num(abs(parts_sum - vals['total'])) || '）。'
    end as message_zh,
    chk_responsibility(n_missing, missing_responsibility, has_parse_issue) as responsibility,
    cast(json_object('ord', group_ord, p_detail_key, group_code) as varchar) as detail,
    group_code, n_missing, missing_responsibility, has_parse_issue,
from chk_cell_groups(
    p_table_code, p_axis, p_flagged_by := p_flagged_by, p_members_out := p_members_out,
    p_item_open := p_item_open, p_item_close := p_item_close
)
where n_missing > 0 or abs(parts_sum - vals['total']) > 1e-6;

-- chk_cell_bounds: every cell of a table is a number ≥ 0, and with p_whole a whole number
-- (T3-INTEGER, T4-INTEGER, T2-NONNEG).
-- grain: one row per current submission × cell that breaks the bound (status fail); plus one
--   not_assessable row per submission listing the cells that are blank, unreadable or not
--   seen. p_table_zh: the table's name in messages (表三); p_cols_out: columns not checked.
create or replace temp macro chk_cell_bounds(p_table_code, p_table_zh, p_whole, p_cols_out := [])
as table
with
table_cells as (
    select c.*, l.cell_label
    from int_cells_current as c
    left join chk_cell_labels as l on l.template = c.template and l.cell_code = c.cell_code
    where c.table_code = p_table_code and not list_contains(p_cols_out, c.col_code)
),

bad_values as (
    select
        c.submission_id, c.unit_code, c.report_year,
        'fail' as status,
        chk_one_cell(c.cell_code, c.value) as cells,
        case when c.value < 0 then 0 else round(c.value) end as expected,
        c.value as actual,
        c.cell_label || '填写为' || chk_num(c.value) || '（原文“' || coalesce(c.raw_text, '')
        || '”），'
        || if(p_whole, '申请、案件数只能是不小于0的整数。', '该项数量或金额不能为负数。')
            as message_zh,
        chk_cell_responsibility(c.has_parse_issue) as responsibility,
        chk_cell_detail(c.row_ord, c.col_ord, c.cell_code) as detail
    from table_cells as c
    where c.value < 0 or (p_whole and c.value <> round(c.value))
),

missing as (
    select
        c.submission_id, c.unit_code, c.report_year,
        'not_assessable' as status,
        cast(to_json(map_from_entries(list((c.cell_code, c.value) order by c.row_ord, c.col_ord)))
            as varchar) as cells,
        null::double as expected,
        null::double as actual,
        p_table_zh || '有' || count(*) || '个单元格无法判断是否为'
        || if(p_whole, '非负整数', '非负数') || '：'
        || chk_list_text(list(c.cell_label || chk_missing_word(c.cell_status, c.raw_text)
            order by c.row_ord, c.col_ord), 10)
        || '。' as message_zh,
        min(chk_missing_responsibility(c.cell_status)) as responsibility,
        cast(json_object('missing_cells', count(*)) as varchar) as detail
    from table_cells as c
    where c.value is null
    group by c.submission_id, c.unit_code, c.report_year
)

select * from bad_values
union all
select * from missing;
