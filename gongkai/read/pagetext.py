"""What every reader does to the text of a page: one cell's text on one line, page footers,
and a line of a label followed by its numbers.

Page text (portal pages, PDF-to-text) and the PDF reader share the footer and the
label-then-numbers rules; every format shares ``one_line``.
"""

from __future__ import annotations

import re

from gongkai.read.values import clean

_FOOTER = re.compile(
    r"^\s*(?:[—\-–－―─~]+\s*\d{1,3}\s*[—\-–－―─~]+|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3})\s*$"
)
_NUM_TOKEN = re.compile(r"^[+\-]?\d[\d,，]*(?:\.\d+)?(?:万元|元)?$|^[/—\-－–]$")
_UNIT_TOKEN = re.compile(r"^(?:万元|元)$")
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
_PROSE_END = re.compile(r"[年月日第]$")


def one_line(text: str | None) -> str:
    """A piece of text on one line: every run of whitespace (line breaks, tabs, no-break and
    ideographic spaces) becomes one space, and the ends are trimmed.

    ``str.split()`` cuts at the very characters ``\\s`` matches in a str pattern (both are
    ``str.isspace``: no-break and ideographic spaces too), so this is
    ``re.sub(r"\\s+", " ", text).strip()`` at a third of the cost."""
    return " ".join(text.split()) if text else ""


def is_page_footer(text: str) -> bool:
    """True for a page number line (``— 4 —``, ``- 4 -``, ``第 4 页 共 9 页``, ``4/9``)."""
    return bool(_FOOTER.match(text))


def split_trailing_numbers(text: str) -> list[str] | None:
    """Split 'label 0 0 12' (a PDF-text row) into ['label', '0', '0', '12'].

    Returns None when the text does not end in whitespace-separated numbers, or when it
    is a single number (one cell per line).
    """
    parts = text.split()
    if len(parts) < 2:
        return None
    values: list[str] = []
    i = len(parts)
    while i > 0:
        tok = clean(parts[i - 1])
        if _UNIT_TOKEN.match(tok) and i > 1 and _NUM_TOKEN.match(clean(parts[i - 2])):
            values.insert(0, parts[i - 2] + tok)
            i -= 2
            continue
        if _NUM_TOKEN.match(tok):
            values.insert(0, parts[i - 1])
            i -= 1
            continue
        break
    label = " ".join(parts[:i]).strip()
    has_digits = any(any(ch.isdigit() for ch in v) for v in values)
    # a row of blank markers ('— — —' or 'label / / /') is a row too: blank, not 0
    if not values or not has_digits and len(values) < (2 if label else 3):
        return None
    if label and not _HAS_CJK.search(label):
        return None
    if label:
        # a label ending in a numbering mark ('第 1') or a date is prose, not a row
        if _PROSE_END.search(label):
            return None
        return [label, *values]
    return values if len(values) >= 2 else None


__all__ = ["one_line", "is_page_footer", "split_trailing_numbers"]
