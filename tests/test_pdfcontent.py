"""gongkai.read.pdfcontent reads content streams into the very objects pdfminer's parser gives.

Every page of the PDFs at hand is read both ways; generated streams mix the plain grammar with
every quirk pdfminer reads its own way, and the fast reading must either give pdfminer's
objects or step aside (None).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pdfplumber
from hypothesis import given, settings
from hypothesis import strategies as st
from office_reports import generated
from pdfminer import pdfinterp
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import KWD, LIT, PSEOF

from gongkai.read import parse_bytes, pdf
from gongkai.read.pdfcontent import ContentParser, read_objects, reading

ROOT = Path(__file__).resolve().parents[1]


def pdfminer_objects(streams: list) -> list:
    """What pdfminer's own content parser gives, object by object."""
    try:
        parser = pdfinterp.PDFContentParser(streams)
    except PSEOF:
        return []
    out = []
    while True:
        try:
            out.append(parser.nextobject()[1])
        except PSEOF:
            return out


def both(*datas: bytes):
    """(pdfminer's objects, the fast reading's or None) for streams of these bytes."""
    streams = [PDFStream({}, d) for d in datas]
    fast = read_objects(list(datas))
    try:
        ref = pdfminer_objects(streams)
    except Exception as exc:  # noqa: BLE001 - pdfminer fails on the stream: so may the page
        ref = f"pdfminer fails: {type(exc).__name__}"
    return ref, (None if fast is None else list(fast))


def test_every_page_at_hand_reads_the_same(tmp_path):
    paths = [p for p, _ in generated(tmp_path, "pdf")]
    paths += sorted((ROOT / "tests" / "adversarial").glob("*.pdf"))
    paths += sorted((ROOT / "data" / "raw").glob("*/*.pdf"))
    pages = read = 0
    for path in paths:
        with pdfplumber.open(path) as plumber:
            for page in plumber.pages:
                streams = page.page_obj.contents
                datas = [resolve1(s).get_data() for s in streams]
                fast = read_objects(datas)
                pages += 1
                if fast is not None:
                    read += 1
                    assert list(fast) == pdfminer_objects(streams), (path.name, page)
    assert pages >= 20 and read == pages  # plain streams: every page read the fast way


def test_plain_grammar():
    data = (b"q 0.75 0 0 -0.75 0 792 cm BT /F1 9 Tf 1 0 0 1 56.7 -.5 Tm [(\\261\\052)-120 "
            b"<4e2d 6587>] TJ T* (a\\(b\\)c\\\\) Tj ET /Span <</MCID 3 /Alt (x)>> BDC "
            b"EMC 5. +3 true false [] <<>> ' \" Q")
    ref, fast = both(data)
    assert fast == ref
    assert fast[:4] == [KWD(b"q"), 0.75, 0, 0]
    assert LIT("F1") in fast


def test_pdfminers_own_escapes_are_kept():
    """pdfminer drops a character after an unknown escape (the PDF reference keeps it), an
    escaped end of line, and reads up to three octal digits."""
    ref, fast = both(b"(a\\qb\\\nc\\\r\nd\\1234) Tj")
    assert fast == ref == [b"abcdS4", KWD(b"Tj")]


def test_quirks_step_aside():
    cases = [b"BI /W 1 /H 1 ID \x00 EI", b"% a comment\nBT", b"/F#31 9 Tf", b"(a(b)c) Tj",
             b"(\\777) Tj", b"<ABC> Tj", b"[1 2", b"1 2]", b"<</A>>", b"<<1 2>>", b"{ }",
             b"- 5", b"BT\x00ET", b"(open", b"<AB", b"\x80", b"<AB>> 1", b"* 2"]
    for data in cases:
        ref, fast = both(data)
        assert fast is None, data


_PIECES = st.sampled_from([
    b" ", b"\n", b"\r\n", b"\t", b"0", b"12", b"-3", b"+4", b".5", b"-.25", b"6.", b"1.2.3",
    b"-", b"+", b".", b"BT", b"ET", b"Tj", b"TJ", b"T*", b"'", b"\"", b"true", b"false",
    b"/F1", b"/", b"/A#20B", b"(", b")", b"(x)", b"(\\()", b"(\\))", b"(\\\\)", b"(\\101)",
    b"(\\1)", b"(\\q)", b"(\\\n)", b"(\\\r\n)", b"<", b">", b"<<", b">>", b"<41>", b"<4>",
    b"<4 1>", b"<>", b"[", b"]", b"{", b"}", b"%c\n", b"\x00", b"\xff", b"BI", b"ID", b"EI",
    b"*", b"!", b"1e5", b"Tf9", b"\x0b", b"\x0c"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=25).map(b"".join), min_size=1, max_size=3))
def test_generated_streams_read_the_same_or_step_aside(datas):
    ref, fast = both(*datas)
    assert fast is None or fast == ref


def test_a_page_read_inside_reading_uses_the_fast_parser(monkeypatch):
    used = []
    real = ContentParser.__init__

    def spy(self, streams):
        real(self, streams)
        used.append(self._objects is not None)

    monkeypatch.setattr(ContentParser, "__init__", spy)
    data = sorted((ROOT / "data" / "raw").glob("*/*.pdf"))[0].read_bytes()
    before = pdf.FAST
    pdf.FAST = False  # pdfminer interprets every page
    try:
        fast = repr(parse_bytes(data, "x.pdf"))
    finally:
        pdf.FAST = before
    assert used and all(used)
    assert pdfinterp.PDFContentParser is not ContentParser  # put back after the reading
    with reading():
        assert pdfinterp.PDFContentParser is ContentParser
    import gongkai.read.pdfcontent as content

    monkeypatch.setattr(content, "reading", contextlib.nullcontext)  # pdfminer's own parser
    monkeypatch.setattr(pdf, "FAST", False)
    assert fast == repr(parse_bytes(data, "x.pdf"))


_PLAIN = st.sampled_from([
    b"0", b"12", b"-3", b"+4", b".5", b"-.25", b"6.", b"1.2.3", b"BT", b"ET", b"Tj", b"T*",
    b"'", b"\"", b"true", b"false", b"/F1", b"/", b"(x)", b"(\\()", b"(\\\\)", b"(\\101)",
    b"(\\1)", b"(\\12x)", b"(\\q)", b"(\\\n)", b"(\\\r\n)", b"(\\r\\n\\t\\b\\f)", b"<41>",
    b"<4 1>", b"<>", b"[", b"]", b"<<", b">>", b"1e5", b"Tf9", b"(\xe4\xb8\xad)"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PLAIN, max_size=30), st.sampled_from([b" ", b"\n", b"\r\n", b"\t "]))
def test_plain_streams_read_the_same(pieces, space):
    ref, fast = both(space.join(pieces))
    assert fast is None or fast == ref
    if pieces.count(b"[") == pieces.count(b"]") == 0 and b"<<" not in pieces \
            and b">>" not in pieces:
        assert fast is not None  # no bracket to mismatch: the fast reading takes it
