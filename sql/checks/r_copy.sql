-- id: R-COPY
-- severity: warning
-- kind: report level (内容雷同)
-- evaluates: chk_submissions
-- grain: one row per current submission whose narrative is nearly identical to the unit's
--   report of the previous year, and one per submission nearly identical to another unit's
--   report of the same year (the most similar one; the others are counted in detail)
-- rule: Jaccard similarity of the sets of 4-character shingles of the
--   narrative (sections 一 … 六 joined, without spaces, template boilerplate sentences,
--   digits and punctuation: chk_clean_text) ≥ copy_threshold (0.7). Texts shorter than
--   copy_min_chars (120) after cleaning are not compared: a short text has little to copy,
--   and is no finding of this rule.
-- zero rows means: no current report repeats last year's text or another unit's text of
--   the same year.
-- method: candidate pairs by prefix filtering (shingles ordered rarest first; two sets
--   with Jaccard ≥ t share one of the first |A| − ⌈t·|A|⌉ + 1 shingles of each) and size
--   filtering (t·|B| ≤ |A| ≤ |B|/t), then the exact Jaccard of every candidate pair: no
--   similar pair is missed, and no all-pairs join.

with
params as (
    select
        chk_param('copy_threshold') as threshold,
        chk_param('copy_min_chars') as min_chars
),

history as (
    select * from chk_history_submissions
),

checked as (
    select submission_id from chk_submissions
),

texts as materialized (
    select
        n.submission_id,
        chk_clean_text(string_agg(n.text, '' order by n.section_code)) as clean_text
    from chk_history_narratives as n
    where n.text is not null
    group by n.submission_id
),

documents as materialized (
    -- a small integer per document: every join below is on integers, not 32-character ids
    select
        row_number() over (order by h.submission_id) as doc_no,
        h.submission_id,
        h.unit_code,
        h.report_year,
        t.clean_text,
        h.submission_id in (select submission_id from checked) as is_checked
    from texts as t
    inner join history as h on h.submission_id = t.submission_id
    cross join params as p
    where length(t.clean_text) >= p.min_chars and h.unit_code is not null
),

shingles as materialized (
    -- 4-character shingles, read from the list of characters (element access is constant
    -- time, where substr on UTF-8 text walks the string from its start)
    select distinct
        doc_no,
        hash(chars[pos], chars[pos + 1], chars[pos + 2], chars[pos + 3]) as shingle
    from (
        select doc_no, chars, unnest(range(1, len(chars) - 2)) as pos
        from (select doc_no, string_split(clean_text, '') as chars from documents)
    )
),

document_frequency as (
    select shingle, count(*) as df from shingles group by shingle
),

ranked as materialized (
    select
        s.doc_no,
        s.shingle,
        row_number() over (partition by s.doc_no order by f.df, s.shingle) as shingle_rank,
        count(*) over (partition by s.doc_no) as n_shingles
    from shingles as s
    inner join document_frequency as f on f.shingle = s.shingle
),

prefixes as materialized (
    select r.doc_no, r.shingle
    from ranked as r
    cross join params as p
    where r.shingle_rank <= r.n_shingles - ceil(p.threshold * r.n_shingles) + 1
),

sizes as materialized (
    select doc_no, count(*) as n_shingles
    from shingles
    group by doc_no
),

candidates as materialized (
    select distinct
        a.doc_no,
        b.doc_no as other_doc_no,
        case when da.unit_code = db.unit_code then 'previous_year' else 'same_year' end
            as comparison
    from prefixes as a
    inner join prefixes as b on b.shingle = a.shingle and b.doc_no <> a.doc_no
    inner join documents as da on da.doc_no = a.doc_no
    inner join documents as db on db.doc_no = b.doc_no
    inner join sizes as sa on sa.doc_no = a.doc_no
    inner join sizes as sb on sb.doc_no = b.doc_no
    cross join params as p
    where
        da.is_checked
        and (
            (da.unit_code = db.unit_code and db.report_year = da.report_year - 1)
            or (da.unit_code <> db.unit_code and db.report_year = da.report_year)
        )
        -- sets of very different sizes cannot reach the threshold
        and least(sa.n_shingles, sb.n_shingles)
        >= p.threshold * greatest(sa.n_shingles, sb.n_shingles)
),

candidate_shingles as materialized (
    -- every shingle of the checked side of a candidate pair (materialised so that the next
    -- join looks each one up in the other document, not in all documents sharing it)
    select c.doc_no, c.other_doc_no, a.shingle
    from candidates as c
    inner join shingles as a on a.doc_no = c.doc_no
),

shared as (
    select c.doc_no, c.other_doc_no, count(*) as n_shared
    from candidate_shingles as c
    inner join shingles as b on b.doc_no = c.other_doc_no and b.shingle = c.shingle
    group by c.doc_no, c.other_doc_no
),

similar_pairs as (
    select
        da.submission_id,
        db.submission_id as other_submission_id,
        c.comparison,
        coalesce(s.n_shared, 0) as n_shared,
        sa.n_shingles as n_a,
        sb.n_shingles as n_b
    from candidates as c
    left join shared as s on s.doc_no = c.doc_no and s.other_doc_no = c.other_doc_no
    inner join documents as da on da.doc_no = c.doc_no
    inner join documents as db on db.doc_no = c.other_doc_no
    inner join sizes as sa on sa.doc_no = c.doc_no
    inner join sizes as sb on sb.doc_no = c.other_doc_no
),

similar_pairs_scored as (
    select
        s.submission_id,
        s.other_submission_id,
        s.comparison,
        s.n_shared,
        round(s.n_shared / (s.n_a + s.n_b - s.n_shared), 4) as similarity
    from similar_pairs as s
    cross join params as p
    where s.n_shared / (s.n_a + s.n_b - s.n_shared) >= p.threshold
),

similar_groups as (
    select
        s.submission_id,
        s.comparison,
        count(*) as n_similar,
        list(db.unit_code order by s.similarity desc, db.unit_code) as similar_units
    from similar_pairs_scored as s
    inner join documents as db on db.submission_id = s.other_submission_id
    group by s.submission_id, s.comparison
),

best as (
    select s.*, g.n_similar, g.similar_units
    from similar_pairs_scored as s
    inner join similar_groups as g
        on g.submission_id = s.submission_id and g.comparison = s.comparison
    qualify row_number() over (
        partition by s.submission_id, s.comparison
        order by s.similarity desc, s.other_submission_id
    ) = 1
),

final as (
    select
        b.submission_id,
        da.unit_code,
        da.report_year,
        'R-COPY' as rule_id,
        'warning' as severity,
        'fail' as status,
        cast(json_object(
            'similarity', b.similarity,
            'other_submission_id', b.other_submission_id,
            'other_unit_code', db.unit_code,
            'other_report_year', db.report_year
        ) as varchar) as cells,
        p.threshold as expected,
        b.similarity as actual,
        case
            when b.comparison = 'previous_year' then
                '报告正文与本单位' || cast(db.report_year as varchar) || '年度报告的相似度为'
                || cast(round(100 * b.similarity) as integer) || '%（内容雷同），请按本年度实际情况撰写。'
            else
                '报告正文与同年度' || coalesce(u.name, db.unit_code) || '的报告相似度为'
                || cast(round(100 * b.similarity) as integer) || '%（内容雷同）'
                || case when b.n_similar > 1
                    then '，与另外' || cast(b.n_similar - 1 as varchar) || '个单位的报告也高度相似'
                    else '' end
                || '，请按本单位实际情况撰写。'
        end as message_zh,
        'source' as responsibility,
        cast(json_object(
            'comparison', b.comparison,
            'similarity', b.similarity,
            'n_similar', b.n_similar,
            'similar_units', b.similar_units
        ) as varchar) as detail
    from best as b
    inner join documents as da on da.submission_id = b.submission_id
    inner join documents as db on db.submission_id = b.other_submission_id
    left join units as u on u.unit_code = db.unit_code
    cross join params as p
)

select * from final
