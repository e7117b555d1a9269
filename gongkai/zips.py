"""Deterministic ZIP archives: the Office files (DOCX, XLSX) that gongkai writes.

Every writer of an Office file (the reports, the generated submissions, the fill-in form)
saves through python-docx or openpyxl and then passes the archive through here, so equal
content gives equal bytes: each entry gets a fixed timestamp, and the document dates of
``docProps/core.xml`` (which openpyxl sets to the time of saving) are replaced by a given
stamp. The archive is written by ``zipfile`` itself (deflated at the default level), not by
hand. Reading untrusted archives is another job (``gongkai.read.archive``).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

# the timestamp of every entry of a report (the earliest a ZIP can hold)
REPORT_ENTRY_TIME = (1980, 1, 1, 0, 0, 0)
# the timestamp of every entry, and the document date, of a generated submission or form
GENERATED_ENTRY_TIME = (2000, 1, 1, 0, 0, 0)
GENERATED_STAMP = "2000-01-01T00:00:00Z"

_CORE = "docProps/core.xml"
_CORE_DATE = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")
# what zipfile gives an entry written by name (owner read and write)
_MODE = 0o600 << 16


def _core_dates(data: bytes, stamp: str, fields: tuple[str, ...]) -> bytes:
    """``docProps/core.xml`` with the dates named in ``fields`` set to ``stamp``."""
    value = stamp.encode("ascii")
    return _CORE_DATE.sub(
        lambda m: m.group(1) + value + m.group(3) if m.group(2).decode() in fields
        else m.group(0), data)


def write_zip(entries: Iterable[tuple], *, stamp: str,
              entry_time: tuple[int, ...] = REPORT_ENTRY_TIME,
              dates: tuple[str, ...] = ("created", "modified")) -> bytes:
    """The bytes of an archive holding ``entries`` in order: every entry dated ``entry_time``
    and deflated, the ``dates`` of the document properties set to ``stamp`` (ISO 8601, e.g.
    ``2025-01-31T00:00:00Z``). An entry is (name, data), or (name, data, external
    attributes) to keep those of a saved file (openpyxl marks its sheets differently)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, *attr in entries:
            info = zipfile.ZipInfo(name, date_time=entry_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = attr[0] if attr else _MODE
            zf.writestr(info, _core_dates(data, stamp, dates) if name == _CORE else data)
    return out.getvalue()


def entries(data: bytes) -> list[tuple[str, bytes, int]]:
    """The (name, data, external attributes) entries of an archive, in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info.filename, zf.read(info), info.external_attr) for info in zf.infolist()]


def fixed_zip(data: bytes, *, stamp: str = GENERATED_STAMP,
              entry_time: tuple[int, ...] = GENERATED_ENTRY_TIME,
              dates: tuple[str, ...] = ("modified",)) -> bytes:
    """An Office file just saved by python-docx or openpyxl, rewritten deterministically
    (see ``write_zip``). The defaults are those of the generated submissions and the form:
    entries and the "modified" date at 2000-01-01."""
    return write_zip(entries(data), stamp=stamp, entry_time=entry_time, dates=dates)
