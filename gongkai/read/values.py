"""Reading one cell's text as a value: a number, a blank, or unreadable text.

Blank is not zero: '', '/', '-', '—', '无', '不适用' and '&nbsp;' read as blank (None).
Signs (+19, -417), full-width digits, thousands separators, stray spaces between digits,
money units (213.58 万元; 251000元 → 25.1 万元 when the cell is in 万元) and notes in a cell
(12（其中修订3件）→ 12, note kept) are handled.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from gongkai.read.limits import TEXT_CACHE

BLANK_MARKERS = frozenset({
    "", "/", "／", "\\", "-", "--", "—", "——", "–", "－", "―", "─", "_", "无", "空", "不适用",
    "n/a", "N/A", "NA", "null", "&nbsp;", "暂无", "/ ", "——/",
    # the placeholder Word shows in an empty content control: nothing was entered
    "单击或点击此处输入文字。", "单击或点击此处输入文字", "单击此处输入文字。", "单击此处输入文字",
    "点击或轻触此处以输入文字。", "点击或轻触此处以输入文字", "Click or tap here to enter text.",
})

_UNITS = r"万元|元|件|个|项|条|宗|次|人|家"
_NUMBER = re.compile(
    r"^(?P<sign>[+\-])?\s*(?P<num>\d+(?:[,，]\d{3})*(?:\.\d+)?|\.\d+)\s*"
    rf"(?P<unit>{_UNITS})?\s*(?P<note>[(（\[【].*[)）\]】])?\s*(?P<unit2>{_UNITS})?$"
)
_SPACED_DIGITS = re.compile(r"(?<=\d)[ \u3000\u00a0]+(?=\d)")
_BLANK_RUN = re.compile(r"[\s/\\\-—–_－]*")
_MORE = re.compile(r"^(?:增加?|新增)\s*(?=\d)")
_LESS = re.compile(r"^(?:减少?)\s*(?=\d)")


@dataclass(frozen=True, slots=True)
class Value:
    """A cell read as data. ``status`` is value, blank or unreadable."""

    number: float | int | None
    status: str
    raw: str
    unit: str | None = None
    note: str | None = None

    @property
    def is_number(self) -> bool:
        """True when a number was read."""
        return self.status == "value"


# texts up to this long are kept normalised (real reports' lines have at most 1,419
# characters): the cache's memory stays bounded by what the entries may hold
NFKC_CACHED_CHARS = 2000


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, cached for a text of at most
    ``NFKC_CACHED_CHARS``: a line's text is normalised as a cell value (``clean``), as a label
    (``labels.split_label``) and as the last token of a line
    (``pagetext.split_trailing_numbers``), and a line of prose with full-width punctuation
    costs a full normalisation each time."""
    if len(text) > NFKC_CACHED_CHARS:
        return normalize_nfkc(text)
    return _nfkc(text)


@lru_cache(maxsize=TEXT_CACHE)
def _nfkc(text: str) -> str:
    return normalize_nfkc(text)


# runs of characters other than ASCII, the CJK ideographs and the Chinese punctuation NFKC
# leaves as they are: every character NFKC replaces stands in such a run
_MAY_CHANGE = re.compile(
    r"[^\x00-\x7f\u4e00-\u9fff\u3001\u3002\u3008-\u3011\u2014\u2018\u2019\u201c\u201d]+")


# the full-width marks of Chinese prose, most common first, with their NFKC forms
_PROSE_MARKS = tuple((ch, unicodedata.normalize("NFKC", ch)) for ch in "，（）；：．")


def _normalize_run(m: re.Match) -> str:
    return unicodedata.normalize("NFKC", m.group())


def normalize_nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, the same text, about six times faster on a
    line of Chinese prose (CPython's NFKC costs some 0.4 µs a character there, and the prose
    lines of a report are read once each: no cache helps).

    Only the runs of characters that normalisation may change are normalised, each on its
    own; the rest is kept.  Any piece of a text has the same compatibility decomposition as
    its NFKC form, so the text put together this way decomposes exactly as the text does:
    when it is in NFKC already (``unicodedata.is_normalized``, a quick check), it is the
    text's NFKC form.  When it is not (a combining mark after a kept letter, say), the whole
    text is normalised as before.

    The full-width punctuation of Chinese prose (，（）；：．) is replaced first, each by its
    NFKC form, with ``str.replace``: pieces replaced by their NFKC forms, as the runs are (and
    checked the same way), without a call back from the pattern for each mark."""
    out = text
    for wide, narrow in _PROSE_MARKS:
        if wide in out:
            out = out.replace(wide, narrow)
    out = _MAY_CHANGE.sub(_normalize_run, out)
    if unicodedata.is_normalized("NFKC", out):
        return out
    return unicodedata.normalize("NFKC", text)


def clean(text: str) -> str:
    """NFKC-normalise (full-width digits and punctuation) and trim a cell's text."""
    return _trim(nfkc(text or ""))


def _trim(s: str) -> str:
    s = s.replace("\u00a0", " ").replace("&nbsp;", " ").replace("\u200b", "")
    return s.strip()


def is_blank_marker(text: str) -> bool:
    """True when the text means "nothing written" (blank, '/', '-', '—', '无', …)."""
    # ``clean``, normalising without the cache: ``parse_value`` asks this of text it has
    # cleaned already, which is not worth a place in the cache
    s = _trim(unicodedata.normalize("NFKC", text or ""))
    return s in BLANK_MARKERS or bool(_BLANK_RUN.fullmatch(s))


def _to_number(num: str, sign: str | None) -> float | int:
    digits = num.replace(",", "").replace("，", "")
    value: float | int = float(digits) if "." in digits else int(digits)
    if sign == "-":
        value = -value
    return value


@lru_cache(maxsize=TEXT_CACHE)
def parse_value(text: str) -> Value:
    """Read one cell's text. Never raises; text that is not a number is ``unreadable``.
    (Cached: a report repeats its values, '0' most of all; a Value is immutable.)"""
    raw = text if text is not None else ""
    folded = nfkc(raw)
    s = _trim(folded)  # (clean)
    # is_blank_marker(s), without normalising s again: s is the NFKC form trimmed, which
    # NFKC and _trim leave as it is, unless a zero-width space was dropped from it (a mark
    # may then compose with the letter before it, or an "&nbsp;" be formed)
    if s in BLANK_MARKERS or bool(_BLANK_RUN.fullmatch(s)) if "\u200b" not in folded \
            else is_blank_marker(s):
        return Value(None, "blank", raw)
    if " " in s or "\u3000" in s or "\u00a0" in s:  # _SPACED_DIGITS removes only these
        s = _SPACED_DIGITS.sub("", s)
    # 本年增/减 written in words: 增3 / 增加3 → +3, 减1 / 减少1 → −1
    # (each pattern tried only on a text starting with its first character)
    if s.startswith(("增", "新")):
        s = _MORE.sub("+", s)
    if s.startswith("减"):
        s = _LESS.sub("-", s)
    m = _NUMBER.match(s)
    if not m:
        return Value(None, "unreadable", raw)
    number = _to_number(m.group("num"), m.group("sign"))
    note = m.group("note")
    if note:
        note = note[1:-1].strip() or None
    unit = m.group("unit") or m.group("unit2")
    return Value(number, "value", raw, unit, note)


def looks_numeric(text: str) -> bool:
    """True when the text reads as a number (with sign, separators, unit or note)."""
    return parse_value(text).status == "value"


def to_wan_yuan(value: Value) -> float | int | None:
    """The value in 万元: a number written in 元 is divided by 10,000."""
    if value.number is None:
        return None
    if value.unit == "元":
        return round(value.number / 10000, 6)
    return value.number
