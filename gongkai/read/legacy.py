"""Legacy Office files (.doc, .wps, .xls, .et, .rtf): converted by LibreOffice, then read.

Government offices still send Word 97–2003 (.doc), Excel 97–2003 (.xls), RTF and the files of
Kingsoft WPS Office (.wps for text, .et for sheets; WPS Office writes them as the same OLE
compound documents as Word and Excel 97–2003).  No Python library reads these reliably, so
each is converted by LibreOffice running headless — a real converter — into .docx or .xlsx,
and that file is read by the ordinary Word or Excel reader.

The format is told by the content, not the name: an OLE compound document (magic
``D0 CF 11 E0``) with a ``WordDocument`` stream is Word, one with a ``Workbook``/``Book`` stream
is Excel, ``{\\rtf`` opens RTF; the name only tells .wps from .doc and .et from .xls.  (A
".doc" that is really a .docx, an HTML page or text never gets here: it is read as what it
is.)

Every conversion is bounded and isolated:

- the submitted bytes are copied into a fresh temporary folder (the raw file is only ever
  read), with a size cap before LibreOffice is started;
- LibreOffice runs in a subprocess of its own session with a private, freshly created
  profile (``-env:UserInstallation``), so conversions never share state, lock each other
  out or touch a user's profile; the profile disables macros and blocks links (LibreOffice
  would otherwise fetch a document's linked images over the network while converting), and
  where the system allows it LibreOffice runs in a network namespace of its own (``unshare
  --net``), with no network at all;
- a time limit (60 s, ``$GONGKAI_CONVERT_TIMEOUT``) kills the whole process group;
- the converted file must exist, be a zip archive and stay under a size cap; the Word or
  Excel reader then applies its own archive checks.

Each failure is its own issue: ``converter_missing`` (LibreOffice is not installed: what to
install), ``conversion_timeout``, ``conversion_failed``, ``conversion_too_large``,
``file_too_large``, ``file_encrypted``, ``corrupt_file``, ``unsupported_format`` (a
compound document that is neither Word nor Excel).  A converted report carries an info issue
``converted_by_libreoffice``; its format stays what was submitted (``doc`` …).  A missing
converter or a time-out gives the report a reader version of its own, so the next run reads
the file again.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from gongkai.model import ParsedReport, Refusal

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LEGACY_FORMATS = ("doc", "wps", "xls", "et", "rtf", "ole")
TARGET = {"doc": "docx", "wps": "docx", "rtf": "docx", "xls": "xlsx", "et": "xlsx"}
# LibreOffice export filters for the targets
_FILTERS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
_LABEL = {"doc": "Word 97–2003 (.doc)", "wps": "WPS 文字 (.wps)", "xls": "Excel 97–2003 (.xls)",
          "et": "WPS 表格 (.et)", "rtf": "RTF (.rtf)", "ole": "Office"}

MAX_INPUT_BYTES = 20 * 1024 * 1024  # a legacy report is rarely over 2 MB; images make the rest
MAX_OUTPUT_BYTES = 50 * 1024 * 1024
DEFAULT_TIMEOUT_SECONDS = 60.0
TIMEOUT_ENV = "GONGKAI_CONVERT_TIMEOUT"  # seconds; an office with slow machines may raise it
RETRY_CODES = ("converter_missing", "conversion_timeout")  # the machine's fault, not the file's
INSTALL_HINT = "libreoffice-writer-nogui libreoffice-calc-nogui"

# The private profile's settings: no macros; no fetching of linked content (images, OLE
# links) while a submission is converted — links from untrusted documents are blocked, and
# HTTP, HTTPS and FTP go to a proxy on a local port where nothing listens (the discard port),
# so a link LibreOffice follows anyway goes nowhere.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetProxyType" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetNoProxy" oor:op="fuse"><value></value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPProxyName" oor:op="fuse"><value>127.0.0.1</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPProxyPort" oor:op="fuse"><value>9</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPSProxyName" oor:op="fuse"><value>127.0.0.1</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPSProxyPort" oor:op="fuse"><value>9</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetFTPProxyName" oor:op="fuse"><value>127.0.0.1</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetFTPProxyPort" oor:op="fuse"><value>9</value></prop></item>
</oor:items>
"""


class ConversionError(Refusal):
    """A legacy file that could not be converted: a stable issue code and a bilingual message."""


def sniff(data: bytes, name: str) -> str | None:
    """The legacy format of a file from its content (``doc``, ``wps``, ``xls``, ``et``,
    ``rtf``, or ``ole`` for another compound document), or None when it is not one."""
    if data.startswith(OLE_MAGIC[:4]):
        return _ole_format(data, Path(name).suffix.lower())
    if data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:5] == b"{\\rtf":
        return "rtf"
    return None


def _ole_format(data: bytes, suffix: str) -> str:
    streams = _streams(data)
    if "worddocument" in streams:
        return "wps" if suffix in (".wps", ".wpt") else "doc"
    if "workbook" in streams or "book" in streams:
        return "et" if suffix in (".et", ".ett") else "xls"
    # other compound documents named as a legacy format (Microsoft Works .wps, an odd .et):
    # LibreOffice's own type detection gets a try
    return {".wps": "wps", ".et": "et", ".doc": "doc", ".xls": "xls"}.get(suffix, "ole")


def _streams(data: bytes) -> set[str]:
    """The top-level stream names of an OLE compound document (lower case); empty when the
    file is not a readable compound document."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return {entry[0].lower() for entry in ole.listdir(streams=True, storages=False)}
    except (OSError, ValueError, IndexError, TypeError):  # olefile's errors for damaged files
        return set()


def find_soffice() -> str | None:
    """The LibreOffice program on PATH (``soffice`` or ``libreoffice``), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@functools.cache
def isolation_prefix() -> tuple[str, ...]:
    """The command that runs LibreOffice without any network (a network namespace of its
    own, through ``unshare``), or nothing where the system does not allow one (the
    profile's settings still keep it from fetching links)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    prefix = (unshare, "--net", "--map-root-user")
    try:
        probe = subprocess.run([*prefix, "true"], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return prefix if probe.returncode == 0 else ()


def timeout_seconds() -> float:
    """The time limit of one conversion: ``$GONGKAI_CONVERT_TIMEOUT`` or 60 s."""
    try:
        value = float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_SECONDS))
    except ValueError:
        return DEFAULT_TIMEOUT_SECONDS
    return value if value > 0 else DEFAULT_TIMEOUT_SECONDS


def check_convertible(data: bytes, fmt: str) -> None:
    """Refuse, before LibreOffice starts, what it must not be given: too large, not a
    readable compound document, encrypted, or a compound document that is neither Word nor
    Excel (PowerPoint, Outlook, installers …). Raises ``ConversionError``."""
    label = _LABEL[fmt]
    if len(data) > MAX_INPUT_BYTES:
        raise ConversionError(
            "file_too_large",
            f"{label} 文件过大（{len(data)} 字节，转换上限 {MAX_INPUT_BYTES}），未转换",
            f"the {label} file is too large to convert ({len(data)} bytes; limit "
            f"{MAX_INPUT_BYTES})")
    if fmt == "rtf":
        return
    if not _streams(data):
        raise ConversionError("corrupt_file", f"{label} 文件已损坏，无法打开",
                              f"the {label} file is damaged: not a readable compound document")
    if _is_encrypted(data):
        raise ConversionError("file_encrypted", f"{label} 文件已加密（设有打开密码），无法读取",
                              f"the {label} file is encrypted (password to open) and cannot be "
                              "read")
    if fmt == "ole":
        raise ConversionError(
            "unsupported_format",
            "不支持的文件格式：OLE 复合文档，但不是 Word 或 Excel 文件（可能是 PowerPoint 等）；"
            "请提交 Word、PDF、网页、Excel 或文本",
            "unsupported file format: an OLE compound document that is neither Word nor "
            "Excel (PowerPoint or another program)")


def _is_encrypted(data: bytes) -> bool:
    """True for a password-protected Word/Excel 97–2003 file or an encrypted .docx/.xlsx
    (which is stored as a compound document)."""
    import msoffcrypto

    try:
        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # noqa: BLE001 - msoffcrypto raises many kinds on odd files: not proof
        return False


def convert(data: bytes, fmt: str, *, timeout: float | None = None,
            soffice: str | None = None) -> bytes:
    """Convert a legacy file's bytes (format ``fmt``) to .docx or .xlsx bytes with
    LibreOffice; raises ``ConversionError`` with the reason when it cannot."""
    check_convertible(data, fmt)
    label = _LABEL[fmt]
    target = TARGET[fmt]  # "ole" never gets past check_convertible
    program = soffice or find_soffice()
    if program is None:
        raise ConversionError(
            "converter_missing",
            f"需要安装 LibreOffice 才能读取{label}文件（Debian/Ubuntu：apt-get install "
            f"{INSTALL_HINT}）；或请报送单位另存为 .docx、.xlsx 或 PDF 后重新报送",
            f"reading a {label} file needs LibreOffice, which is not installed (Debian/Ubuntu: "
            f"apt-get install {INSTALL_HINT}); or ask the unit to save it as .docx, .xlsx or "
            "PDF and send it again")
    limit = timeout if timeout is not None else timeout_seconds()
    with tempfile.TemporaryDirectory(prefix="gongkai-convert-") as tmp:
        work = Path(tmp)
        profile = work / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS,
                                                                    encoding="utf-8")
        source = work / "in" / f"submission.{fmt}"
        source.parent.mkdir()
        source.write_bytes(data)
        out_dir = work / "out"
        cmd = [*isolation_prefix(), program, "--headless", "--invisible", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", _FILTERS[target], "--outdir", str(out_dir), str(source)]
        # LibreOffice's own temporary files go inside the work folder, removed with it
        # even when the conversion is killed (else they stay in the machine's temp folder)
        scratch = work / "tmp"
        scratch.mkdir()
        _run(cmd, limit, label, {**os.environ, "TMPDIR": str(scratch)})
        produced = out_dir / f"submission.{target}"
        if not produced.is_file():
            raise ConversionError(
                "conversion_failed",
                f"LibreOffice 无法转换该{label}文件（文件可能已损坏或加密）",
                f"LibreOffice could not convert the {label} file (damaged or encrypted)")
        size = produced.stat().st_size
        if size > MAX_OUTPUT_BYTES:
            raise ConversionError(
                "conversion_too_large",
                f"{label}文件转换后过大（{size} 字节，上限 {MAX_OUTPUT_BYTES}），未读取",
                f"the converted {label} file is too large ({size} bytes; limit "
                f"{MAX_OUTPUT_BYTES}); not read")
        converted = produced.read_bytes()
    if not converted.startswith(b"PK\x03\x04"):
        raise ConversionError("conversion_failed",
                              f"LibreOffice 转换{label}文件的结果不是 .{target} 文件",
                              f"LibreOffice's conversion of the {label} file is not a .{target}")
    return converted


def _run(cmd: list[str], limit: float, label: str, env: dict[str, str]) -> None:
    """Run LibreOffice in a session of its own, then kill whatever is left of its process
    group (the ``soffice`` script starts ``oosplash``, which starts ``soffice.bin``): at the
    time limit, or after it exits, so no stray child outlives a conversion."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, env=env)
    deadline = time.monotonic() + limit
    # wait without reaping: while the leader is an unreaped zombie its id cannot be reused,
    # so killing its group can only reach the conversion's own processes
    while not os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT):
        if time.monotonic() >= deadline:
            _kill_group(proc)
            raise ConversionError(
                "conversion_timeout",
                f"LibreOffice 转换{label}文件超时（{limit:g} 秒），已中止；文件可能过于复杂或已损坏",
                f"LibreOffice did not convert the {label} file within {limit:g} s and was "
                "stopped; the file may be damaged or too complex")
        time.sleep(0.02)
    _kill_group(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the process group led by ``proc`` (not yet reaped), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def to_modern(data: bytes, name: str, fmt: str, report: ParsedReport) -> tuple[bytes, str] | None:
    """Convert a legacy submission for reading: (bytes, ``docx``|``xlsx``), with an info
    issue on the report saying so; None (with an error issue saying why) when it cannot be
    converted."""
    try:
        converted = convert(data, fmt)
    except ConversionError as exc:
        report.add_issue(exc.code, "error", exc.message_zh, exc.message_en, name)
        if exc.code in RETRY_CODES:
            # not the file's fault: a reader version of its own makes the next run (with
            # LibreOffice installed, or more time) read the same bytes again
            report.reader_version = f"{report.reader_version}+{exc.code}"
        return None
    target = TARGET[fmt]
    report.add_issue(
        "converted_by_libreoffice", "info",
        f"{_LABEL[fmt]}文件已由 LibreOffice 转换为 .{target} 后读取；"
        "位置（表格、行、列或工作表单元格）按原文件的结构编号",
        f"the {_LABEL[fmt]} file was converted to .{target} by LibreOffice before reading; "
        "locations (table, row, column, sheet cell) follow the original file's structure",
        name)
    return converted, target


__all__ = ["LEGACY_FORMATS", "ConversionError", "check_convertible", "convert", "find_soffice",
           "isolation_prefix", "sniff", "timeout_seconds", "to_modern"]
