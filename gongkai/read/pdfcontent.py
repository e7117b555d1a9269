"""A faster reading of PDF content streams for pdfminer, object for object the same.

pdfminer reads a page's content stream a byte at a time through a Python state machine
(``PSBaseParser``): a third to a half of a PDF page's careful reading. ``ContentParser``
reads a stream with one regular expression instead and gives pdfminer's interpreter the very
objects ``PDFContentParser.nextobject`` would — numbers, strings, names, keywords, arrays and
dictionaries, in order — for streams written in the plain grammar every PDF writer uses.

A stream with anything whose reading by pdfminer depends on its quirks is read by pdfminer's
own parser: an inline image (``BI``/``ID``), a comment, a name with ``#`` escapes, a
procedure (``{``), a NUL byte or a byte above 127 outside a string, a lone sign or dot, an
unbalanced ``)`` or ``>``, an octal escape above 255, a hex string of an odd number of
digits, an array or dictionary left open or closed without being opened, a dictionary of an
odd number of items or with a key that is not a name, a string or hex string left open at
the end of a stream, a stream that ends in a bare ``/`` (pdfminer reads the name on into
the next stream). ``tests/test_pdfcontent.py`` compares both readings on every page of
the PDFs at hand and on generated streams of every such case.

``reading()`` puts the parser in place of pdfminer's for the pages read inside it (the
interpreter looks the class up in its module when it starts a page).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import deque
from collections.abc import Iterator

from pdfminer import pdfinterp
from pdfminer.pdftypes import stream_value
from pdfminer.psparser import KWD, LIT, PSEOF, PSLiteral

_ESCAPES = {b"b": b"\x08", b"t": b"\t", b"n": b"\n", b"f": b"\x0c", b"r": b"\r",
            b"(": b"(", b")": b")", b"\\": b"\\"}
# one token of the plain grammar; ``bad`` is anything else (the stream goes to pdfminer)
_TOKEN = re.compile(rb"""
    (?P<space>[ \t\n\r\f\v]+)
  | (?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))
  | (?P<name>/[^#/%\[\]()<>{}\s\x00\x80-\xff]*)(?![#\x00\x80-\xff])
  | (?P<keyword>[A-Za-z][^#/%\[\]()<>{}\s\x00\x80-\xff]*)(?![#\x00\x80-\xff])
  | (?P<string>\((?:[^()\\]|\\.|\\\n)*?\))
  | (?P<hex><[0-9a-fA-F \t\n\r\f\v]*>)
  | (?P<open><<|\[)
  | (?P<close>>>|\])
  | (?P<quote>['"])
  | (?P<bad>.)
""", re.VERBOSE | re.DOTALL)
_STRING_PARTS = re.compile(rb"\\([0-7]{1,3}|\r\n|.)|[^\\]+", re.DOTALL)
_HEX_SPACE = re.compile(rb"[ \t\n\r\f\v]+")
_ARRAY_BEGIN, _ARRAY_END = KWD(b"["), KWD(b"]")
_DICT_BEGIN, _DICT_END = KWD(b"<<"), KWD(b">>")
_INLINE = {KWD(b"BI"), KWD(b"ID"), KWD(b"EI")}


class _Fallback(Exception):
    """The stream holds something read only by pdfminer's own parser."""


def _string(body: bytes) -> bytes:
    """A literal string's bytes, escapes read as pdfminer reads them."""
    if b"\\" not in body:
        return body
    out = []
    for m in _STRING_PARTS.finditer(body):
        escape = m.group(1)
        if escape is None:
            out.append(m.group(0))
        elif escape[:1] in b"01234567":  # one to three octal digits
            code = int(escape, 8)
            if code > 255:
                raise _Fallback
            out.append(bytes((code,)))
        elif escape in _ESCAPES:
            out.append(_ESCAPES[escape])
        # pdfminer drops any other escaped character, and a backslash before an end of line
    return b"".join(out)


def _tokens(data: bytes) -> Iterator[object]:
    """The tokens of one stream, as pdfminer's ``PSBaseParser`` makes them."""
    for m in _TOKEN.finditer(data):
        kind = m.lastgroup
        if kind == "space":
            continue
        text = m.group(0)
        if kind == "number":
            if b"." in text:
                yield float(text)
            else:
                yield int(text)
        elif kind == "keyword":
            if text == b"true":
                yield True
            elif text == b"false":
                yield False
            else:
                yield KWD(text)
        elif kind == "name":
            try:
                yield LIT(str(text[1:], "utf-8"))
            except UnicodeDecodeError:
                yield LIT(text[1:])
        elif kind == "string":
            yield _string(text[1:-1])  # nested parentheses do not match: pdfminer's way
        elif kind == "hex":
            digits = _HEX_SPACE.sub(b"", text[1:-1])
            if len(digits) % 2:
                raise _Fallback
            yield bytes.fromhex(digits.decode("ascii"))
        elif kind == "open":
            yield _DICT_BEGIN if text == b"<<" else _ARRAY_BEGIN
        elif kind == "close":
            yield _DICT_END if text == b">>" else _ARRAY_END
        elif kind == "quote":
            yield KWD(text)
        else:
            raise _Fallback


def read_objects(datas: list[bytes]) -> deque | None:
    """The objects ``PDFContentParser.nextobject`` gives for these decoded streams, in order,
    or None when a stream holds anything read only by pdfminer's own parser."""
    results: deque = deque()
    stack: list[tuple[str, list]] = []  # open arrays and dictionaries
    try:
        for n, data in enumerate(datas, start=1):
            if n < len(datas) and data.endswith(b"/"):
                return None  # pdfminer carries an empty name on into the next stream
            for token in _tokens(data):
                if token is _ARRAY_BEGIN:
                    stack.append(("a", []))
                elif token is _DICT_BEGIN:
                    stack.append(("d", []))
                elif token is _ARRAY_END or token is _DICT_END:
                    if not stack or stack[-1][0] != ("a" if token is _ARRAY_END else "d"):
                        return None
                    kind, items = stack.pop()
                    if kind == "d":
                        if len(items) % 2 or not all(
                                isinstance(k, PSLiteral) for k in items[::2]):
                            return None
                        obj: object = {k.name: v for k, v in zip(items[::2], items[1::2],
                                                                  strict=True)}
                    else:
                        obj = items
                    (stack[-1][1] if stack else results).append(obj)
                elif token in _INLINE:
                    return None
                else:
                    (stack[-1][1] if stack else results).append(token)
    except _Fallback:
        return None
    return None if stack else results


class ContentParser(pdfinterp.PDFContentParser):
    """pdfminer's ``PDFContentParser``, reading plain streams with ``read_objects``."""

    def __init__(self, streams) -> None:
        self._objects: deque | None = None
        if streams:
            try:
                datas = [stream_value(s).get_data() for s in streams]
            except Exception:  # noqa: BLE001 - pdfminer's parser meets the error as before
                datas = None
            if datas is not None:
                self._objects = read_objects(datas)
        if self._objects is None:
            super().__init__(streams)

    def nextobject(self):
        objects = self._objects
        if objects is None:
            return super().nextobject()
        if not objects:
            raise PSEOF("end of the content")
        return 0, objects.popleft()


_ORIGINAL = pdfinterp.PDFContentParser
_GUARD = threading.Lock()
_READERS = 0  # readings under way in this process (threads may read at once)


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """Pages interpreted inside read their content streams with ``ContentParser``; pdfminer's
    own parser is put back when the last reading under way ends."""
    global _READERS
    with _GUARD:
        _READERS += 1
        pdfinterp.PDFContentParser = ContentParser
    try:
        yield
    finally:
        with _GUARD:
            _READERS -= 1
            if not _READERS:
                pdfinterp.PDFContentParser = _ORIGINAL
