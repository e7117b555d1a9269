-- The words the rule messages name cells with, as the report prints them (temp tables).

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
