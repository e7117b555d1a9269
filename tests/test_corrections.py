"""Reading corrections: applied at load with provenance `corrected`, only where our reading was
in doubt or the printed text is stated, never to change what a township published; a
correction whose file changed is flagged, not applied."""

from __future__ import annotations

import duckdb
import pytest
from warehouse_helpers import SEED_FILE, query, write_seed

from gongkai import pipeline
from gongkai.cli import main
from gongkai.decisions import DecisionFileError
from gongkai.sources import file_sha256
from gongkai.warehouse.corrections import (
    Correction,
    judge,
    read_corrections,
    write_corrections,
)

UNIT, YEAR = "430181002", 2019
FILE = SEED_FILE


def write_report(raw, upheld: str = "1?", total: str = "0", note: str = "") -> None:
    """集里街道 2019 with 行政复议 结果维持 printed as ``upheld`` (by default ``1?``, which is
    not a number: unreadable) and 总计 as ``total``."""
    write_seed(raw, upheld, total, note)


def build(raw, path, corrections=None, run_id="r1"):
    built = pipeline.build_warehouse(raw, path, run_id=run_id, corrections=corrections)
    built.con.close()
    return built


def cell(path, code="t4.review.upheld"):
    """(value, status, raw_text, provenance) of a cell of the current report."""
    return query(path, "select c.value, c.status, c.raw_text, c.provenance from cells as c "
                       "semi join v_current_submissions as s using (submission_id) "
                       "where c.cell_code = ?", [code])[0]


def t4_sum(path):
    """(status, responsibility) of the T4-SUM finding of the current report."""
    return query(path, "select status, responsibility from findings_current "
                       "where rule_id = 'T4-SUM'")


def states(path):
    return query(path, "select cell_code, state from cell_corrections order by all")


@pytest.fixture
def corrected(tmp_path):
    """An unreadable 结果维持 (`1?`) corrected to 1 with `gongkai correction add`, and the run
    that applied it."""
    raw, path, file = tmp_path / "raw", tmp_path / "wh.duckdb", tmp_path / "corrections.toml"
    write_report(raw)
    build(raw, path)
    assert cell(path) == (None, "unreadable", "1?", "read")
    # our reading is in doubt: the sum cannot be checked, and that is not the township's fault
    assert t4_sum(path) == [("not_assessable", "extraction")]
    assert main(["correction", "add", "--unit", UNIT, "--year", str(YEAR), "--cell",
                 "t4.review.upheld", "--value", "1", "--reason", "扫描件核对：为数字1",
                 "--by", "王芳", "--warehouse", str(path), "--corrections", str(file)]) == 0
    build(raw, path, file, run_id="r2")
    return raw, path, file


def test_unchanged_the_correction_applies_and_the_published_error_stays_a_finding(corrected):
    raw, path, file = corrected
    (c,) = read_corrections(file)
    assert (c.value, c.by, c.sha256) == (1.0, "王芳", file_sha256(raw / FILE)[0])
    assert cell(path) == (1.0, "value", "1?", "corrected")
    assert query(path, "select state, read_value, read_status, read_raw_text, corrected_by "
                       "from cell_corrections") == [("applied", None, "unreadable", "1?", "王芳")]
    # now the block is checked: 1 upheld but a total of 0 is the township's own error
    assert t4_sum(path) == [("fail", "source")]
    # a rerun applies it again, once (the reading is put back first, then corrected)
    build(raw, path, file, run_id="r3")
    assert cell(path) == (1.0, "value", "1?", "corrected")
    assert query(path, "select read_status, read_raw_text from cell_corrections"
                 ) == [("unreadable", "1?")]
    # taken out of the file: the reading comes back
    write_corrections(file, [])
    build(raw, path, file, run_id="r4")
    assert cell(path) == (None, "unreadable", "1?", "read")
    assert t4_sum(path) == [("not_assessable", "extraction")]


def test_changed_cell_an_edited_correction_replaces_the_old_one(corrected):
    raw, path, file = corrected
    (c,) = read_corrections(file)
    write_corrections(file, [Correction(c.unit_code, c.report_year, c.cell, 2.0, c.sha256,
                                        "再次核对：为数字2", "王芳")])
    build(raw, path, file, run_id="r3")
    assert cell(path) == (2.0, "value", "1?", "corrected")
    assert query(path, "select value, read_status from cell_corrections"
                 ) == [(2.0, "unreadable")]


def test_changed_cell_a_reading_no_longer_in_doubt_is_not_corrected(corrected):
    raw, path, file = corrected
    # a newer reader reads the cell with confidence, as 3
    con = duckdb.connect(str(path))
    con.execute("update cells set value = 3, status = 'value', raw_text = '3', "
                "confidence = 'read', provenance = 'read' where cell_code = 't4.review.upheld'")
    con.execute("delete from cell_corrections")
    con.close()
    build(raw, path, file, run_id="r3")
    assert cell(path) == (3.0, "value", "3", "read")
    ((state, why),) = query(path, "select state, state_reason from cell_corrections")
    assert state == "refused" and "printed" in why


def test_changed_file_the_correction_is_stale_and_not_applied(corrected, capsys):
    raw, path, file = corrected
    write_report(raw, note="\n（2020年1月重新发布）\n")  # the township resubmits
    build(raw, path, file, run_id="r3")
    assert cell(path) == (None, "unreadable", "1?", "read")
    ((state, why),) = query(path, "select state, state_reason from cell_corrections")
    assert state == "stale" and "文件已更换" in why
    assert t4_sum(path) == [("not_assessable", "extraction")]
    assert main(["correction", "list", "--warehouse", str(path), "--corrections", str(file)]) == 0
    assert "stale" in capsys.readouterr().out


def test_removed_report_the_correction_is_orphaned(corrected):
    raw, path, file = corrected
    (raw / FILE).unlink()  # the file is taken out of the raw folder
    build(raw, path, file, run_id="r3")
    # the report is no longer current, and the correction has nothing to apply to
    assert query(path, "select count(*) from v_current_submissions") == [(0,)]
    assert states(path) == [("t4.review.upheld", "orphaned")]


def test_a_correction_never_changes_what_a_township_published(tmp_path, capsys):
    raw, path, file = tmp_path / "raw", tmp_path / "wh.duckdb", tmp_path / "c.toml"
    write_report(raw, upheld="1", total="0")  # the township's own error, read with confidence
    build(raw, path)
    assert t4_sum(path) == [("fail", "source")]
    sha = file_sha256(raw / FILE)[0]

    def attempt(cell_code, value, printed=None):
        return Correction(UNIT, YEAR, cell_code, value, sha, "使合计相符", "王芳", printed)

    write_corrections(file, [
        attempt("t4.review.total", 1.0),                 # a total, no printed text
        attempt("t4.review.upheld", 0.0),                # read with confidence, no printed
        attempt("t4.review.corrected", 1.0, "0"),        # printed text that is not the value
        attempt("t4.review.pending", 1.0, "1"),          # a markdown file prints what was read
        attempt("t4.review.other", 0.0),                 # the reading says so already
    ])
    build(raw, path, file, run_id="r2")
    assert states(path) == [("t4.review.corrected", "refused"), ("t4.review.other", "not_needed"),
                            ("t4.review.pending", "refused"), ("t4.review.total", "refused"),
                            ("t4.review.upheld", "refused")]
    assert query(path, "select count(*) from cells where provenance = 'corrected'") == [(0,)]
    assert t4_sum(path) == [("fail", "source")]  # the published error stays a finding
    # the command line refuses to write such a correction at all
    assert main(["correction", "add", "--unit", UNIT, "--year", str(YEAR), "--cell",
                 "t4.review.total", "--value", "1", "--reason", "x", "--by", "王芳",
                 "--warehouse", str(path), "--corrections", str(tmp_path / "new.toml")]) == 1
    assert "not written" in capsys.readouterr().err
    assert not (tmp_path / "new.toml").exists()


def test_judge_the_rules_of_a_correction():
    sha = "a" * 64
    pdf, md = ("s1", sha, "pdf"), ("s1", sha, "markdown")
    unreadable = (None, "unreadable", "1O", "read")
    confident = (13.0, "value", "13", "read")
    inferred = (13.0, "value", "13", "inferred")

    def c(cell_code="t3.new.natural", value=18.0, printed=None, sha256=sha):
        return Correction("u", 2023, cell_code, value, sha256, "r", "b", printed)

    assert judge(c(), None, None).state == "orphaned"
    assert judge(c(sha256="b" * 64), pdf, confident).state == "stale"
    assert judge(c(), pdf, None).state == "refused"  # the template has no such cell
    assert judge(c(), pdf, unreadable).state == "applied"
    assert judge(c(), pdf, inferred).state == "applied"
    assert judge(c(), pdf, confident).state == "refused"
    # a misread digit of a PDF, with the printed text stated
    assert judge(c(printed="18"), pdf, confident).state == "applied"
    assert judge(c(printed="１８件"), pdf, confident).state == "applied"
    assert judge(c(printed="18"), md, confident).state == "refused"
    assert judge(c(printed="13"), pdf, confident).state == "refused"  # what was read
    assert judge(c(printed="19"), pdf, confident).state == "refused"  # not the value
    # a total: never from its parts, only with the printed text, even when unreadable
    assert judge(c("t3.total.total"), pdf, unreadable).state == "refused"
    assert judge(c("t3.total.total", printed="18"), pdf, unreadable).state == "applied"
    assert judge(c("t4.review.total", printed="18"), pdf, confident).state == "applied"
    # blank
    assert judge(c(value=None, printed="/"), pdf, confident).state == "applied"
    assert judge(c(value=None), pdf, (None, "blank", "/", "read")).state == "not_needed"
    # money in 万元: a printed amount in 元 is converted as the reader converts it
    money = c("t2.procurement.amount", 21.358, printed="213580元")
    assert judge(money, pdf, (2.0, "value", "2", "read")).state == "applied"


def test_the_corrections_file_is_validated(tmp_path):
    bad = tmp_path / "corrections.toml"
    bad.write_text('[[correction]]\nunit_code = "430181002"\nreport_year = 19\n'
                   'cell = "t9.x"\nvalue = -1\nsha256 = "abc"\nreason = "r"\n', encoding="utf-8")
    with pytest.raises(DecisionFileError) as err:
        read_corrections(bad)
    text = str(err.value)
    for expected in ("(entry 1, report_year)", "(entry 1, cell)", "(entry 1, value)",
                     "(entry 1, sha256)", "(entry 1, by): missing"):
        assert expected in text
    good = Correction("430181002", 2019, "t3.new.total", None, "a" * 64, "引号\"", "王芳", "/")
    write_corrections(bad, [good])
    assert read_corrections(bad) == [good]
