"""How figures are written in every output (HTML, DOCX, XLSX, Markdown) — one place.

A missing figure is ``—`` (never 0): blank is not zero.
"""

from __future__ import annotations

import re

DASH = "—"
# characters XML 1.0 cannot hold (python-docx and openpyxl refuse them)
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def num(value, digits: int = 1) -> str:
    """A count or score: whole numbers without decimals, others with ``digits`` decimals."""
    if value is None:
        return DASH
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return f"{value:.{digits}f}"


def signed(value, digits: int = 1) -> str:
    """A change with its sign (+3, −2, 0); ``—`` when unknown."""
    if value is None:
        return DASH
    text = num(abs(value), digits)
    if float(value) > 0:
        return "+" + text
    if float(value) < 0:
        return "−" + text
    return "0"


def pct(value, digits: int = 1) -> str:
    """A share as a percentage (0.457 → 45.7%); ``—`` when unknown."""
    if value is None:
        return DASH
    return f"{float(value) * 100:.{digits}f}%"


def signed_pct(value, digits: int = 1) -> str:
    """A relative change as a signed percentage (+12.5%); ``—`` when unknown."""
    if value is None:
        return DASH
    text = pct(abs(value), digits)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def rate(status: str | None, numerator, denominator, value) -> str:
    """A rate as the method says to show it: the rate, the counts below the minimum sample,
    不适用 for a zero denominator, 数据空白 when an operand is blank."""
    if status == "rate":
        return pct(value)
    if status == "small":
        return f"{num(numerator)}/{num(denominator)}件"
    if status == "zero":
        return "不适用"
    return "数据空白"


def rank_range(low, high) -> str:
    """A rank range (3–7), or the rank alone when it does not move."""
    if low is None or high is None:
        return DASH
    return str(low) if low == high else f"{low}–{high}"


def rank_change(value) -> str:
    """Places moved since last year: ↑3 (up), ↓2 (down), 持平; ``—`` without last year."""
    if value is None:
        return DASH
    if value > 0:
        return f"↑{value}"
    if value < 0:
        return f"↓{-value}"
    return "持平"


def rank(value, size=None) -> str:
    """A rank, with the group size when given (3/28)."""
    if value is None:
        return DASH
    return f"{value}/{size}" if size else str(value)


def value_text(text: str | None) -> str:
    """A value a rule used, as a clerk writes it: 12 not 12.0, 空 for a blank."""
    if text is None:
        return "空"
    try:
        return num(float(text), 4)
    except ValueError:
        return text


def xml_text(value) -> str:
    """Text safe for the XML of DOCX and XLSX files (illegal control characters removed)."""
    if value is None:
        return ""
    return _XML_ILLEGAL.sub("", str(value))


def md(value) -> str:
    """Text for a Markdown table cell: HTML and Markdown specials escaped, one line."""
    text = xml_text(value).replace("\r", " ").replace("\n", " ")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\|`*_\[\]#])", r"\\\1", text)


FILTERS = {
    "num": num,
    "signed": signed,
    "pct": pct,
    "signed_pct": signed_pct,
    "rate": rate,
    "rank_range": rank_range,
    "rank_change": rank_change,
    "rank": rank,
    "md": md,
}
