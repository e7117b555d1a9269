"""``gongkai parse FILE [--json]``: read one report and show what was read."""

from __future__ import annotations

import json
import sys

from gongkai import template as tpl
from gongkai import wording
from gongkai.model import ParsedReport

HELP = "读取一份报告并列出读到的数字 / read one report and print its cells"
# argparse reflows the description: its line breaks are for reading here
DESCRIPTION = """\
读取一份报告（文本、Markdown、网页、Word、Excel、PDF 或旧版 Office 文件），
按表列出读到的数字和读取问题；--json 输出完整结果。 —— Read one submitted report (text,
Markdown, HTML, Word, Excel, PDF or legacy Office) and print the cells read, with parse
issues; --json prints everything."""


def register(sub) -> None:
    """Add the ``parse`` subcommand."""
    p = sub.add_parser("parse", help=HELP, description=DESCRIPTION)
    p.add_argument("file", help="报告文件 / the report file")
    p.add_argument("--json", action="store_true",
                   help="输出一个 JSON 对象 / print one JSON object (see docs/parse-json.md)")
    p.add_argument("--year", type=int, default=None,
                   help="报送年度 / the year the report was filed for")
    p.add_argument("--unit", default=None,
                   help="报送单位代码 / the unit code the report was filed for")
    p.set_defaults(func=run)


def run(args) -> int:
    """Parse the file and print the result; exit 0, or 2 when nothing could be read."""
    from gongkai.read import parse_file

    report = parse_file(args.file, filed_year=args.year, filed_unit_code=args.unit)
    if args.json:
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_summary(report))
    return 0 if report.template and report.is_readable else 2


def _fmt(v, source=None) -> str:
    mark = "*" if source is not None and source.confidence == "inferred" else ""
    if v is None:
        return "·"
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) + mark
    return str(v) + mark


def _cell(report: ParsedReport, code: str) -> str:
    """A cell for the summary: its value, '·' when empty, '*' after an inferred value."""
    return _fmt(report.cells.get(code), report.sources.get(code))


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(h), *(_width(r[i]) for r in rows)) for i, h in enumerate(headers)]
    out = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True))]
    for r in rows:
        out.append("  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)))
    return "\n".join(out)


def _width(s: str) -> int:
    return sum(2 if ord(c) > 0x2E7F else 1 for c in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))


def render_summary(report: ParsedReport) -> str:
    """A readable summary: metadata, the three tables as tables, and the parse issues."""
    lines = [
        f"文件 file      {report.file} ({report.format}, {report.encoding or '-'})",
        f"单位 unit      {report.unit_name or '-'} ({report.unit_code or '不在名录 not in registry'})",
        f"年度 year      {report.year or '-'}",
        f"模板 template  {report.template or '-'}",
        f"发布 published {report.published or '-'}",
        f"部分 sections  {' '.join(report.section_order) or '-'}",
        "",
    ]
    if report.template:
        t = tpl.get(report.template)
        lines.append("表二 主动公开政府信息情况")
        rows = []
        for b in t.t2_blocks:
            for r in b.rows:
                vals = [f"{wording.short_label(c.labels[0])} {_cell(report, f't2.{r.code}.{c.code}')}"
                        for c in b.cols]
                rows.append([wording.short_label(r.labels[0]), "；".join(vals)])
        lines += [_table(["行", "数字"], rows), ""]
        lines.append("表三 收到和处理政府信息公开申请情况  · = 空白或未见  * = 推定（按模板行序或"
                     "表内合计确定位置）")
        rows = [[wording.short_row_label("t3", r.code)]
                + [_cell(report, f"t3.{r.code}.{c}") for c in tpl.T3_COLS] for r in t.t3_rows]
        lines += [_table(["行", *(wording.short_col_label("t3", c) for c in tpl.T3_COLS)], rows),
                  ""]
        lines.append("表四 政府信息公开行政复议、行政诉讼情况")
        rows = [[wording.short_row_label("t4", b)] + [_cell(report, f"t4.{b}.{c}")
                                                      for c in tpl.T4_COLS]
                for b in tpl.T4_BLOCKS]
        lines += [_table(["", *(wording.short_col_label("t4", c) for c in tpl.T4_COLS)], rows),
                  ""]
    if report.narrative_figures:
        lines.append("正文数字（与表格对照）")
        for f in report.narrative_figures:
            lines.append(f"  {f.phrase} → {_fmt(f.value)}（对照 {wording.plain(f.compared_with)}）")
        lines.append("")
    lines.append(f"读取问题 {len(report.issues)} 条")
    for i in report.issues:
        loc = f"（位置：{wording.location(i.location)}）" if i.location else ""
        kind = wording.SEVERITY.get(i.severity, i.severity)
        lines.append(f"  [{kind}] {wording.plain(i.message_zh)}{loc}（{i.code}）")
    return "\n".join(lines) + "\n"
