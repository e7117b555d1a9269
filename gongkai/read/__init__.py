"""Readers: any submitted file → a ParsedReport with canonical cells and provenance.

``parse_file`` never raises: whatever the input, it returns a ParsedReport, with parse
issues that say what could not be read and why.
"""

from __future__ import annotations

# first: a compiled module whose source changed since it was compiled is imported from the
# source (gongkai/read/_native.py)
from gongkai.read import _native  # noqa: F401

# isort: split
import importlib
import re
import traceback
from functools import lru_cache
from pathlib import Path

from gongkai import template as tpl
from gongkai.model import ParsedReport
from gongkai.paths import stored_name
from gongkai.read import legacy, limits, meta
from gongkai.read.decode import decode
from gongkai.read.document import Document
from gongkai.read.tables import TableReader
from gongkai.read.version import detect_version
from gongkai.units import Registry, default_registry

MAX_BYTES = limits.MAX_BYTES

# zip-based and binary formats, read by their own modules (each: to_document(data, name))
_BINARY_READERS = {"docx": "gongkai.read.docx", "xlsx": "gongkai.read.xlsx",
                   "pdf": "gongkai.read.pdf"}


def sniff_format(data: bytes, name: str) -> str:
    """The format of a file from its bytes (and, for text, its name)."""
    from gongkai.read.html import looks_like_html

    suffix = Path(name).suffix.lower()
    legacy_format = legacy.sniff(data, name)  # OLE (.doc .wps .xls .et) and RTF, by content
    if legacy_format:
        return legacy_format
    if data.startswith(b"PK\x03\x04"):
        head = data[:65536]
        if b"word/" in head:
            return "docx"
        if b"xl/" in head:
            return "xlsx"
        return {".docx": "docx", ".xlsx": "xlsx"}.get(suffix, "zip")
    if data.startswith(b"%PDF") or suffix == ".pdf" and b"%PDF" in data[:1024]:
        return "pdf"
    if suffix in (".docx", ".xlsx"):
        return suffix[1:]  # not a zip archive: its reader reports the file as damaged
    if suffix in (".html", ".htm", ".xhtml") or looks_like_html(data):
        return "html"
    return "markdown" if suffix in (".md", ".markdown") else "text"


def parse_file(path: str | Path, *, filed_year: int | None = None,
               filed_unit_code: str | None = None,
               registry: Registry | None = None) -> ParsedReport:
    """Read one submitted file. Never raises.

    Only a regular file of at most ``limits.MAX_BYTES`` is read (``limits.open_submitted``);
    messages name the file by its name alone, never by the folders of the machine.
    """
    p = Path(path)
    shown = stored_name(str(p))  # a name that is not UTF-8, written so that it can be stored
    try:
        data = limits.open_submitted(p)
    except limits.LimitExceeded as exc:
        report = ParsedReport(file=shown, format="unknown")
        report.add_issue(exc.code, "error", exc.message_zh, exc.message_en, exc.location)
        return report
    except OSError as exc:
        report = ParsedReport(file=shown, format="unknown")
        reason = exc.strerror or type(exc).__name__
        report.add_issue("file_unreadable", "error", f"无法读取文件：{reason}",
                         f"cannot read the file: {reason}")
        return report
    report = parse_bytes(data, stored_name(p.name), filed_year=filed_year,
                         filed_unit_code=filed_unit_code, registry=registry)
    report.file = shown
    return report


def parse_bytes(data: bytes, name: str, *, filed_year: int | None = None,
                filed_unit_code: str | None = None,
                registry: Registry | None = None) -> ParsedReport:
    """Read one submission given as bytes (``name`` is the file name, for messages). Never raises.

    No message keeps an absolute path (a library's error may quote one): see ``without_paths``.
    """
    report = _parse_bytes(data, name, filed_year=filed_year, filed_unit_code=filed_unit_code,
                          registry=registry)
    for issue in report.issues:
        issue.message_zh = without_paths(issue.message_zh)
        issue.message_en = without_paths(issue.message_en)
        if issue.location:
            issue.location = without_paths(issue.location)
    return report


def _parse_bytes(data: bytes, name: str, *, filed_year: int | None, filed_unit_code: str | None,
                 registry: Registry | None) -> ParsedReport:
    fmt = "unknown"
    try:
        if not data:
            report = ParsedReport(file=name, format=fmt)
            report.add_issue("empty_file", "error", "文件是空的（0 字节）",
                             "the file is empty (0 bytes)")
            return report
        fmt = sniff_format(data, name)
        report = ParsedReport(file=name, format=fmt)
        read_as = fmt
        if fmt in legacy.LEGACY_FORMATS:  # converted to .docx/.xlsx; report.format stays
            converted = legacy.to_modern(data, name, fmt, report)
            if converted is None:
                return report
            data, read_as = converted
        if read_as == "xlsx":
            from gongkai.read import xlsx as xlsx_reader

            if xlsx_reader.read_form(data, name, report):  # the office's own form
                return _finish_form(report, registry or default_registry(), filed_year,
                                    filed_unit_code)
        doc = _to_document(data, name, read_as, report)
        if doc is None:
            return report
        limits.check_document(doc)
        return parse_document(doc, report, filed_year=filed_year,
                              filed_unit_code=filed_unit_code, registry=registry)
    except limits.LimitExceeded as exc:
        report = ParsedReport(file=name, format=fmt)
        report.add_issue(exc.code, "error", exc.message_zh, exc.message_en, exc.location)
        return report
    except MemoryError:
        report = ParsedReport(file=name, format=fmt)
        report.add_issue("memory_limit", "error", "读取此文件所需内存超过上限；未读取",
                         "reading the file needs more memory than the limit; not read")
        return report
    except Exception as exc:  # noqa: BLE001 - any input must yield a report, not a crash
        report = ParsedReport(file=name, format=fmt)
        where = traceback.extract_tb(exc.__traceback__)[-1]
        said = without_paths(str(exc))
        report.add_issue("reader_error", "error",
                         f"读取时出错：{type(exc).__name__}: {said}",
                         f"the reader failed: {type(exc).__name__}: {said} "
                         f"(at {Path(where.filename).name}:{where.lineno})")
        return report


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[^/\s'\"():;,]+/)+([^/\s'\"():;,]*)")


def without_paths(text: str) -> str:
    """A message with every absolute path cut to its last part (``/tmp/x/a.pdf`` → ``a.pdf``):
    messages are stored and shown to others, the machine's folders are not theirs to see."""
    return _ABSOLUTE_PATH.sub(lambda m: m.group(1) or "…", text)


def _finish_form(report: ParsedReport, registry: Registry, filed_year, filed_unit_code
                 ) -> ParsedReport:
    """Unit, completeness and filing checks for a report read from the Excel form."""
    if report.template is None:  # the workbook could not be opened (an error says why)
        return report
    _unit(report, registry, None, report.unit_name, [], filed_year)
    _completeness(report, report.template, False, None)
    _filed(report, registry, filed_year, filed_unit_code)
    return report


def _to_document(data: bytes, name: str, fmt: str, report: ParsedReport) -> Document | None:
    if fmt in ("text", "markdown"):
        from gongkai.read import text as text_reader

        decoded, enc = decode(data)
        report.encoding = enc
        sample = decoded[:4000]
        if sample.count("\ufffd") + sample.count("\x00") > 0.2 * len(sample):
            report.add_issue("not_text", "error", "文件不是可读的文本（二进制内容）",
                             "the file is not readable text (binary content)")
            return None
        decoded = decoded.replace("\x00", "")  # a few NUL bytes in a text are not content
        if not decoded.strip():
            report.add_issue("no_text", "error", "文件中没有文字（只有空白或字节顺序标记）",
                             "the file holds no text (only white space or a byte order mark)")
            return None
        limits.check_text(decoded)
        return text_reader.to_document(decoded, fmt=fmt, encoding=enc)
    if fmt == "html":
        from gongkai.read import html as html_reader

        limits.check_html(data)
        decoded, enc = decode(data, html=True)
        report.encoding = enc
        doc = html_reader.to_document(decoded, encoding=enc)
        for code, sev, zh, en, loc in doc.notes:
            report.add_issue(code, sev, zh, en, loc or name)
        if not doc.lines and not any(i.severity == "error" for i in report.issues):
            report.add_issue("empty_document", "error", "网页中没有可读取的内容",
                             "the page holds no readable content")
        return doc if doc.lines else None
    if fmt == "pdf":
        limits.check_pdf(data)
    module_name = _BINARY_READERS.get(fmt)
    if module_name:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            module = None
        if module is not None:
            doc = module.to_document(data, name)
            for code, sev, zh, en, loc in doc.notes:
                report.add_issue(code, sev, zh, en, loc)
            if not doc.lines:
                if not any(i.severity == "error" for i in report.issues):
                    report.add_issue("empty_document", "error", "文件中没有可读取的内容",
                                     "the file holds no readable content", name)
                return None
            return doc
    report.add_issue("unsupported_format", "error",
                     f"不支持的文件格式：{fmt}（请提交 Word、PDF、网页、Excel 或文本）",
                     f"unsupported file format: {fmt}", name)
    return None


def parse_document(doc: Document, report: ParsedReport, *, filed_year: int | None = None,
                   filed_unit_code: str | None = None,
                   registry: Registry | None = None) -> ParsedReport:
    """Read tables and metadata from a Document into the report."""
    registry = registry or default_registry()
    lines = doc.lines
    report.encoding = report.encoding or doc.encoding

    # metadata that decides how the tables are read
    title, unit_line = meta.find_title(lines, doc.title_hint)
    report.title = title
    # the text of the first lines, joined only when the title does not state the year
    year = meta.year_in_title(title)
    if year is None:
        year = meta.year_from(title, "\n".join(ln.text for ln in lines[:400]))
    report.year = year
    version, v19, v21 = detect_version(doc)
    if version is None:
        version = tpl.version_for_year(report.year or filed_year) or "v2021"
        report.add_issue("template_undetermined", "warning",
                         f"无法从表格标签判断模板版本，按年份采用 {version}",
                         f"the template version could not be told from the labels; {version} "
                         "assumed from the year")
    elif v19 and v21:
        report.add_issue("template_mixed", "warning",
                         f"表格同时含有2019版和2021版模板的标签（{v19}:{v21}），按 {version} 读取",
                         f"labels of both template versions ({v19}:{v21}); read as {version}")
    report.template = version

    # walk the lines: sections switch the table context, the table reader takes the rest
    reader = TableReader(doc, report, version)
    section_starts, seen = reader.walk(lines)
    reader.finish()

    # the text ends before the report does (a page cut off part-way): inside a table, or
    # before the sections that follow the tables while some cells are still to come
    codes = tpl.get(version).cell_codes
    ends_in_tables = reader.last_index in reader.consumed or (
        not seen & {"s5", "s6"} and bool(reader.consumed or seen & {"s2", "s3", "s4"})) or (
        bool(section_starts) and section_starts[-1][1] == reader.last_index)  # at a heading
    truncated = (reader.last_index >= 0 and ends_in_tables
                 and any(c not in report.sources and c not in reader.not_read for c in codes))
    _sections(report, lines, section_starts, reader.consumed, truncated)
    _unit(report, registry, title, unit_line, lines, filed_year)
    published, _ = meta.find_published(lines)
    report.published = published.isoformat() if published else None
    report.narrative_figures = meta.narrative_figures(report.sections)
    _completeness(report, version, truncated, lines[reader.last_index] if truncated else None,
                  reader.not_read, reader.labelled_tables | ({"t4"} if reader.t4.labelled else set()))
    _filed(report, registry, filed_year, filed_unit_code)
    return report


def _sections(report: ParsedReport, lines, starts, consumed: set[int], truncated: bool) -> None:
    report.section_order = [code for code, _ in starts]
    bounds = starts + [("end", len(lines))]
    for (code, start), (_, end) in zip(bounds, bounds[1:], strict=False):
        # the text lines not used as table content
        parts = [ln.text for ln in [lines[j] for j in range(start + 1, end) if j not in consumed]
                 if not ln.is_row]
        if code in ("s2", "s3", "s4"):
            parts = [t for t in parts if not _is_fragment(t)]  # pieces of table headers
        if code == bounds[-2][0]:
            parts = _without_signature(parts)
        report.sections[code] = "\n".join(p for p in parts if p)
    order = ("s1", "s2", "s3", "s4", "s5", "s6")
    missing = [s for s in order if s not in report.sections]
    if truncated and starts:
        # the sections after the last heading met lie past the cut-off
        last = max(order.index(code) for code, _ in starts)
        missing = [s for s in missing if order.index(s) < last]
    if missing:
        report.add_issue("missing_section", "warning",
                         f"未找到以下部分的标题：{', '.join(missing)}",
                         f"no heading found for section(s) {', '.join(missing)}")


def _is_fragment(text: str) -> bool:
    t = text.strip()
    return len(t) <= 10 and not any(p in t for p in "。，；：！？,;")


def _without_signature(parts: list[str]) -> list[str]:
    """The last section without the signature block (unit name and date lines at the end)."""
    out = list(parts)
    while out and len(out[-1].strip()) <= 30 and (
            meta.parse_date(out[-1]) or re.search(r"(人民政府|办事处|街道|镇|乡)$", out[-1].strip())):
        out.pop()
    return out


def _unit(report: ParsedReport, registry: Registry, title, unit_line, lines,
          filed_year: int | None) -> None:
    """The unit the printed name stands for in the report's year (the year the text states,
    else the filed one): a name renamed or merged since is the unit of that year."""
    name = meta.unit_from_title(title) or unit_line
    if not name:
        name = meta.signature_unit(lines)
    report.unit_name = name
    year = report.year if report.year is not None else filed_year
    res = registry.resolve(name, year) if name else None
    if (res is None or res.unit is None) and title:
        res = registry.find_in_text(title, year)
    if res is not None and res.unit is not None:
        report.unit_code = res.unit.code
        if res.how in ("former_name", "merged"):
            report.add_issue("unit_renamed", "info",
                             f"单位名称“{name}”是 {res.unit.name} 的{'曾用名' if res.how == 'former_name' else '被合并单位'}",
                             f"unit name {name!r} is a {res.how.replace('_', ' ')} of {res.unit.name}")
    elif name:
        report.add_issue("unknown_unit", "warning", f"单位“{name}”不在单位名录中",
                         f"unit {name!r} is not in the unit registry")
    else:
        report.add_issue("no_unit", "warning", "未能从报告中读出单位名称",
                         "the report does not state its unit where expected (title, signature)")


@lru_cache(maxsize=4)
def _table_codes(version: str) -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """(table, its cell codes in template order, its Chinese name) of each table of a version."""
    t = tpl.get(version)
    return (("t2", tuple(t.t2_codes()), "表二（主动公开政府信息情况）"),
            ("t3", tuple(t.t3_codes()), "表三（收到和处理政府信息公开申请情况）"),
            ("t4", tuple(t.t4_codes()), "表四（政府信息公开行政复议、行政诉讼情况）"))


def _completeness(report: ParsedReport, version: str, truncated: bool, last_line,
                  not_read: set[str] = frozenset(), labelled: set[str] = frozenset()) -> None:
    t = tpl.get(version)
    cells = report.cells  # every cell of the template, in its order (None: not seen)
    codes = t.cell_codes
    report.cells = dict(zip(codes, map(cells.get, codes), strict=True))
    if truncated:
        where = last_line.cells[0].location if last_line is not None and last_line.cells else None
        report.add_issue("text_cut_off", "warning",
                         "正文在表格中途结束，之后的单元格未出现在文中（未作推测）",
                         "the text ends part-way through a table; the cells after it are not in "
                         "the text (none were invented)", where)
    tables = _table_codes(version)
    if not truncated and not labelled and not any(
            c in report.sources or c in not_read for _, codes, _ in tables for c in codes):
        # not one label or value of any table: the file is not a report (one reason, not three)
        report.add_issue("no_report_tables", "error",
                         "未找到年度报告的表格（表二、表三、表四均不在文中）",
                         "no report table was found (none of tables 2, 3 and 4 is in the text)")
        return
    sources = report.sources
    for table, codes, zh in tables:
        seen = [c for c in codes if c in sources or c in not_read]
        if not seen and table in labelled:
            report.add_issue("table_without_values", "warning",
                             f"{zh}的行标签在文中，但没有读到任何数值",
                             f"table {table}: its row labels are in the text, but no value was "
                             "found beside them", table)
        elif not seen and truncated:
            report.add_issue("missing_table", "warning", f"{zh}在正文结束前未出现",
                             f"table {table} is not in the text (the text ends before it)", table)
        elif not seen:
            report.add_issue("missing_table", "error", f"未找到{zh}的数据",
                             f"table {table} not found", table)
        elif len(seen) < len(codes):
            seen_set = set(seen)
            unseen = [c for c in codes if c not in seen_set]
            report.add_issue("table_incomplete", "warning",
                             f"{zh}不完整：{len(unseen)} 个单元格未出现在文中（首个：{unseen[0]}）",
                             f"table {table} is incomplete: {len(unseen)} cells not in the text "
                             f"(first: {unseen[0]})", table)


def _filed(report: ParsedReport, registry: Registry, filed_year, filed_unit_code) -> None:
    if filed_unit_code and report.unit_code is None and report.unit_name:
        _placed_by_filing(report, registry, filed_unit_code)
    if filed_year is not None and report.year is not None and filed_year != report.year:
        report.add_issue("year_mismatch", "warning",
                         f"报告所写年份 {report.year} 与报送年份 {filed_year} 不一致",
                         f"the report states year {report.year} but was filed for {filed_year}")
    if filed_unit_code and report.unit_code and filed_unit_code != report.unit_code:
        filed = registry.by_code.get(filed_unit_code)
        report.add_issue("unit_mismatch", "warning",
                         f"报告所写单位“{report.unit_name}”与报送单位“{filed.name if filed else filed_unit_code}”不一致",
                         f"the report names {report.unit_name!r} but was filed for "
                         f"{filed_unit_code}")


def _placed_by_filing(report: ParsedReport, registry: Registry, filed_unit_code: str) -> None:
    """A name several counties share (城关镇), printed without its county, stands for the
    unit the file was filed for when that unit is one of them: the filing names the place.
    A name that fits none of the filed unit's places stays unresolved."""
    filed = registry.by_code.get(filed_unit_code)
    if filed is None or not filed.city:
        return
    if registry.resolve(report.unit_name, report.year).how != "ambiguous":
        return
    got = registry.resolve(filed.city + report.unit_name, report.year)
    if got.unit is not None and got.unit.code == filed.code:
        report.unit_code = filed.code


__all__ = ["parse_file", "parse_bytes", "parse_document", "sniff_format"]
