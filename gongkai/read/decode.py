"""Turning a file's bytes into text: UTF-8 (with or without BOM), UTF-16, GB18030/GBK."""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_NOT_CJK = re.compile("[^\u4e00-\u9fff]+")
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
            "cp936": "gb18030", "utf8": "utf-8"}


def _cjk_share(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:4000]
    # counted without a string for each character: the ideographs are what is left when
    # the runs of other characters are taken out, the letters what str.split() leaves (it
    # cuts at the characters \s stands for, those str.isspace() holds true for)
    cjk = len(_NOT_CJK.sub("", sample))
    letters = len("".join(sample.split()))
    return cjk / letters if letters else 0.0


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a meta tag, normalised (gbk → gb18030)."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    return _ALIASES.get(name, name)


def decode(data: bytes, *, html: bool = False) -> tuple[str, str]:
    """Decode bytes to text; returns (text, encoding). Never raises."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16", "replace"), "utf-16"
    # UTF-16 without BOM: many NUL bytes at odd or even positions
    if len(data) >= 4 and data.count(b"\x00") > len(data) // 4:
        le = data[1::2].count(0) > data[0::2].count(0)
        enc = "utf-16-le" if le else "utf-16-be"
        return data.decode(enc, "replace"), enc
    candidates = []
    if html:
        declared = declared_charset(data)
        if declared:
            candidates.append(declared)
    candidates += ["utf-8", "gb18030"]
    for enc in dict.fromkeys(candidates):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc != "utf-8" and _cjk_share(text) < 0.05 and _cjk_share(data.decode("utf-8", "replace")) > 0.05:
            continue
        return text, enc
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best), best.encoding
    except Exception:  # noqa: BLE001 - detection is best effort; fall through to replace
        pass
    return data.decode("utf-8", "replace"), "utf-8 (with replacement characters)"
