"""Helpers for the Word, Excel and PDF tests: generated reports of each format, with truth.

``generated`` runs the project's generator for a few units in one layout family and both
template versions and returns (file, truth) pairs; ``report_document`` builds one report's
format-neutral document directly (for tests that need a writer's options, such as a table
crossing a page break).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from gongkai import template as tpl
from gongkai.synth.document import (
    CellWriter,
    Document,
    Heading,
    Paragraph,
    Style,
    t2_tables,
    t3_table,
    t4_table,
)

UNITS = ["430181002", "430181110", "430181127"]
YEARS = [2020, 2022]  # one year on each template version


def generated(out: Path, layout: str) -> list[tuple[Path, dict]]:
    """Generate reports of one layout family (clean, both versions); (file, truth) pairs."""
    from gongkai.synth.generate import LAYOUT_FORMAT, SynthOptions, generate

    reports = generate(SynthOptions(out=out, years=YEARS, units=UNITS, seed=7,
                                    layouts=[layout], formats=[LAYOUT_FORMAT[layout]]))
    return [(r.path, json.loads(r.truth_path.read_text(encoding="utf-8"))) for r in reports]


def report_document(version: str, seed: int = 1) -> tuple[Document, dict]:
    """A report with every table and section (figures drawn at random); (document, truth)."""
    rng = random.Random(seed)
    cells = {}
    for code in tpl.get(version).cell_codes:
        if tpl.get(version).is_money(code):
            cells[code] = rng.choice([0, 12.5, 213.58, None])
        else:
            cells[code] = rng.choice([0, 0, 1, 2, 5, 13, 140, None])
    style = Style.draw(rng, "html")
    writer = CellWriter(cells, style, rng)
    year = 2020 if version == "v2019" else 2022
    doc = Document(title=f"浏阳市集里街道{year}年政府信息公开工作年度报告", year=year)
    blocks = doc.blocks
    blocks.append(Heading(doc.title, 0))
    blocks.append(Paragraph("本报告根据《中华人民共和国政府信息公开条例》编制。"))
    blocks.append(Heading("一、总体情况", 1, "s1"))
    blocks.append(Paragraph(f"{year}年，集里街道主动公开政府信息100条。"))
    blocks.append(Heading("二、主动公开政府信息情况", 1, "s2"))
    blocks.extend(t2_tables(version, writer))
    blocks.append(Heading("三、收到和处理政府信息公开申请情况", 1, "s3"))
    blocks.append(t3_table(version, writer))
    blocks.append(Heading("四、政府信息公开行政复议、行政诉讼情况", 1, "s4"))
    blocks.append(t4_table(writer))
    blocks.append(Heading("五、存在的主要问题及改进情况", 1, "s5"))
    blocks.append(Paragraph("公开内容还不够全面。"))
    blocks.append(Heading("六、其他需要报告的事项", 1, "s6"))
    blocks.append(Paragraph("无。"))
    blocks.append(Paragraph("浏阳市集里街道办事处"))
    blocks.append(Paragraph(f"{year + 1}年1月15日"))
    return doc, dict(writer.truth)


def wrong_cells(report, truth_cells: dict) -> dict:
    """Cells whose parsed value differs from the truth: code → (truth, parsed)."""
    return {k: (v, report.cells.get(k)) for k, v in truth_cells.items()
            if report.cells.get(k) != v}
