"""A PDF page's characters and rules read by PDFium, in the form pdfplumber gives them.

pdfplumber reads a page by interpreting its content stream in Python (pdfminer): most of a
PDF report's reading time. PDFium (``pypdfium2``) reads the same page in C. For a page made
of plain things, this module builds the objects pdfplumber would have built — ``char``,
``line``, ``rect``, ``curve`` and ``image``, with the keys its table and line finding read —
computed as pdfminer computes them: a character runs from its origin over its advance width
in its font, and from the font's descent (the ``/Descent`` of the PDF's font descriptor, as
pdfminer reads it) to one font size above; a path becomes lines, rectangles and curves by
pdfminer's rules for its shape. The page is then read by the same pdfplumber code as always
(``pdf._read_page``), so tables and lines are found the same way.

The careful path (pdfplumber alone) reads any page that holds something this reading does
not reproduce: a rotated or offset page, a form XObject or shading, text in another
direction or scaled unevenly, a character without a Unicode value (pdfminer would give
``(cid:N)``) or without a width in its font, a Type 3 font or one without a name or
metrics (a standard font without a descriptor is measured from pdfminer's own tables), two
fonts of one name with different descents, text carrying an ``/ActualText`` (PDFium would
put it in place of the drawn characters), a text object for which PDFium's text page has no
character (it leaves out text it finds empty or clipped away; pdfminer reads every character
drawn), two characters at one place of one text object (a ligature PDFium splits), and every
page of a file whose page count PDFium reads differently. ``tests/test_pdffast.py`` reads
PDFs of four producers both ways and requires the same reading. PDFium is not thread-safe:
calls into it hold a lock of the process.

Numbers from PDFium are 32-bit floats; each is turned back into the shortest decimal of 7
significant digits (what PDF writers print), so that positions compare as pdfminer's do.
"""

from __future__ import annotations

import ctypes
import logging
import re
import threading

from pdfminer.pdffont import FontMetricsDB
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import PSLiteral

_LOG = logging.getLogger(__name__)
_SUBSET = re.compile(r"^[A-Z]{6}\+")
# PDFium is not thread-safe: one call into it at a time in a process (a Dask worker may run
# tasks in threads)
_LOCK = threading.RLock()

try:  # pragma: no branch - a dependency of the project
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
except ImportError:  # pragma: no cover
    pdfium = None
    raw = None


def _f(x: float) -> float:
    """A float32 from PDFium as the decimal it was most likely written as."""
    return float(f"{x:.7g}")


def open_document(data: bytes, pages: int | None = None):
    """The PDFium document of ``data``, or None when PDFium is missing or cannot open it, or
    (given ``pages``, the count pdfminer found) finds another number of pages: a page tree
    read differently must not pair a page with another's objects."""
    if pdfium is None:
        return None
    with _LOCK:
        try:
            doc = pdfium.PdfDocument(data)
        except Exception:  # noqa: BLE001 - the careful path says what is wrong with the file
            return None
        if pages is not None and len(doc) != pages:
            doc.close()
            return None
        return doc


def close_document(doc) -> None:
    """Close a document ``open_document`` gave."""
    with _LOCK:
        doc.close()


def page_objects(doc, index: int, plumber_page) -> dict | None:
    """pdfplumber's objects of page ``index`` (0-based) built from PDFium, or None when the
    page holds anything this reading does not reproduce exactly."""
    try:
        fonts = _fonts(plumber_page)
    except Exception:  # noqa: BLE001 - a damaged font dictionary: the careful path
        return None
    if any(descent is None for descent in fonts.values()):
        return None  # a font read otherwise (Type 3, say): PDFium's page is not even loaded
    with _LOCK:
        try:
            page = doc[index]
        except Exception:  # noqa: BLE001
            return None
        try:
            return _objects(page, plumber_page, fonts)
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
    return (mb == bb and mb[0] == 0 and mb[1] == 0 and abs(mb[2] - media[2]) < 1e-3
            and abs(mb[3] - media[3]) < 1e-3)


def _objects(page, plumber_page, fonts: dict) -> dict | None:
    if not _plain_box(page, plumber_page):
        return None
    height = float(plumber_page.height)
    at = (height, float(plumber_page.initial_doctop), plumber_page.page_number)
    lines: list[dict] = []
    rects: list[dict] = []
    curves: list[dict] = []
    paths = []
    images = 0
    texts: dict[int, int] = {}  # a text object's address → its place in the content
    for obj in page.get_objects(max_depth=0):
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_TEXT:
            if _actual_text(obj):
                return None
            texts[_address(obj.raw)] = len(texts)
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            paths.append(obj)
        elif kind == raw.FPDF_PAGEOBJ_IMAGE:
            images += 1
        else:  # a form XObject (nested content), a shading or an unknown object
            return None
    chars: list[dict] | None = []
    if texts:  # the characters first: a page usually falls back on them
        chars = _chars(page, texts, fonts, at)
        if chars is None:
            return None
    for obj in paths:
        if not _path(obj, at, lines, rects, curves):
            return None
    out: dict = {}
    for key, found in (("char", chars), ("line", lines), ("rect", rects), ("curve", curves)):
        if found:
            out[key] = found
    if images:  # only counted (a page of images without text is a scan)
        out["image"] = [{"object_type": "image", "page_number": at[2]} for _ in range(images)]
    return out


def _actual_text(obj) -> bool:
    """True when a text object is marked with an /ActualText."""
    for k in range(raw.FPDFPageObj_CountMarks(obj)):
        mark = raw.FPDFPageObj_GetMark(obj, k)
        if mark and raw.FPDFPageObjMark_GetParamValueType(mark, b"ActualText") != \
                raw.FPDF_OBJECT_UNKNOWN:
            return True
    return False


def _address(handle) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


def _name(value) -> str:
    if isinstance(value, PSLiteral):
        value = value.name
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value if isinstance(value, str) else ""


def _fonts(plumber_page) -> dict[str, float | None]:
    """A font's name without its subset tag → its descent a unit of font size, as pdfminer
    reads it (the font descriptor's ``/Descent``; a standard font's metrics without one);
    None for a font read otherwise (Type 3, no metrics) and for two fonts of one name (two
    subsets) whose descents differ: a character in such a font sends its page to the careful
    path."""
    resources = resolve1(plumber_page.page_obj.resources) or {}
    fonts = resolve1(resources.get("Font")) or {}
    out: dict[str, float | None] = {}
    for ref in fonts.values():
        spec = resolve1(ref)
        if not isinstance(spec, dict):
            continue
        names = {_name(spec.get("BaseFont"))}
        subtype = _name(spec.get("Subtype"))
        descent: float | None = None
        if subtype == "Type0":
            descendants = resolve1(spec.get("DescendantFonts"))
            spec = resolve1(descendants[0]) if isinstance(descendants, list) and descendants \
                else None
            spec = spec if isinstance(spec, dict) else {}
            names.add(_name(spec.get("BaseFont")))
        elif subtype not in ("Type1", "TrueType", "MMType1"):
            spec = {}
        descriptor = resolve1(spec.get("FontDescriptor"))
        if isinstance(descriptor, dict):
            value = resolve1(descriptor.get("Descent", 0))
            descent = value if isinstance(value, (int, float)) else None
            names.add(_name(resolve1(descriptor.get("FontName"))))
        elif spec and subtype in ("Type1", "TrueType", "MMType1"):
            try:  # a standard font: pdfminer takes its metrics from its own tables
                descent = FontMetricsDB.get_metrics(_name(spec.get("BaseFont")))[0]["Descent"]
            except KeyError:
                descent = None
        if descent is not None:
            descent = (-descent if descent > 0 else descent) * 0.001
        keys = {_SUBSET.sub("", name) for name in names} - {""}
        if not keys:  # a font without any name (a Type 3 font, say) cannot be told apart
            keys, descent = {""}, None
        for key in keys:
            if out.setdefault(key, descent) != descent:
                out[key] = None
    return out


def _chars(page, texts: dict[int, int], fonts: dict, at: tuple) -> list[dict] | None:
    """The page's characters in the order of its content (pdfminer's), or None.

    PDFium's text page puts characters in its own reading order and leaves out text it finds
    empty or clipped away: a text object without any character in the text page sends the
    page to the careful path. What a character shares with its text object (matrix, font and
    size, a place in the content) is read once an object."""
    height, doctop, number = at
    textpage = page.get_textpage()
    try:
        count = raw.FPDFText_CountChars(textpage)
        ox, oy = ctypes.c_double(), ctypes.c_double()
        objects: dict[int, tuple] = {}  # a text object's address → what its characters share
        names: dict[int, str] = {}  # a PDFium font's address → its name without subset tag
        widths: dict[tuple[int, float, int], float] = {}  # (font, size, character) → advance
        chars: list[tuple[int, int, dict]] = []
        last: tuple = ()
        for i in range(count):
            if raw.FPDFText_IsGenerated(textpage, i):
                continue
            if raw.FPDFText_HasUnicodeMapError(textpage, i) == 1:
                return None
            code = raw.FPDFText_GetUnicode(textpage, i)
            if code == 0 or 0xD800 <= code <= 0xDFFF or code == 0xFFFE:
                return None
            obj = raw.FPDFText_GetTextObject(textpage, i)
            address = _address(obj) if obj else 0
            shared = objects.get(address)
            if shared is None:
                shared = objects[address] = _text_object(textpage, i, obj, texts.get(address),
                                                         fonts, names)
                if not shared:
                    return None
            place, a, d, fontsize, font_key, font, descent, fontname = shared
            adv = widths.get((font_key, fontsize, code))
            if adv is None:
                width = ctypes.c_float()
                if not raw.FPDFFont_GetGlyphWidth(font, code, ctypes.c_float(1000.0), width):
                    return None
                adv = widths[(font_key, fontsize, code)] = (_f(width.value) / 1000.0) * fontsize
            if not raw.FPDFText_GetCharOrigin(textpage, i, ox, oy):
                return None
            x0, base = _f(ox.value), _f(oy.value)
            if (address, x0, base) == last:
                # two characters from one place of one object: a glyph PDFium splits into
                # several (a ligature), which pdfminer reads as one character
                return None
            last = (address, x0, base)
            x1 = x0 + a * adv
            y0 = base + d * (descent * fontsize)
            y1 = y0 + d * fontsize
            top = height - y1
            chars.append((place, i, {
                "object_type": "char", "page_number": number, "text": chr(code),
                "fontname": fontname, "size": y1 - y0, "adv": adv, "upright": True,
                "matrix": (a, 0.0, 0.0, d, x0, base),
                "x0": x0, "x1": x1, "y0": y0, "y1": y1, "width": x1 - x0, "height": y1 - y0,
                "top": top, "bottom": height - y0, "doctop": doctop + top,
            }))
        if len(objects) != len(texts):
            return None
        chars.sort(key=lambda item: (item[0], item[1]))
        return [char for _, _, char in chars]
    finally:
        textpage.close()


def _text_object(textpage, i: int, obj, place: int | None, fonts: dict,
                 names: dict[int, str]) -> tuple | None:
    """What the characters of one text object share, read at its character ``i``; None when
    the object is not one of the page's or is read otherwise (another direction, a font
    without metrics)."""
    if place is None:
        return None
    matrix = raw.FS_MATRIX()
    if not raw.FPDFText_GetMatrix(textpage, i, matrix):
        return None
    a, d = _f(matrix.a), _f(matrix.d)
    if matrix.b != 0 or matrix.c != 0 or a <= 0 or d <= 0:
        return None
    size = ctypes.c_float()
    if not raw.FPDFTextObj_GetFontSize(obj, size) or size.value <= 0:
        return None
    font = raw.FPDFTextObj_GetFont(obj)
    if not font:
        return None
    key = _address(font)
    fontname = names.get(key)
    if fontname is None:
        fontname = names[key] = _SUBSET.sub("", _font_name(font))
    descent = fonts.get(fontname)
    if descent is None:
        return None
    return place, a, d, _f(size.value), key, font, descent, fontname


def _font_name(font) -> str:
    buf = ctypes.create_string_buffer(256)
    n = raw.FPDFFont_GetBaseFontName(font, buf, 256)
    return buf.value.decode("latin-1") if n else ""


def _path(obj, at: tuple, lines: list[dict], rects: list[dict], curves: list[dict]) -> bool:
    """Add a path's lines, rectangles and curves, shaped as pdfminer shapes them."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not raw.FPDFPath_GetDrawMode(obj, fill, stroke):
        return False
    if not fill.value and not stroke.value:
        return True  # not painted (pdfminer's ``n``): no object
    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, m):
        return False
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list] = []  # [shape, points, closed]
    bezier = 0
    for k in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, k)
        kind = raw.FPDFPathSegment_GetType(seg)
        if not raw.FPDFPathSegment_GetPoint(seg, x, y):
            return False
        point = (_f(m.a * x.value + m.c * y.value + m.e),
                 _f(m.b * x.value + m.d * y.value + m.f))
        if kind == raw.FPDF_SEGMENT_MOVETO:
            subpaths.append(["m", [point], False])
            bezier = 0
        elif not subpaths:
            return False
        elif kind == raw.FPDF_SEGMENT_LINETO and not bezier:
            subpaths[-1][0] += "l"
            subpaths[-1][1].append(point)
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:
            bezier += 1  # two control points, then the end point (pdfminer keeps the end)
            if bezier == 3:
                subpaths[-1][0] += "c"
                subpaths[-1][1].append(point)
                bezier = 0
        else:
            return False
        if raw.FPDFPathSegment_GetClose(seg):
            subpaths[-1][2] = True
    if bezier:
        return False
    for shape, pts, closed in subpaths:
        if closed:
            shape, pts = shape + "h", [*pts, pts[0]]
        # pdfminer: a redundant "l" back to the start of a path closed with "h" is dropped
        if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
            shape, pts = shape[:-2] + "h", pts[:-2] + pts[-1:]
        if shape in ("mlh", "ml"):
            lines.append(_shape("line", pts[:2], at))
        elif shape in ("mlllh", "mllll"):
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
            square = ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                      or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0))
            if pts[0] == pts[4] and square:  # pdfminer's LTRect: corners from two of them
                (ax, ay), (bx, by) = pts[0], pts[2]
                rects.append(_shape("rect", [(ax, ay), (bx, ay), (bx, by), (ax, by)], at))
            else:
                curves.append(_shape("curve", pts, at))
        elif len(shape) > 1:
            curves.append(_shape("curve", pts, at))
    return True


def _shape(kind: str, pts: list, at: tuple) -> dict:
    height, doctop, number = at
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    top = height - y1
    return {"object_type": kind, "page_number": number, "x0": x0, "y0": y0, "x1": x1,
            "y1": y1, "width": x1 - x0, "height": y1 - y0, "top": top, "bottom": height - y0,
            "doctop": doctop + top, "pts": [(px, height - py) for px, py in pts]}


_POSITION = ("x0", "x1", "top", "bottom", "doctop")
_COMPARED = {"char": (*_POSITION, "size"), "line": _POSITION, "rect": _POSITION,
             "curve": _POSITION}


def differences(ref: dict, mine: dict, tolerance: float = 1e-3) -> list[str]:
    """How objects built here differ from pdfplumber's own for the same page (``ref``):
    counts, characters' text and direction, positions and points more than ``tolerance``
    apart. Empty when they agree (tests/test_pdffast.py, bench/pdfium_objects.py)."""
    out = []
    for kind in ("char", "line", "rect", "curve", "image"):
        a, b = ref.get(kind, []), mine.get(kind, [])
        if len(a) != len(b):
            out.append(f"{kind}: {len(a)} vs {len(b)}")
            continue
        for x, y in zip(a, b, strict=True):
            if kind == "char" and (x["text"], x["upright"]) != (y["text"], y["upright"]):
                out.append(f"char {x['text']!r} vs {y['text']!r}")
            for key in _COMPARED.get(kind, ()):
                if abs(x[key] - y[key]) > tolerance:
                    out.append(f"{kind} {x.get('text', '')} {key} {x[key]} vs {y[key]}")
            if "pts" in x and (len(x["pts"]) != len(y.get("pts", ())) or any(
                    abs(p - q) > tolerance for u, v in zip(x["pts"], y["pts"], strict=True)
                    for p, q in zip(u, v, strict=True))):
                out.append(f"{kind} pts {x['pts']} vs {y.get('pts')}")
    return out
