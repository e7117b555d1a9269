"""The reader's shortcuts give what the slower code they replace gave: string operations in
place of regexes, tests skipped where they cannot hold, row labels listed once per version.

Each test keeps the replaced code (a regex, an expression) and compares it with the reader's
on generated texts that mix the characters the two could disagree on: pipes, the white space
of ``\\s`` and ``str.isspace`` (tab, ideographic and no-break spaces, the separators
``splitlines`` cuts at), digits of other scripts, dashes, circled numbers.
"""

from __future__ import annotations

import copy
import importlib
import re
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gongkai.read import labels as lab
from gongkai.read import limits, meta, rowlabels, text, values
from gongkai.read.pagetext import is_page_footer

# the module (the package's name ``decode`` is the function it holds)
decoding = importlib.import_module("gongkai.read.decode")

ALPHABET = st.sampled_from(
    list("|| |  \t\u3000\u00a0\x1c\x85\u2028\x0b\u200bab0129٣第页—-~/（一）、.规章其他①⑳")
)
TEXTS = st.text(ALPHABET, max_size=12)

_LEADING_PIPE = re.compile(r"^\|\s?")
_TRAILING_PIPE = re.compile(r"\s*\|\s*$")
_BARE_PIPES = re.compile(r"^\s*\|+\s*$")
_RUN_TOGETHER = re.compile(r"^(.*[\u4e00-\u9fff)）”\"」』])(\d+(?:\.\d+)?)$")


def _pipe_cells_before(line: str) -> list[str] | None:
    s = line.strip()
    if "|" not in s:
        return None
    s = _LEADING_PIPE.sub("", s)
    s = _TRAILING_PIPE.sub("", s, count=1)
    if "|" not in s:
        return None
    return [c.strip() for c in s.split("|")]


def _lines(raw: str) -> list[str]:
    """A text's lines as ``to_document`` sees them."""
    return [r.replace("\u3000", " ").rstrip(" \r\n") for r in raw.splitlines()]


@settings(max_examples=3000)
@given(TEXTS)
def test_pipes_as_the_regexes_read_them(raw):
    for line in _lines(raw):
        stripped = line.strip()
        assert text._pipe_cells(stripped) == _pipe_cells_before(line)
        if not stripped:
            continue
        assert text._without_trailing_pipe(stripped) == _TRAILING_PIPE.sub("", stripped)
        if "|" in line:
            assert (not stripped.strip("|")) == bool(_BARE_PIPES.match(line))
        if is_page_footer(line):  # only a line starting as a footer may is matched
            assert stripped[0] in text._FOOTER_START or stripped[0].isdigit()


@settings(max_examples=2000)
@given(TEXTS)
def test_run_together_needs_a_last_digit(s):
    if _RUN_TOGETHER.match(s):
        assert s[-1:].isdigit() or s[-1:] == "\n"


@settings(max_examples=2000)
@given(TEXTS)
def test_circled_numbers_and_word_characters(s):
    assert lab.split_label(s).text == s
    circled = "".join(lab._CIRCLED.get(ch, ch) for ch in s)
    assert lab.split_label(s).core == lab.split_label(circled).core
    assert lab._NON_WORD.sub("", s) == re.sub(r"[^\w]|_", "", s)


def _matches_before(core: str, row: lab.RowLabel) -> bool:
    return any(core == c or lab.near(core, c) or (len(core) >= 4 and c.startswith(core)) or (
        len(c) >= 4 and core.startswith(c) and len(core) - len(c) <= 3) for c in row.cores)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([c for rl in lab.row_labels() for c in rl.cores]),
       st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=3),
       st.text(st.sampled_from(list("规章其他处理行政")), max_size=3))
def test_row_label_matching(core, cut, drop, extra):
    """Cores cut short, one character off, with characters more: matched as before."""
    for candidate in (core[:cut], core[:drop] + core[drop + 1:], core + extra,
                      core[:drop] + extra + core[drop:]):
        for version in ("v2019", "v2021"):
            rows = rowlabels._rows_of(version)
            matched = [rl for rl, cores in rows if rowlabels._matches(candidate, cores)]
            assert matched == [rl for rl in lab.row_labels()
                               if version in rl.versions and _matches_before(candidate, rl)]
            if matched:  # _classify_one compares a core with the rows only where it may match
                assert rowlabels.may_match(candidate, version)


@settings(max_examples=3000, deadline=None)
@given(st.text(st.sampled_from(list("规章其他处理行政许可不予公开总计属于国家秘密一二镇人民政府年报")),
               min_size=1, max_size=40))
def test_row_label_matching_prefilter(core):
    for version in ("v2019", "v2021"):
        if not rowlabels.may_match(core, version):
            assert not any(rowlabels._matches(core, cores)
                           for _, cores in rowlabels._rows_of(version))


# characters NFKC replaces (full-width forms, circled numbers, ligatures, compatibility
# ideographs, Hangul jamo), combining marks that compose with the letter before them, and
# characters it keeps (ASCII, ideographs, Chinese punctuation)
NFKC_ALPHABET = st.sampled_from(
    list("aeAE0 9,.()（）：；，．。、《》“”…—\u3000\u00a0\u200b①⑳ﬁ㈠㎡Ａａ０９\uf900\u2126\u212b")
    + list("\u0301\u0308\u0323\u0345\u3099\u309a\u1100\u1161\u11a8\uac00かは中国规章")
)


@settings(max_examples=5000)
@given(st.text(NFKC_ALPHABET, max_size=16) | st.text(max_size=16))
def test_nfkc_as_unicodedata_gives_it(s):
    assert values.normalize_nfkc(s) == unicodedata.normalize("NFKC", s)


_HEADING_MARKS = re.compile(r"^#+\s*")
_STARS = re.compile(r"^\*+|\*+$")


def _split_label_before(text: str) -> lab.Label:
    mapped = text.translate(lab._CIRCLED_TABLE) if lab._HAS_CIRCLED.search(text) else text
    s = lab._unify(unicodedata.normalize("NFKC", mapped or "")).strip()
    s = _HEADING_MARKS.sub("", s)
    s = _STARS.sub("", s).strip()
    m = lab._NUMBERING.match(s)
    numbering = number = None
    rest = s
    if m:
        for kind in ("top", "part", "paren", "arabic"):
            if m.group(kind):
                numbering, number = ("top" if kind == "part" else kind), lab.cn_number(m.group(kind))
                break
        rest = s[m.end():]
    return lab.Label(text, numbering, number, lab.core_of(rest))


@settings(max_examples=3000)
@given(st.text(st.sampled_from(list("#* \t\n\u3000*#ab1一、（）规章①")), max_size=12) | TEXTS)
def test_split_label_tries_marks_and_stars_only_where_they_stand(raw):
    # split_label tries _HEADING_MARKS only on a text starting with '#', _STARS on one with '*'
    assert lab.split_label.__wrapped__(raw) == _split_label_before(raw)


# numberings, marks and stars to cut, before text that NFKC changes or composes
# (combining marks, Hangul jamo, compatibility characters, quotes, no-break spaces)
FOLD_PIECES = st.lists(st.sampled_from(
    ["#", "*", " ", "一、", "（二）", "3.", "第四部分", "①", "\u00a0", "“", "”"]
    + list("aeAE0 9,.()（）：；，．。、《》…—\u3000\u200b⑳ﬁ㈠㎡Ａａ０９\uf900\u2126\u212b")
    + list("\u0301\u0308\u0323\u0345\u0338\u3099\u309a\u1100\u1161\u11a8\uac00<=かは中国规章")),
    max_size=12).map("".join)


@settings(max_examples=5000)
@given(FOLD_PIECES | st.text(NFKC_ALPHABET, max_size=12))
def test_core_of_a_split_label_without_folding_again(raw):
    # split_label takes the core of a piece of the folded text without folding it again
    assert lab.split_label.__wrapped__(raw) == _split_label_before(raw)


# the words of the narrative figure patterns and what stands between them
FIGURE_ALPHABET = st.sampled_from(
    ["本年", "度", "共", "新收", "到", "政府信息公开", "信息公开", "申请", "数量为", "上年", "结转",
     "至", "下", "一", "年", "继续办理", "的", "全年", "受理", "办", "理", "结", "被申请", "收到",
     "发生", "涉及", "行政复议", "案件", "被提起", "行政诉讼", "、", "）", "3", "12", "件", "起", "个",
     "份", "条", "宗", "，"])


@settings(max_examples=3000)
@given(st.lists(FIGURE_ALPHABET, max_size=24).map("".join))
def test_narrative_figures_found_as_finditer_finds_them(text):
    # narrative_figures tries a pattern only a few characters before its required words
    for pattern, _, required in meta._figures():
        assert required[0]
        found = [(m.span(), m.groups()) for m in meta.find_all(pattern, text, required)]
        assert found == [(m.span(), m.groups()) for m in pattern.finditer(text)]


@settings(max_examples=2000)
@given(st.text(st.sampled_from(list("abxyz12")), max_size=30),
       st.sampled_from(["(?:ab|a)?x?yz\\d?", "b*yz", "[ab]{1,3}yz(?:x|yy)", "yz", "(?:a|bb)yz1?2?",
                        "x?(?:yz)?ab", "a.{0,5}yz", "a.{0,70}yz"]))
def test_find_all_as_finditer(text, source):
    pattern = re.compile(source)
    found = [m.span() for m in meta.find_all(pattern, text, meta.required_run(pattern))]
    assert found == [m.span() for m in pattern.finditer(text)]


def test_required_text_of_patterns():
    assert meta.required_run(re.compile("(?:全年)?(?:共)?受理(?:信息公开)?申请"))[0] == "受理"
    assert meta.required_run(re.compile("ab|cd"))[0] == ""  # one alternation: none required
    assert meta.required_run(re.compile("x(?:ab)?yz[0-9]w"))[0] == "yz"
    assert meta.required_run(re.compile("abc", re.IGNORECASE))[0] == ""
    assert meta.required_run(re.compile("(?:全年)?(?:共)?受理申请")) == ("受理申请", 0, 3)


def _cjk_share_before(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:4000]
    cjk = len(re.findall("[\u4e00-\u9fff]", sample))
    letters = len(sample) - len(re.findall(r"\s", sample))
    return cjk / letters if letters else 0.0


@settings(max_examples=3000)
@given(st.text(st.sampled_from(list("ab 1\t\n\r\u3000\u00a0\x1c\x85\u2028\u4e00\u9fff\u4dff\ua000规章，。")),
               max_size=40) | st.text(max_size=40))
def test_cjk_share_counted_as_the_regexes_count(text):
    assert decoding._cjk_share(text) == _cjk_share_before(text)


_ROW_LINE = re.compile(r"^[^\n]*(?:\t|\|[^\n]*\|)[^\n]*", re.MULTILINE)


def _check_rows_before(text: str) -> None:
    run = 0
    lineno, pos, previous = 1, 0, 0
    for m in _ROW_LINE.finditer(text):
        lineno += text.count("\n", pos, m.start())
        pos = m.start()
        line = m.group()
        cells = max(line.count("\t"), line.count("|") - 1) + 1
        if cells > limits.MAX_CELLS_PER_ROW:
            raise limits._too_many_cells(cells, f"line {lineno}")
        run = run + 1 if previous == lineno - 1 else 1
        previous = lineno
        if run > limits.MAX_ROWS_PER_TABLE:
            raise limits._too_many_rows(run, f"line {lineno}")


def _refusal(check, text):
    try:
        check(text)
    except limits.LimitExceeded as exc:
        return exc.code, exc.message_zh, exc.message_en, exc.location
    return None


@settings(max_examples=3000)
@given(st.text(st.sampled_from(list("||\t\n\n\r a0\u2028\x85规")), max_size=40))
def test_check_text_rows_as_the_pattern_found_them(text):
    # check_text finds the lines of tabs or two pipes by splitting at "\n"; with caps of 3
    # cells and 2 rows, the first line over a cap is the same, with the same message
    caps = limits.MAX_CELLS_PER_ROW, limits.MAX_ROWS_PER_TABLE
    limits.MAX_CELLS_PER_ROW, limits.MAX_ROWS_PER_TABLE = 3, 2
    try:
        assert _refusal(limits.check_text, text) == _refusal(_check_rows_before, text)
    finally:
        limits.MAX_CELLS_PER_ROW, limits.MAX_ROWS_PER_TABLE = caps


# -- the table walk's shortcuts (fifth round) ------------------------------------------------

from gongkai import template as tpl  # noqa: E402
from gongkai.model import ParsedReport  # noqa: E402
from gongkai.read.document import Cell, Document, Line  # noqa: E402
from gongkai.read.headers import Headers  # noqa: E402
from gongkai.read.slots import Aligner, Slot, column_of  # noqa: E402
from gongkai.read.tables import TableReader  # noqa: E402

# label words of the template (sections, groups, columns, rows), numbering, brackets, spaces
LABEL_WORDS = st.sampled_from(
    [c for rl in lab.row_labels() for c in rl.cores] + list(lab.T3_GROUPS) + list(lab.T3_COL_CORES)
    + list(lab.T4_COL_CORES) + [c for _, _, cs in lab.section_labels() for c in cs]
    + ["一、", "五、", "（一）", "（三）", "1．", "2、", "(", ")", "（", "）", " ", "\u3000", "总体情况",
       "其他", "总计", "注", "说明", "1", "0", "#", "*", "①"])
LABELS = st.lists(LABEL_WORDS, max_size=5).map("".join) | TEXTS


def _heading_before(text: str, style: str | None):
    parsed = lab.split_label(text)
    if style and parsed.numbering and parsed.numbering != style:
        return None
    core = parsed.core
    named = meta._section_named(core, parsed.numbering, parsed.number)
    if named:
        return named, None
    if parsed.numbering == "top" and parsed.number in (1, 5, 6) and len(core) <= 16:
        if parsed.number == 1 and not any(k in core for k in ("情况", "概述", "总体", "基本")):
            return None
        return None, parsed.number
    return None


@settings(max_examples=3000, deadline=None)
@given(LABELS, st.sampled_from([None, "top", "paren", "arabic"]))
def test_heading_told_from_the_text_alone(text, style):
    # heading_of keeps one entry a text for every style: the style only makes it none
    found = meta.heading_of(text)
    heading = None if found is None or style and found[0] and found[0] != style else found[1]
    assert heading == _heading_before(text, style)


@settings(max_examples=3000, deadline=None)
@given(LABELS)
def test_group_only_for_a_core_among_the_groups(text):
    # _feed_label asks t3_group only of a text whose core is a group's
    if lab.split_label(text).core not in lab.T3_GROUPS:
        assert rowlabels.t3_group(text) is None


@settings(max_examples=3000)
@given(LABELS)
def test_without_notes_of_a_text_without_brackets(text):
    assert lab.without_notes.__wrapped__(text) == lab._NOTE.sub("", text)


@settings(max_examples=3000)
@given(st.text(st.sampled_from(list("12 \u3000\u00a0\t.,增减件(（)）-/")), max_size=12) | TEXTS)
def test_spaced_digits_only_where_a_space_stands(text):
    # parse_value runs _SPACED_DIGITS only on a text holding one of the spaces it removes
    s = values.clean(text)
    if not (" " in s or "\u3000" in s or "\u00a0" in s):
        assert values._SPACED_DIGITS.sub("", s) == s
    assert values.parse_value.__wrapped__(text) == _parse_value_before(text)


def _parse_value_before(text: str) -> values.Value:
    raw = text if text is not None else ""
    s = values.clean(raw)
    if values.is_blank_marker(s):
        return values.Value(None, "blank", raw)
    s = values._SPACED_DIGITS.sub("", s)
    s = values._MORE.sub("+", s)
    s = values._LESS.sub("-", s)
    m = values._NUMBER.match(s)
    if not m:
        return values.Value(None, "unreadable", raw)
    number = values._to_number(m.group("num"), m.group("sign"))
    note = m.group("note")
    if note:
        note = note[1:-1].strip() or None
    unit = m.group("unit") or m.group("unit2")
    return values.Value(number, "value", raw, unit, note)


VALUE_TEXTS = st.sampled_from(["", " ", "0", "12", "/", "-", "约5", "规章", "\u3000"])


@st.composite
def slot_rows(draw):
    texts = draw(st.lists(VALUE_TEXTS, max_size=9))
    return [Slot(None if draw(st.booleans()) and not t.strip() else Cell(t, f"line {i} col {i}"),
                 values.parse_value(t)) for i, t in enumerate(texts)]


@settings(max_examples=2000)
@given(slot_rows(), st.booleans())
def test_a_row_of_text_lines_as_wide_as_its_columns_aligns_to_itself(slots, at_eof):
    # _close_row takes such a row's slots as they are, without calling align
    aligner = Aligner(ParsedReport(file="x", format="text"))
    assert aligner.align(slots, len(slots), at_eof, "", None) == slots
    assert aligner.first_col == {}


@settings(max_examples=2000)
@given(slot_rows())
def test_bare_empty_told_from_cell_and_value(slots):
    # _open_row_on_line reads Slot.is_bare_empty from the cells and values (cells not None)
    for sl in slots:
        if sl.cell is not None:
            assert sl.is_bare_empty == (sl.value.status == "blank" and not sl.cell.text.strip())


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(LABELS, st.integers(1, 12)), max_size=12),
       st.sampled_from(tpl.VERSIONS), st.lists(st.booleans(), min_size=12, max_size=12))
def test_headers_noted_with_the_column_only_where_read(cores, version, seen_row):
    # _feed_label reads a cell's column only for a table 三 header before the first data row
    template = tpl.get(version)
    plain, short = Headers(template), Headers(template)
    reader = TableReader.__new__(TableReader)
    reader.headers = short
    for (label, col), seen in zip(cores, seen_row[:len(cores)], strict=True):
        core = lab.split_label(label).core
        cell = Cell(label, f"line 1 col {col}")
        plain.t3_seen_row = short.t3_seen_row = seen
        assert plain.note(core, column_of(cell)) == short.note(core, reader._column_for(core, cell))
        assert (plain.t3_header, plain.t3_order, plain.t2_header) == \
            (short.t3_header, short.t3_order, short.t2_header)


def test_open_row_keeps_the_width_headers_give():
    for version in tpl.VERSIONS:
        doc = Document([Line([Cell("x", "line 1")], False, 1)], "text")
        reader = TableReader(doc, ParsedReport(file="x", format="text"), version)
        for rl in lab.row_labels():
            if version in rl.versions:
                reader._open_row(rl, Cell("x", "line 1"))
                assert reader.open.width == reader.headers.width(rl.table, rl.row)


def _title_candidates_before(lines):
    out = []
    single = [i for i, ln in enumerate(lines)
              if not ln.is_row or sum(1 for c in ln.cells if c.text) == 1]
    bare = [meta._bare(lines[i].text) for i in single]
    for k, i in enumerate(single):
        text = bare[k]
        if len(text) > 200:
            continue
        labelled = meta._META_LABEL.match(text)
        if labelled:
            text = text[labelled.end():]
        if meta._BREADCRUMB.search(text):
            last = meta._BREADCRUMB_STEP.split(text)[-1].strip()
            if not meta._BREADCRUMB.search(last) and meta._title_score(last):
                out.append((0.5, -i, last, i, i))
            continue
        out.append((meta._title_score(text) + bool(labelled), -i, text, i, i))
        if k + 1 < len(single) and "报告" not in text and len(bare[k + 1]) <= 12:
            rest = bare[k + 1]
            if meta._TITLE_REST.match(rest) and meta._title_score(text + rest):
                out.append((meta._title_score(text + rest) + 1, -i, text + rest, i, single[k + 1]))
    for i, ln in enumerate(lines):
        filled = [c.text for c in ln.cells if c.text]
        if ln.is_row and len(filled) >= 2 and meta._META_LABEL.match(filled[0] + "："):
            out.append((meta._title_score(filled[1]) + 1 if meta._title_score(filled[1]) else 0,
                        -i, filled[1].strip(), i, i))
    return out


TITLE_WORDS = st.sampled_from(
    ["2023年", "某某镇", "人民政府", "政府信息公开", "工作", "年度报告", "报告", "标题：", "名 称:",
     "首页", " > ", "›", "当前位置", "#", "**", " ", "本年度报告", "街道", "x" * 70, "年度", "信息公开"])
TITLE_LINES = st.lists(st.lists(TITLE_WORDS, max_size=6).map("".join), min_size=1, max_size=3)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.tuples(TITLE_LINES, st.booleans()), max_size=8))
def test_title_lines_read_by_their_text(rows):
    # _title_candidates reads each of the first lines through the cache of _title_line
    lines = [Line([Cell(t, f"line {n} col {k}") for k, t in enumerate(texts)], is_row, n)
             if is_row else Line([Cell(texts[0], f"line {n}")], False, n)
             for n, (texts, is_row) in enumerate(rows, start=1)]
    assert meta._title_candidates(lines) == _title_candidates_before(lines)


def _section_of_before(line, seen, style=None):
    cells = line.cells
    if len(cells) == 1:
        text = cells[0].text
    else:
        filled = (c.text for c in cells if c.text.strip())
        text = next(filled, "")
        if line.is_row and (not text or next(filled, None) is not None):
            return None
    if not text or len(text) > 60 or not text.strip():
        return None
    heading = _heading_before(text, style)
    if heading is None or heading[0]:
        return heading and heading[0]
    number = heading[1]
    code = f"s{number}"
    earlier = {f"s{i}" for i in range(1, number)}
    if code not in seen and (number == 1 and not seen or seen & earlier):
        return code
    return None


SECTION_TEXTS = LABELS | st.sampled_from(["", " ", "\u3000", "0"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(SECTION_TEXTS, max_size=4), st.booleans(),
       st.sets(st.sampled_from(["s1", "s2", "s3", "s4", "s5", "s6"])),
       st.sampled_from([None, "top", "paren", "arabic"]))
def test_section_of_as_before(texts, is_row, seen, style):
    line = Line([Cell(t, "line 1") for t in texts], is_row, 1)
    assert meta.section_of(line, seen, style) == _section_of_before(line, seen, style)


def _drop_padding_before(aligner, slots, n, table):
    if len(slots) <= n:
        return slots
    lead = next((i for i, s in enumerate(slots) if not s.is_bare_empty), len(slots))
    trail = next((i for i, s in enumerate(reversed(slots)) if not s.is_bare_empty), len(slots))
    surplus = len(slots) - n
    if surplus > 0 and lead and trail and lead + trail >= surplus and table in aligner.first_col:
        want = aligner.first_col[table].most_common(1)[0][0]
        for drop_front in range(min(lead, surplus) + 1):
            if surplus - drop_front <= trail and slots[drop_front].column == want:
                slots = slots[drop_front:len(slots) - (surplus - drop_front)]
                break
    while len(slots) > n and slots[-1].is_bare_empty:
        slots.pop()
    while len(slots) > n and slots[0].is_bare_empty:
        slots.pop(0)
    return slots


@settings(max_examples=3000)
@given(st.lists(slot_rows(), min_size=1, max_size=6), st.integers(1, 9),
       st.sampled_from([None, "t2", "t3"]))
def test_padding_dropped_as_before(rows, n, table):
    # the padding at both ends is counted only for a table whose first columns are known
    from collections import Counter
    aligner = Aligner(ParsedReport(file="x", format="text"))
    aligner.first_col = {"t3": Counter({2: 3, 1: 1})}
    for slots in rows:
        assert aligner._drop_padding(list(slots), n, table) == \
            _drop_padding_before(aligner, list(slots), n, table)


STORE_CODES = st.sampled_from(["t2.fee.amount", "t2.regulation.issued", "t2.regulation.repealed",
                               "t3.total.natural", "t9.not.a_cell"])
STORE_TEXTS = st.sampled_from(["0", "12", "251000元", "213.58万元", "12（其中修订3件）", "/", "",
                               "约5", "规章", "7"])


@st.composite
def stored_rows(draw):
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        codes = tuple(draw(st.lists(STORE_CODES, min_size=1, max_size=5)))
        slots = [None if draw(st.booleans()) and draw(st.booleans()) else
                 Slot(None if draw(st.booleans()) and draw(st.booleans()) else
                      Cell(t, f"line {i} col 2"), values.parse_value(t))
                 for i, t in enumerate(draw(st.lists(STORE_TEXTS, min_size=len(codes),
                                                     max_size=len(codes))))]
        rows.append((codes, slots, draw(st.booleans())))
    return rows


@settings(max_examples=2000, deadline=None)
@given(stored_rows(), st.sampled_from(tpl.VERSIONS))
def test_a_row_stored_as_cell_by_cell(rows, version):
    # store_row writes first-met cells itself and sends the others through store
    from gongkai.read.store import CellStore
    template = tpl.get(version)
    one, each = ParsedReport(file="x", format="text"), ParsedReport(file="x", format="text")
    a, b = CellStore(one, template), CellStore(each, template)
    for codes, slots, correcting in rows:
        a.correcting = b.correcting = correcting
        a.store_row(codes, slots)
        for code, slot in zip(codes, slots, strict=True):
            if slot is not None:
                b.store(code, slot)
    assert one.to_json() == each.to_json()
    assert list(one.sources) == list(each.sources) and list(one.cells) == list(each.cells)


PAGE_TEXTS = st.lists(st.sampled_from(["|", " |", "||", "| a | 1 |", "规章", "12", " ", "\u3000", "",
                                       "a\t1", "— 4 —", "x | ||", "+--+"]), max_size=30).map("\n".join)
# pages of one cell per line near the count of pipes that tells them: cells closed by a pipe
# line of their own, or ending in one
CELL_PAGES = st.tuples(st.sampled_from(["规章\n|", "0\n|", "规章 |", "0 |", "x | ||"]),
                       st.integers(3, 7), PAGE_TEXTS).map(lambda t: "\n".join([t[0]] * t[1] + [t[2]]))
PAGE_TEXTS = PAGE_TEXTS | CELL_PAGES


@settings(max_examples=3000, deadline=None)
@given(PAGE_TEXTS, st.booleans())
def test_cell_pages_told_only_with_five_pipes(page, end):
    # to_document asks _cells_on_lines_of_their_own only of a text of five pipes or more
    import dataclasses
    from unittest import mock

    page = page + ("\n" if end else "")
    if not page.strip():
        return
    fast = text.to_document(page)
    with mock.patch.object(text, "PIPES_OF_CELL_PAGES", 0):
        plain = text.to_document(page)
    assert dataclasses.asdict(fast) == dataclasses.asdict(plain)


@settings(max_examples=2000, deadline=None)
@given(PAGE_TEXTS)
def test_votes_added_up_as_cell_by_cell(page):
    from gongkai.read import version

    if not page.strip():
        return
    doc = text.to_document(page + "\n信息内容\n本年新制作数量\n本年制发件数")
    v19 = v21 = 0
    for line in doc.lines:
        for cell in line.cells:
            a, b = version._votes(cell.text)
            v19 += a
            v21 += b
    assert version.detect_version(doc)[1:] == (v19, v21)


@settings(max_examples=3000)
@given(st.text(st.sampled_from(list("增加新减少 12发布成文日期时间公开更新：2023年1月2日")), max_size=14))
def test_more_less_and_published_words_only_where_they_may_match(s):
    # parse_value tries _MORE / _LESS only on a text starting with their first character;
    # find_published searches _PUBLISHED_LINE only in a text holding 日期 or 时间
    if not s.startswith(("增", "新")):
        assert values._MORE.sub("+", s) == s
    if not s.startswith("减"):
        assert values._LESS.sub("-", s) == s
    if "日期" not in s and "时间" not in s:
        assert meta._PUBLISHED_LINE.search(s) is None
    assert values.parse_value.__wrapped__(s) == _parse_value_before(s)


_INNER_NUMBERING_BEFORE = re.compile(r"[(（][一二三四五六七八九十]+[)）]|\d{1,2}[.．、]")


@settings(max_examples=5000)
@given(st.text(st.sampled_from(list("(（)）一二三十12٣９.．、a规 ")), max_size=16) | TEXTS)
def test_inner_numbering_as_the_plain_pattern(s):
    assert [m.span() for m in rowlabels._INNER_NUMBERING.finditer(s)] == \
        [m.span() for m in _INNER_NUMBERING_BEFORE.finditer(s)]


@settings(max_examples=5000)
@given(st.text(st.sampled_from(list("a_1 ٣²½ⅣＡ规章，。、\u3000\u00a0\u200b\u0301\t")), max_size=12)
       | st.text(max_size=12))
def test_word_characters_as_the_regex_reads_them(s):
    # core_of runs _NON_WORD only on a text that is not all alnum; narrative_figures drops
    # white space with str.split
    if s.isalnum():
        assert lab._NON_WORD.sub("", s) == s
    assert lab.core_of.__wrapped__(s) == _core_of_before(s)
    assert "".join(s.split()) == re.sub(r"\s+", "", s)


def _core_of_before(text: str) -> str:
    s = lab._NON_WORD.sub("", lab.fold(text))
    for wrong, right in lab._TYPOS:
        s = s.replace(wrong, right)
    return s


# the lines of a report's pages the walk may meet: headings, labels (whole, split across
# lines, with notes), values (blank and zero, full-width digits, markers, notes), the
# correction notice, labels with their digits run on, rows, pipes, footers and prose
WALK_LINES = st.sampled_from([
    "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
    "（二）主动公开政府信息情况", "第二十条第(一)项", "信息内容", "本年制发件数", "本年废止件数",
    "现行有效件数", "本年新制作数量", "本年新", "制作数量", "规章", "规范性文件", "行政许可", "行政处罚",
    "行政强制", "行政事业性收费", "其他对外管理", "服务事项", "行政检查", "行政确认", "处理决定数量",
    "规章（设区的市、自治州人民政府应提供相关数据）", "申请人情况", "自然人", "法人或其他组织",
    "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计", "（本列数据的勾稽关系为：第一项加第二项之和）",
    "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "三、本年度办理结果",
    "（一）予以公开", "（三）不予公开", "1．属于国家秘密", "2．其他法律行政法规禁止公开",
    "（六）其他处理", "3．其他", "四、结转下年度继续办理", "行政复议", "行政诉讼", "结果维持",
    "结果纠正", "尚未审结", "未经复议直接起诉", "复议后起诉", "总计",
    "0", " 0", "0 ", "０", "12", "１２", "3", "—", "-", "/", "", " ", "\u3000", "无", "不适用",
    "3（其中2件）", "12（更正如下，以本表为准）", "本报告更正如下，以本表为准", "规章000",
    "行政许可707", "0 |", "规章 |", "|", "||", "| 0 |", "规章 | 0 | 1 | 2", "规章\t0\t1\t2",
    "自然人 0 0 0 0 0 0 0", "行政复议 0 0 0 0 0", "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
    "— 4 —", "第1页", "统计期限为2023年1月1日至2023年12月31日",
    "本年度我镇共收到政府信息公开申请5件，均已按时答复。" * 4, "以上为本年度报告。",
    "某某镇人民政府", "2024年1月20日",
    # a label's first piece on a line of its own, its rest opening a row of cells
    "属于", "国家秘密", "国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0", "国家秘密\t0\t/\t0\t0\t0\t0\t0",
    "行政", "收费 | 0 | 1", "其他对外管理 | 服务事项 | 0 | 0 | 0", "|  |  | 0 |",
])


# runs of lines as the tables print them: a group, the first piece of a label on a line of
# its own and its rest opening a row; a table of one cell per line; table 四
WALK_BLOCKS = st.sampled_from([
    ["三、收到和处理政府信息公开申请情况", "（三）不予公开", "属于", "国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 3"],
    ["（三）不予公开", "属于", "国家秘密\t0\t/\t0\t0\t0\t0\t1"],
    ["二、主动公开政府信息情况", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "规章", "0",
     " 0", "３", "规范性文件", "1", "—", "", "行政许可", "本年处理决定数量", "5"],
    ["三、收到和处理政府信息公开申请情况", "申请人情况", "自然人", "商业企业", "科研机构", "社会公益组织",
     "法律服务机构", "其他", "总计", "一、本年新收政府信息公开申请数量", "1", "0", "0", "0", "0", "0",
     "1", "（三）不予公开", "1．属于国家秘密", "0", "0", "0", "0", "0", "0", "0"],
    ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果",
     "尚未审结", "总计", "0", "0", "0", "0", "0", "1", "0", "0", "0", "1"],
]).map(tuple)


@st.composite
def walk_pages(draw):
    runs = draw(st.lists(WALK_LINES.map(lambda line: (line,)) | WALK_BLOCKS, max_size=40))
    lines = [line for run in runs for line in run]
    # one separator for the page (cells separated by blank lines or not), some lines with
    # more blank lines before them (the empty cells they stand for)
    sep = draw(st.sampled_from(["\n", "\n\n", "\r\n"]))
    more = draw(st.lists(st.sampled_from(["", "", "", "\n", "\n\n"]), min_size=len(lines),
                         max_size=len(lines)))
    return "".join(line + sep + extra for line, extra in zip(lines, more, strict=True)) \
        + draw(st.sampled_from(["", "\n"]))


@st.composite
def walk_documents(draw):
    """Documents as any reader builds them: text lines of one cell (with white space around
    it, as a page's cells keep it), rows, lines of bare pipes, any gap before a line."""
    lines = []
    for i in range(draw(st.integers(0, 60))):
        kind = draw(st.sampled_from(["text", "text", "text", "row", "bare"]))
        gap = draw(st.integers(0, 3))
        if kind == "text":
            t = draw(WALK_LINES) + draw(st.sampled_from(["", "", " ", "\n"]))
            t = draw(st.sampled_from(["", "", " ", "\u3000"])) + t
            lines.append(Line([Cell(t, f"line {i + 1}")], False, i + 1, gap, None, 0,
                              draw(st.booleans())))
        elif kind == "row":
            texts = draw(st.lists(WALK_LINES, min_size=1, max_size=8))
            lines.append(Line([Cell(t, f"line {i + 1} col {k}") for k, t in enumerate(texts, 1)],
                              True, i + 1, gap))
        else:
            lines.append(Line([], True, i + 1, gap, None, draw(st.integers(1, 4))))
    return Document(lines, "html", blank_separated=draw(st.booleans()),
                    pipes_close_cells=draw(st.booleans()))


def _walk_before(reader, lines):
    """TableReader.walk as parse_document walked the lines before: every line through
    section_of, and every line that opens no new section through feed."""
    section_starts: list[tuple[str, int]] = []
    seen: set[str] = set()
    style = None
    for i, line in enumerate(lines):
        code = meta.section_of(line, seen, style)
        if code and code not in seen:
            seen.add(code)
            style = style or meta.numbering_style(line)
            section_starts.append((code, i))
            reader.enter_section(code)
            continue
        reader.feed(i, line)
    return section_starts, seen


@settings(max_examples=1500, deadline=None)
@given(walk_pages() | walk_documents(), st.sampled_from(["text", "markdown"]),
       st.sampled_from(tpl.VERSIONS))
def test_walk_reads_as_line_by_line(page, fmt, version):
    # TableReader.walk reads values and labels on text lines of their own without feed
    if isinstance(page, str) and not page.strip():
        return
    readers = []
    for walk in (TableReader.walk, _walk_before):
        doc = text.to_document(page, fmt=fmt) if isinstance(page, str) else copy.deepcopy(page)
        report = ParsedReport(file="x", format=fmt)
        reader = TableReader(doc, report, version)
        met = walk(reader, doc.lines)
        index = reader.index
        reader.finish()
        readers.append((met, index, reader.consumed, reader.not_read, reader.labelled_tables,
                        reader.t4.labelled, report.to_json()))
    assert readers[0] == readers[1]


def _sections_before(report, lines, starts, consumed, truncated):
    from gongkai.read import _is_fragment, _without_signature

    report.section_order = [code for code, _ in starts]
    bounds = starts + [("end", len(lines))]
    for (code, start), (_, end) in zip(bounds, bounds[1:], strict=False):
        parts = []
        for j in range(start + 1, end):
            ln = lines[j]
            if j in consumed or ln.is_row:
                continue
            if code in ("s2", "s3", "s4") and _is_fragment(ln.text):
                continue
            parts.append(ln.text)
        if code == bounds[-2][0]:
            parts = _without_signature(parts)
        report.sections[code] = "\n".join(p for p in parts if p)
    order = ("s1", "s2", "s3", "s4", "s5", "s6")
    missing = [s for s in order if s not in report.sections]
    if truncated and starts:
        last = max(order.index(code) for code, _ in starts)
        missing = [s for s in missing if order.index(s) < last]
    if missing:
        report.add_issue("missing_section", "warning",
                         f"未找到以下部分的标题：{', '.join(missing)}",
                         f"no heading found for section(s) {', '.join(missing)}")


@settings(max_examples=1000, deadline=None)
@given(walk_pages(), st.data(), st.booleans())
def test_sections_kept_as_line_by_line(page, data, truncated):
    from gongkai.read import _sections

    if not page.strip():
        return
    lines = text.to_document(page).lines
    n = len(lines)
    at = sorted(data.draw(st.sets(st.integers(0, max(n - 1, 0)), max_size=5)))
    starts = [(data.draw(st.sampled_from(["s1", "s2", "s3", "s4", "s5", "s6"])), i) for i in at]
    consumed = data.draw(st.sets(st.integers(0, n), max_size=n))
    one, other = ParsedReport(file="x", format="text"), ParsedReport(file="x", format="text")
    _sections(one, lines, starts, consumed, truncated)
    _sections_before(other, lines, starts, consumed, truncated)
    assert one.to_json() == other.to_json()


def _classify_one_before(text_, version, group, same_line_values):
    """rowlabels._classify_one comparing the core with every row of the version."""
    parsed = lab.split_label(text_)
    core = parsed.core
    if not core or len(core) > 60 or not rowlabels.may_match(core, version):
        return None
    best = None
    for rl, cores in rowlabels._rows_of(version):
        if not rowlabels._matches(core, cores):
            continue
        if core not in lab.WEAK_CORES and lab.T3_GROUPS.get(core, (None,))[0] == rl.group \
                and parsed.number != rl.number:
            continue
        if core in lab.WEAK_CORES:
            if rl.row == "total" and not (parsed.numbering or same_line_values):
                continue
            if rl.row == "other.other" and not (
                    parsed.number == rl.number or group == rl.group and same_line_values):
                continue
            if rl.row == "other" and not (parsed.numbering and parsed.number == rl.number):
                continue
        if rl.group and group and rl.group != group and parsed.number is not None:
            if best is None:
                best = rl
            continue
        return rl
    return best


ROW_CORES = [c for rl in lab.row_labels() for c in rl.cores] + list(lab.T3_GROUPS)


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(ROW_CORES), st.integers(0, 12), st.integers(0, 12),
       st.text(st.sampled_from(list("规章其他处理行政许可不予公开 （一）1．")), max_size=3),
       st.sampled_from(["", "（一）", "（三）", "1．", "3．", "二、", "(六)"]),
       st.sampled_from([None, "results", "denied", "other", "unable"]), st.booleans(),
       st.sampled_from(["cut", "drop", "swap", "extra", "insert"]))
def test_row_compared_only_where_its_wording_starts_as_the_core(core, i, j, extra, numbering,
                                                                group, same_line, how):
    # _classify_one compares a core only with the rows one of whose wordings starts with (or
    # has second) the core's first or second character
    edited = {"cut": core[:i], "drop": core[:i] + core[i + 1:],
              "swap": core[:i] + extra[:1] + core[i + 1:], "extra": core + extra,
              "insert": core[:i] + extra + core[i:]}[how]
    for candidate in (numbering + edited, numbering + edited[j:]):
        for version in tpl.VERSIONS:
            assert rowlabels._classify_one(candidate, version, group, same_line) == \
                _classify_one_before(candidate, version, group, same_line)


# TableReader._feed_row and _open_row_on_line before the rows' readings were kept
# (``rowreading.cached_row``, ``rowreading.opening``): every row read cell by cell
from gongkai.read.rowlabels import (  # noqa: E402
    classify_row_label,
    is_known_label,
    is_label_tail,
    is_label_text,
    t3_group,
)
from gongkai.read.values import Value, parse_value  # noqa: E402


def _feed_row_before(self, index: int, line: Line, at_eof: bool) -> None:
    cells = line.cells
    if not cells:
        self._feed_bare_pipes(line, at_eof)
        return
    texts = [c.text for c in cells]
    values = list(map(parse_value, texts))
    is_label = [v.status == "unreadable" and is_label_text(t)
                for t, v in zip(texts, values, strict=True)]
    cores = {lab.split_label(t).core for t, f in zip(texts, is_label, strict=True) if f}
    if self.t4.active and self._leaves_t4_for_row(cores, cells, values, is_label):
        self.end_tables()  # table 三 printed after table 四 (or a correction follows)
    elif not self.t4.active and not self.t4.done and (
            lab.T4_FIRST_COL in cores or {lab.T4_REVIEW, *lab.T4_GROUP_CORES} <= cores):
        self.start_t4()  # table 四's header, wherever it stands
    if self.t4.active:
        if self.t4.feed_row(cells, values, is_label):
            self.consumed.add(index)
        return
    if _open_row_on_line_before(self, index, cells, values, is_label, at_eof):
        return
    has_numbers = any(v.status == "value" for v in values)
    if self.open is not None and not self.open.slots and has_numbers:
        last_label = max((i for i, f in enumerate(is_label) if f), default=-1)
        if last_label < 0 and self.unfilled and self._orphan(index, cells, values):
            # numbers after a block of labels printed apart: placed by order at the end
            self._close_row()
            return
        if last_label < 0 or is_label_tail(cells[last_label].text):
            # the numbers of a row whose label began on an earlier line
            self._take_values(index, cells[last_label + 1:], values[last_label + 1:], at_eof)
            return
    if not any(is_label):
        if has_numbers and self.open is None:
            self._orphan(index, cells, values)
        return
    # a row of labels: headers, group labels, or the start of table 四
    for i, cell in enumerate(cells):
        if is_label[i]:
            if self.t4.active:
                self.t4.label(lab.split_label(cell.text).core)
                continue
            self._feed_label(index, cell, at_eof, same_line_values=False)


def _open_row_on_line_before(self, index: int, cells: list[Cell], values: list[Value],
                      is_label: list[bool], at_eof: bool) -> bool:
    """The last cell of a row that is a data-row label opens the row; the cells after it
    are its values.  True when a row was opened."""
    n = len(cells)
    # what the cells after i hold, gathered as i moves left: labels, values, blank
    # markers (a blank cell with text such as '/' or '-')
    later_labels: list[int] = []
    value_after = marker_after = False
    for i in range(n - 1, -1, -1):
        if i + 1 < n:
            status = values[i + 1].status
            if status == "value":
                value_after = True
            elif status == "blank" and cells[i + 1].text.strip():
                marker_after = True
            if is_label[i + 1]:
                later_labels.append(i + 1)
        if not is_label[i]:
            continue
        after = range(i + 1, n)
        if later_labels and (
                not value_after
                or any(is_known_label(cells[j].text, self.version, self.group)
                       for j in later_labels)):
            continue  # a header row, or a label further right opens the row
        same_line = value_after or marker_after
        label_cell = cells[i]
        rl = classify_row_label(label_cell.text, self.version, self.group, same_line)
        if rl is None and self.pending_label is not None and i == 0:
            joined = Cell(self.pending_label.text + label_cell.text,
                          self.pending_label.location)
            rl = classify_row_label(joined.text, self.version, self.group, same_line)
            if rl is not None:
                label_cell = joined
        if rl is None:
            continue
        self.pending_label = None
        for j in range(i):  # group labels before it
            if is_label[j]:
                g = t3_group(cells[j].text)
                if g:
                    self.group = g
        self._open_row(rl, label_cell, from_text_lines=False)
        slots = [Slot(cells[j], values[j]) for j in after]
        # Slot.is_bare_empty of each slot, read from its cell and value (a cell here is
        # never None)
        if all(values[j].status == "blank" and not cells[j].text.strip() for j in after):
            self.open.held = slots  # numbers may still follow on the next line
        else:
            self.open.slots = slots
        self.consumed.add(index)
        if self.open.slots:
            self._close_row(at_eof)
        return True
    return False


@settings(max_examples=1500, deadline=None)
@given(walk_pages() | walk_documents(), st.sampled_from(tpl.VERSIONS), st.booleans())
def test_rows_read_as_cell_by_cell(page, version, small):
    # a row's reading and the label that opens it, told from its texts (and kept for rows of
    # at most ROW_CACHED_CHARS characters)
    from unittest import mock

    from gongkai.read import rowreading

    if isinstance(page, str) and not page.strip():
        return
    class RowsBefore(TableReader):  # (compiled, TableReader is a type that takes no patch)
        _feed_row = _feed_row_before

    out = []
    for patched in (False, True):
        doc = text.to_document(page) if isinstance(page, str) else copy.deepcopy(page)
        report = ParsedReport(file="x", format="text")
        reader = (RowsBefore if patched else TableReader)(doc, report, version)
        with mock.patch.object(rowreading, "ROW_CACHED_CHARS", 400 if small else 0):
            met = _walk_before(reader, doc.lines)
        reader.finish()
        out.append((met, reader.consumed, reader.not_read, reader.labelled_tables,
                    reader.group, report.to_json()))
    assert out[0] == out[1]


def _to_document_before(text: str, *, fmt: str = "text", encoding: str | None = None) -> Document:
    """text.to_document before it counted the lines as it made them."""
    from gongkai.read import text as tx  # the module (the argument is the text)
    lines: list[Line] = []
    gap = 0
    raw_lines = text.splitlines()
    spaces_only: list[tuple[int, int]] = []  # (position in lines, line number) of ' ' lines
    grid = tx._grid_rows(raw_lines) if "+-" in text or "+=" in text else {}
    # names read once a document, not once a line
    append, cached_kind, cached_chars = lines.append, tx._cached_line_kind, tx.LINE_KIND_CACHED_CHARS
    for lineno, raw in enumerate(raw_lines, start=1):
        if grid and lineno - 1 in grid:
            merged = grid[lineno - 1]
            if merged is not None:
                row = [Cell(c, f"line {lineno} col {i}") for i, c in enumerate(merged, start=1)]
                append(Line(row, True, lineno, gap))
                gap = 0
            continue
        # the kind of a short line from the cache
        read = cached_kind(raw) if len(raw) <= cached_chars else tx._read_line(raw)
        kind = read[0]
        if kind is tx._TEXT:
            # (table_index None, bare_pipes 0, pipe_end) given by position: a dataclass's
            # __init__ takes keywords at twice the cost, and most lines are text lines
            append(Line([Cell(read[1], f"line {lineno}")], False, lineno, gap, None, 0, read[2]))
            gap = 0
        elif kind is tx._ROW:
            loc = f"line {lineno} col "
            append(Line([Cell(c, loc + str(i)) for i, c in enumerate(read[1], start=1)], True,
                        lineno, gap))
            gap = 0
        elif kind is tx._GAP:
            gap += 1
        elif kind is tx._SPACE:  # a line holding only a space or &nbsp;
            gap += 1
            spaces_only.append((len(lines), lineno))
        elif kind is tx._BARE:
            lines.append(Line([], True, lineno, gap, None, read[1]))  # bare_pipes by position
            gap = 0
        elif kind is tx._NOTHING:
            gap = 0
        # _DROPPED: page footers and Markdown rules leave the gap before them as it is
    if text and not text.endswith(("\n", "\r")) and lines and lines[-1].cells \
            and tx.looks_numeric(lines[-1].cells[-1].text):
        # the text stops inside its last line (a page cut off after so many bytes): the number
        # it stops on may be cut short ('1' of '12'), so it is not read
        last = lines.pop()
        if len(last.cells) > 1:
            lines.append(Line(last.cells[:-1], last.is_row, last.lineno, last.gap_before))
    # every line that tx._cells_on_lines_of_their_own counts (a text line ending in a pipe, a
    # line of one bare pipe) holds a pipe: a text of fewer than five pipes is not such a page
    # (it returns False before it changes a line)
    pipes_close_cells = text.count("|") >= tx.PIPES_OF_CELL_PAGES \
        and tx._cells_on_lines_of_their_own(lines)
    text_lines = [ln for ln in lines if not ln.is_row]
    blank_separated = False
    if len(text_lines) > 5:
        gaps = [ln.gap_before for ln in text_lines[1:]]
        blank_separated = gaps.count(1) >= 0.6 * (len(text_lines) - 1) \
            and gaps.count(0) <= 0.1 * len(text_lines)
    # a line holding only a space or &nbsp; is an empty cell (not after the last line with
    # text: nothing follows there): on a page with no blank lines between cells, any such
    # line; where blank lines separate the cells, one that stands between blank lines itself
    for pos, lineno in reversed(spaces_only):
        alone = 1 < lineno < len(raw_lines) and not raw_lines[lineno - 2].strip() \
            and not raw_lines[lineno].strip()
        if pos < len(lines) and (not blank_separated or alone):
            lines.insert(pos, Line([Cell("", f"line {lineno}")], False, lineno, 0))
    return Document(lines, fmt, encoding, blank_separated=blank_separated,
                    pipes_close_cells=pipes_close_cells)


# cell pages (cells ending in a pipe, or closed by a pipe line of their own) with rows among
# their cells: padded ('x | ||'), of one cell with text not first ('| | 0 |'), of two
PADDED_CELL_PAGES = st.lists(
    st.sampled_from(["规章 |", "0 |", "规章\n|", "0\n|", "|", "x | ||", "| | 0 |", " | x | |",
                     "规章 | 0 |", "\t0", "", "+--+"]) | WALK_LINES,
    min_size=5, max_size=40).map("\n".join)


@settings(max_examples=3000, deadline=None)
@given(PAGE_TEXTS | walk_pages() | PADDED_CELL_PAGES,
       st.sampled_from(["", "\n", "12", "| 3", "0 |"]))
def test_lines_counted_as_they_are_made(page, end):
    # to_document counts the lines blank_separated and _cells_on_lines_of_their_own read as
    # it makes them (counted again when a cut-off last line changed, or on a cell page)
    import dataclasses

    page = page + end
    if not page.strip():
        return
    for fmt in ("text", "markdown"):
        assert dataclasses.asdict(text.to_document(page, fmt=fmt)) == \
            dataclasses.asdict(_to_document_before(page, fmt=fmt))


@settings(max_examples=300, deadline=None)
@given(walk_pages(), st.sampled_from(tpl.VERSIONS))
def test_closing_no_open_row_changes_nothing(page, version):
    # _open_row and _feed_label call _close_row only while a row is open
    if not page.strip():
        return
    doc = text.to_document(page)
    report = ParsedReport(file="x", format="text")
    reader = TableReader(doc, report, version)

    def state():
        h, t4 = reader.headers, reader.t4
        return copy.deepcopy((
            report.to_json(), reader.open, reader.pending_label, reader.group, reader.context,
            reader.unfilled, reader.index, reader.consumed, reader.not_read,
            reader.labelled_tables, reader.prev_text_line, vars(reader.unplaced),
            reader.aligner.first_col, reader.store.correcting,
            (h.t2_header, h.t3_header, h.t3_order, h.t3_seen_row),
            (t4.active, t4.done, t4.at_eof, t4.labelled, t4.tokens, t4.rows, t4.short)))

    for i, line in enumerate(doc.lines):
        reader.feed(i, line)
        if reader.open is None:
            before = state()
            reader._close_row()
            assert state() == before


def _group_then_row_before(text, version, group, same_line_values):
    for m in rowlabels._INNER_NUMBERING.finditer(text):
        if m.start() == 0:
            continue
        head, tail = text[:m.start()], text[m.start():]
        head_group = rowlabels.t3_group(head)
        if head_group is None:
            continue
        found = rowlabels._classify_one(tail, version, head_group if head_group != "results"
                                        else group, same_line_values)
        if found is not None:
            return found
    return None


def test_ideographs_outside_the_groups_stay_in_a_core():
    # every ideograph of the class is a letter NFKC keeps, composed with nothing (no
    # canonical decomposition of two characters holds one), and none is a group's
    ideographs = [chr(c) for c in range(0x4E00, 0x9FA6)]
    assert all(unicodedata.category(ch) == "Lo" and unicodedata.normalize("NFKC", ch) == ch
               for ch in ideographs)
    pairs = (unicodedata.decomposition(chr(c)).split() for c in range(0x110000))
    assert not any(len(d) == 2 and not d[0].startswith("<")
                   and any(0x4E00 <= int(x, 16) <= 0x9FA5 for x in d) for d in pairs)
    foreign = [ch for ch in ideographs if rowlabels._NOT_IN_GROUPS.match(ch)]
    kept = set("".join(lab.T3_GROUPS) + lab._CN_NUM + "第部分"
               + "".join(w for w, _ in lab._TYPOS))
    assert set(ideographs) - set(foreign) == kept & set(ideographs)
    for ch in foreign[::97] + ["镇", "年", "全", "\u9fa5"]:
        for around in ("", "（三）", "三、本年度办理结果", "其他处理 ", "一、", "①"):
            assert rowlabels.t3_group(around + ch) is None
            assert rowlabels.t3_group(ch + around) is None


GROUP_PROSE = st.lists(st.sampled_from(
    list("(（)）一二三四五六十12٣９.．、 \u3000第部分本年度办理结果不予公开无法提供处理其他属于国家秘密"
         "予以公开镇街道全年，。“”型收费①㈢⑶") + ["三、本年度办理结果", "（三）不予公开", "1．属于国家秘密",
                                       "(六)其他处理", "3.其他", "本年度", "（以下简称《条例》）"]),
    max_size=14).map("".join)


@settings(max_examples=4000, deadline=None)
@given(GROUP_PROSE | TEXTS, st.sampled_from(["v2019", "v2021"]),
       st.sampled_from([None, "denied", "other", "results"]), st.booleans())
def test_group_then_row_only_before_an_ideograph_of_no_group(text, version, group, values_after):
    assert rowlabels._group_then_row(text, version, group, values_after) == \
        _group_then_row_before(text, version, group, values_after)


def test_group_then_row_on_long_prose():
    prose = ("全年在县人民政府门户网站主动公开政府信息154条（一）予以公开，1.属于国家秘密；"
             "三、本年度办理结果(一)予以公开" * 20)
    for line in (prose, "三、本年度办理结果(一)予以公开", "(三)不予公开1.属于国家秘密",
                 "（三）不予公开　１．属于国家秘密", "本年度办理结果（一）予以公开" + "镇" * 300):
        for version in ("v2019", "v2021"):
            assert rowlabels._group_then_row(line, version, None, False) == \
                _group_then_row_before(line, version, None, False)


def _is_label_text_before(text):
    t = lab.fold(text).strip()
    if rowlabels._FUZZY_VALUE.match(t):
        return False
    cjk = sum(1 for ch in t if "\u4e00" <= ch <= "\u9fff")
    return cjk >= 2 or not any(ch.isdigit() for ch in t)


LABEL_OR_VALUE = st.lists(st.sampled_from(
    list("约近共计+-12٣９０.,，  \u3000\u00a0件个万元左右以上余（）()—/无规章\u4e00\u9fff\u4dff\ua000“”①²")
    + ["5件左右", "约5", "3.5.1", "其他处理", "本年新收政府信息公开申请4件，上年结转0件；"]),
    max_size=12).map("".join)


@settings(max_examples=4000, deadline=None)
@given(LABEL_OR_VALUE | TEXTS | st.text(max_size=8))
def test_is_label_text_as_before(text):
    assert rowlabels.is_label_text.__wrapped__(text) == _is_label_text_before(text)
    assert lab.fold_cached(text) == lab.fold(text)


def test_is_label_text_on_long_lines():
    for line in ("本" + "1" * 3000 + "年", "1" * 2500 + "年", "约" + "１" * 2100, "—" * 2400,
                 "规章" * 1500):
        assert rowlabels.is_label_text.__wrapped__(line) == _is_label_text_before(line)


PROSE_MARKS = st.lists(st.sampled_from(
    list(",。、();:\".《》 -#〔〕_，（）；：“”|/—\u3000\u00a0\u200b\u0301²½ⅣＡa1٣规章镇年①")
    + ["本年新收政府信息公开申请4件，上年结转0件；", "行政事业型收费", "（以下简称《条例》）"]),
    max_size=14).map("".join)


def test_prose_punctuation_is_all_non_word():
    assert all(lab._NON_WORD.fullmatch(mark) for mark in lab._PROSE_PUNCTUATION)


@settings(max_examples=5000, deadline=None)
@given(PROSE_MARKS | st.text(max_size=12))
def test_core_of_prose_as_the_regex_reads_it(s):
    assert lab.core_of.__wrapped__(s) == _core_of_before(s)



BLANK_PIECES = st.lists(st.sampled_from(
    list("/-—_ \u3000\u00a0\u200b\u0301\u0308\u0338&nbsp;<=e０１无空／－") + ["&nbsp;", "&nb", "sp;"]),
    max_size=10).map("".join)


@settings(max_examples=5000)
@given(BLANK_PIECES | st.text(NFKC_ALPHABET, max_size=10))
@example("&nb\u200bsp;/")  # an "&nbsp;" formed once the zero-width space is dropped
@example("e\u200b\u0301")
def test_blank_told_from_the_cleaned_text_as_by_normalising_it_again(text):
    # parse_value as it was told a blank: the cleaned text normalised and trimmed again
    blank_before = values.is_blank_marker(values.clean(text))
    assert (values.parse_value.__wrapped__(text).status == "blank") == blank_before
