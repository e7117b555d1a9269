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

from gongkai import rankings, wording
from gongkai.render import MANIFEST, artifact_key, charts, league_artifact_rows, render_all
from gongkai.wording import plain

YEAR = 2024


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generated demo (2023–2024, real checks) rendered once."""
    warehouse = generated_warehouse((2023, 2024))
    out = tmp_path_factory.mktemp("out")
    files = render_all(warehouse, out, [2023, 2024], pdf=False)
    return warehouse, out, files


def digest(out, year, code: str, ext: str):
    """The digest file of a unit (named <code>-<name>.<ext>)."""
    found = sorted((out / str(year) / "digests").glob(f"{code}-*.{ext}"))
    assert len(found) == 1, (code, found)
    return found[0]


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
    # every file but the render's own manifest (.render-manifest.json)
    assert set(files) == {p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST}
    index = (out / "index.html").read_text("utf-8")
    for year in (2023, 2024):
        assert f'href="{year}/city-report.html"' in index
        assert f'href="{year}/digests/430181001-' in index


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
        # a rule id inside a message is printed as what the rule checks
        by_unit.setdefault(unit, set()).add(plain(message))
    checked = 0
    for unit, own in sorted(by_unit.items()):
        text = htmllib.unescape((digest(out, YEAR, unit, "html")).read_text("utf-8"))
        for message in own:
            assert message in text
        others = set().union(*(m for u, m in by_unit.items() if u != unit)) - own
        for message in others:
            assert message not in text, (unit, message)
        for u, location in cells:
            if u == unit:
                assert wording.location(location) in text
        checked += 1
    assert checked >= 2
    # other units' scores are shown: every unit of the peer group is listed
    text = digest(out, YEAR, "430181001", "html").read_text("utf-8")
    peers = text.split('<ol class="peers">', 1)[1].split("</ol>", 1)[0]
    assert peers.count("<li") == 4


def test_text_from_submissions_is_escaped(tmp_path):
    path = build_constructed(tmp_path / "w.duckdb")
    con = duckdb.connect(str(path))
    # names as the registry gives them: the unit's latest and those of each year
    for table in ("units", "unit_periods"):
        con.execute(f"update {table} set name = '<script>alert(1)</script>淮川街道', "
                    "short_name = '<b>淮川</b>' where unit_code = '430181001'")
        con.execute(f"update {table} set name = '=HYPERLINK(\"http://x\")集里' "
                    "where unit_code = '430181002'")
    con.execute("update narratives set text = '<script>alert(\"s5\")</script>问题' "
                "where section_code = 's5' and unit_code = '430181001'")
    con.execute("update findings set message_zh = '<img src=x onerror=alert(1)>错误' "
                "where unit_code = '430181004' and report_year = 2024")
    con.close()
    out = tmp_path / "out"
    render_all(path, out, [2024], pdf=False)
    pages = [out / "index.html", out / "2024" / "city-report.html",
             digest(out, 2024, "430181001", "html"),
             digest(out, 2024, "430181004", "html")]
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
    names = [c for c in wb["综合排名"]["A"] if c.value and "HYPERLINK" in str(c.value)]
    assert names and all(c.data_type == "s" for c in names)
    doc = Document(digest(out, 2024, "430181001", "docx"))
    assert any("<script>alert(1)</script>淮川街道" in p.text for p in doc.paragraphs)


def test_zero_denominators_and_small_samples_are_printed_as_such(tmp_path):
    path = build_constructed(tmp_path / "w.duckdb")
    out = tmp_path / "out"
    render_all(path, out, [2024], pdf=False)
    report = (out / "2024" / "city-report.html").read_text("utf-8")
    rows = dict(re.findall(r"<tr><td>([^<]+)</td><td class=\"n\">[^<]*</td><td class=\"n\">"
                           r"[^<]*</td><td class=\"n\">([^<]*)</td>", report))
    assert rows["淮川"] == "75.0%"
    assert rows["集里"] == "3/5件"
    assert rows["荷花"] == "不适用"
    assert rows["官渡"] == "数据空白"
    assert "不适用" in digest(out, 2024, "430181003", "html").read_text("utf-8")


def test_rendering_is_deterministic(tmp_path):
    path = build_constructed(tmp_path / "w.duckdb")
    first = render_all(path, tmp_path / "a", [2024], pdf=False)
    second = render_all(path, tmp_path / "b", [2024], pdf=False)
    assert len(first) == len(second)
    for a, b in zip(sorted(first), sorted(second), strict=True):
        assert a.relative_to(tmp_path / "a") == b.relative_to(tmp_path / "b")
        assert a.read_bytes() == b.read_bytes(), a


def test_unknown_year_is_skipped(tmp_path, caplog):
    path = build_constructed(tmp_path / "w.duckdb")
    files = render_all(path, tmp_path / "out", [2019, 2024], pdf=False)
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
from gongkai.render.model import LeagueRow, PeerGroup
rows = [LeagueRow(unit_code=c, report_year=2024, unit_name=n, short_name=n, peer_group="街道",
                  peer_group_order=1, has_report=True, rank_in_group=r, score=s, band=b)
        for c, n, r, s, b in (("430181002", "集里街道", 1, 91.5, "优秀"),
                              ("430181003", "荷花街道", 2, 80.0, "良好"))]
chart = charts.league_chart([PeerGroup("街道", rows)], 2024)
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
    from gongkai.render.model import LeagueRow

    rows = league_artifact_rows([LeagueRow(
        unit_code="430181002", report_year=2024, unit_name="集里街道", short_name="集里",
        peer_group="街道", peer_group_order=1, has_report=True, rank_in_group=2, group_size=4,
        score=90.0, band="优秀", rank_min=2, rank_max=3, score_change=-1.5, rank_change=None)])
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
    parallel = render_all(warehouse, tmp_path / "two", [2023, 2024], workers=2, pdf=False)
    names = sorted(p.relative_to(tmp_path / "two") for p in parallel)
    assert names == sorted(p.relative_to(out) for p in out.rglob("*")
                           if p.is_file() and p.name != MANIFEST)
    for name in names:
        assert (tmp_path / "two" / name).read_bytes() == (out / name).read_bytes(), name


def test_digest_documents_do_not_share_state(tmp_path):
    """The digest DOCX reuses one document skeleton per process: a digest's bytes do not
    depend on which digests were written before it."""
    from gongkai.render import data, write_digests

    path = build_constructed(tmp_path / "w.duckdb")
    con, method = data.connect(path)
    city = data.city_report(con, method, 2024)
    digests = {d.unit.unit_code: d for d in data.digests(con, method, city)}
    con.close()
    write_digests([digests["430181001"]], tmp_path / "a")
    write_digests([digests["430181107"], digests["430181001"]], tmp_path / "b")
    a, b = digest(tmp_path / "a", 2024, "430181001", "docx"), digest(tmp_path / "b", 2024,
                                                                    "430181001", "docx")
    assert a.read_bytes() == b.read_bytes()
    doc = Document(b)
    assert not any("430181107" in p.text or "问题-430181107" in p.text for p in doc.paragraphs)


def test_office_files_are_written_deterministically():
    import io
    import zipfile

    from gongkai.zips import fixed_zip, write_zip

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
    written = write_zip(entries, stamp=stamp)
    assert written == expected.getvalue()
    # an archive saved at another time and with other entry times: the same bytes again
    again = io.BytesIO()
    with zipfile.ZipFile(again, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 5, 6, 7, 8, 10)), data)
    assert fixed_zip(again.getvalue(), stamp=stamp, entry_time=(1980, 1, 1, 0, 0, 0),
                     dates=("created", "modified")) == written
    # a generated submission keeps its creation date and gets the fixed "modified" one
    generated = fixed_zip(again.getvalue())
    with zipfile.ZipFile(io.BytesIO(generated)) as z:
        assert z.read("docProps/core.xml") == core.encode()
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}


def test_stale_digests_are_removed_and_other_files_kept(tmp_path):
    path = build_constructed(tmp_path / "w.duckdb")
    out = tmp_path / "out"
    render_all(path, out, [2024], pdf=False)
    digests = out / "2024" / "digests"
    assert digest(out, 2024, "430181004", "html") and digest(out, 2024, "430181004", "docx")
    # units without a report have no digest, and the index does not link to one
    assert not list(digests.glob("430181101*"))
    # a digest under the older name (the code alone) is replaced by the named one
    (digests / "430181001.html").write_text("old", encoding="utf-8")
    index = (out / "index.html").read_text("utf-8")
    assert 'href="2024/digests/430181004-' in index
    assert 'href="2024/digests/430181101-' not in index
    (digests / "notes.txt").write_text("kept", encoding="utf-8")
    (digests / "README.html").write_text("kept", encoding="utf-8")
    w = duckdb.connect(str(path))  # 关口 withdraws its 2024 report
    w.execute("update submissions set is_current = false where unit_code = '430181004' "
              "and report_year = 2024")
    w.close()
    files = render_all(path, out, [2024], pdf=False)
    assert not list(digests.glob("430181004*"))
    assert not (digests / "430181001.html").exists()
    assert (digests / "notes.txt").exists() and (digests / "README.html").exists()
    assert digest(out, 2024, "430181001", "html") in files
    index = (out / "index.html").read_text("utf-8")
    assert 'href="2024/digests/430181004-' not in index and "关口街道" in index


def test_render_command_reads_the_warehouse_without_writing_it(tmp_path, capsys):
    import hashlib

    from gongkai.cli import main

    path = build_constructed(tmp_path / "w.duckdb")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    out = tmp_path / "out"
    stale = out / "2024" / "digests" / "430181199-旧名.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old", encoding="utf-8")
    assert main(["render", "--warehouse", str(path), "--out", str(out), "--years",
                 "2023-2024"]) == 0
    said = capsys.readouterr().out
    assert "2023–2024" in said and "removed 1 stale digests" in said
    assert (out / "2024" / "city-report.html").exists()
    assert (digest(out, 2023, "430181001", "docx")).exists()
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


def test_long_digests_print_denser_and_short_ones_in_full(generated):
    """A digest the estimate (``printed_height``) finds too long for one printed page is
    marked denser (its print CSS then uses smaller type and leaves out the history and the
    excerpt); a short one is not, and keeps them on the printed page."""
    from dataclasses import replace

    from gongkai.render import data, digest_html

    warehouse, out, _ = generated
    con, method = data.connect(warehouse)
    city = data.city_report(con, method, YEAR)
    digests = data.digests(con, method, city)
    con.close()
    assert all(d.density == data.density(d) for d in digests)
    shortest = min(digests, key=data.printed_height)
    assert shortest.density == 0
    full = digest(out, YEAR, shortest.unit.unit_code, "html").read_text("utf-8")
    assert '<html lang="zh-CN">' in full and "optional" in full
    # the busiest digest with its entries three times over: too long for the page
    busiest = max(digests, key=lambda d: len(d.groups))
    longer = replace(busiest, groups=busiest.groups * 3)
    assert data.printed_height(longer) > data.printed_height(busiest)
    assert data.printed_height(longer) > 1 and data.density(longer) == 1
    assert '<html lang="zh-CN" class="density-1">' in digest_html(replace(longer, density=1))
    assert wording.unread_text(["a", "b"]) == "a、b：未能从报告中读到"
    assert wording.unread_text(["a", "b", "c", "d"]) == "4项未能从报告中读到：a 至 d"


def _html_headings(text: str) -> list[str]:
    return [htmllib.unescape(h) for h in re.findall(r"<h[23][^>]*>([^<]+)</h[23]>", text)]


def test_every_format_has_the_same_sections(generated):
    """The Word and Markdown city reports carry every section of the HTML one, numbered
    alike (and the workbook a sheet for each table)."""
    _, out, _ = generated
    year_dir = out / str(YEAR)
    html = _html_headings((year_dir / "city-report.html").read_text("utf-8"))
    md = [line.lstrip("#").strip().replace("\\", "")
          for line in (year_dir / "city-report.md").read_text("utf-8").splitlines()
          if line.startswith(("## ", "### "))]
    docx = [p.text for p in Document(year_dir / "city-report.docx").paragraphs
            if p.style.name.startswith("Heading")]
    assert html == md == docx
    numbered = [h for h in html if re.match(r"^[一二三四五六七八九十]、", h)]
    assert [h.split("、", 1)[1] for h in numbered] == [
        "总体情况", "综合排名", "合规情况", "收到和处理政府信息公开申请情况", "行政复议和行政诉讼情况",
        "主动公开政府信息情况", "报告存在错误的单位", "报告存在“提醒”级问题的单位",
        "经检查有误或读取存疑的数值", "历年趋势"]
    for sub in ("分项得分", "办理结果构成", "各单位申请办理参考指标（不参与排名）"):
        assert sub in html
    assert html[-1] == "附：分析人员的审核与更正"  # the appendix, with nothing to list
    sheets = load_workbook(year_dir / "city-report.xlsx").sheetnames
    assert {"综合排名", "参考指标", "主动公开", "错误单位", "提醒单位", "有误或存疑数值",
            "审核与更正"} <= set(sheets)


def test_workbook_is_ready_to_circulate_and_word_is_chinese(generated):
    _, out, _ = generated
    wb = load_workbook(out / str(YEAR) / "city-report.xlsx")
    league = wb["综合排名"]
    assert [c.value for c in league[3]][:2] == ["单位", "组别"]
    for ws in wb.worksheets:
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert league.page_setup.orientation == "landscape"
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                if isinstance(cell.value, float):
                    assert cell.number_format != "General", (ws.title, cell.coordinate)
                    assert len(repr(cell.value)) < 14, (ws.title, cell.value)
    doc = Document(out / str(YEAR) / "city-report.docx")
    langs = {v for el in doc.styles.element.iter() if el.tag.endswith("}lang")
             for k, v in el.attrib.items() if not k.endswith("bidi")}
    assert langs == {"zh-CN"}


def test_digests_speak_to_leaders(generated):
    """No rule ids, cell codes or field names in what a leader reads; the counts match the
    list; one line says where the points were lost; files carry the township's name."""
    _, out, _ = generated
    pages = sorted((out / str(YEAR) / "digests").glob("*.html"))
    assert all(re.match(r"^\d{9}-\w+(街道|镇|乡)\.html$", p.name) for p in pages), pages[:3]
    internal = re.compile(r"\b[TRQ]\d?-[A-Z0-9-]+\b|\bt[234]\.[a-z_.]+|_unit_code|"
                          r"unit_name_printed|submission_year")
    for page in pages:
        text = page.read_text("utf-8")
        body = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
        shown = htmllib.unescape(re.sub(r"<[^>]+>", " ", body))
        assert not internal.search(shown), (page.name, internal.search(shown).group(0))
        # each entry: how many findings it stands for, and its kind
        entries = [(int(n), kind) for n, kind in re.findall(
            r'<div class="finding" data-n="(\d+)">\s*<p><span class="sev sev-[a-z]+">([^<]+)'
            r"</span>", text)]
        heading = re.search(r"需要改正或核实的问题（(.*?)）</h2>", text).group(1)
        total = sum(n for n, _ in entries)
        assert heading.startswith(f"共{total}条"), (page.name, heading)
        if len(entries) < total:
            assert f"（同类合并为{len(entries)}项）" in heading
        for kind in {k for _, k in entries}:
            assert f"{kind}{sum(n for n, k in entries if k == kind)}条" in heading
        for n, _ in entries:  # an entry of several findings says how many
            assert n == 1 or f"（{n}条）" in text
        assert re.search(r'<p class="lost" id="lost-points">(失分主要在：|各项可评价指标均得满分)',
                         text)


def test_rerun_with_nothing_changed_rewrites_nothing(tmp_path):
    """Nothing changed: no file rewritten (same bytes, same modification times). One
    township resubmits in 2024: only 2024 is rendered again."""
    from gongkai.render import render

    path = build_constructed(tmp_path / "w.duckdb")
    out = tmp_path / "out"
    first = render(path, out, [2023, 2024], pdf=False)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}
    again = render(path, out, [2023, 2024], pdf=False)
    assert again.written == [] and again.unchanged_years == [2023, 2024]
    assert sorted(again.files) == sorted(first.files)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}
    assert after == before
    con = duckdb.connect(str(path))  # 集里 corrects its 2024 narrative (a new submission)
    con.execute("update narratives set text = text || '（更正）' where section_code = 's5' "
                "and unit_code = '430181002' and report_year = 2024")
    con.close()
    third = render(path, out, [2023, 2024], pdf=False)
    assert third.unchanged_years == [2023]
    assert third.written and all("2023" not in p.relative_to(out).parts for p in third.written)
    assert digest(out, 2024, "430181002", "html") in third.written
    for p, (mtime, _) in before.items():
        if p.relative_to(out).parts[0] == "2023":
            assert p.stat().st_mtime_ns == mtime, p


def _finding(no: int, rule: str, status: str, message: str, cells: list[tuple],
             severity: str = "error"):
    """A finding as the digest reads it, with its cells (code, value or None, raw, where)."""
    from gongkai.render.model import Finding, FindingCell

    f = Finding(finding_no=no, rule_id=rule, severity=severity, status=status,
                responsibility="source", message_zh=message)
    for i, (key, value, raw, where) in enumerate(cells):
        c = FindingCell(unit_code="430181105", finding_no=no, cell_key=key, finding_value=value,
                        raw_text=raw, location=where, row_label=None, col_label=None,
                        cell_position=i)
        if value is not None:
            c.value_text = value
        f.cells.append(c)
    return f


def test_findings_of_one_rule_make_one_entry():
    """Six columns of table 三 that could not be balanced are one entry that names them
    (the first three, and how many); errors come before the checks that could not be made;
    the heading counts the findings by kind and says how many entries they make."""
    from gongkai.render.data import finding_groups
    from gongkai.wording import finding_counts

    cols = ["natural", "commercial", "research", "social", "legal", "org_other"]
    balance = [_finding(10 + i, "T3-BALANCE", "not_assessable", f"表三“{c}”列无法核对。",
                        [(f"t3.new.{c}", None, "/", "line 101"),
                         (f"t3.carried_in.{c}", None, "/", "line 110"),
                         (f"t3.total.{c}", "0", "0", "line 294")])
               for i, c in enumerate(cols)]
    regulation = [_finding(2 + i, "T2-NO-REGULATION", "fail",
                           f"表二“规章”“{c}”填写为2，但乡镇、街道没有制定规章的权限，规章各项应为0。",
                           [(f"t2.regulation.{c}", "2", "2", f"line {19 + i}")])
                  for i, c in enumerate(["made", "published", "total_public"])]
    unit = _finding(1, "R-UNIT", "fail", "报告标题中的单位“浏阳市章坊镇”不是名录中的单位。",
                    [("filed_unit_code", "张坊镇", None, None),
                     ("text_unit_code", None, None, None)])
    blank = _finding(5, "R-BLANK", "fail", "表三中有12个单元格空着未填：" + "、".join(
        f"表三“本年新收”行“{c}”列" for c in cols * 2) + "。", [], severity="warning")
    findings = [unit, *regulation, blank, *balance]
    groups = finding_groups(findings)
    assert [(g.kind, g.rule_name, g.count) for g in groups] == [
        ("错误", "报告单位与报送单位一致", 1),
        ("错误", "表二规章栏（乡镇、街道不制定规章）", 3),
        ("提醒", "表格没有空白", 1),
        ("无法核对", "表三收支平衡（新收加上年结转等于办理总计加结转下年）", 6)]
    unit_g, reg_g, blank_g, balance_g = groups
    assert balance_g.summary == "自然人、商业企业、科研机构等6列无法核对，因所需单元格空白。"
    assert balance_g.cell_rows == [] and balance_g.zero_cells == 0  # zeros say nothing here
    assert len(balance_g.details) == 6  # every finding's message stays on screen
    assert reg_g.summary.startswith("3处有此问题，例如：表二“规章”“made”填写为2")
    assert [c.ref for c in reg_g.cell_rows] == [
        "表二 规章／本年新制作数量＝2（第19行）", "表二 规章／本年新公开数量＝2（第20行）",
        "表二 规章／对外公开总数量＝2（第21行）"]
    assert unit_g.unread_facts == ["报告中写明的单位"] and unit_g.details == []
    assert [c.ref for c in unit_g.cell_rows] == ["报送单位＝张坊镇"]
    # a long enumeration is cut short on the page, whole in the details
    assert blank_g.summary.endswith("“本年新收”行“research”列等12项。")
    assert blank_g.details == [blank.message]
    assert finding_counts([f.kind for f in findings], len(groups)) == (
        "共11条（同类合并为4项）：错误4条、提醒1条、无法核对6条")
    assert finding_counts(["错误", "提醒"], 2) == "共2条：错误1条、提醒1条"


def test_wording_for_the_printed_page():
    from gongkai import wording as w

    assert w.location("line 12 col 3") == "第12行第3列"
    assert w.location("page 2 table 1 row 4 col 2") == "第2页第1个表格第4行第2列"
    assert w.location("sheet t3 cell E12") == "工作表t3的E12格"
    assert w.location("第3段") == "第3段"
    # rule ids and cell codes inside a message are named in words
    assert w.plain("未通过 T3-CARRY；表格中对应的数字为0（t4.review.total）") == (
        "未通过 “表三上年结转与上年报告衔接”；表格中对应的数字为0（表四 行政复议／总计）")
    assert w.short_cell_label("2019:t3.carried_out.natural") == "2019年报告 表三 结转下年度继续办理／自然人"
    assert w.short_cell_label("t2.fee.amount") == "表二 行政事业性收费／本年收费金额（单位：万元）"
    # an enumeration that ends its sentence is cut; one inside a clause with commas is not
    items = "、".join(f"第{i}项" for i in range(1, 11))
    assert w.brief(f"有10处空白：{items}。请补填。") == "有10处空白：第1项、第2项、第3项等10项。请补填。"
    assert w.brief("表三“部分公开”行：甲、乙、丙、丁、戊、己六列之和为-1，但总计为0。") == (
        "表三“部分公开”行：甲、乙、丙、丁、戊、己六列之和为-1，但总计为0。")
    assert w.brief("有12项：A、B（含甲、乙）、C、D、E等12项。") == "有12项：A、B（含甲、乙）、C等12项。"
    assert w.cell_ref("表二 规章／本年新制作数量", "2", "2", "第19行") == "表二 规章／本年新制作数量＝2（第19行）"
    assert w.cell_ref("表三 本年新收申请／总计", "1200", "1,200", "") == "表三 本年新收申请／总计＝1200（原文“1,200”）"
    cells = [(f"t3.new.{c}", "/") for c in ("natural", "commercial")] + [
        (f"t3.carried_in.{c}", "/") for c in ("natural", "commercial", "research")] + [
        ("t4.review.total", "/")]
    assert w.blank_summary(cells, []) == (
        "表三 本年新收申请行2格、上年结转申请行3格、表四 行政复议／总计，原文均为“/”")
    assert w.blank_summary(cells[:1] + [("t3.new.legal", "")], ["表四 行政复议／总计"]) == (
        "表三 本年新收申请行2格；表四 行政复议／总计：未能从报告中读到")


def test_the_print_copy_of_the_font_keeps_the_bundled_metrics():
    """The TrueType copy the PDFs are printed with: TrueType outlines, its own family name,
    GB 2312 covered (a rarer character left to the bundled font), and the same advance
    widths and vertical metrics as the bundled face, so a page lays out the same."""
    from fontTools.ttLib import TTCollection, TTFont

    from gongkai.render.charts import bundled_font_path
    from gongkai.render.print_font import PRINT_FAMILY, print_font_dir

    folder = print_font_dir()
    assert folder is not None
    (path,) = folder.glob("*.ttf")
    copy = TTFont(str(path))
    with bundled_font_path().open("rb") as f:
        source = next(face for face in TTCollection(f, lazy=True).fonts
                      if face["name"].getDebugName(1) == "Noto Sans CJK SC")
        cmap, source_cmap = copy.getBestCmap(), source.getBestCmap()
        assert "glyf" in copy and "CFF " not in copy
        assert copy["name"].getDebugName(1) == PRINT_FAMILY
        for ch in "浏阳市政府信息公开年度报告“”（）：、；0123456789ABCabc％":
            assert ord(ch) in cmap, ch
            assert (copy["hmtx"][cmap[ord(ch)]][0]
                    == source["hmtx"][source_cmap[ord(ch)]][0]), ch
        assert ord("堃") not in cmap and ord("堃") in source_cmap
        for table, attrs in (("hhea", ("ascent", "descent", "lineGap")),
                             ("OS/2", ("sTypoAscender", "sTypoDescender", "usWinAscent"))):
            for attr in attrs:
                assert getattr(copy[table], attr) == getattr(source[table], attr), attr
        assert copy["head"].unitsPerEm == source["head"].unitsPerEm
