"""Property-based tests for value reading and label normalisation."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.read import labels as lab
from gongkai.read.values import BLANK_MARKERS, parse_value, to_wan_yuan

FULLWIDTH = str.maketrans("0123456789+-,.", "０１２３４５６７８９＋－，．")


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_integers_read_back(n):
    """Any integer, plain, with thousands separators or full-width, reads back exactly."""
    assert parse_value(str(n)).number == n
    assert parse_value(f"{n:,}").number == n
    assert parse_value(f"{n:,}".translate(FULLWIDTH)).number == n
    assert parse_value(f"  {n} ").number == n


@given(st.integers(min_value=0, max_value=10**7))
def test_signs_and_notes(n):
    """'+N' is N, '-N' is −N, and a note in brackets is kept apart from the number."""
    assert parse_value(f"+{n}").number == n
    assert parse_value(f"-{n}").number == -n
    v = parse_value(f"{n}（其中修订{n % 7}件）")
    assert v.number == n and v.note == f"其中修订{n % 7}件"


@given(st.integers(min_value=0, max_value=10**9))
def test_yuan_become_wan_yuan(n):
    """A money value written in 元 is converted to 万元; 万元 and bare numbers stay."""
    assert abs(to_wan_yuan(parse_value(f"{n}元")) - n / 10000) < 1e-6
    assert to_wan_yuan(parse_value(f"{n}万元")) == n
    assert to_wan_yuan(parse_value(f"{n} 万元")) == n


@given(st.sampled_from(sorted(BLANK_MARKERS)), st.text(" \u3000\u00a0", max_size=3))
def test_blank_is_not_zero(marker, pad):
    """Every blank marker, padded with any spaces, is blank (None), never 0."""
    v = parse_value(pad + marker + pad)
    assert v.number is None and v.status == "blank"


@given(st.text(alphabet=st.characters(whitelist_categories=("Lo",)), min_size=1, max_size=8))
def test_words_are_unreadable_not_numbers(word):
    """Text that is not a number is 'unreadable' (or blank for 无/空), never a number."""
    v = parse_value(word)
    assert v.number is None
    assert v.status in ("unreadable", "blank")


@given(st.text(max_size=40))
def test_parse_value_never_raises(text):
    """Any text at all is read without an exception."""
    parse_value(text)


LABELS = [r.labels[0] for r in __import__("gongkai.template", fromlist=["get"]).get("v2021").t3_rows]


@settings(max_examples=200)
@given(st.sampled_from(LABELS), st.sampled_from(["", " ", "\u3000"]),
       st.booleans(), st.booleans())
def test_label_core_ignores_width_spaces_and_numbering_style(label, space, halfwidth, respace):
    """Full/half width, inserted spaces and numbering style do not change a label's core."""
    core = lab.split_label(label).core
    variant = unicodedata.normalize("NFKC", label) if halfwidth else label
    variant = variant.replace("．", ".").replace("、", "、" if respace else ".")
    if respace:
        variant = space.join(variant)
    assert lab.split_label(variant).core == core


@given(st.integers(min_value=1, max_value=20))
def test_chinese_numerals(n):
    """一 … 二十 read as numbers."""
    digits = "一二三四五六七八九"
    text = digits[n - 1] if n < 10 else ("十" if n == 10 else
                                        ("十" + digits[n - 11] if n < 20 else "二十"))
    assert lab.cn_number(text) == n
