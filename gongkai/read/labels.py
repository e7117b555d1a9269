"""Label normalisation and the label vocabulary of the template.

Labels are matched by meaning, not by position: a label is reduced to its numbering
(一、 / （一） / 1． …) and its core text (no spaces, no punctuation, full/half width
folded, known typos mended), and the core is looked up among the template's labels.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from gongkai import template as tpl
from gongkai.read.limits import TEXT_CACHE
from gongkai.read.values import nfkc

_CN_NUM = "一二三四五六七八九十"
_NUMBERING = re.compile(
    r"^\s*(?:"
    rf"(?P<top>[{_CN_NUM}]+)\s*[、.,，:：\s]|第(?P<part>[{_CN_NUM}]+)部分\s*[、.,，:：]?"
    rf"|[(（]\s*(?P<paren>[{_CN_NUM}]+|\d+)\s*[)）]\s*[、.,，]?"
    r"|(?P<arabic>\d{1,2})\s*(?:[、.,，:：)）]|\s)(?!\d)"
    r")"
)
_NON_WORD = re.compile(r"[\W_]", re.UNICODE)  # a character that is not a word one, or "_"

# typos and variants seen in real reports → the official wording
_TYPOS = (
    ("行政事业型收费", "行政事业性收费"),
    ("本年增减", "本年增减"),
    ("危及三安全-稳定", "危及三安全一稳定"),
)


def cn_number(s: str) -> int | None:
    """The value of a small Chinese numeral (一 … 二十) or an Arabic number string."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    digits = {c: i + 1 for i, c in enumerate(_CN_NUM)}
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + digits.get(s[1:], 0)
    if s.endswith("十"):
        return digits.get(s[0], 0) * 10
    if "十" in s:
        a, b = s.split("十", 1)
        return digits.get(a, 0) * 10 + digits.get(b, 0)
    return digits.get(s)


@dataclass(frozen=True, slots=True)
class Label:
    """A label split into its numbering and its core text."""

    text: str
    numbering: str | None  # 'top' (一、), 'paren' (（一）), 'arabic' (1.) or None
    number: int | None
    core: str


def fold(text: str) -> str:
    """NFKC-fold a text and unify quotes and dashes (no other change)."""
    return _unify(unicodedata.normalize("NFKC", text or ""))


def fold_cached(text: str) -> str:
    """``fold(text)``, normalised through the cache of ``values.nfkc`` (the same text: nfkc
    is ``unicodedata.normalize("NFKC", …)``), shared with the line's reading as a value and
    as a label."""
    return _unify(nfkc(text or ""))


def _unify(s: str) -> str:
    return s.replace("“", '"').replace("”", '"').replace("\u00a0", " ")


# the punctuation of Chinese prose once NFKC-folded, most common first (every one a
# character _NON_WORD removes)
_PROSE_PUNCTUATION = tuple(",。、();:\".《》 -#〔〕")


@lru_cache(maxsize=TEXT_CACHE)
def core_of(text: str) -> str:
    """The core of a label: no spaces, no punctuation, known typos mended."""
    return _core_of_folded(fold(text))


def _core_of_folded(s: str) -> str:
    """``core_of`` of a text that ``fold`` leaves as it is (a piece of a folded text: a
    piece of a text in NFKC is in NFKC, and has no quote or no-break space ``_unify``
    replaces), without folding it again."""
    if not s.isalnum():  # \w is what str.isalnum() reads, and "_": an all-alnum text keeps all
        # the marks of prose dropped with str.replace first (_NON_WORD tests each character
        # of a line at some 280 instructions: a search for each mark costs a few); _NON_WORD
        # only when other characters it drops are left (it would drop the marks as well)
        for mark in _PROSE_PUNCTUATION:
            if mark in s:
                s = s.replace(mark, "")
        if not s.isalnum():
            s = _NON_WORD.sub("", s)
    for wrong, right in _TYPOS:
        s = s.replace(wrong, right)
    return s


_CIRCLED = {chr(0x2460 + i): f"{i + 1}." for i in range(20)}  # ① … ⑳
_CIRCLED_TABLE = str.maketrans(_CIRCLED)
_HAS_CIRCLED = re.compile("[\u2460-\u2473]")
_HEADING_MARKS = re.compile(r"^#+\s*")  # Markdown heading marks
_STARS = re.compile(r"^\*+|\*+$")


@lru_cache(maxsize=TEXT_CACHE)
def split_label(text: str) -> Label:
    """Split a label into numbering and core."""
    # str.translate looks up every character: only for a text with a circled number
    mapped = text.translate(_CIRCLED_TABLE) if _HAS_CIRCLED.search(text) else text
    # fold (NFKC through the cache a line's text shares with its reading as a value)
    s = _unify(nfkc(mapped or "")).strip()
    # the patterns tried only on a text holding their character: each costs a pass over a
    # long line, most of all _STARS, tried at every position
    if s.startswith("#"):
        s = _HEADING_MARKS.sub("", s)
    if "*" in s:
        s = _STARS.sub("", s)
    s = s.strip()
    m = _NUMBERING.match(s)
    numbering = number = None
    rest = s
    if m:
        for kind in ("top", "part", "paren", "arabic"):
            if m.group(kind):
                numbering, number = ("top" if kind == "part" else kind), cn_number(m.group(kind))
                break
        rest = s[m.end():]
    # rest: a piece of the folded text (marks, stars and white space cut at its ends)
    return Label(text, numbering, number, _core_of_folded(rest))


_NOTE = re.compile(r"[(（][^()（）]{2,}[)）]")


@lru_cache(maxsize=TEXT_CACHE)
def without_notes(text: str) -> str:
    """A label without the notes in brackets some reports add to it
    ('规章(设区的市、自治州人民政府应提供相关数据)' → '规章'); numbering such as （二） stays."""
    if "(" not in text and "（" not in text:  # every note _NOTE removes opens with one
        return text
    return _NOTE.sub("", text)


def near(a: str, b: str) -> bool:
    """True when two cores differ by at most one character (both at least 5 long)."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return True
    return False


@dataclass(frozen=True)
class RowLabel:
    """A data row of a table: where its cells go and how to recognise it."""

    table: str  # t2 / t3
    row: str  # row code
    cores: tuple[str, ...]
    number: int | None  # official numbering (e.g. 3 for （三）/ 3．), when the row has one
    group: str | None  # t3 group code (denied, unable, not_processed, other) or None
    versions: frozenset[str]


def _first_number(labels) -> int | None:
    return split_label(labels[0]).number


def _cores(labels) -> list[str]:
    return [split_label(x).core for x in labels]


_T3 = tpl.get(tpl.VERSIONS[-1])  # table 三's columns and table 四 are the same in both versions

# t3 group labels (row-spanning; no values of their own, except v2019's （六）其他处理):
# core → (group code, the group's official number)
T3_GROUPS: dict[str, tuple[str, int | None]] = {
    core: (g.code, _first_number(g.labels)) for g in tpl.t3_groups() for core in _cores(g.labels)}

# t3 column words that are also row labels (总计, 合计, 其他): a data row only with numbering
# or values beside them
WEAK_CORES: frozenset[str] = frozenset(
    core for c in _T3.t3_cols for core in _cores(c.labels)
    if any(core in _cores(r.labels) for v in tpl.VERSIONS for r in tpl.get(v).t3_rows))

# t3 column headers; a column word that is also a group label (其他) is not one on its own
T3_COL_CORES: dict[str, str] = {
    core: c.code for c in _T3.t3_cols for core in _cores(c.labels) if core not in T3_GROUPS}

# t4 blocks: 行政复议, and the two 行政诉讼 blocks by their own words or with 行政诉讼 before them
T4_BLOCK_CORES: dict[str, str] = {}
T4_GROUP_CORES: frozenset[str] = frozenset(
    core_of(part) for b in _T3.t4_blocks for lab in b.labels for part in lab.split("/")[:-1])
for _b in _T3.t4_blocks:
    for _lab in _b.labels:
        T4_BLOCK_CORES[core_of(_lab.split("/")[-1])] = _b.code
        T4_BLOCK_CORES[core_of(_lab)] = _b.code
T4_COL_CORES: dict[str, str] = {core: c.code for c in _T3.t4_cols for core in _cores(c.labels)}

# header words that are not column labels
T2_CAPTION = core_of(tpl.header_words("t2")["caption"])  # 第二十条 (第（一）项 …)
T2_CORNER = core_of(tpl.header_words("t2")["corner"])  # 信息内容
_T3_HEADER = {key: core_of(word) for key, word in tpl.header_words("t3").items()}
T3_APPLICANTS = _T3_HEADER["applicants"]  # 申请人情况
T3_ORGANISATIONS = _T3_HEADER["organisations"]  # 法人或其他组织
T3_IDENTITY_NOTE = _T3_HEADER["identity_note"]  # 勾稽 (the note's wording varies around it)
T3_NATURAL = next(core for core, code in T3_COL_CORES.items() if code == tpl.T3_COLS[0])
T3_TOTAL = next(core for core, code in T3_COL_CORES.items() if code == tpl.T3_COLS[-1])
T4_FIRST_COL = next(iter(T4_COL_CORES))  # 结果维持
T4_REVIEW = next(core for core, code in T4_BLOCK_CORES.items() if code == tpl.T4_BLOCKS[0])


def _version_markers(version: str) -> tuple[str, ...]:
    """Cores of table 二's column and row labels found in one version only."""
    def words(v: str) -> list[str]:
        t = tpl.get(v)
        return [core_of(x) for b in t.t2_blocks for part in (b.cols, b.rows) for item in part
                for x in item.labels]

    others = {w for v in tpl.VERSIONS if v != version for w in words(v)}
    return tuple(dict.fromkeys(w for w in words(version) if w not in others))


# table 二's words that tell the template version
V2019_MARKERS = _version_markers("v2019")
V2021_MARKERS = _version_markers("v2021")


@lru_cache(maxsize=1)
def row_labels() -> tuple[RowLabel, ...]:
    """Every data row label of both versions (t2 and t3)."""
    rows: dict[tuple[str, str], dict] = {}
    for version in tpl.VERSIONS:
        t = tpl.get(version)
        for block in t.t2_blocks:
            for r in block.rows:
                entry = rows.setdefault(("t2", r.code), {"cores": [], "versions": set(),
                                                         "number": None, "group": None})
                entry["cores"].extend(core_of(x) for x in r.labels)
                entry["versions"].add(version)
        for r in t.t3_rows:
            entry = rows.setdefault(("t3", r.code), {"cores": [], "versions": set(),
                                                     "number": None, "group": None})
            entry["cores"].extend(_cores(r.labels))
            entry["number"] = _first_number(r.labels)
            entry["versions"].add(version)
            if "." in r.code:
                entry["group"] = r.code.split(".", 1)[0]
    out = []
    for (table, code), e in rows.items():
        cores = tuple(dict.fromkeys(e["cores"]))
        out.append(RowLabel(table, code, cores, e["number"], e["group"], frozenset(e["versions"])))
    return tuple(out)


@lru_cache(maxsize=1)
def section_labels() -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    """(code, ordinal, cores) for the six sections."""
    out = []
    for i, s in enumerate(tpl.get("v2019").sections, start=1):
        out.append((s.code, i, tuple(core_of(x) for x in s.labels)))
    return tuple(out)
