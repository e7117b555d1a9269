"""The DOCX (python-docx) and XLSX (openpyxl) versions of the city report and the digests.

They take the same structures as the HTML templates (``gongkai.render.data``) and write
figures with the same formatting (``gongkai.render.fmt``), so every format agrees. Text from
submissions is stripped of characters XML cannot hold, and a cell text that looks like a
formula is stored as text. Files are deterministic: fixed zip timestamps and document dates.
"""

from __future__ import annotations

import copy
import io
import re
import struct
import zipfile
import zlib
from functools import cache
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gongkai.render import fmt
from gongkai.render.charts import Chart
from gongkai.render.data import T4_COL_LABELS, unread_text

BODY_FONT = "宋体"
DIGEST_PAGE = (9, 1.4)  # base font size (pt) and page margins (cm) of a digest
HEAD_FONT = "黑体"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_W_T = qn("w:t")
_CORE_DATE = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


# ---------------------------------------------------------------------------------------------
# deterministic files
# ---------------------------------------------------------------------------------------------

def normalize_zip(path: Path, stamp: str) -> None:
    """Rewrite an Office file with fixed entry timestamps and document dates (``stamp``,
    ISO 8601 like ``2025-01-31T00:00:00Z``), so the same data gives the same bytes."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    path.write_bytes(deterministic_zip(entries, stamp))


def _fixed_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def _deflate(data: bytes) -> bytes:
    # the compressor zipfile uses for ZIP_DEFLATED at the default level
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


# entry name → (data, crc, deflated data): the parts every digest shares (styles, theme …)
# are compressed once per process
_DEFLATED: dict[str, tuple[bytes, int, bytes]] = {}


def _deflated(name: str, data: bytes) -> tuple[int, bytes]:
    hit = _DEFLATED.get(name)
    if hit is not None and hit[0] == data:
        return hit[1], hit[2]
    crc, packed = zlib.crc32(data), _deflate(data)
    _DEFLATED[name] = (data, crc, packed)
    return crc, packed


def deterministic_zip(entries: list[tuple[str, bytes]], stamp: str) -> bytes:
    """The bytes of an Office file holding ``entries`` in order, with fixed timestamps and
    document dates (``stamp``): byte for byte what ``zipfile`` writes for them with
    1980-01-01 entry times, deflated at the default level (``tests/test_render.py`` holds
    the two equal). Compressed parts are reused when an entry is unchanged."""
    out = io.BytesIO()
    central = []
    for name, data in entries:
        if name == "docProps/core.xml":
            data = _CORE_DATE.sub(lambda m: m.group(1) + stamp + m.group(2),
                                  data.decode("utf-8")).encode("utf-8")
        info = _fixed_info(name)
        info.CRC, packed = _deflated(name, data)
        info.file_size, info.compress_size = len(data), len(packed)
        info.header_offset = out.tell()
        out.write(info.FileHeader(False))
        out.write(packed)
        central.append(info)
    start = out.tell()
    for info in central:
        filename, flags = _encoded_name(info.filename)
        dostime = info.date_time[3] << 11 | info.date_time[4] << 5 | info.date_time[5] // 2
        dosdate = (info.date_time[0] - 1980) << 9 | info.date_time[1] << 5 | info.date_time[2]
        out.write(struct.pack(
            "<4s4B4HL2L5H2L", b"PK\x01\x02", info.create_version, info.create_system,
            info.extract_version, info.reserved, flags, info.compress_type, dostime, dosdate,
            info.CRC, info.compress_size, info.file_size, len(filename), 0, 0, 0,
            info.internal_attr, info.external_attr, info.header_offset))
        out.write(filename)
    size = out.tell() - start
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), size,
                          start, 0))
    return out.getvalue()


def _encoded_name(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), 0x800


# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------

def _set_font(run, name: str = BODY_FONT, size: float | None = None, bold: bool | None = None,
              colour: RGBColor | None = None) -> None:
    # the Normal style already carries the body font (Latin and East Asian)
    if name != BODY_FONT:
        run.font.name = name
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if colour is not None:
        run.font.color.rgb = colour


def _new_document(base_size: float, margins_cm: float, landscape: bool = False):
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = Pt(base_size)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    style.paragraph_format.space_after = Pt(2)
    for level in (1, 2, 3):
        h = doc.styles[f"Heading {level}"]
        h.font.name = HEAD_FONT
        h.font.color.rgb = RGBColor(0x1F, 0x23, 0x28)
        h.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), HEAD_FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(margins_cm))
    doc.core_properties.author = "gongkai"
    return doc


def _para(doc, text: str, size: float | None = None, bold: bool = False,
          align=None, colour: RGBColor | None = None):
    p = doc.add_paragraph()
    _set_font(p.add_run(fmt.xml_text(text)), size=size, bold=bold, colour=colour)
    if align is not None:
        p.alignment = align
    return p


@cache
def _style_id(name: str) -> str:
    """The id of a style of python-docx's default template (a lookup by name is slow, so
    it is done once per name)."""
    return Document().styles[name].style_id


def _heading(doc, text: str, level: int = 1):
    h = doc.add_paragraph()
    h._p.style = _style_id(f"Heading {level}")
    _set_font(h.add_run(fmt.xml_text(text)), HEAD_FONT)
    return h


def _is_plain(text: str) -> bool:
    """A cell text python-docx writes as one ``w:t`` without attributes: not empty, no
    surrounding spaces, no tabs or line breaks."""
    return bool(text) and text.strip() == text and not any(c in text for c in "\t\r\n")


def _table(doc, header: list[str], body: list[list], size: float = 8.5,
           numeric: set[int] | None = None, widths: list[float] | None = None):
    numeric = numeric or set()
    table = doc.add_table(rows=1, cols=len(header))
    table._tbl.tblStyle_val = _style_id("Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(header):
        cell = table.rows[0].cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(fmt.xml_text(text))
        _set_font(run, HEAD_FONT, size, bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    # the first row of plain texts is built through python-docx; later ones are copies of
    # it with their texts put in (the same XML, built without python-docx's slow steps)
    prototype = None
    for values in body:
        texts = [fmt.xml_text(value) for value in values]
        plain = len(texts) == len(header) and all(map(_is_plain, texts))
        if plain and prototype is not None:
            row = copy.deepcopy(prototype)
            for element, text in zip(row.iter(_W_T), texts, strict=True):
                element.text = text
            table._tbl.append(row)
            continue
        added = table.add_row()
        cells = added.cells
        for i, text in enumerate(texts):
            cells[i].text = ""
            para = cells[i].paragraphs[0]
            _set_font(para.add_run(text), size=size)
            if i in numeric:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if plain:
            prototype = added._tr
    if widths:
        for row in table.rows:
            for i, w in enumerate(widths):
                row.cells[i].width = Cm(w)
    return table


def _picture(doc, chart: Chart, width_cm: float, caption: str) -> None:
    doc.add_picture(io.BytesIO(chart.png), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, caption, size=8.5, align=WD_ALIGN_PARAGRAPH.CENTER,
          colour=RGBColor(0x5B, 0x64, 0x70))


def _method(doc, lines: list[str]) -> None:
    for line in lines:
        _para(doc, line, size=8, colour=RGBColor(0x44, 0x44, 0x44))


def city_report_docx(d: dict, charts: dict[str, Chart], method_lines: list[str],
                     path: Path, stamp: str) -> Path:
    """Write the city report as DOCX (charts as PNG) for official circulation."""
    f = d["figures"]
    doc = _new_document(10.5, 2.0)
    title = f"{d['city']}{d['year']}年度乡镇（街道）政府信息公开工作年度报告综合分析"
    _para(doc, title, size=16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"数据截至 {d['as_of'] or fmt.DASH} · {d['method'].version}", size=8.5,
          align=WD_ALIGN_PARAGRAPH.CENTER, colour=RGBColor(0x5B, 0x64, 0x70))

    _heading(doc, "一、总体情况")
    summary = (f"{d['year']}年度全市应报送年度报告的乡镇（街道）{f['units_expected']}个，已报送并读取"
               f"{f['units_reporting']}个。综合得分平均{fmt.num(f['mean_score'])}分、中位数"
               f"{fmt.num(f['median_score'])}分；优秀{f['units_excellent']}个、良好{f['units_good']}个、"
               f"合格{f['units_pass']}个、不合格{f['units_fail']}个。本年新收申请"
               f"{fmt.num(f['applications'])}件，公开率"
               f"{fmt.rate(f['disclosure_status'], f['disclosed'], f['disclosure_base'], f['disclosure_rate'])}；"
               f"行政复议{fmt.num(f['review_total'])}件，行政诉讼{fmt.num(f['suit_total'])}件。")
    if f["has_check_run"]:
        summary += f"{f['units_with_errors']}个单位的报告存在“错误”级问题（共{f['error_findings']}条）。"
    _para(doc, summary)

    _heading(doc, "二、综合排名")
    _method(doc, method_lines)
    for g in d["groups"]:
        _heading(doc, f"{g['name']}（{sum(1 for r in g['rows'] if r['has_report'])}个）", 2)
        body = []
        for r in g["rows"]:
            if r["has_report"]:
                body.append([fmt.rank(r["rank_in_group"]), r["unit_name"], fmt.num(r["score"]),
                             r["band"] or "未评", fmt.rank_range(r["rank_min"], r["rank_max"]),
                             fmt.signed(r["score_change"]), fmt.rank_change(r["rank_change"])])
            else:
                body.append([fmt.DASH, r["unit_name"], fmt.DASH, "未评", "未报送或无法读取",
                             fmt.DASH, fmt.DASH])
        _table(doc, ["名次", "单位", "得分", "等次", "名次区间", "得分变化", "名次变化"], body,
               numeric={2, 5})
    _picture(doc, charts["league"], 16, f"图1 {charts['league'].title}")
    _picture(doc, charts["distribution"], 16, f"图2 {charts['distribution'].title}")

    _heading(doc, "三、合规情况")
    _table(doc, ["指标", "可评价单位", "满分单位", "满分率", "上年满分率", "平均得分"],
           [[r["name"], f"{r['units_assessed']}/{r['units_reporting']}", r["units_full"],
             fmt.pct(r["share_full"]), fmt.pct(r["prev_share_full"]), fmt.pct(r["mean_score"])]
            for r in d["rates"]], numeric={1, 2, 3, 4, 5})

    _heading(doc, "四、收到和处理政府信息公开申请情况")
    _para(doc, "全市合计只加总填有数字的单元格；空白单元格不计为0，另列其数量。", size=8.5)
    _table(doc, ["项目（表三“总计”列）", f"{d['year']}年", f"{d['year'] - 1}年", "增减", "增减率",
                 "空白格"],
           [[r["label"], fmt.num(r["value"]), fmt.num(r["prev"]), fmt.signed(r["change"]),
             fmt.signed_pct(r["change_pct"]), r["blank_cells"]] for r in d["t3"]],
           numeric={1, 2, 3, 4, 5})
    _heading(doc, "办理结果构成", 2)
    _table(doc, ["办理结果", "件数", "占比", "上年件数", "上年占比", "空白格"],
           [[o["outcome_name"], fmt.num(o["value"]), fmt.pct(o["share"]), fmt.num(o["prev_value"]),
             fmt.pct(o["prev_share"]), o["blank_cells"]] for o in d["outcomes"]],
           numeric={1, 2, 3, 4, 5})
    _picture(doc, charts["outcomes"], 16, f"图3 {charts['outcomes'].title}")

    _heading(doc, "五、行政复议和行政诉讼情况")
    _table(doc, ["类别", *T4_COL_LABELS.values(), "上年总计", "增减", "空白格"],
           [[b["label"], *[fmt.num(b["cols"].get(k)) for k in T4_COL_LABELS],
             fmt.num(b.get("prev_total")), fmt.signed(b.get("change")), b["blank_cells"]]
            for b in d["t4"]], numeric=set(range(1, 9)))
    _para(doc, "行政复议纠错率：" + fmt.rate(f["review_correction_status"], f["review_corrected"],
                                        f["review_decided"], f["review_correction_rate"])
          + "；行政诉讼纠错率：" + fmt.rate(f["suit_correction_status"], f["suit_corrected"],
                                       f["suit_decided"], f["suit_correction_rate"]) + "。")

    _heading(doc, "六、报告存在错误的单位")
    if not f["has_check_run"]:
        _para(doc, "本次尚未运行一致性检查。")
    elif d["error_units"]:
        _table(doc, ["单位", "组别", "错误条数", "其中读取存疑", "涉及规则"],
               [[e["unit_name"], e["peer_group"], e["n_errors"], e["n_extraction"], e["rules"]]
                for e in d["error_units"]], numeric={2, 3})
    else:
        _para(doc, "各单位报告均未发现“错误”级问题。")

    _heading(doc, "七、历年趋势")
    _picture(doc, charts["totals"], 16, f"图4 {charts['totals'].title}")
    _table(doc, ["年度", "报送单位", "新收申请", "办理总数", "行政复议", "行政诉讼", "平均得分"],
           [[s["report_year"], f"{s['units_reporting']}/{s['units_expected']}",
             fmt.num(s["applications"]), fmt.num(s["handled"]), fmt.num(s["review_total"]),
             fmt.num(s["suit_total"]), fmt.num(s["mean_score"])] for s in d["series"]],
           numeric={1, 2, 3, 4, 5, 6})

    _heading(doc, "附：指标与计分方法")
    _method(doc, method_lines)
    method = d["method"]
    _table(doc, ["指标", "维度", "权重", "计分方法"],
           [[m.name, method.dimensions.get(m.dimension, "参考，不排名") if m.dimension else
             "参考，不排名", fmt.num(method.weights.get(m.metric_id, 0)), m.method]
            for m in method.metrics], size=8, numeric={2}, widths=[2.6, 2.0, 1.2, 11.2])
    doc.core_properties.title = title
    doc.save(path)
    normalize_zip(path, stamp)
    return path


def _cell_ref(c: dict) -> str:
    """A cell named by a finding: code, row/column, the value checked, and where it was read."""
    text = c["cell_key"]
    if c["row_label"]:
        text += f" {c['row_label']}／{c['col_label']}"
    text += " = " + c["value_text"]
    if c["location"]:
        text += f"（原文“{c['raw_text'] or ''}”，{c['location']}）"
    return text


@cache
def _skeleton(base_size: float, margins_cm: float):
    """A new document (styles, page, margins), its core-properties part, and the entries of
    its saved file; built once per process and reused by every digest."""
    doc = _new_document(base_size, margins_cm)
    core = next(part for part in doc.part.package.iter_parts()
                if part.partname == "/docProps/core.xml")
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as saved:
        entries = tuple((info.filename, saved.read(info.filename)) for info in saved.infolist())
    return doc, core, entries


def _blank_skeleton(base_size: float, margins_cm: float):
    """The skeleton document with its body emptied (the section properties stay)."""
    doc = _skeleton(base_size, margins_cm)[0]
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def _skeleton_entries(doc, base_size: float, margins_cm: float) -> list[tuple[str, bytes]]:
    """The file entries of a document built on the skeleton. A digest adds no part (no
    picture), so only the body and the core properties differ from the skeleton's."""
    _, core, entries = _skeleton(base_size, margins_cm)
    fresh = {"word/document.xml": doc.part.blob, "docProps/core.xml": core.blob}
    return [(name, fresh.get(name, data)) for name, data in entries]


def warm_up() -> None:
    """Build the digest skeleton and the style ids before the first digest needs them."""
    _skeleton(*DIGEST_PAGE)
    for name in ("Heading 1", "Heading 2", "Table Grid"):
        _style_id(name)


def digest_docx(d: dict, method_lines: list[str], path: Path, stamp: str) -> Path:
    """Write one unit's digest as a one-page DOCX."""
    u = d["unit"]
    doc = _blank_skeleton(*DIGEST_PAGE)
    title = f"{u['unit_name']} · {d['year']}年度政府信息公开工作年度报告评价摘要"
    _para(doc, title, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"{d['city']} · {u['peer_group']}组 · 数据截至 {d['as_of'] or fmt.DASH} · "
               f"{d['method'].version}", size=8, align=WD_ALIGN_PARAGRAPH.CENTER,
          colour=RGBColor(0x5B, 0x64, 0x70))
    _table(doc, ["等次", "综合得分", f"{u['peer_group']}组名次", "名次区间", "全市名次",
                 "得分变化", "名次变化"],
           [[u["band"] or "未评", fmt.num(u["score"]), fmt.rank(u["rank_in_group"], u["group_size"]),
             fmt.rank_range(u["rank_min"], u["rank_max"]),
             fmt.rank(u["rank_overall"], u["city_size"]), fmt.signed(u["score_change"]),
             fmt.rank_change(u["rank_change"])]], size=9)
    _heading(doc, f"需要改正或核实的问题（{len(d['findings'])}条）", 2)
    if not d["findings"]:
        _para(doc, "最近一次检查未发现本单位报告的问题。")
    for x in d["findings"]:
        kind = ("无法核对" if x["status"] == "not_assessable" else
                {"error": "错误", "warning": "提醒"}.get(x["severity"], "提示"))
        note = "（可能是读取问题，请核对原文）" if x["responsibility"] == "extraction" else ""
        _para(doc, f"【{kind}】{x['rule_id']}{note}　{x['message_zh'] or ''}", size=8.5)
        refs = [_cell_ref(c) for c in x["cell_rows"]]
        if x["zero_cells"]:
            refs.append(f"另有{x['zero_cells']}个单元格的值为0")
        if x["blank_cells"]:
            refs.append(f"{x['blank_cells']}个空白单元格，见下")
        if refs:
            _para(doc, "；".join(refs), size=7, colour=RGBColor(0x44, 0x44, 0x44))
    if d["blank_cells"] or d["unread_cells"]:
        blanks = [f"{c['cell_key']} 原文“{c['raw_text'] or ''}” {c['location']}"
                  for c in d["blank_cells"]]
        if d["unread_cells"]:
            blanks.append(unread_text(d["unread_cells"]))
        _para(doc, f"以上问题涉及的空白或无法识别的单元格（{len(d['blank_cells']) + len(d['unread_cells'])}"
                   "个；空白不等于0）：" + "；".join(blanks), size=7,
              colour=RGBColor(0x44, 0x44, 0x44))
    _heading(doc, "各项指标", 2)
    _table(doc, ["指标", "权重", "得分", "依据"],
           [[i["name"], fmt.num(i["weight"]),
             "未评" if i["score"] is None else fmt.num(i["score"] * 100), i["evidence"]]
            for i in d["indicators"]], size=8, numeric={1, 2})
    _heading(doc, "主要数据与全市中位数", 2)
    body = [[f"{x['label']}（{x['unit']}）", fmt.num(x["value"]), fmt.num(x["median"])]
            for x in d["figures"]]
    c, cf = d["context"], d["city_figures"]
    if c and cf:
        body.append(["公开率",
                     fmt.rate(c["disclosure_status"], c["disclosed"], c["handled"],
                              c["disclosure_rate"]),
                     "全市 " + fmt.rate(cf["disclosure_status"], cf["disclosed"],
                                      cf["disclosure_base"], cf["disclosure_rate"])])
    _table(doc, ["项目", "本单位", "全市中位数"], body, size=8, numeric={1, 2})
    _heading(doc, f"{u['peer_group']}组得分", 2)
    peers = d["peers"]
    _para(doc, "；".join(f"{fmt.rank(p['rank_in_group'])}. {p['short_name']} {fmt.num(p['score'])}"
                        f"（{p['band'] or '未评'}）" for p in peers), size=8)
    _method(doc, method_lines[:2])
    doc.core_properties.title = title
    path.write_bytes(deterministic_zip(_skeleton_entries(doc, *DIGEST_PAGE), stamp))
    return path


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------

_HEAD_FILL = PatternFill("solid", fgColor="EEF1F4")


def _cell_value(value):
    if isinstance(value, str):
        return fmt.xml_text(value)
    return value


def _sheet(wb, title: str, header: list[str], body: list[list], note: str | None = None,
           formats: dict[int, str] | None = None) -> None:
    ws = wb.create_sheet(title)
    start = 1
    if note:
        ws.cell(row=1, column=1, value=fmt.xml_text(note)).font = Font(italic=True,
                                                                       color="555555")
        start = 3
    for col, text in enumerate(header, start=1):
        c = ws.cell(row=start, column=col, value=text)
        c.font = Font(bold=True)
        c.fill = _HEAD_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, values in enumerate(body, start=start + 1):
        for col, value in enumerate(values, start=1):
            c = ws.cell(row=r, column=col, value=_cell_value(value))
            if isinstance(value, str):
                c.data_type = "s"  # text from a report is never a formula
            if formats and (col - 1) in formats and isinstance(value, int | float):
                c.number_format = formats[col - 1]
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
    for col, text in enumerate(header, start=1):
        longest = max([len(str(text))] + [len(str(v[col - 1])) for v in body[:200]
                                           if col - 1 < len(v) and v[col - 1] is not None])
        ws.column_dimensions[get_column_letter(col)].width = min(max(8, longest * 1.7), 60)


def city_report_xlsx(d: dict, method_lines: list[str], path: Path, stamp: str) -> Path:
    """Write every table of the city report to an XLSX workbook (numbers as numbers)."""
    wb = Workbook()
    wb.remove(wb.active)
    method = d["method"]
    dims = list(method.dimensions)
    note = f"{d['city']}{d['year']}年度 · {method.version}"
    _sheet(wb, "综合排名",
           ["年度", "组别", "组内名次", "组内单位数", "名次区间（最好）", "名次区间（最差）",
            "单位代码", "单位", "综合得分", "等次", *[method.dimensions[k] for k in dims],
            "可评权重", "上年得分", "得分变化", "上年组内名次", "名次变化（正为上升）", "全市名次"],
           [[r["report_year"], r["peer_group"], r["rank_in_group"], r["group_size"],
             r["rank_min"], r["rank_max"], r["unit_code"], r["unit_name"], r["score"],
             r["band"] or ("未报送" if not r["has_report"] else None),
             *[r["dimensions"].get(k) for k in dims], r["coverage"], r["prev_score"],
             r["score_change"], r["prev_rank_in_group"], r["rank_change"], r["rank_overall"]]
            for r in d["league"]], note=note, formats={len(dims) + 10: "0%"})
    _sheet(wb, "合规率",
           ["指标", "维度", "报送单位", "可评价单位", "满分单位", "满分率", "上年满分率", "平均得分"],
           [[r["name"], method.dimensions.get(r["dimension"]), r["units_reporting"],
             r["units_assessed"], r["units_full"], r["share_full"], r["prev_share_full"],
             r["mean_score"]] for r in d["rates"]], note=note,
           formats={5: "0.0%", 6: "0.0%", 7: "0.0%"})
    _sheet(wb, "表三汇总",
           ["项目（表三“总计”列）", f"{d['year']}年", f"{d['year'] - 1}年", "增减", "增减率",
            "空白格"],
           [[r["label"], r["value"], r["prev"], r["change"], r["change_pct"], r["blank_cells"]]
            for r in d["t3"]], note=note + " · 空白不计为0", formats={4: "0.0%"})
    _sheet(wb, "办理结果",
           ["办理结果", "件数", "占比", "上年件数", "上年占比", "空白格"],
           [[o["outcome_name"], o["value"], o["share"], o["prev_value"], o["prev_share"],
             o["blank_cells"]] for o in d["outcomes"]], note=note,
           formats={2: "0.0%", 4: "0.0%"})
    _sheet(wb, "复议诉讼",
           ["类别", *T4_COL_LABELS.values(), "上年总计", "增减", "空白格"],
           [[b["label"], *[b["cols"].get(k) for k in T4_COL_LABELS], b.get("prev_total"),
             b.get("change"), b["blank_cells"]] for b in d["t4"]], note=note)
    _sheet(wb, "参考指标",
           ["单位代码", "单位", "新收申请", "办理总数", "予以公开＋部分公开", "公开率",
            "公开率（显示）", "结转下年", "行政复议", "复议纠正", "复议已审结", "复议纠错率（显示）",
            "行政诉讼", "诉讼纠正", "诉讼已审结", "诉讼纠错率（显示）"],
           [[c["unit_code"], c["short_name"], c["applications"], c["handled"], c["disclosed"],
             c["disclosure_rate"],
             fmt.rate(c["disclosure_status"], c["disclosed"], c["handled"], c["disclosure_rate"]),
             c["carried_out"], c["review_total"], c["review_corrected"], c["review_decided"],
             fmt.rate(c["review_correction_status"], c["review_corrected"], c["review_decided"],
                      c["review_correction_rate"]),
             c["suit_total"], c["suit_corrected"], c["suit_decided"],
             fmt.rate(c["suit_correction_status"], c["suit_corrected"], c["suit_decided"],
                      c["suit_correction_rate"])]
            for c in d["context"]], note=note + " · 参考指标不参与排名", formats={5: "0.0%"})
    _sheet(wb, "全市汇总（逐格）",
           ["表", "行", "列", "单元格代码", f"{d['year']}年合计", f"{d['year'] - 1}年合计", "增减",
            "增减率", "报送单位", "有数值单位", "空白格", "无法识别格", "未读到格"],
           [[r["table_code"], r["row_label"] or r["row_code"], r["col_label"] or r["col_code"],
             r["cell_code"], r["total_value"], r["prev_total_value"], r["change"],
             r["change_pct"], r["units_reporting"], r["units_with_value"], r["blank_cells"],
             r["unreadable_cells"], r["unseen_cells"]] for r in d["totals"]],
           note=note + " · 合计只加总填有数字的单元格，空白不计为0", formats={7: "0.0%"})
    _sheet(wb, "错误单位",
           ["单位代码", "单位", "组别", "错误条数", "其中读取存疑", "涉及规则"],
           [[e["unit_code"], e["unit_name"], e["peer_group"], e["n_errors"], e["n_extraction"],
             e["rules"]] for e in d["error_units"]], note=note)
    _sheet(wb, "历年趋势",
           ["年度", "应报送", "已报送", "新收申请", "办理总数", "行政复议", "行政诉讼", "平均得分",
            "中位得分"],
           [[s["report_year"], s["units_expected"], s["units_reporting"], s["applications"],
             s["handled"], s["review_total"], s["suit_total"], s["mean_score"],
             s["median_score"]] for s in d["series"]], note=note)
    _sheet(wb, "计分方法",
           ["指标代码", "指标", "类型", "维度", "权重", "计分方法"],
           [[m.metric_id, m.name, m.kind, method.dimensions.get(m.dimension) if m.dimension
             else "参考，不排名", method.weights.get(m.metric_id, 0), m.method]
            for m in method.metrics] + [[None, None, None, None, None, line]
                                        for line in method_lines],
           note=note)
    wb.properties.creator = "gongkai"
    wb.properties.title = f"{d['city']}{d['year']}年度综合分析"
    wb.save(path)
    normalize_zip(path, stamp)
    return path
