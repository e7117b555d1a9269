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

-- chk_cell_bounds: every cell of a table is a number ≥ 0, and with p_whole a whole number
-- (T3-INTEGER, T4-INTEGER, T2-NONNEG).
-- grain: one row per current submission × cell that breaks the bound (status fail); plus one
--   not_assessable row per submission listing the cells that are blank, unreadable or not
--   seen. p_table_zh: the table's name in messages (表三); p_cols_out: columns not checked.
create or replace temp macro chk_cell_bounds(p_table_code, p_table_zh, p_whole, p_cols_out := [])
as table
with
table_cells as (
    select * from int_cells_current
    where table_code = p_table_code and not list_contains(p_cols_out, col_code)
),

labels as (
    select * from chk_cell_labels
),

bad_values as (
    select
        c.submission_id, c.unit_code, c.report_year,
        'fail' as status,
        cast(to_json(map([c.cell_code], [c.value])) as varchar) as cells,
        case when c.value < 0 then 0 else round(c.value) end as expected,
        c.value as actual,
        l.cell_label || '填写为' || chk_num(c.value) || '（原文“' || coalesce(c.raw_text, '')
        || '”），'
        || if(p_whole, '申请、案件数只能是不小于0的整数。', '该项数量或金额不能为负数。')
            as message_zh,
        if(c.has_parse_issue, 'extraction', 'source') as responsibility,
        cast(json_object('ord', c.row_ord * 100 + c.col_ord, 'cell', c.cell_code) as varchar)
            as detail
    from table_cells as c
    left join labels as l on l.template = c.template and l.cell_code = c.cell_code
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
        || chk_list_text(list(l.cell_label || chk_missing_word(c.cell_status, c.raw_text)
            order by c.row_ord, c.col_ord), 10)
        || '。' as message_zh,
        min(chk_missing_responsibility(c.cell_status)) as responsibility,
        cast(json_object('missing_cells', count(*)) as varchar) as detail
    from table_cells as c
    left join labels as l on l.template = c.template and l.cell_code = c.cell_code
    where c.value is null
    group by c.submission_id, c.unit_code, c.report_year
)

select * from bad_values
union all
select * from missing;
