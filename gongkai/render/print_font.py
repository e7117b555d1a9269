"""A TrueType copy of the bundled CJK font for printing the reports to PDF.

The bundled Noto Sans CJK (``charts.bundled_font_path``) has CFF outlines. Chromium cannot
embed those in a PDF as a font subset, so it draws every glyph of every page as a Type 3
path: about 0.6 s and 650 kB for a one-page digest. A font with TrueType outlines is
embedded as a compact subset instead (about 0.2 s a page, measured in bench/README.md).

``print_font_dir()`` makes that copy once per machine and keeps it in the user's cache
folder: the Simplified Chinese face cut to the characters of GB 2312 (all its 6,763 hanzi
and symbols) with ASCII, Latin-1, general punctuation, CJK symbols and full-width forms,
outlines converted to quadratic curves (within one font unit), advance widths, vertical
metrics and layout tables kept, so pages lay out exactly as with the bundled font. Its
family is ``PRINT_FAMILY``, listed first in the reports' CSS; a character it lacks is drawn
from the bundled collection, which the browser's fontconfig also carries. The copy is
deterministic (no time stamps) and keyed by the source font and fontTools' version.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

from gongkai.render.charts import bundled_font_path

log = logging.getLogger(__name__)

PRINT_FAMILY = "Noto Sans CJK SC Print"
_POSTSCRIPT = "NotoSansCJKscPrint-Regular"
_SOURCE_FAMILY = "Noto Sans CJK SC"
# change when the character set or the conversion changes (a new copy is made)
_RECIPE = "2"


def _charset() -> list[int]:
    """The code points the print copy carries."""
    points = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    points |= set(range(0x2000, 0x2070)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for first in range(0xA1, 0xF8):  # GB 2312: rows of two-byte codes
        for second in range(0xA1, 0xFF):
            try:
                points.update(map(ord, bytes([first, second]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return sorted(points)


def _cache_root() -> Path:
    """The user's cache folder for gongkai (``$XDG_CACHE_HOME/gongkai`` or ~/.cache/gongkai)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gongkai"


def _key(source: Path) -> str:
    """What the copy depends on: the source font's bytes, fontTools' version, the recipe."""
    import fontTools

    digest = hashlib.sha256(f"{_RECIPE}:{fontTools.version}:".encode())
    with source.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _make(source: Path, target: Path) -> None:
    """Write the print copy of ``source``'s Simplified Chinese face to ``target``."""
    from fontTools.ttLib import TTCollection

    with source.open("rb") as f:  # read lazily while the copy is made, then closed
        collection = TTCollection(f, lazy=True)
        font = next(face for face in collection.fonts
                    if face["name"].getDebugName(1) == _SOURCE_FAMILY)
        _convert(font, target)


def _convert(font, target: Path) -> None:
    """Cut ``font`` to the character set, give it TrueType outlines and the print family's
    names, and save it to ``target`` without a time stamp."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    options = subset.Options()  # the default (horizontal) layout features
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_charset())
    quiet = logging.getLogger("fontTools")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # the subsetter reports every table at INFO
    try:
        subsetter.subset(font)
    finally:
        quiet.setLevel(level)

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    font.sfntVersion = "\x00\x01\x00\x00"
    font["head"].glyphDataFormat = 0
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 16):
            names.setName(PRINT_FAMILY, record.nameID, record.platformID, record.platEncID,
                          record.langID)
        elif record.nameID == 4:
            names.setName(f"{PRINT_FAMILY} Regular", 4, record.platformID, record.platEncID,
                          record.langID)
        elif record.nameID in (3, 6):
            names.setName(_POSTSCRIPT, record.nameID, record.platformID, record.platEncID,
                          record.langID)
    font.recalcTimestamp = False
    font.save(str(target))


@cache
def print_font_dir() -> Path | None:
    """The folder holding the print copy of the bundled font (made on first use), or None
    when it cannot be made (the PDFs are then printed with the bundled font itself)."""
    source = bundled_font_path()
    if source is None:
        return None
    try:
        key = _key(source)
    except OSError as exc:
        log.warning("render: the CJK font cannot be read (%s); PDFs are printed without "
                    "its TrueType copy", exc)
        return None
    problem: Exception | None = None
    # the user's cache folder, or (not writable) the temporary folder
    for root in (_cache_root(), Path(tempfile.gettempdir()) / f"gongkai-{os.getuid()}"):
        folder = root / f"print-font-{key}"
        try:
            _ensure(source, folder / f"{_POSTSCRIPT}.ttf")
            return folder
        except Exception as exc:  # noqa: BLE001 - printing still works with the bundled font
            problem = exc
    log.warning("render: no TrueType copy of the CJK font for printing (%s); PDFs are "
                "printed with the bundled font, more slowly", problem)
    return None


def _ensure(source: Path, target: Path) -> None:
    """Make the print copy at ``target`` unless it is there."""
    if target.is_file():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("render: making a TrueType copy of the CJK font for printing (once, ~10 s)")
    # written beside the target and renamed: another process may be making it too
    fd, tmp = tempfile.mkstemp(suffix=".ttf.part", dir=target.parent)
    os.close(fd)
    try:
        _make(source, Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
