-- The macros the rule files share: how a number, a missing operand and a list read in a
-- message, who is responsible for an operand that cannot be used, thresholds and text
-- cleaning. Temporary (connection-scoped); loaded first by gongkai.checks.prepare (see
-- sql/manifest.toml). Blank is not zero: no value is ever coalesced to 0 here.

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

-- the status of a finding: not_assessable when an operand is not a number, else fail
create or replace temp macro chk_status(n_missing) as
    case when n_missing > 0 then 'not_assessable' else 'fail' end;

-- who is responsible for a finding: for one that cannot be assessed, whoever is for its
-- missing operands; else our reading when it is in doubt, else the report
create or replace temp macro chk_responsibility(n_missing, missing_responsibility, is_doubtful) as
    case
        when n_missing > 0 then missing_responsibility
        when is_doubtful then 'extraction'
        else 'source'
    end;

-- who is responsible for a finding once the cells it names are known: a failing finding of
-- the report that names a cell the reader placed by inference (inferred_codes, from
-- int_inferred_cells) is a doubt about our reading (issue 11: the township is not held to
-- a placement we inferred); applied by the runner to every rule's findings
create or replace temp macro chk_doubt_if_inferred(status, responsibility, cells, inferred_codes) as
    case
        when inferred_codes is null or status <> 'fail' or responsibility <> 'source'
            or cells is null or not json_valid(cells) then responsibility
        when list_has_any(json_keys(cells::json), inferred_codes) then 'extraction'
        else responsibility
    end;

-- a threshold of check_config
create or replace temp macro chk_param(name) as
    (select c.value from check_config as c where c.key = name);

-- narrative text reduced to what a person wrote: no spaces, no template boilerplate
-- sentences (check_boilerplate patterns) or markers of elided prose, matched on the text
-- without spaces; no digits (a copied text with new figures is still a copy), no
-- punctuation or symbols. `removed_pattern` is the alternation of those sentences and
-- markers, passed in as a query parameter by sql/checks/shared/texts.sql: a constant pattern is
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

-- a finding about one cell: its cells (the cell and its value as JSON), its detail (its
-- place in template order and its code) and who is responsible (our reading, when it was in
-- doubt, else the report)
create or replace temp macro chk_one_cell(cell_code, value) as
    cast(to_json(map([cell_code], [value])) as varchar);

create or replace temp macro chk_cell_detail(row_ord, col_ord, cell_code) as
    cast(json_object('ord', row_ord * 100 + col_ord, 'cell', cell_code) as varchar);

create or replace temp macro chk_cell_responsibility(has_parse_issue) as
    if(has_parse_issue, 'extraction', 'source');
