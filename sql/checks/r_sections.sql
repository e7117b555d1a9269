-- id: R-SECTIONS
-- severity: error
-- kind: report level
-- evaluates: int_submissions_current
-- grain: one row per current submission missing a section or with sections out of order
-- rule: the six sections 一 … 六 are present, in order (headings vary: 一、/（一）/1、,
--   half-width parens, Markdown #: recognising them is the reader's job; this rule reads
--   narratives.position)
-- zero rows means: every current report has its six sections in the template's order.
-- A report whose text was cut off (parse issue text_cut_off, or cells not seen) is handed
-- to extraction: the missing sections may be in the part we do not have.

with
sections as (
    select * from int_narratives_current
),

labels as (
    select * from chk_labels where label_kind = 'section'
),

cut_off as (
    select * from chk_cut_off
),

ordered as (
    select
        s.*,
        l.label,
        -- the previous present section (template order) must come earlier in the text
        lag(s.position) over (
            partition by s.submission_id order by s.section_no
        ) as prev_position
    from sections as s
    left join labels as l on l.code = s.section_code
    where s.position is not null
),

per_submission as (
    select
        s.submission_id, s.unit_code, s.report_year,
        count(*) filter (where s.position is null) as n_missing,
        string_agg(l.label, '、' order by s.section_no) filter (where s.position is null)
            as missing_text,
        cast(to_json(map_from_entries(list((s.section_code, s.position) order by s.section_no)))
            as varchar) as cells
    from sections as s
    left join labels as l on l.code = s.section_code
    group by s.submission_id, s.unit_code, s.report_year
),

out_of_order as (
    select
        submission_id,
        count(*) as n_out_of_order,
        string_agg(label, '、' order by section_no) as out_of_order_text
    from ordered
    where prev_position is not null and position <= prev_position
    group by submission_id
),

final as (
    select
        p.submission_id, p.unit_code, p.report_year,
        'fail' as status,
        p.cells,
        6::double as expected,
        6 - p.n_missing::double as actual,
        '报告应依次包含六个部分（一、总体情况 … 六、其他需要报告的事项）。'
        || case when p.n_missing > 0 then '缺少：' || p.missing_text || '。' else '' end
        || case when o.n_out_of_order > 0
            then '顺序不对：' || o.out_of_order_text || '出现在前一部分之前。' else '' end
        || case when c.submission_id is not null
            then '（本文件正文不完整，缺少的部分可能在未读到的内容中。）' else '' end
            as message_zh,
        case when c.submission_id is not null then 'extraction' else 'source' end
            as responsibility,
        cast(json_object(
            'missing', p.n_missing, 'out_of_order', coalesce(o.n_out_of_order, 0)
        ) as varchar) as detail
    from per_submission as p
    left join out_of_order as o on o.submission_id = p.submission_id
    left join cut_off as c on c.submission_id = p.submission_id
    where p.n_missing > 0 or o.n_out_of_order > 0
)

select * from final
