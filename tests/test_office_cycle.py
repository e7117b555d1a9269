"""The office's year through real flow runs: the registry changes mid-season (a rename and a
merge), analysts review findings and correct readings, and each run writes what is new for the
townships."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from warehouse_helpers import query, run_flow

from gongkai.cli import main
from gongkai.paths import RAW_DIR
from gongkai.units import registry_scope

pytestmark = pytest.mark.flow

CHANGES = Path(__file__).parent / "registry" / "liuyang-changes.csv"
GEJIA, CHUNKOU, PUJI_TOWN, PUJI_STREET = "430181131", "430181127", "430181116", "430181005"
SEED = RAW_DIR / "2019" / "430181002-jili.md"
T4_ROW = "\t".join(["0"] * 15)


def test_demo_with_a_rename_and_a_merge_keeps_history_and_ranks_by_the_groups_of_each_year(
        prefect_harness, tmp_path):
    # the season starts with the bundled registry …
    first = run_flow(RAW_DIR, tmp_path)
    db = Path(first["warehouse"])
    assert query(db, "select count(*) from rankings where unit_code = ? and has_report",
                 [GEJIA]) == [(6,)]
    # … then the office records that 葛家镇 merged into 淳口镇 in 2021 and 普迹镇 became
    # 普迹街道 (a new code) in 2022, and runs again
    with registry_scope(CHANGES):
        second = run_flow(RAW_DIR, tmp_path)
    assert second["counts"]["read"] == 7  # 葛家 2021–2024 and 普迹 2022–2024 filed anew

    # the peer groups of each year: 4 街道 until 普迹 joins them in 2022
    groups = query(db, "select report_year, peer_group, count(*), max(group_size) from rankings "
                       "where has_report group by all order by all")
    assert groups == [
        (2019, "乡镇", 28, 28), (2019, "街道", 4, 4),
        (2020, "乡镇", 28, 28), (2020, "街道", 4, 4),
        (2021, "乡镇", 27, 27), (2021, "街道", 4, 4),
        (2022, "乡镇", 26, 26), (2022, "街道", 5, 5),
        (2023, "乡镇", 26, 26), (2023, "街道", 5, 5),
        (2024, "乡镇", 26, 26), (2024, "街道", 5, 5),
    ]
    assert query(db, "select report_year, unit_code, peer_group from rankings "
                     "where unit_code in (?, ?) order by all", [PUJI_TOWN, PUJI_STREET]) == [
        *[(y, PUJI_TOWN, "乡镇") for y in (2019, 2020, 2021)],
        *[(y, PUJI_STREET, "街道") for y in (2022, 2023, 2024)]]

    # the merged unit's history stays readable: its own reports of 2019–2020, under its name
    assert query(db, "select s.report_year, s.file_path from v_current_submissions as s "
                     "where s.unit_code = ? order by 1", [GEJIA]) == [
        (2019, "2019/430181131-gejia.xlsx"), (2020, "2020/430181131-gejia.html")]
    assert query(db, "select report_year, unit_name, peer_group, rank_in_group is not null "
                     "from rankings where unit_code = ? order by 1", [GEJIA]) == [
        (2019, "葛家镇", "乡镇", True), (2020, "葛家镇", "乡镇", True)]
    assert query(db, "select report_year, name from v_unit_years where unit_code = ? "
                     "order by 1", [GEJIA]) == [(2019, "葛家镇"), (2020, "葛家镇")]
    assert query(db, "select change_year, change_kind, from_name, to_name from unit_changes "
                     "order by 1") == [(2021, "merge", "葛家镇", "淳口镇"),
                                       (2022, "rename", "普迹镇", "普迹街道")]
    # its files of the years after the merge belonged to it under the old registry; they are
    # no longer current for it (the same bytes are filed for 淳口镇 now), so 葛家镇 is not
    # ranked in a year it did not exist
    assert query(db, "select report_year, is_current from submissions where unit_code = ? "
                     "and report_year >= 2021 order by 1", [GEJIA]) == [
        (y, False) for y in (2021, 2022, 2023, 2024)]
    # and they name a unit merged since: the reader says so
    issues = query(db, "select s.report_year, p.message_zh from parse_issues as p join "
                       "submissions as s using (submission_id) where p.issue_code = "
                       "'unit_renamed' and s.filed_unit_code = ? and s.file_path like "
                       "'%gejia%' order by 1", [CHUNKOU])
    assert [y for y, _ in issues] == [2021, 2022, 2023, 2024]
    assert all("葛家镇" in m and "淳口镇" in m and "被合并单位" in m for _, m in issues)
    # 淳口镇 has one current report a year and 葛家镇 is missing from no year's list
    assert query(db, "select report_year, count(*) from v_current_submissions where "
                     "unit_code = ? group by 1 order by 1", [CHUNKOU]) == [
        (y, 1) for y in range(2019, 2025)]
    assert query(db, "select count(*) from rankings where not has_report") == [(0,)]
    # the registry tables hold the history: 33 codes, 2 changes
    assert query(db, "select (select count(*) from unit_periods), "
                     "(select count(*) from unit_changes)") == [(33, 2)]


def write_jili(raw, upheld: str, total: str, year: int = 2019) -> None:
    """集里街道's report with table 四's 行政复议 结果维持 ``upheld`` and 总计 ``total``."""
    seed = SEED.read_text(encoding="utf-8")
    row = "\t".join([upheld, "0", "0", "0", total] + ["0"] * 10)
    (raw / str(year)).mkdir(parents=True, exist_ok=True)
    text = seed.replace(T4_ROW, row).replace("2019", str(year))
    (raw / str(year) / "430181002-jili.md").write_text(text, encoding="utf-8")


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_reviews_corrections_and_notifications_across_runs(prefect_harness, tmp_path):
    raw = tmp_path / "raw"
    write_jili(raw, upheld="1", total="0")  # T4-SUM: the township's error
    (raw / "2019" / "430181003-hehua.md").write_text(
        SEED.read_text(encoding="utf-8").replace("集里街道", "荷花街道")
        .replace(T4_ROW, "\t".join(["1?", "0", "0", "0", "1"] + ["0"] * 10)),
        encoding="utf-8")  # 荷花街道: 结果维持 unreadable (our reading is in doubt)
    reviews, corrections = tmp_path / "data" / "reviews.toml", tmp_path / "data" / "corrections.toml"
    first = run_flow(raw, tmp_path, reviews=str(reviews), corrections=str(corrections))
    db, out = Path(first["warehouse"]), tmp_path / "out"

    # run 1: everything is new; our reading doubts are not sent to the township
    notes = read_csv(Path(first["notifications"]["csv"]))
    assert [(n["unit_code"], n["kind"], n["rule_id"]) for n in notes] == [
        ("430181002", "error_finding", "T4-SUM")]
    md = Path(first["notifications"]["md"]).read_text(encoding="utf-8")
    assert "此前没有完成的运行" in md and "集里街道（430181002）" in md and "T4-SUM" in md
    assert Path(first["notifications"]["csv"]).name.endswith(f"-{first['run_id']}.csv")

    # the analyst dismisses 集里街道's finding and corrects 荷花街道's reading
    (key,) = [k for (k,) in query(db, "select finding_key from findings_current where "
                                      "rule_id = 'T4-SUM' and unit_code = '430181002'")]
    assert main(["review", "dismiss", key, "--reason", "复议申请已撤回，按0统计", "--by", "王芳",
                 "--warehouse", str(db), "--reviews", str(reviews)]) == 0
    assert main(["correction", "add", "--unit", "430181003", "--year", "2019", "--cell",
                 "t4.review.upheld", "--value", "1", "--reason", "原件为1", "--by", "王芳",
                 "--warehouse", str(db), "--corrections", str(corrections)]) == 0

    # run 2, rendered: the decisions apply, nothing new for the townships
    second = run_flow(raw, tmp_path, reviews=str(reviews), corrections=str(corrections),
                      with_render=True)
    assert second["decisions"] == {"corrections_applied": 1, "reviews": 1}
    assert second["checks"]["reviews"] == {"applied": 1}
    assert read_csv(Path(second["notifications"]["csv"])) == []
    assert "没有新拒收的文件，也没有新发现的错误" in Path(
        second["notifications"]["md"]).read_text(encoding="utf-8")
    assert query(db, "select unit_code, review_decision from findings_current where "
                     "rule_id = 'T4-SUM' order by 1") == [("430181002", "dismissed")]
    # 荷花街道's corrected reading: its block adds up now (1 = 1), so no T4-SUM finding
    assert query(db, "select value, provenance from v_current_cells where unit_code = "
                     "'430181003' and cell_code = 't4.review.upheld'") == [(1.0, "corrected")]
    # the city report's appendix lists the dismissal and the correction, with who and why
    for ext in ("html", "md"):
        text = (out / "2019" / f"city-report.{ext}").read_text(encoding="utf-8")
        assert "附：分析人员的审核与更正" in text
        assert "复议申请已撤回，按0统计" in text and "原件为1" in text and "王芳" in text
    doc = Document(out / "2019" / "city-report.docx")
    assert "附：分析人员的审核与更正" in [p.text for p in doc.paragraphs]
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert {"复议申请已撤回，按0统计", "原件为1", "王芳", "集里街道", "荷花街道"} <= cells
    wb = load_workbook(out / "2019" / "city-report.xlsx")
    dismissed = [[c.value for c in row] for row in wb["不予采纳的问题"].iter_rows(min_row=4)]
    assert [(r[0], r[1], r[3], r[4]) for r in dismissed] == [
        ("集里街道", "T4-SUM", "复议申请已撤回，按0统计", "王芳")]
    corrected = [[c.value for c in row] for row in wb["读取更正"].iter_rows(min_row=4)]
    assert [(r[0], r[3], r[5], r[7], r[8]) for r in corrected] == [
        ("荷花街道", "1", "已更正", "原件为1", "王芳")]
    # the digest's list of what to fix leaves the dismissed finding out
    digest = next((out / "2019" / "digests").glob("430181002-*.html")).read_text(
        encoding="utf-8")
    assert "T4-SUM" not in digest and "行政复议" in digest

    # run 3: a new error for 集里街道 2020, a rejected file, and the old ones unchanged
    write_jili(raw, upheld="2", total="0", year=2020)
    (raw / "2020" / "430181004-guankou.pdf").write_bytes(b"%PDF-1.4\n not really a pdf")
    third = run_flow(raw, tmp_path, reviews=str(reviews), corrections=str(corrections))
    notes = read_csv(Path(third["notifications"]["csv"]))
    assert [(n["unit_code"], n["report_year"], n["kind"], n["rule_id"] or n["file"])
            for n in notes] == [
        ("430181002", "2020", "error_finding", "T4-SUM"),
        ("430181004", "2020", "rejected_file", "2020/430181004-guankou.pdf")]
    assert {n["unit_name"] for n in notes} == {"集里街道", "关口街道"}
    md = Path(third["notifications"]["md"]).read_text(encoding="utf-8")
    assert "与上次完成的运行（" in md and second["run_id"] in md
    assert "新拒收文件1个，新发现错误1条，涉及2个单位" in md
    # the notifications of every run stay side by side
    assert len(list((out / "notifications").glob("*.md"))) == 3


def test_a_served_run_reads_the_decision_files_named_by_the_deployment(tmp_path):
    from gongkai.commands.common import decision_files
    from gongkai.commands.serve import parameters

    class Args:
        warehouse, out, no_render = "wh.duckdb", "out", False
        reviews = str(tmp_path / "data" / "reviews.toml")
        corrections = str(tmp_path / "data" / "corrections.toml")

    params = parameters(Args, tmp_path, None)
    assert params["reviews"] == Args.reviews and params["corrections"] == Args.corrections
    # files that do not exist yet are no error: the office may create them later
    assert decision_files(Args, "serve") == (None, None)
    (tmp_path / "data").mkdir()
    shutil.copy(Path(__file__), tmp_path / "data" / "reviews.toml")  # not TOML
    assert decision_files(Args, "serve") is None
