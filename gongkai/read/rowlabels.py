"""Which data row a label names, and what kind of text a cell holds.

Pure functions of a cell's text (and the template version, and the table 三 group the reader
is in), cached: a report repeats the same labels, and a corpus repeats them across reports.
"""

from __future__ import annotations

import re
from functools import lru_cache

from gongkai import template as tpl
from gongkai.read import labels as lab
from gongkai.read.labels import (
    T2_CORNER,
    T3_APPLICANTS,
    T3_COL_CORES,
    T3_GROUPS,
    T3_ORGANISATIONS,
    T4_BLOCK_CORES,
    T4_COL_CORES,
    WEAK_CORES,
    RowLabel,
    core_of,
    fold_cached,
    near,
    row_labels,
    split_label,
    without_notes,
)
from gongkai.read.limits import TEXT_CACHE

_RESULTS_GROUP = "results"  # 三、本年度办理结果: no rows of its own, only groups


@lru_cache(maxsize=TEXT_CACHE)
def classify_row_label(text: str, version: str, group: str | None,
                       same_line_values: bool) -> RowLabel | None:
    """The data row a label names; also '（三）不予公开 1．属于国家秘密' (group and row on one
    line), read as the row of that group.

    ``group`` is the table 三 group the reader is in; ``same_line_values`` says whether values
    follow on the label's own line (总计 and 其他 name a row only then, or when numbered).
    """
    found = _classify_one(text, version, group, same_line_values)
    if found is not None:
        return found
    bare = without_notes(text)
    if bare != text and split_label(bare).core:
        # a label with an explanatory note in brackets: the label without it
        return classify_row_label(bare, version, group, same_line_values)
    found = _group_then_row(text, version, group, same_line_values)
    if found is not None:
        return found
    parts = text.split()
    for k in range(1, len(parts)):
        head, tail = " ".join(parts[:k]), " ".join(parts[k:])
        head_group = t3_group(head)
        if head_group is None and T3_GROUPS.get(split_label(head).core,
                                                     (None,))[0] != _RESULTS_GROUP:
            # pieces of a wrapped, vertically centred group label ('年度办 （三）不予') may
            # share the line: a numbered row label after them is still that row
            tail_label = split_label(tail)
            if not tail_label.numbering or len(tail_label.core) < 4:
                continue
        found = _classify_one(tail, version, head_group or group, same_line_values)
        if found is not None:
            return found
    return None


# a numbering inside a label: （三） or 1. — written to start with one class of characters
# (a bracket or a digit, the branch told by the character behind), which the regex engine
# looks for before trying a match, rather than trying both branches at every position: the
# same matches as [(（][一二三四五六七八九十]+[)）]|\d{1,2}[.．、], a third faster on prose
_INNER_NUMBERING = re.compile(
    r"[(（\d](?:(?<=[(（])[一二三四五六七八九十]+[)）]|(?<=\d)\d?[.．、])")


# an ideograph no group label's core holds (U+4E00–U+9FA5, all letters NFKC keeps as they
# are): none of the numbering split_label cuts off, nor of a typo it mends; a text holding
# one keeps it in its core, which is then no group's (``t3_group`` is None): see
# ``_group_then_row``.  The ideographs a group's core may hold are tried behind the one
# found: the range is the pattern's first class, which the regex engine looks for before
# trying a match (and a class of the range without them costs 15 ms to compile)
_GROUP_IDEOGRAPHS = "".join(sorted(set(
    "".join(T3_GROUPS) + lab._CN_NUM + "第部分" + "".join(w for w, _ in lab._TYPOS))))
_NOT_IN_GROUPS = re.compile(f"[\u4e00-\u9fa5](?<![{re.escape(_GROUP_IDEOGRAPHS)}])")


def _group_then_row(text: str, version: str, group: str | None,
                    same_line_values: bool) -> RowLabel | None:
    """A group label and a row label run together without a space
    ('三、本年度办理结果(一)予以公开', '(三)不予公开1.属于国家秘密').

    Only the numberings before the text's first ideograph of no group label are tried: a
    head holding that ideograph names no group (a line of prose has one within its first
    characters, and its numberings further on are passed over).  No numbering holds such
    an ideograph, so the numberings before it are the same read in the text cut there."""
    foreign = _NOT_IN_GROUPS.search(text)
    for m in _INNER_NUMBERING.finditer(text, 0, foreign.start() if foreign else len(text)):
        if m.start() == 0:
            continue
        head, tail = text[:m.start()], text[m.start():]
        head_group = t3_group(head)
        if head_group is None:
            continue
        found = _classify_one(tail, version, head_group if head_group != _RESULTS_GROUP
                              else group, same_line_values)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=4)
def _rows_of(version: str) -> tuple[tuple[RowLabel, tuple[tuple[str, int], ...]], ...]:
    """The data row labels of a version (``row_labels()`` in its order), each with its
    cores and their lengths."""
    return tuple((rl, tuple((c, len(c)) for c in rl.cores))
                 for rl in row_labels() if version in rl.versions)


def _matches(core: str, cores: tuple[tuple[str, int], ...]) -> bool:
    """The core is one of the row's wordings (``cores``: each with its length), one
    character off, cut short, or with a few characters more."""
    n = len(core)
    for c, m in cores:
        if core == c:
            return True
        # near, called only where it may hold (both at least 5 long, lengths one apart)
        if n >= 5 and m >= 5 and -1 <= n - m <= 1 and near(core, c):
            return True
        if n >= 4 and c.startswith(core) or m >= 4 and core.startswith(c) and n - m <= 3:
            return True
    return False


@lru_cache(maxsize=4)
def _match_bounds(version: str) -> tuple[int, frozenset[str]]:
    """The longest core of a version's data rows, and the characters its cores start with
    (first or second character): see ``may_match``."""
    cores = [c for _, cs in _rows_of(version) for c, _ in cs]
    return max(map(len, cores)), frozenset(ch for c in cores for ch in c[:2])


_NO_ROWS: frozenset[int] = frozenset()


@lru_cache(maxsize=4)
def _rows_by_start(version: str) -> dict[str, frozenset[int]]:
    """Each character a wording of a version's data rows has first or second → the rows
    (positions in ``_rows_of``) with such a wording.  A core matches a row's wording
    (``_matches``) only when its first or second character is the wording's first or second
    (see ``may_match``): the core's two characters name every row it may match."""
    out: dict[str, set[int]] = {}
    for k, (_, cores) in enumerate(_rows_of(version)):
        for c, _ in cores:
            for ch in c[:2]:
                out.setdefault(ch, set()).add(k)
    return {ch: frozenset(ks) for ch, ks in out.items()}


def may_match(core: str, version: str) -> bool:
    """False when ``_matches`` holds for no data row of the version, told from the core's
    length and first two characters (a unit's name, a date, a line of prose fail here, and
    are not compared with each row's wordings).

    Every way of matching keeps the core within three characters more than the row's
    wording, and keeps its start: equal, a prefix either way (the same first character), or
    one character off (``near``: one substituted, so the first or the second is the same; or
    one dropped or added, so the core's first character is the wording's first or second,
    or its second is the wording's first)."""
    longest, starts = _match_bounds(version)
    return len(core) <= longest + 3 and (core[:1] in starts or core[1:2] in starts)


def _classify_one(text: str, version: str, group: str | None,
                  same_line_values: bool) -> RowLabel | None:
    parsed = split_label(text)
    core = parsed.core
    if not core or len(core) > 60 or not may_match(core, version):
        return None
    best: RowLabel | None = None
    rows = _rows_of(version)
    # only the rows a wording of which starts with the core's first or second character (or
    # has it second): no other row matches (see ``may_match``), the rest kept in their order
    by_start = _rows_by_start(version)
    for k in sorted(by_start.get(core[:1], _NO_ROWS) | by_start.get(core[1:2], _NO_ROWS)):
        rl, cores = rows[k]
        if not _matches(core, cores):
            continue
        if core not in WEAK_CORES and T3_GROUPS.get(core, (None,))[0] == rl.group \
                and parsed.number != rl.number:
            continue  # （六）其他处理 is the group's own label in v2021; only 3．其他处理 is the row
        if core in WEAK_CORES:
            # 总计 / 其他 are also column headers: a data row only with numbering or values
            if rl.row == "total" and not (parsed.numbering or same_line_values):
                continue
            if rl.row == "other.other" and not (
                    parsed.number == rl.number or group == rl.group and same_line_values):
                continue
            if rl.row == "other" and not (parsed.numbering and parsed.number == rl.number):
                continue
        if rl.group and group and rl.group != group and parsed.number is not None:
            # numbered sub-rows: prefer the one of the current group
            if best is None:
                best = rl
            continue
        return rl
    return best


_FUZZY_VALUE = re.compile(
    r"^[约近逾超共计]*\s*[+\-]?\d[\d,，.]*\s*(?:余|多)?\s*"
    r"(?:件|个|项|条|次|宗|起|人|家|万元|元)?\s*(?:左右|以上|以下|余)?$")


@lru_cache(maxsize=TEXT_CACHE)
def is_label_text(text: str) -> bool:
    """True for text that reads as a label; False for a value that could not be read
    ('约5', '5件左右', '3.5.1'): such a cell keeps its place among the row's values."""
    t = fold_cached(text).strip()
    if _FUZZY_VALUE.match(t):
        return False
    cjk = 0
    for ch in t:  # two ideographs are enough: the count stops there
        if "\u4e00" <= ch <= "\u9fff":
            cjk += 1
            if cjk == 2:
                return True
    return not any(ch.isdigit() for ch in t)


def is_label_tail(text: str) -> bool:
    """True for the second half of a label broken across lines (no numbering, not a known label)."""
    parsed = split_label(text)
    if parsed.numbering or not parsed.core or len(parsed.core) > 30:
        return False
    if parsed.core in T3_COL_CORES or parsed.core in T4_COL_CORES:
        return False
    return True


def t3_group(text: str) -> str | None:
    """The table 三 group a label opens (（三）不予公开 → ``denied``), or None."""
    parsed = split_label(text)
    g = T3_GROUPS.get(parsed.core)
    if g is None:
        return None
    code, number = g
    if parsed.core in WEAK_CORES and parsed.number != number:
        return None  # 其他 alone is a column header; （六）其他 is the group
    if parsed.numbering and parsed.number is not None and parsed.number != number:
        return None
    return code


def is_header_word(core: str) -> bool:
    """True for a header word of tables 二 and 三 that is not a column label (信息内容,
    申请人情况, 法人或其他组织)."""
    return core in (T2_CORNER, T3_APPLICANTS, T3_ORGANISATIONS)


def t2_col_code(core: str, template: tpl.Template) -> str | None:
    """The table 二 column a header names (本年新制作数量 → ``made``), or None."""
    return _t2_cols(template).get(core)


def per_template(build):
    """``build(template)`` worked out once per template object (a template is immutable;
    hashing one to key a cache would cost more than the work): callers must not change
    what it returns."""
    cache: dict[int, tuple] = {}

    def get(template):
        entry = cache.get(id(template))
        if entry is None or entry[0] is not template:
            entry = cache[id(template)] = (template, build(template))
        return entry[1]

    get.__doc__ = build.__doc__
    return get


@per_template
def _t2_cols(template: tpl.Template) -> dict[str, str]:
    """Table 二's column label cores → the column each names first (blocks and columns in
    the template's order)."""
    cols: dict[str, str] = {}
    for block in template.t2_blocks:
        for col in block.cols:
            for x in col.labels:
                cols.setdefault(core_of(x), col.code)
    return cols


def is_known_label(text: str, version: str, group: str | None) -> bool:
    """True for text of the template's vocabulary (a row, group or column label)."""
    core = split_label(text).core
    if core in T3_COL_CORES or core in T4_COL_CORES or core in T4_BLOCK_CORES:
        return True
    if t3_group(text) or is_header_word(core):
        return True
    if classify_row_label(text, version, group, True) is not None:
        return True
    return t2_col_code(core, tpl.get(version)) is not None
