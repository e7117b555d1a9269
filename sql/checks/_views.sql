-- Shared relations of the consistency checks: loaded once per run, before the rule files.
-- Everything here is temporary (connection-scoped). chk_submissions, chk_cells,
-- chk_narratives and the labels are materialised (temp tables): every rule reads them, and
-- they are built afresh at the start of each run. The relations built on the history views
-- (previous-year pairs, cleaned texts) and the per-row and per-column sums of table 三 are
-- materialised after them, by sql/checks/_tables.sql. The config tables it reads
-- (check_config, check_deadline_rules, check_boilerplate, chk_template_cells) are filled by
-- gongkai.checks from gongkai/data/checks.toml and gongkai/data/template.yaml.
-- Blank is not zero: no value is ever coalesced to 0 here.

-- a number as a clerk writes it: 12 not 12.0; '空' for a missing value
create or replace temp macro chk_num(x) as
    case
        when x is null then '空'
        when x = round(x) then cast(cast(x as bigint) as varchar)
        else cast(round(x, 4) as varchar)
    end;

-- why an operand cannot be used, in a clerk's words
create or replace temp macro chk_missing_word(cell_status, raw_text) as
    case cell_status
        when 'blank' then '为空白'
        when 'unreadable' then '无法识别（“' || coalesce(raw_text, '') || '”）'
        else '未读到'
    end;

-- who is responsible for an operand that cannot be used: a blank printed in the report
-- is the report's; text we could not read, or a cell we never saw, is ours
create or replace temp macro chk_missing_responsibility(cell_status) as
    case when cell_status = 'blank' then 'source' else 'extraction' end;

-- a threshold of check_config
create or replace temp macro chk_param(name) as
    (select c.value from check_config as c where c.key = name);

-- narrative text reduced to what a person wrote: no spaces, no template boilerplate
-- sentences (check_boilerplate patterns) or markers of elided prose, matched on the text
-- without spaces; no digits (a copied text with new figures is still a copy), no
-- punctuation or symbols. `removed_pattern` is the alternation of those sentences and
-- markers, passed in as a query parameter by sql/checks/_tables.sql: a constant pattern is
-- compiled once per query, where one read from a table would be compiled for every row.
create or replace temp macro chk_clean_text(t, removed_pattern) as
    regexp_replace(
        regexp_replace(
            regexp_replace(t, '\s+', '', 'g'),
            removed_pattern,
            '',
            'g'
        ),
        '[\d\p{P}\p{S}]+',
        '',
        'g'
    );

-- a list of names for a message, cut after `n` items: 'a、b、c等12项'
create or replace temp macro chk_list_text(items, n) as
    array_to_string(list_slice(items, 1, n), '、')
    || case when len(items) > n then '等' || len(items) || '项' else '' end;

-- grain: one row per current, loaded submission (normally one per unit-year)
create or replace temp table chk_submissions as
with
submissions_current as (
    select * from submissions
    where is_current and status <> 'rejected'
),

registry as (
    select * from units
),

final as (
    select
        s.submission_id,
        s.unit_code,
        s.report_year,
        -- the grid of cells to expect: the detected template, else the one of the year
        coalesce(
            s.template,
            case when s.report_year <= 2020 then 'v2019' else 'v2021' end
        ) as template,
        s.template as template_detected,
        s.published_date,
        s.filed_unit_code,
        s.filed_year,
        s.text_unit_code,
        s.text_year,
        s.unit_name_printed,
        s.title,
        r.name as unit_name,
        r.city,
        r.unit_type,
        coalesce(
            r.unit_type in ('街道', '镇', '乡'),
            regexp_matches(
                coalesce(s.unit_name_printed, ''),
                '(街道|镇|乡|街)(办事处|人民政府|政府)?$'
            )
        ) as is_township
    from submissions_current as s
    left join registry as r on r.unit_code = s.unit_code
)

select * from final;

-- short labels in the report's own words, for messages
create or replace temp table chk_labels as
select * from (
    values
    ('t3row', 'new', '本年新收'),
    ('t3row', 'carried_in', '上年结转'),
    ('t3row', 'granted', '予以公开'),
    ('t3row', 'partial', '部分公开'),
    ('t3row', 'denied.state_secret', '不予公开·属于国家秘密'),
    ('t3row', 'denied.law_forbidden', '不予公开·其他法律行政法规禁止公开'),
    ('t3row', 'denied.three_safety', '不予公开·危及“三安全一稳定”'),
    ('t3row', 'denied.third_party', '不予公开·保护第三方合法权益'),
    ('t3row', 'denied.internal', '不予公开·属于三类内部事务信息'),
    ('t3row', 'denied.process', '不予公开·属于四类过程性信息'),
    ('t3row', 'denied.enforcement', '不予公开·属于行政执法案卷'),
    ('t3row', 'denied.query', '不予公开·属于行政查询事项'),
    ('t3row', 'unable.not_held', '无法提供·本机关不掌握相关政府信息'),
    ('t3row', 'unable.need_create', '无法提供·没有现成信息需要另行制作'),
    ('t3row', 'unable.unclear', '无法提供·补正后申请内容仍不明确'),
    ('t3row', 'not_processed.petition', '不予处理·信访举报投诉类申请'),
    ('t3row', 'not_processed.repeat', '不予处理·重复申请'),
    ('t3row', 'not_processed.publication', '不予处理·要求提供公开出版物'),
    ('t3row', 'not_processed.massive', '不予处理·无正当理由大量反复申请'),
    ('t3row', 'not_processed.confirm', '不予处理·要求行政机关确认或重新出具已获取信息'),
    ('t3row', 'other', '其他处理'),
    ('t3row', 'other.no_correction', '其他处理·申请人逾期不补正'),
    ('t3row', 'other.no_fee', '其他处理·申请人逾期未按收费通知缴纳费用'),
    ('t3row', 'other.other', '其他处理·其他'),
    ('t3row', 'total', '（七）总计'),
    ('t3row', 'carried_out', '结转下年度继续办理'),
    ('t3col', 'natural', '自然人'),
    ('t3col', 'commercial', '商业企业'),
    ('t3col', 'research', '科研机构'),
    ('t3col', 'social', '社会公益组织'),
    ('t3col', 'legal', '法律服务机构'),
    ('t3col', 'org_other', '其他（法人或其他组织）'),
    ('t3col', 'total', '总计'),
    ('t4block', 'review', '行政复议'),
    ('t4block', 'suit_direct', '行政诉讼·未经复议直接起诉'),
    ('t4block', 'suit_after_review', '行政诉讼·复议后起诉'),
    ('t4col', 'upheld', '结果维持'),
    ('t4col', 'corrected', '结果纠正'),
    ('t4col', 'other', '其他结果'),
    ('t4col', 'pending', '尚未审结'),
    ('t4col', 'total', '总计'),
    ('t2row', 'regulation', '规章'),
    ('t2row', 'normative_doc', '规范性文件'),
    ('t2row', 'license', '行政许可'),
    ('t2row', 'other_service', '其他对外管理服务事项'),
    ('t2row', 'penalty', '行政处罚'),
    ('t2row', 'coercion', '行政强制'),
    ('t2row', 'fee', '行政事业性收费'),
    ('t2row', 'procurement', '政府集中采购'),
    ('t2col', 'made', '本年新制作数量'),
    ('t2col', 'published', '本年新公开数量'),
    ('t2col', 'total_public', '对外公开总数量'),
    ('t2col', 'prev_items', '上一年项目数量'),
    ('t2col', 'delta', '本年增/减'),
    ('t2col', 'decisions', '处理决定数量'),
    ('t2col', 'projects', '采购项目数量'),
    ('t2col', 'amount', '金额（万元）'),
    ('t2col', 'issued', '本年制发件数'),
    ('t2col', 'repealed', '本年废止件数'),
    ('t2col', 'in_force', '现行有效件数'),
    ('section', 's1', '一、总体情况'),
    ('section', 's2', '二、主动公开政府信息情况'),
    ('section', 's3', '三、收到和处理政府信息公开申请情况'),
    ('section', 's4', '四、政府信息公开行政复议、行政诉讼情况'),
    ('section', 's5', '五、存在的主要问题及改进情况'),
    ('section', 's6', '六、其他需要报告的事项')
) as labels (label_kind, code, label);

-- grain: one row per template × cell code, with the cell named as the report names it
-- (表三“本年新收”行“总计”列)
create or replace temp table chk_cell_labels as
with
grid as (
    select * from chk_template_cells
),

labels as (
    select * from chk_labels
),

final as (
    select
        g.template,
        g.cell_code,
        case g.table_code
            when 't3' then '表三“' || r.label || '”行“' || c.label || '”列'
            when 't4' then '表四“' || r.label || '”“' || c.label || '”'
            else '表二“' || r.label || '”“' || c.label || '”'
        end as cell_label,
        r.label as row_label,
        c.label as col_label
    from grid as g
    left join labels as r
        on r.label_kind = g.table_code || case when g.table_code = 't4' then 'block' else 'row' end
        and r.code = g.row_code
    left join labels as c
        on c.label_kind = g.table_code || 'col'
        and c.code = g.col_code
)

select * from final;

-- grain: one row per current submission × cell code of its template. A cell the
-- warehouse has no row for is 'unseen' with a null value, never 0.
create or replace temp table chk_cells as
with
submissions_checked as (
    select * from chk_submissions
),

grid as (
    select * from chk_template_cells
),

cell_rows as (
    select * from cells
),

issue_locations as (
    select distinct submission_id, location
    from parse_issues
    where location is not null
),

final as (
    select
        s.submission_id,
        s.unit_code,
        s.report_year,
        s.template,
        g.cell_code,
        g.table_code,
        g.row_code,
        g.col_code,
        g.row_ord,
        g.col_ord,
        c.value,
        coalesce(c.status, 'unseen') as cell_status,
        c.raw_text,
        c.location,
        i.location is not null as has_parse_issue
    from submissions_checked as s
    inner join grid as g on g.template = s.template
    left join cell_rows as c
        on c.submission_id = s.submission_id
        and c.cell_code = g.cell_code
    left join issue_locations as i
        on i.submission_id = c.submission_id
        and i.location = c.location
)

select * from final;

-- grain: one row per current submission × section s1..s6 (position null = not found)
create or replace temp table chk_narratives as
with
submissions_checked as (
    select * from chk_submissions
),

sections as (
    select * from (values ('s1', 1), ('s2', 2), ('s3', 3), ('s4', 4), ('s5', 5), ('s6', 6))
        as sections (section_code, section_no)
),

narrative_rows as (
    select * from narratives
),

final as (
    select
        s.submission_id,
        s.unit_code,
        s.report_year,
        s.template,
        sec.section_code,
        sec.section_no,
        n.position,
        n.text
    from submissions_checked as s
    cross join sections as sec
    left join narrative_rows as n
        on n.submission_id = s.submission_id
        and n.section_code = sec.section_code
)

select * from final;

-- History seen by the cross-year rules and R-COPY: the checked warehouse itself. `gongkai
-- check --warehouse FILE` replaces these three views (sql/checks/_history_attached.sql)
-- to add the current submissions of an attached warehouse.

-- grain: one row per current submission that history rules may compare with
create or replace temp view chk_history_submissions as
select submission_id, unit_code, report_year, template
from chk_submissions;

-- grain: one row per history submission × cell code
create or replace temp view chk_history_cells as
select submission_id, cell_code, value, cell_status
from chk_cells;

-- grain: one row per history submission × section
create or replace temp view chk_history_narratives as
select submission_id, section_code, text
from chk_narratives;


-- T3-INTEGER and T4-INTEGER: every cell of one table is a whole number ≥ 0.
-- grain: one row per current submission × cell that is not a whole number ≥ 0 (status fail);
--   plus one not_assessable row per submission listing the cells that are blank, unreadable or
--   not seen. p_table_code: 't3' or 't4'; p_table_zh: the table's name in messages (表三).
create or replace temp macro chk_whole_numbers(p_table_code, p_table_zh) as table
with
table_cells as (
    select * from chk_cells
    where table_code = p_table_code
),

labels as (
    select * from chk_cell_labels
),

bad_values as (
    select
        c.submission_id,
        c.unit_code,
        c.report_year,
        'fail' as status,
        cast(to_json(map([c.cell_code], [c.value])) as varchar) as cells,
        case when c.value < 0 then 0 else round(c.value) end as expected,
        c.value as actual,
        l.cell_label || '填写为' || chk_num(c.value) || '（原文“' || coalesce(c.raw_text, '')
        || '”），申请、案件数只能是不小于0的整数。' as message_zh,
        case when c.has_parse_issue then 'extraction' else 'source' end as responsibility,
        cast(json_object('ord', c.row_ord * 100 + c.col_ord, 'cell', c.cell_code) as varchar) as detail
    from table_cells as c
    left join labels as l on l.template = c.template and l.cell_code = c.cell_code
    where c.value is not null and (c.value < 0 or c.value <> round(c.value))
),

missing as (
    select
        c.submission_id,
        c.unit_code,
        c.report_year,
        'not_assessable' as status,
        cast(to_json(map_from_entries(list((c.cell_code, c.value) order by c.row_ord, c.col_ord)))
            as varchar) as cells,
        null::double as expected,
        null::double as actual,
        p_table_zh || '有' || count(*) || '个单元格无法判断是否为非负整数：'
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
