"""Opening untrusted Office files (DOCX, XLSX) safely.

A DOCX or XLSX file is a zip archive of XML parts.  Before any library parses it, the
archive's central directory is checked: the number of entries, the total uncompressed size
and the compression ratio of each entry (a zip bomb declares a huge uncompressed size for a
few compressed bytes; ``zipfile`` never inflates an entry beyond its declared size, so the
declared sizes bound the work).  Then every XML part is refused if it carries a document
type declaration: Office parts never have one, and a DTD is how entity bombs ("billion
laughs") and external entities get in.  The libraries that parse the parts afterwards are
also configured not to resolve entities; this check makes the refusal fast and explicit.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from gongkai.model import Refusal

MAX_ENTRIES = 2000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_PART_UNCOMPRESSED = 64 * 1024 * 1024  # one XML part (word/document.xml, a sheet)
MAX_RATIO = 100  # uncompressed / compressed, for entries larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024

_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DOCTYPE = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)
_DOCTYPE_TEXT = re.compile(r"<!\s*DOCTYPE", re.IGNORECASE)


class UnsafeArchive(Refusal):
    """The file cannot be opened safely: a stable issue code and a bilingual message."""


def _xml_has_doctype(data: bytes) -> bool:
    if _DOCTYPE.search(data):
        return True
    # UTF-16 parts (with or without a byte-order mark) hide the ASCII pattern
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00<\x00" in data[:64] or b"<\x00" in data[:4]:
        for enc in ("utf-16", "utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _DOCTYPE_TEXT.search(text):
                return True
    return False


def open_zip(data: bytes, name: str, kind: str) -> zipfile.ZipFile:
    """Open an Office file's zip archive after checking it is safe to read.

    ``kind`` is ``docx`` or ``xlsx`` (for messages).  Raises ``UnsafeArchive`` when the file
    is not a readable zip, is too large or too many-entried once inflated, compresses
    suspiciously well (a zip bomb), is encrypted, or has an XML part with a DTD.
    """
    label = {"docx": "Word", "xlsx": "Excel"}.get(kind, kind)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, RuntimeError) as exc:
        raise UnsafeArchive("corrupt_file", f"{label} 文件已损坏，无法打开（{name}）",
                            f"the {label} file {name} is corrupt and cannot be opened: {exc}") from exc
    if len(infos) > MAX_ENTRIES:
        raise UnsafeArchive("archive_too_many_entries",
                            f"{label} 文件包含的部件过多（{len(infos)} 个，上限 {MAX_ENTRIES}），未读取（{name}）",
                            f"{name}: the {label} archive has {len(infos)} entries "
                            f"(limit {MAX_ENTRIES}); not read")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnsafeArchive("file_encrypted", f"{label} 文件已加密，无法读取（{name}）",
                                f"{name}: the {label} file is encrypted and cannot be read")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise UnsafeArchive("archive_bomb",
                                f"{label} 文件的部件 {info.filename} 压缩比异常（{ratio:.0f} 倍），"
                                f"疑似压缩炸弹，未读取（{name}）",
                                f"{name}: entry {info.filename} inflates {ratio:.0f}-fold "
                                f"({info.file_size} bytes); a suspected zip bomb, not read")
        if info.filename.lower().endswith(_XML_SUFFIXES) and info.file_size > MAX_PART_UNCOMPRESSED:
            raise UnsafeArchive("archive_too_large",
                                f"{label} 文件的部件 {info.filename} 过大（{info.file_size} 字节），未读取（{name}）",
                                f"{name}: entry {info.filename} is {info.file_size} bytes inflated "
                                f"(limit {MAX_PART_UNCOMPRESSED}); not read")
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise UnsafeArchive("archive_too_large",
                            f"{label} 文件解压后过大（{total} 字节，上限 {MAX_TOTAL_UNCOMPRESSED}），未读取（{name}）",
                            f"{name}: the {label} archive inflates to {total} bytes "
                            f"(limit {MAX_TOTAL_UNCOMPRESSED}); not read")
    for info in infos:
        if not info.filename.lower().endswith(_XML_SUFFIXES):
            continue
        try:
            part = zf.read(info)
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError,
                NotImplementedError, RuntimeError) as exc:
            raise UnsafeArchive("corrupt_file",
                                f"{label} 文件已损坏：部件 {info.filename} 无法解压（{name}）",
                                f"{name}: entry {info.filename} cannot be inflated: {exc}") from exc
        if _xml_has_doctype(part):
            raise UnsafeArchive("xml_dtd_refused",
                                f"{label} 文件的部件 {info.filename} 含有文档类型声明（DTD），"
                                f"可能是实体炸弹或外部实体，未读取（{name}）",
                                f"{name}: entry {info.filename} carries a DTD (entity bomb or "
                                "external entities); Office files never need one, not read")
    return zf


__all__ = ["open_zip", "UnsafeArchive", "MAX_ENTRIES", "MAX_TOTAL_UNCOMPRESSED", "MAX_RATIO"]
