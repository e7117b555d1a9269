"""What the reader's result means for loading: can the report be loaded, and does the file
agree with how it was filed.

Both judge a ``ParsedReport`` alone (with the unit and year it was filed under), so they sit
with the readers: the warehouse asks them, ``gongkai check`` and ``gongkai parse`` can too.
"""

from __future__ import annotations

from gongkai.model import Issue, ParsedReport

# issues that reject a report however well it was read (see year_unknown_issue)
REJECTING_CODES = frozenset({"year_unknown"})


def reject_reason(report: ParsedReport) -> str | None:
    """Why a parsed report cannot be loaded, or None when it can.

    A report is unusable when no template table was recognised or no table cell was read, or
    when it carries an issue of ``REJECTING_CODES``; the reason quotes the reader's first
    error issue when there is one.
    """
    rejecting = [i for i in report.issues if i.code in REJECTING_CODES]
    if rejecting:
        return f"{rejecting[0].message_en} ({rejecting[0].code})"
    if report.template is not None and report.is_readable:
        return None
    errors = [i for i in report.issues if i.severity == "error"]
    if errors:
        first = errors[0]
        return f"{first.message_en} ({first.code})"
    if report.template is None:
        return "no report table of a known template version was found"
    return "no table cell could be read"


def reject_reason_zh(report: ParsedReport) -> str | None:
    """``reject_reason`` in Chinese, for the clerk (``gongkai check``), or None when the
    report can be loaded."""
    if report.template is not None and report.is_readable:
        return None
    errors = [i for i in report.issues if i.severity == "error"]
    if errors:
        return errors[0].message_zh
    if report.template is None:
        return "没有找到任何一种格式版本的报告表格（表二、表三、表四）"
    return "表格中没有读到任何单元格"


def year_unknown_issue() -> Issue:
    """The issue of a file filed in no year folder whose text states no year either."""
    return Issue("year_unknown", "error",
                 "文件不在年度文件夹中，报告正文也未写明年度，无法归入任何年度",
                 "the file is in no year folder and its text states no year; it cannot be "
                 "filed for a year")


def filing_issues(report: ParsedReport, filed_unit_code: str | None,
                  filed_year: int | None) -> list[Issue]:
    """Issues for a filed unit or year that disagrees with what the report's text says."""
    out = []
    if filed_unit_code and report.unit_code and filed_unit_code != report.unit_code:
        out.append(Issue(
            "filed_unit_mismatch", "warning",
            f"报送单位（{filed_unit_code}）与报告正文所写单位（{report.unit_name or report.unit_code}"
            f"，{report.unit_code}）不一致；以报送单位为准",
            f"filed unit {filed_unit_code} differs from the unit in the text "
            f"({report.unit_name or ''} {report.unit_code}); the filed unit is used",
        ))
    if filed_year is not None and report.year is not None and filed_year != report.year:
        out.append(Issue(
            "filed_year_mismatch", "warning",
            f"报送年度（{filed_year}）与报告正文所写年度（{report.year}）不一致；以报送年度为准",
            f"filed year {filed_year} differs from the year in the text ({report.year}); "
            "the filed year is used",
        ))
    return out
