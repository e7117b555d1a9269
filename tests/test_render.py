"""The city report, digests and index: every format, the same figures, escaped text."""

from __future__ import annotations

import html as htmllib
import json
import os
import re
import subprocess
import sys
import warnings

import duckdb
import pytest
from docx import Document
from openpyxl import load_workbook
from ranking_data import build_constructed, generated_warehouse

from gongkai import rankings
from gongkai.render import artifact_key, charts, league_artifact_rows, render_all

YEAR = 2024


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generated demo (2023–2024, real checks) rendered once."""
    warehouse = generated_warehouse((2023, 2024))
    out = tmp_path_factory.mktemp("out")
    files = render_all(warehouse, out, [2023, 2024])
    return warehouse, out, files


def _league_from_html(text: str) -> dict[str, str]:
    """unit code → printed score, from the side-by-side league tables."""
    body = text.split('<table class="league"', 1)[1].split("<h3>分项得分</h3>", 1)[0]
    rows = re.findall(r'<tr data-unit="(\d+)"><td class="c">[^<]*</td><td>[^<]*</td>'
                      r'<td class="n score">([^<]*)</td>', body)
    return dict(rows)


def test_every_output_is_written(generated):
    warehouse, out, files = generated
    con = duckdb.connect(str(warehouse), read_only=True)
    units = con.execute("select count(*) from units").fetchone()[0]
    con.close()
    for year in (2023, 2024):
        for ext in ("html", "docx", "xlsx", "md"):
            assert (out / str(year) / f"city-report.{ext}").stat().st_size > 1000
        for name in ("league", "yearly-totals", "score-distribution", "outcomes"):
            assert (out / str(year) / "charts" / f"{name}.png").exists()
        assert len(list((out / str(year) / "digests").glob("*.html"))) == units
        assert len(list((out / str(year) / "digests").glob("*.docx"))) == units
    assert set(files) == {p for p in out.rglob("*") if p.is_file()}
    index = (out / "index.html").read_text("utf-8")
    for year in (2023, 2024):
        assert f'href="{year}/city-report.html"' in index
        assert f'href="{year}/digests/430181001.html"' in index


def test_html_is_self_contained(generated):
    _, out, _ = generated
    for path in [out / "index.html", out / str(YEAR) / "city-report.html",
                 *sorted((out / str(YEAR) / "digests").glob("*.html"))[:3]]:
        text = path.read_text("utf-8")
        assert not re.search(r'(src|href)="(https?:)?//', text), path
        assert "<script" not in text.lower() and "<link" not in text.lower()
    report = (out / str(YEAR) / "city-report.html").read_text("utf-8")
    assert report.count('src="data:image/svg+xml;base64,') == 4


def test_league_order_and_scores_match_the_warehouse(generated):
    warehouse, out, _ = generated
    con, _ = rankings.connect(warehouse)
    expected = con.execute("select unit_code, score from v_rankings where report_year = ? "
                           "and has_report order by display_order", [YEAR]).fetchall()
    con.close()
    printed = _league_from_html((out / str(YEAR) / "city-report.html").read_text("utf-8"))
    assert list(printed) == [code for code, _ in expected]
    assert printed == {code: f"{score:g}" if score == int(score) else f"{score:.1f}"
                       for code, score in expected}


def test_docx_and_xlsx_hold_the_same_figures_as_the_html(generated):
    _, out, _ = generated
    year_dir = out / str(YEAR)
    html = year_dir.joinpath("city-report.html").read_text("utf-8")
    html_scores = _league_from_html(html)

    wb = load_workbook(year_dir / "city-report.xlsx", read_only=True)
    ws = wb["综合排名"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    header = rows[0]
    code_col, score_col = header.index("单位代码"), header.index("综合得分")
    xlsx_scores = {r[code_col]: r[score_col] for r in rows[1:] if r[score_col] is not None}
    assert {c: float(s) for c, s in html_scores.items()} == xlsx_scores

    doc = Document(year_dir / "city-report.docx")
    docx_scores = []
    for table in doc.tables:
        head = [c.text for c in table.rows[0].cells]
        if head[:3] == ["名次", "单位", "得分"]:
            docx_scores += [r.cells[2].text for r in table.rows[1:] if r.cells[2].text != "—"]
    assert docx_scores == list(html_scores.values())

    # the city total of new applications, in all three formats
    m = re.search(r"<td>本年新收申请</td><td class=\"n\">([^<]*)</td>", html)
    html_new = m.group(1)
    t3 = {r[0]: r[1] for r in wb["表三汇总"].iter_rows(min_row=4, values_only=True)}
    assert html_new == f"{t3['本年新收申请']:g}"
    docx_new = [r.cells[1].text for t in doc.tables
                if t.rows[0].cells[0].text.startswith("项目（表三")
                for r in t.rows if r.cells[0].text == "本年新收申请"]
    assert docx_new == [html_new]
    wb.close()


def test_markdown_has_the_league_and_the_method(generated):
    _, out, _ = generated
    md = (out / str(YEAR) / "city-report.md").read_text("utf-8")
    method = rankings.load_method()
    assert method.version in md
    assert "| 名次 | 单位 | 得分 |" in md
    assert "![" in md and "(charts/league.png)" in md


def test_digest_shows_only_its_own_findings_with_their_cells(generated):
    warehouse, out, _ = generated
    con, _ = rankings.connect(warehouse)
    findings = con.execute("select unit_code, message_zh from v_rank_findings "
                           "where report_year = ?", [YEAR]).fetchall()
    cells = con.execute("select unit_code, location from v_rank_finding_cells "
                        "where report_year = ? and location is not null "
                        "and finding_value is not null and try_cast(finding_value as double) <> 0",
                        [YEAR]).fetchall()
    con.close()
    assert findings, "the generated demo should have findings"
    by_unit: dict[str, set[str]] = {}
    for unit, message in findings:
        by_unit.setdefault(unit, set()).add(message)
    checked = 0
    for unit, own in sorted(by_unit.items()):
        text = htmllib.unescape((out / str(YEAR) / "digests" / f"{unit}.html").read_text("utf-8"))
        for message in own:
            assert message in text
        others = set().union(*(m for u, m in by_unit.items() if u != unit)) - own
        for message in others:
            assert message not in text, (unit, message)
        for u, location in cells:
            if u == unit:
                assert location in text
        checked += 1
    assert checked >= 2
    # other units' scores are shown: every unit of the peer group is listed
    text = (out / str(YEAR) / "digests" / "430181001.html").read_text("utf-8")
    peers = text.split('<ol class="peers">', 1)[1].split("</ol>", 1)[0]
    assert peers.count("<li") == 4


def test_text_from_submissions_is_escaped(tmp_path):
    path = build_constructed(tmp_path / "w.duckdb")
    con = duckdb.connect(str(path))
    con.execute("update units set name = '<script>alert(1)</script>淮川街道', "
                "short_name = '<b>淮川</b>' where unit_code = '430181001'")
    con.execute("update units set name = '=HYPERLINK(\"http://x\")集里' "
                "where unit_code = '430181002'")
    con.execute("update narratives set text = '<script>alert(\"s5\")</script>问题' "
                "where section_code = 's5' and unit_code = '430181001'")
    con.execute("update findings set message_zh = '<img src=x onerror=alert(1)>错误' "
                "where unit_code = '430181004' and report_year = 2024")
    con.close()
    out = tmp_path / "out"
    render_all(path, out, [2024])
    pages = [out / "index.html", out / "2024" / "city-report.html",
             out / "2024" / "digests" / "430181001.html",
             out / "2024" / "digests" / "430181004.html"]
    for page in pages:
        text = page.read_text("utf-8")
        assert "<script" not in text.lower(), page
        assert "<img src=x" not in text and "<b>淮川" not in text, page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;淮川街道" in pages[1].read_text("utf-8")
    assert "&lt;script&gt;alert(&#34;s5&#34;)&lt;/script&gt;" in pages[2].read_text("utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[3].read_text("utf-8")
    md = (out / "2024" / "city-report.md").read_text("utf-8")
    assert "<script" not in md.lower() and "&lt;script&gt;" in md
    wb = load_workbook(out / "2024" / "city-report.xlsx")
    names = [c for c in wb["综合排名"]["H"] if c.value and "HYPERLINK" in str(c.value)]
    assert names and all(c.data_type == "s" for c in names)
    doc = Document(out / "2024" / "digests" / "430181001.docx")
    assert any("<script>alert(1)</script>淮川街道" in p.text for p in doc.paragraphs)


def test_zero_denominators_and_small_samples_are_printed_as_such(tmp_path):
    path = build_constructed(tmp_path / "w.duckdb")
    out = tmp_path / "out"
    render_all(path, out, [2024])
    report = (out / "2024" / "city-report.html").read_text("utf-8")
    rows = dict(re.findall(r"<tr><td>([^<]+)</td><td class=\"n\">[^<]*</td><td class=\"n\">"
                           r"[^<]*</td><td class=\"n\">([^<]*)</td>", report))
    assert rows["淮川"] == "75.0%"
    assert rows["集里"] == "3/5件"
    assert rows["荷花"] == "不适用"
    assert rows["官渡"] == "数据空白"
    digest = (out / "2024" / "digests" / "430181003.html").read_text("utf-8")
    assert "不适用" in digest


def test_rendering_is_deterministic(tmp_path):
    path = build_constructed(tmp_path / "w.duckdb")
    first = render_all(path, tmp_path / "a", [2024])
    second = render_all(path, tmp_path / "b", [2024])
    assert len(first) == len(second)
    for a, b in zip(sorted(first), sorted(second), strict=True):
        assert a.relative_to(tmp_path / "a") == b.relative_to(tmp_path / "b")
        assert a.read_bytes() == b.read_bytes(), a


def test_unknown_year_is_skipped(tmp_path, caplog):
    path = build_constructed(tmp_path / "w.duckdb")
    files = render_all(path, tmp_path / "out", [2019, 2024])
    assert not (tmp_path / "out" / "2019").exists()
    assert (tmp_path / "out" / "2024" / "city-report.html") in files
    assert any("2019" in r.getMessage() for r in caplog.records)


def test_missing_cjk_font_warns(monkeypatch):
    charts.cjk_font.cache_clear()
    monkeypatch.setattr(charts, "BUNDLED_FONT", ("no_such_font_package", "x.ttc", "X"))
    monkeypatch.setattr(charts, "CJK_FONTS", ("No Such Font SC",))
    try:
        with pytest.warns(charts.MissingCJKFont, match="noto-cjk-sans-otc"):
            assert charts.cjk_font() is None
    finally:
        monkeypatch.undo()
        charts.cjk_font.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert charts.cjk_font() == "Noto Sans CJK SC"


# Draws a chart in a fresh process whose matplotlib knows no system font at all (only its own
# DejaVu files and what gongkai registers), with every warning an error.
_HIDDEN_FONTS_SCRIPT = r"""
import warnings
warnings.simplefilter("error")
from matplotlib import font_manager
import matplotlib
data = matplotlib.get_data_path()
fm = font_manager.fontManager
fm.ttflist = [f for f in fm.ttflist if f.fname.startswith(data)]
fm._findfont_cached.cache_clear()
assert not [f for f in fm.ttflist if "CJK" in f.name]
from gongkai.render import charts
chart = charts.league_chart([{"peer_group": "街道", "name": "街道", "rows": [
    {"rank_in_group": 1, "short_name": "集里街道", "score": 91.5, "band": "优秀"},
    {"rank_in_group": 2, "short_name": "荷花街道", "score": 80.0, "band": "良好"}]}], 2024)
path = font_manager.findfont(font_manager.FontProperties(family=charts.cjk_font()),
                             fallback_to_default=False)
print(path)
assert chart.png.startswith(b"\x89PNG")
"""


def test_charts_draw_chinese_with_system_fonts_hidden(tmp_path):
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl")}
    proc = subprocess.run([sys.executable, "-c", _HIDDEN_FONTS_SCRIPT], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Glyph" not in proc.stderr and "Warning" not in proc.stderr
    assert proc.stdout.strip().endswith("NotoSansCJK-Regular.ttc")


def test_artifact_keys_and_rows():
    assert artifact_key("League Table", 2024) == "league-table-2024"
    assert artifact_key("城市", "x_y", 2024) == "x-y-2024"
    rows = league_artifact_rows([{"peer_group": "街道", "rank_in_group": 2, "group_size": 4,
                                  "unit_name": "集里街道", "score": 90.0, "band": "优秀",
                                  "rank_min": 2, "rank_max": 3, "score_change": -1.5,
                                  "rank_change": None}])
    assert rows == [{"组别": "街道", "名次": "2/4", "单位": "集里街道", "得分": "90", "等次": "优秀",
                     "名次区间": "2–3", "得分变化": "−1.5", "名次变化": "—"}]
    json.dumps(rows, ensure_ascii=False)


@pytest.mark.flow
def test_post_artifacts_in_a_flow(prefect_harness, tmp_path):
    from prefect import flow
    from prefect.artifacts import Artifact

    from flows.artifacts import post_city_artifacts

    path = build_constructed(tmp_path / "w.duckdb")

    @flow
    def publish_tables():
        return post_city_artifacts(path, [2024])

    keys = publish_tables()
    assert keys == ["league-table-2024", "city-summary-2024"]
    table = Artifact.get("league-table-2024")
    assert table is not None
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert [r["单位"] for r in rows][:4] == ["淮川街道", "集里街道", "荷花街道", "关口街道"]
    assert [r["名次"] for r in rows][:4] == ["1/4", "2/4", "2/4", "4/4"]
    assert rankings.load_method().version in (table.description or "")
    summary = Artifact.get("city-summary-2024")
    assert summary is not None and "报送单位" in str(summary.data)


def test_workers_do_not_change_the_bytes(generated, tmp_path):
    warehouse, out, _ = generated
    parallel = render_all(warehouse, tmp_path / "two", [2023, 2024], workers=2)
    names = sorted(p.relative_to(tmp_path / "two") for p in parallel)
    assert names == sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    for name in names:
        assert (tmp_path / "two" / name).read_bytes() == (out / name).read_bytes(), name


def test_digest_documents_do_not_share_state(tmp_path):
    """The digest DOCX reuses one document skeleton per process: a digest's bytes do not
    depend on which digests were written before it."""
    from gongkai.render import data, write_digests

    path = build_constructed(tmp_path / "w.duckdb")
    con, method = rankings.connect(path)
    city = data.city_report(con, method, 2024)
    digests = {d["unit"]["unit_code"]: d for d in data.digests(con, method, city)}
    con.close()
    write_digests([digests["430181001"]], tmp_path / "a")
    write_digests([digests["430181107"], digests["430181001"]], tmp_path / "b")
    name = "2024/digests/430181001.docx"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    doc = Document(tmp_path / "b" / name)
    assert not any("430181107" in p.text or "问题-430181107" in p.text for p in doc.paragraphs)


def test_deterministic_zip_is_what_zipfile_writes():
    import io
    import zipfile

    from gongkai.render.office import deterministic_zip

    stamp = "2025-02-01T09:00:00Z"
    core = ('<cp:coreProperties><dcterms:created xsi:type="dcterms:W3CDTF">2013-12-23T23:15:00Z'
            '</dcterms:created></cp:coreProperties>')
    entries = [("[Content_Types].xml", b"<Types/>" * 50), ("docProps/core.xml", core.encode()),
               ("word/document.xml", "正文".encode() * 1000), ("word/媒体.xml", b"x")]
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w") as z:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = core.replace("2013-12-23T23:15:00Z", stamp).encode()
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            z.writestr(info, data)
    assert deterministic_zip(entries, stamp) == expected.getvalue()
    # the second time the unchanged entries come from the cache: the same bytes
    assert deterministic_zip(entries, stamp) == expected.getvalue()


def test_stale_digests_are_removed_and_other_files_kept(tmp_path):
    path = build_constructed(tmp_path / "w.duckdb")
    out = tmp_path / "out"
    render_all(path, out, [2024])
    digests = out / "2024" / "digests"
    assert (digests / "430181004.html").exists() and (digests / "430181004.docx").exists()
    # units without a report have no digest, and the index does not link to one
    assert not (digests / "430181101.html").exists()
    index = (out / "index.html").read_text("utf-8")
    assert 'href="2024/digests/430181004.html"' in index
    assert 'href="2024/digests/430181101.html"' not in index
    (digests / "notes.txt").write_text("kept", encoding="utf-8")
    (digests / "README.html").write_text("kept", encoding="utf-8")
    w = duckdb.connect(str(path))  # 关口 withdraws its 2024 report
    w.execute("update submissions set is_current = false where unit_code = '430181004' "
              "and report_year = 2024")
    w.close()
    files = render_all(path, out, [2024])
    assert not (digests / "430181004.html").exists()
    assert not (digests / "430181004.docx").exists()
    assert (digests / "notes.txt").exists() and (digests / "README.html").exists()
    assert (digests / "430181001.html") in files
    index = (out / "index.html").read_text("utf-8")
    assert 'href="2024/digests/430181004.html"' not in index and "关口街道" in index


def test_render_command_reads_the_warehouse_without_writing_it(tmp_path, capsys):
    import hashlib

    from gongkai.cli import main

    path = build_constructed(tmp_path / "w.duckdb")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    out = tmp_path / "out"
    stale = out / "2024" / "digests" / "430181199.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old", encoding="utf-8")
    assert main(["render", "--warehouse", str(path), "--out", str(out), "--years",
                 "2023-2024"]) == 0
    said = capsys.readouterr().out
    assert "2023–2024" in said and "removed 1 stale digests" in said
    assert (out / "2024" / "city-report.html").exists()
    assert (out / "2023" / "digests" / "430181001.docx").exists()
    assert not stale.exists()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert main(["render", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    assert main(["render", "--warehouse", str(path), "--years", "2024-2019"]) == 2
    assert "runs backwards" in capsys.readouterr().err


def test_the_league_discriminates(generated):
    """Graded indicators: few townships share a score in the generated demo."""
    warehouse, _, _ = generated
    con, _ = rankings.connect(warehouse)
    for year in (2023, 2024):
        scores = [s for (s,) in con.execute(
            "select score from v_rankings where report_year = ? and peer_group = '乡镇' "
            "and has_report", [year]).fetchall()]
        largest_tie = max(scores.count(s) for s in scores)
        assert len(set(scores)) >= 0.75 * len(scores) and largest_tie <= 3, (year, scores)
    con.close()


def test_long_digests_print_dense_and_short_ones_in_full(generated):
    """A digest too long for one printed page is marked dense (its print CSS then uses
    smaller type and leaves out the history and the excerpt); a short one is not."""
    from gongkai.render.data import unread_text

    warehouse, out, _ = generated
    con, _ = rankings.connect(warehouse)
    counts = dict(con.execute("select unit_code, count(*) from v_rank_findings "
                              "where report_year = ? group by unit_code", [YEAR]).fetchall())
    con.close()
    busiest = max(sorted(counts), key=counts.get)
    clean = next(f.stem for f in sorted((out / str(YEAR) / "digests").glob("*.html"))
                 if f.stem not in counts)
    dense = (out / str(YEAR) / "digests" / f"{busiest}.html").read_text("utf-8")
    full = (out / str(YEAR) / "digests" / f"{clean}.html").read_text("utf-8")
    assert '<html lang="zh-CN" class="dense">' in dense
    assert '<html lang="zh-CN">' in full and "optional" in full
    assert unread_text(["a", "b"]) == "a、b未能从报告中读到"
    assert unread_text(["a", "b", "c", "d"]) == "4个单元格未能从报告中读到：a 至 d"
