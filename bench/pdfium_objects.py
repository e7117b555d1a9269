"""Measurement: a PDF page's characters and rules read by PDFium instead of pdfminer.

usage: .venv/bin/python bench/pdfium_objects.py FILE.pdf [FILE.pdf …]

A tried way to read PDFs faster, kept as a measurement (bench/README.md, "Word, Excel and
PDF, per format"). pdfplumber reads a page by interpreting its content stream in Python
(pdfminer), most of a PDF report's reading time; PDFium (``pypdfium2``) reads it in C. For a
page made of plain things — horizontal text whose every character has a Unicode value and a
width in its font, straight rules and rectangles, no form objects, no rotation — the code
below builds the objects pdfplumber would have built (``char``, ``line``, ``rect``,
``image``, with the keys its table and line finding read), computed as pdfminer computes
them: a character spans its advance width from its origin, and from the font's descent to
one font size above it. Any other page gives ``None`` (the careful path: pdfplumber alone).

It prints, over the files given: pages taken and sent to the careful path, pages whose objects
differ from pdfplumber's (count, text, or a position more than 0.001 pt apart), reports whose
reading (``parse_bytes``) differs when the taken pages' objects are handed to pdfplumber, and
the CPU time a report both ways. Measured 2026-12-06: exact on the generator's reportlab PDFs
(60 of 104 pages taken, 0 differ: PDFium's text page has no character for some one-character
text objects, so table pages fall back), not exact on PDFs printed by Chromium or converted
by LibreOffice (60 of 107 pages differ, 20 of 25 reports read differently). PDFium's numbers
are 32-bit floats; each is turned back into the decimal the PDF most likely wrote (7
significant digits).
"""

from __future__ import annotations

import argparse
import ctypes
import io
import logging
import sys
import time
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as raw

from gongkai.read import parse_bytes, pdf

_LOG = logging.getLogger(__name__)


def _f(x: float) -> float:
    """A float32 from PDFium as the decimal it was most likely written as."""
    return float(f"{x:.7g}")


def open_document(data: bytes):
    """The PDFium document of ``data``, or None when PDFium cannot open it."""
    try:
        return pdfium.PdfDocument(data)
    except Exception:  # noqa: BLE001 - the careful path reports what is wrong
        return None


class _Page:
    """What one page needs from PDFium while its objects are built."""

    def __init__(self, page, height: float, doctop: float, number: int) -> None:
        self.page = page
        self.height = height
        self.doctop = doctop
        self.number = number


def page_objects(doc, index: int, plumber_page) -> dict | None:
    """pdfplumber's objects of page ``index`` (0-based) built from PDFium, or None when the
    page holds anything this reading does not reproduce exactly."""
    try:
        page = doc[index]
    except Exception:  # noqa: BLE001
        return None
    try:
        return _objects(page, plumber_page)
    except Exception:  # noqa: BLE001 - anything unexpected: the careful path
        _LOG.debug("PDFium reading of page %d fell back", index + 1, exc_info=True)
        return None
    finally:
        page.close()


def _plain_box(page, plumber_page) -> bool:
    """True when the page's boxes sit at the origin, agree, and the page is not rotated."""
    if page.get_rotation() or getattr(plumber_page, "rotation", 0):
        return False
    media = tuple(_f(v) for v in page.get_mediabox())
    crop = tuple(_f(v) for v in page.get_cropbox())
    if media != crop or media[0] != 0 or media[1] != 0:
        return False
    mb = tuple(float(v) for v in plumber_page.mediabox)
    bb = tuple(float(v) for v in plumber_page.bbox)
    return mb == bb and mb[0] == 0 and mb[1] == 0 and abs(mb[3] - media[3]) < 1e-3


def _objects(page, plumber_page) -> dict | None:
    if not _plain_box(page, plumber_page):
        return None
    height = float(plumber_page.height)
    doctop = float(plumber_page.initial_doctop)
    number = plumber_page.page_number
    lines: list[dict] = []
    rects: list[dict] = []
    images = 0
    texts: dict[int, int] = {}  # a text object's address → its place in the content
    for obj in page.get_objects(max_depth=0):
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_TEXT:
            texts[_address(obj.raw)] = len(texts)
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            if not _path(obj, height, doctop, number, lines, rects):
                return None
        elif kind == raw.FPDF_PAGEOBJ_IMAGE:
            images += 1
        else:  # a form XObject (nested content), shading or unknown object
            return None
    chars = _chars(page, texts, height, doctop, number) if texts else []
    if chars is None:
        return None
    out: dict = {}
    if chars:
        out["char"] = chars
    if lines:
        out["line"] = lines
    if rects:
        out["rect"] = rects
    if images:
        # only counted (a page without text but with images is a scan)
        out["image"] = [{"object_type": "image", "page_number": number}] * images
    return out


def _address(handle) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


def _chars(page, texts: dict[int, int], height: float, doctop: float,
           number: int) -> list[dict] | None:
    """The page's characters in the order of its content (pdfminer's), or None.

    PDFium's text page puts characters in its own reading order and leaves out text it finds
    empty or clipped away, where pdfminer reads every character drawn: a text object without
    any character in the text page sends the page to the careful path."""
    textpage = page.get_textpage()
    try:
        count = raw.FPDFText_CountChars(textpage)
        matrix = raw.FS_MATRIX()
        ox = ctypes.c_double()
        oy = ctypes.c_double()
        width = ctypes.c_float()
        descent = ctypes.c_float()
        size = ctypes.c_float()
        fonts: dict = {}
        chars: list[tuple[int, int, dict]] = []
        seen: set[int] = set()
        for i in range(count):
            if raw.FPDFText_IsGenerated(textpage, i):
                continue
            if raw.FPDFText_HasUnicodeMapError(textpage, i) == 1:
                return None
            code = raw.FPDFText_GetUnicode(textpage, i)
            if code == 0 or 0xD800 <= code <= 0xDFFF or code == 0xFFFE:
                return None
            if not raw.FPDFText_GetMatrix(textpage, i, matrix):
                return None
            a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
            if b != 0 or c != 0 or a <= 0 or d <= 0:
                return None
            obj = raw.FPDFText_GetTextObject(textpage, i)
            place = texts.get(_address(obj)) if obj else None
            if place is None:
                return None
            seen.add(place)
            if not raw.FPDFTextObj_GetFontSize(obj, size) or size.value <= 0:
                return None
            font = raw.FPDFTextObj_GetFont(obj)
            if not font:
                return None
            fontsize = size.value
            key = ctypes.addressof(font.contents) if hasattr(font, "contents") else id(font)
            known = fonts.get((key, fontsize))
            if known is None:
                if not raw.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), descent):
                    return None
                known = (descent.value / 1000.0, _font_name(font))
                fonts[(key, fontsize)] = known
            font_descent, fontname = known
            if not raw.FPDFFont_GetGlyphWidth(font, code, ctypes.c_float(1000.0), width):
                return None
            if not raw.FPDFText_GetCharOrigin(textpage, i, ox, oy):
                return None
            a = _f(a)
            d = _f(d)
            x0 = _f(ox.value)
            base = _f(oy.value)
            adv = (width.value / 1000.0) * fontsize
            x1 = x0 + a * adv
            y0 = base + d * (font_descent * fontsize)
            y1 = y0 + d * fontsize
            top = height - y1
            bottom = height - y0
            chars.append((place, i, {
                "object_type": "char", "page_number": number, "text": chr(code),
                "fontname": fontname, "size": y1 - y0, "adv": adv, "upright": True,
                "matrix": (a, 0.0, 0.0, d, x0, base),
                "x0": x0, "x1": x1, "y0": y0, "y1": y1, "width": x1 - x0, "height": y1 - y0,
                "top": top, "bottom": bottom, "doctop": doctop + top,
            }))
        if len(seen) != len(texts):
            return None
        chars.sort(key=lambda item: (item[0], item[1]))
        return [char for _, _, char in chars]
    finally:
        textpage.close()


def _font_name(font) -> str:
    buf = ctypes.create_string_buffer(256)
    n = raw.FPDFFont_GetBaseFontName(font, buf, 256)
    return buf.value.decode("latin-1") if n else ""


def _path(obj, height: float, doctop: float, number: int,
          lines: list[dict], rects: list[dict]) -> bool:
    """Add a path's lines and rectangles (pdfminer's shapes); False for any other shape."""
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    if not raw.FPDFPath_GetDrawMode(obj, fill, stroke):
        return False
    if not fill.value and not stroke.value:
        return True  # not painted (pdfminer's ``n``): no object
    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, m):
        return False
    a, b, c, d, e, f = m.a, m.b, m.c, m.d, m.e, m.f
    x = ctypes.c_float()
    y = ctypes.c_float()
    subpaths: list[list] = []
    for k in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, k)
        kind = raw.FPDFPathSegment_GetType(seg)
        if not raw.FPDFPathSegment_GetPoint(seg, x, y):
            return False
        px, py = x.value, y.value
        point = (_f(a * px + c * py + e), _f(b * px + d * py + f))
        if kind == raw.FPDF_SEGMENT_MOVETO:
            subpaths.append(["m", [point], False])
        elif kind == raw.FPDF_SEGMENT_LINETO and subpaths:
            subpaths[-1][0] += "l"
            subpaths[-1][1].append(point)
        else:  # a Bézier curve, or a path not starting with a move
            return False
        if raw.FPDFPathSegment_GetClose(seg):
            subpaths[-1][2] = True
    for shape, pts, closed in subpaths:
        if closed and len(pts) > 1 and pts[-1] == pts[0] and shape.endswith("l"):
            shape, pts = shape[:-1], pts[:-1]  # a close after a line back to the start
        if closed:
            shape += "h"
            pts = [*pts, pts[0]]
        if shape in ("ml", "mlh") and len(pts) >= 2:
            lines.append(_line(pts[0], pts[1], height, doctop, number))
        elif shape in ("mlllh", "mllll"):
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), last = pts
            square = ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                      or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0))
            if last != pts[0] or not square:
                return False
            rects.append(_rect(pts[0], pts[2], height, doctop, number))
        elif shape == "m":
            continue
        else:
            return False
    return True


def _box(p0, p1, height: float, doctop: float) -> dict:
    x0, x1 = min(p0[0], p1[0]), max(p0[0], p1[0])
    y0, y1 = min(p0[1], p1[1]), max(p0[1], p1[1])
    top = height - y1
    return {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "width": x1 - x0, "height": y1 - y0,
            "top": top, "bottom": height - y0, "doctop": doctop + top}


def _line(p0, p1, height: float, doctop: float, number: int) -> dict:
    out = _box(p0, p1, height, doctop)
    out.update(object_type="line", page_number=number,
               pts=[(p0[0], height - p0[1]), (p1[0], height - p1[1])])
    return out


def _rect(p0, p2, height: float, doctop: float, number: int) -> dict:
    out = _box(p0, p2, height, doctop)
    out.update(object_type="rect", page_number=number)
    return out


KEYS = {"char": ("text", "x0", "x1", "top", "bottom", "size", "upright", "doctop"),
        "line": ("x0", "x1", "top", "bottom", "doctop", "width", "height"),
        "rect": ("x0", "x1", "top", "bottom", "doctop", "width", "height")}


def differences(ref: dict, mine: dict) -> list[str]:
    """How the objects built here differ from pdfplumber's own (empty when they agree)."""
    out = []
    for kind in ("char", "line", "rect", "curve", "image"):
        a, b = ref.get(kind, []), mine.get(kind, [])
        if len(a) != len(b):
            out.append(f"{kind}: {len(a)} vs {len(b)}")
            continue
        for x, y in zip(a, b, strict=True):
            for key in KEYS.get(kind, ()):
                if isinstance(x[key], (str, bool)):
                    if x[key] != y[key]:
                        out.append(f"{kind} {key} {x[key]!r} vs {y[key]!r}")
                elif abs(x[key] - y[key]) > 1e-3:
                    out.append(f"{kind} {key} {x[key]} vs {y[key]}")
    return out


_CURRENT: list = []  # the PDFium document of the file being read, for the wrapped page reader
_READ_PAGE = pdf._read_page


def _read_page_fast(page, number: int):
    objects = page_objects(_CURRENT[0], number - 1, page) if _CURRENT else None
    if objects is not None:
        page._objects = objects  # pdfplumber's own cache of the page's objects
    return _READ_PAGE(page, number)


def read(data: bytes, name: str, fast: bool):
    """``parse_bytes`` of a PDF, its pages' objects from PDFium where taken (``fast``)."""
    if not fast:
        return parse_bytes(data, name)
    _CURRENT[:] = [open_document(data)]
    pdf._read_page = _read_page_fast
    try:
        return parse_bytes(data, name)
    finally:
        pdf._read_page = _READ_PAGE
        if _CURRENT[0] is not None:
            _CURRENT[0].close()
        _CURRENT.clear()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = [(Path(f).read_bytes(), Path(f).name) for f in args.files]
    pages = taken = differ = 0
    for data, name in files:
        plumber = pdfplumber.open(io.BytesIO(data))
        doc = open_document(data)
        for i, page in enumerate(plumber.pages):
            pages += 1
            mine = page_objects(doc, i, page) if doc is not None else None
            if mine is None:
                continue
            taken += 1
            found = differences(page.objects, mine)
            if found:
                differ += 1
                print(f"{name} page {i + 1}: {'; '.join(found[:3])}", file=sys.stderr)
        plumber.close()
        if doc is not None:
            doc.close()
    readings = {}
    times = {}
    for fast in (False, True):
        readings[fast] = [repr(read(data, name, fast)) for data, name in files]
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.process_time()
            for data, name in files:
                read(data, name, fast)
            best = min(best, time.process_time() - t0)
        times[fast] = 1000 * best / len(files)
    changed = sum(a != b for a, b in zip(readings[False], readings[True], strict=True))
    print(f"pages {pages}: taken {taken}, careful {pages - taken}, objects differ on {differ}; "
          f"reports {len(files)}: read differently {changed}; CPU a report: pdfplumber "
          f"{times[False]:.1f} ms, with PDFium's objects {times[True]:.1f} ms")


if __name__ == "__main__":
    main()
