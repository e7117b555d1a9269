-- id: R-COPY
-- severity: warning
-- kind: report level (内容雷同)
-- evaluates: int_submissions_current
-- batch: area
-- grain: one row per current submission whose narrative is nearly identical to the unit's
--   report of the previous year, and one per submission nearly identical to another unit's
--   report of the same year in the same city or county (the registry's `city`; the most
--   similar one; the others are counted in detail)
-- rule: Jaccard similarity of the sets of 4-character shingles of the
--   narrative (sections 一 … 六 joined, without spaces, template boilerplate sentences,
--   digits and punctuation: chk_copy_texts) ≥ copy_threshold (0.7). Texts shorter than
--   copy_min_chars (120) after cleaning are not compared: a short text has little to copy,
--   and is no finding of this rule.
-- zero rows means: no current report repeats last year's text or the text of another unit of
--   its city or county of the same year.
-- scope: a report is compared with its peers, the units of its own city or county (where
--   the ranking's peer groups are too); for a registry of one city that is every unit. Across
--   a province or the country, texts of different counties are not compared: the pairs grow
--   with the square of the units compared, and with texts that share much of their wording
--   (a county's own template) no filter keeps a country's year of reports tractable.
-- method: each text's 4-character shingles are hashed once; the shingles found more than
--   once are numbered in the prefix order (below), and each text's numbers are kept as one
--   sorted list without repeats: its prefix is a slice of it, and every later join is on
--   those numbers.
--   Candidate pairs come from prefix filtering (shingles ordered rarest first, by how often
--   they occur in all texts; two sets with Jaccard ≥ t share one of the first
--   |A| − ⌈t·|A|⌉ + 1 shingles of each), size filtering (t·|B| ≤ |A| ≤ |B|/t) and a
--   positional filter. A shingle found once in all texts cannot make a pair, and comes
--   first in that order: only the others enter the join, and a text whose prefix holds
--   only such shingles is no candidate at all. Every candidate pair's exact Jaccard is
--   then computed from the shingles the two texts share: no similar pair is missed, and
--   there is no all-pairs join. Only texts of the checked years and the years before them
--   are read.

with
params as (
    select
        chk_param('copy_threshold') as threshold,
        chk_param('copy_min_chars') as min_chars
),

history as (
    select * from int_history_submissions
),

checked as (
    select submission_id, unit_code, report_year from int_submissions_current
),

texts as (
    select * from chk_copy_texts
),

documents as materialized (
    -- a small integer per document: every join below is on integers, not 32-character ids.
    -- The shingles are kept apart (shingles): a join with this table does not carry them
    select
        row_number() over (order by h.submission_id) as doc_no,
        h.submission_id, h.unit_code, h.report_year,
        h.submission_id in (select submission_id from checked) as is_checked,
        coalesce(u.city, '') as area,
        -- the unit and the area as small integers too: the prefix join compares them on
        -- every pair of prefix shingles
        dense_rank() over (order by h.unit_code) as unit_no,
        dense_rank() over (order by coalesce(u.city, '')) as area_no
    from texts as t
    inner join history as h on h.submission_id = t.submission_id
    left join units as u on u.unit_code = h.unit_code
    cross join params as p
    where
        length(t.clean_text) >= p.min_chars
        and h.unit_code is not null
        and (
            h.report_year in (select report_year from checked)
            or h.report_year + 1 in (select report_year from checked)
        )
),

shingles as materialized (
    -- one row per shingle occurrence, hashed, read from the list of characters (element
    -- access is constant time, where substr on UTF-8 text walks the string from its start);
    -- a shingle repeated in the text is here more than once
    select
        d.doc_no,
        unnest(list_transform(
            range(1, len(t.chars) - 2),
            lambda pos: hash(t.chars[pos], t.chars[pos + 1], t.chars[pos + 2], t.chars[pos + 3])
        )) as shingle
    from (select submission_id, string_split(clean_text, '') as chars from texts) as t
    inner join documents as d on d.submission_id = t.submission_id
),

repeated_shingles as materialized (
    -- shingles found more than once in all texts (a shingle found once cannot be shared),
    -- numbered in the order of the prefixes: rarest first (occurrences in all texts), then
    -- by hash. The numbers are 32-bit integers (a batch's texts hold far fewer shingles):
    -- the sort of each text's numbers and the joins on them cost ~10 % less than on 64 bits
    select shingle, cast(row_number() over (order by count(*), shingle) as integer) as shingle_no
    from shingles
    group by shingle
    having count(*) >= 2
),

shared_lists as materialized (
    -- per text: the distinct shingles that may be shared, by number, in order (shared_list;
    -- every shingle two texts have is among them), and its distinct shingles (n_shingles:
    -- its occurrences less those that may be shared, plus these once each; a shingle found
    -- once in all texts is distinct by itself). A text's numbers are gathered into one
    -- list, sorted, and rid of repeats (a number equal to the one before it): a few
    -- thousand short sorts, where grouping or windowing the millions of rows of all texts
    -- by text costs several times as much
    select
        doc_no,
        n_occurrences - coalesce(len(numbers), 0) + coalesce(len(shared_list), 0) as n_shingles,
        coalesce(shared_list, []) as shared_list
    from (
        select
            doc_no,
            n_occurrences,
            numbers,
            list_filter(numbers, lambda no, i: i = 1 or numbers[i - 1] <> no) as shared_list
        from (
            select
                s.doc_no,
                count(*) as n_occurrences,
                list(r.shingle_no order by r.shingle_no)
                    filter (where r.shingle_no is not null) as numbers
            from shingles as s
            left join repeated_shingles as r on r.shingle = s.shingle
            group by s.doc_no
        )
    )
),

document_shared_shingles as materialized (
    -- one row per text and distinct shingle that may be shared
    select doc_no, unnest(shared_list) as shingle_no
    from shared_lists
),

sizes as materialized (
    -- the sizes alone: a join with them does not carry the lists
    select doc_no, n_shingles from shared_lists
),

prefixes as materialized (
    -- the shingles that may be shared among the first |A| − ⌈t·|A|⌉ + 1 of each text, in
    -- the order of their numbers, with their position in that order: the shingles found
    -- once come before them all, so the prefix takes that many fewer of shared_list (none
    -- when they fill it)
    select
        d.doc_no,
        d.unit_no,
        d.report_year,
        d.area_no,
        d.is_checked,
        f.n_shingles,
        unnest(f.prefix) as shingle_no,
        generate_subscripts(f.prefix, 1) + f.n_found_once as position
    from (
        select
            l.doc_no,
            l.n_shingles,
            l.n_shingles - len(l.shared_list) as n_found_once,
            list_slice(l.shared_list, 1, greatest(0, cast(
                l.n_shingles - ceil(p.threshold * l.n_shingles) + 1
                - (l.n_shingles - len(l.shared_list)) as bigint
            ))) as prefix
        from shared_lists as l
        cross join params as p
    ) as f
    inner join documents as d on d.doc_no = f.doc_no
),

prefix_matches as (
    -- a checked text and a text it may copy from: the unit's report of the year before,
    -- or another unit's report of the same year, sharing a prefix shingle
    select a.*, b.doc_no as other_doc_no, b.n_shingles as other_n_shingles,
        b.position as other_position, 'previous_year' as comparison
    from prefixes as a
    inner join prefixes as b
        on b.shingle_no = a.shingle_no
        and b.unit_no = a.unit_no
        and b.report_year = a.report_year - 1
    where a.is_checked
    union all
    select a.*, b.doc_no as other_doc_no, b.n_shingles as other_n_shingles,
        b.position as other_position, 'same_year' as comparison
    from prefixes as a
    inner join prefixes as b
        on b.shingle_no = a.shingle_no
        and b.report_year = a.report_year
        and b.area_no = a.area_no
        and b.unit_no <> a.unit_no
    where a.is_checked
),

candidates as materialized (
    select
        m.doc_no,
        m.other_doc_no,
        m.comparison
    from prefix_matches as m
    cross join params as p
    -- sets of very different sizes cannot reach the threshold
    where
        least(m.n_shingles, m.other_n_shingles)
        >= p.threshold * greatest(m.n_shingles, m.other_n_shingles)
    group by m.doc_no, m.other_doc_no, m.comparison, m.n_shingles, m.other_n_shingles,
        p.threshold
    -- positional filter: every shingle two sets share up to the last one found in both
    -- prefixes lies in both prefixes (the order is the same for all texts), so they share
    -- at most the prefix matches plus the shorter of the two rests after that shingle;
    -- Jaccard ≥ t needs t / (1 + t) · (|A| + |B|) shared shingles
    having
        count(*)
        + least(m.n_shingles - max(m.position), m.other_n_shingles - max(m.other_position))
        >= p.threshold / (1 + p.threshold) * (m.n_shingles + m.other_n_shingles)
),

pair_overlaps as materialized (
    -- the shingles two candidate texts share, counted once per unordered pair
    select
        pair.doc_low,
        pair.doc_high,
        count(*) as n_shared
    from (
        select distinct
            least(doc_no, other_doc_no) as doc_low,
            greatest(doc_no, other_doc_no) as doc_high
        from candidates
    ) as pair
    inner join document_shared_shingles as a on a.doc_no = pair.doc_low
    inner join document_shared_shingles as b
        on b.doc_no = pair.doc_high and b.shingle_no = a.shingle_no
    group by pair.doc_low, pair.doc_high
),

similar_pairs as (
    select
        da.submission_id,
        db.submission_id as other_submission_id,
        c.comparison,
        coalesce(o.n_shared, 0) as n_shared,
        sa.n_shingles as n_a,
        sb.n_shingles as n_b
    from candidates as c
    left join pair_overlaps as o
        on o.doc_low = least(c.doc_no, c.other_doc_no)
        and o.doc_high = greatest(c.doc_no, c.other_doc_no)
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
