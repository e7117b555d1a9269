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

_CN_NUM = "一二三四五六七八九十"
_NUMBERING = re.compile(
    r"^\s*(?:"
    rf"(?P<top>[{_CN_NUM}]+)\s*[、.,，:：\s]|第(?P<part>[{_CN_NUM}]+)部分\s*[、.,，:：]?"
    rf"|[(（]\s*(?P<paren>[{_CN_NUM}]+|\d+)\s*[)）]\s*[、.,，]?"
    r"|(?P<arabic>\d{1,2})\s*(?:[、.,，:：)）]|\s)(?!\d)"
    r")"
)
_NON_WORD = re.compile(r"[^\w]|_", re.UNICODE)

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


@dataclass(frozen=True)
class Label:
    """A label split into its numbering and its core text."""

    text: str
    numbering: str | None  # 'top' (一、), 'paren' (（一）), 'arabic' (1.) or None
    number: int | None
    core: str


def fold(text: str) -> str:
    """NFKC-fold a text and unify quotes and dashes (no other change)."""
    s = unicodedata.normalize("NFKC", text or "")
    return s.replace("“", '"').replace("”", '"').replace("\u00a0", " ")


@lru_cache(maxsize=65536)
def core_of(text: str) -> str:
    """The core of a label: no spaces, no punctuation, known typos mended."""
    s = _NON_WORD.sub("", fold(text))
    for wrong, right in _TYPOS:
        s = s.replace(wrong, right)
    return s


_CIRCLED = {chr(0x2460 + i): f"{i + 1}." for i in range(20)}  # ① … ⑳


@lru_cache(maxsize=65536)
def split_label(text: str) -> Label:
    """Split a label into numbering and core."""
    s = fold("".join(_CIRCLED.get(ch, ch) for ch in text)).strip()
    s = re.sub(r"^#+\s*", "", s)  # Markdown heading marks
    s = re.sub(r"^\*+|\*+$", "", s).strip()
    m = _NUMBERING.match(s)
    numbering = number = None
    rest = s
    if m:
        for kind in ("top", "part", "paren", "arabic"):
            if m.group(kind):
                numbering, number = ("top" if kind == "part" else kind), cn_number(m.group(kind))
                break
        rest = s[m.end():]
    return Label(text, numbering, number, core_of(rest))


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


# t3 group labels (row-spanning, no values of their own in v2021 for 其他处理)
T3_GROUPS = {
    "本年度办理结果": ("results", 3),
    "不予公开": ("denied", 3),
    "无法提供": ("unable", 4),
    "不予处理": ("not_processed", 5),
    "其他处理": ("other", 6),
    "其他": ("other", 6),
}

T3_COL_CORES = {
    "合计": "total",
    "自然人": "natural",
    "商业企业": "commercial",
    "科研机构": "research",
    "社会公益组织": "social",
    "社会公益": "social",
    "法律服务机构": "legal",
    "总计": "total",
}

T4_BLOCK_CORES = {
    "行政复议": "review",
    "未经复议直接起诉": "suit_direct",
    "行政诉讼未经复议直接起诉": "suit_direct",
    "复议后起诉": "suit_after_review",
    "行政诉讼复议后起诉": "suit_after_review",
}
T4_COL_CORES = {"结果维持": "upheld", "结果纠正": "corrected", "其他结果": "other",
                "尚未审结": "pending", "总计": "total", "合计": "total"}

# wording seen in real reports beside the template's own labels (row → extra cores)
EXTRA_ROW_CORES = {
    ("t3", "total"): ("合计",),
    ("t3", "other"): ("其他",),  # v2019 （六）其他处理 printed as （六）其他
    ("t3", "other.other"): ("其他处理",),  # v2021 （六）3．其他 in the old wording
    ("t3", "carried_out"): ("结转下年度继续办理的申请数量", "结转下年度"),
    ("t2", "fee"): ("行政事业性收费项目",),
}

# column headers that tell the template version of table 二
V2019_MARKERS = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增减",
                 "其他对外管理服务事项", "政府集中采购", "采购项目数量", "采购总金额")
V2021_MARKERS = ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量",
                 "本年收费金额单位万元", "本年收费金额")


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
            for lab in r.labels:
                parsed = split_label(lab)
                entry["cores"].append(parsed.core)
                entry["number"] = parsed.number
            entry["versions"].add(version)
            if "." in r.code:
                entry["group"] = r.code.split(".", 1)[0]
    out = []
    for (table, code), e in rows.items():
        cores = tuple(dict.fromkeys([*e["cores"], *EXTRA_ROW_CORES.get((table, code), ())]))
        out.append(RowLabel(table, code, cores, e["number"], e["group"], frozenset(e["versions"])))
    return tuple(out)


@lru_cache(maxsize=1)
def section_labels() -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    """(code, ordinal, cores) for the six sections."""
    out = []
    for i, s in enumerate(tpl.get("v2019").sections, start=1):
        out.append((s.code, i, tuple(core_of(x) for x in s.labels)))
    return tuple(out)
