"""Reviews of findings: keyed so that they survive reruns, applied only while the finding's
cells and values are unchanged; dismissed findings leave the scores, stay visible."""

from __future__ import annotations

import tomllib

import duckdb
import pytest
from warehouse_helpers import query, write_seed

from gongkai import pipeline, rankings
from gongkai.checks.reviews import (
    CurrentFinding,
    Review,
    decide,
    key_findings,
    match,
    read_reviews,
    write_reviews,
)
from gongkai.cli import main
from gongkai.decisions import DecisionFileError


def write_report(raw, upheld: int = 1, total: int = 0, note: str = "") -> None:
    """集里街道 2019 with 行政复议 结果维持 ``upheld`` and 总计 ``total`` (T4-SUM fails
    while they differ); ``note`` changes the file's bytes without touching the tables."""
    write_seed(raw, upheld, total, note)


def build(raw, path, reviews=None, run_id="r1"):
    """A run of the stages into ``path`` (checked and ranked), closed."""
    built = pipeline.build_warehouse(raw, path, run_id=run_id, materialise=True,
                                     reviews=reviews)
    built.con.close()
    return built


def t4_finding(path):
    """The T4-SUM finding of the latest run: (key, place, review_decision)."""
    rows = query(path, "select finding_key, finding_place, review_decision from findings_current "
                       "where rule_id = 'T4-SUM'")
    assert len(rows) == 1, rows
    return rows[0]


def no_errors_score(path) -> float:
    """The no_errors indicator of 集里街道 2019 as the run stored it."""
    return query(path, "select score from indicator_scores where unit_code = '430181002' "
                       "and metric_id = 'no_errors'")[0][0]


@pytest.fixture
def dismissed(tmp_path):
    """A warehouse whose T4-SUM finding an analyst dismissed with `gongkai review dismiss`,
    and a rerun that read the reviews file."""
    raw, path, reviews = tmp_path / "raw", tmp_path / "wh.duckdb", tmp_path / "reviews.toml"
    write_report(raw)
    build(raw, path)
    key, place, decision = t4_finding(path)
    assert decision is None
    assert no_errors_score(path) == 0.75  # one error: 1 − 0.25
    status = main(["review", "dismiss", key, "--reason", "复议案件已撤回，总计按0填报无误",
                   "--by", "王芳", "--warehouse", str(path), "--reviews", str(reviews)])
    assert status == 0
    build(raw, path, reviews, run_id="r2")
    return raw, path, reviews, key, place


def test_the_key_is_stable_and_leaves_the_message_out(tmp_path):
    raw = tmp_path / "raw"
    write_report(raw)
    build(raw, tmp_path / "a.duckdb")
    write_report(raw, note="\n（补充说明）\n")  # another file, the same table 四
    build(raw, tmp_path / "b.duckdb")
    assert t4_finding(tmp_path / "a.duckdb")[:2] == t4_finding(tmp_path / "b.duckdb")[:2]
    key = t4_finding(tmp_path / "a.duckdb")[0]
    assert key.startswith("T4-SUM:430181002:2019:")
    con = duckdb.connect(str(tmp_path / "a.duckdb"))
    try:  # the wording of a message is not part of the key
        con.execute("update findings set message_zh = '另一种说法', finding_key = null")
        key_findings(con, "r1")
        assert con.execute("select finding_key from findings where rule_id = 'T4-SUM'"
                           ).fetchall() == [(key,)]
    finally:
        con.close()


def test_unchanged_the_review_applies_and_the_dismissed_finding_leaves_the_score(dismissed):
    raw, path, reviews, key, _ = dismissed
    data = tomllib.loads(reviews.read_text(encoding="utf-8"))
    (entry,) = data["review"]
    assert (entry["key"], entry["decision"], entry["by"]) == (key, "dismissed", "王芳")
    assert entry["reason"] == "复议案件已撤回，总计按0填报无误" and entry["sha256"]
    assert query(path, "select state, carried, decision, reviewed_by from v_finding_reviews"
                 ) == [("applied", False, "dismissed", "王芳")]
    # visible in the warehouse, with the decision
    assert t4_finding(path) == (key, dismissed[4], "dismissed")
    assert query(path, "select review_reason from findings_current where rule_id = 'T4-SUM'"
                 ) == [("复议案件已撤回，总计按0填报无误",)]
    # but no longer counted: not in the ranking's findings (scores, digests), not an error
    assert no_errors_score(path) == 1.0
    assert query(path, "select is_accepted, n_errors, n_dismissed from v_unit_status "
                       "where unit_code = '430181002'") == [(True, 0, 1)]
    con, _ = rankings.connect(path)
    try:
        assert con.execute("select count(*) from v_rank_findings where rule_id = 'T4-SUM'"
                           ).fetchone()[0] == 0
    finally:
        con.close()
    # a third run with nothing changed: the review applies again
    build(raw, path, reviews, run_id="r3")
    assert query(path, "select state from v_finding_reviews") == [("applied",)]
    assert no_errors_score(path) == 1.0


def test_changed_cell_the_review_is_stale_and_the_finding_counts_again(dismissed, capsys):
    raw, path, reviews, key, place = dismissed
    write_report(raw, upheld=2)  # the township resubmits: 结果维持 2, 总计 still 0
    build(raw, path, reviews, run_id="r3")
    new_key, new_place, decision = t4_finding(path)
    assert new_key != key and new_place == place and decision is None
    assert query(path, "select state, finding_key from v_finding_reviews") == [("stale", key)]
    assert no_errors_score(path) == 0.75
    assert main(["review", "list", "--warehouse", str(path), "--reviews", str(reviews)]) == 0
    out = capsys.readouterr().out
    assert "no longer apply" in out and "stale" in out and new_key in out
    # deciding again replaces the stale review of the same place
    assert main(["review", "confirm", new_key, "--reason", "确有错误，已通知", "--by", "李雷",
                 "--warehouse", str(path), "--reviews", str(reviews)]) == 0
    assert [(r.key, r.decision) for r in read_reviews(reviews)] == [(new_key, "confirmed")]


def test_changed_file_a_resubmission_that_leaves_the_finding_carries_the_review(dismissed):
    raw, path, reviews, key, _ = dismissed
    before = query(path, "select sha256 from v_current_submissions")
    write_report(raw, note="\n附：本报告于2020年1月重新发布。\n")  # new bytes, same table 四
    build(raw, path, reviews, run_id="r3")
    assert query(path, "select sha256 from v_current_submissions") != before
    assert t4_finding(path)[0] == key
    assert query(path, "select state, carried from v_finding_reviews") == [("applied", True)]
    assert no_errors_score(path) == 1.0


def test_removed_finding_the_review_is_orphaned(dismissed, capsys):
    raw, path, reviews, key, _ = dismissed
    write_report(raw, upheld=1, total=1)  # fixed: the block adds up
    build(raw, path, reviews, run_id="r3")
    assert query(path, "select count(*) from findings_current where rule_id = 'T4-SUM'"
                 ) == [(0,)]
    assert query(path, "select state, submission_id from v_finding_reviews"
                 ) == [("orphaned", None)]
    assert main(["review", "list", "--warehouse", str(path), "--reviews", str(reviews)]) == 0
    assert "orphaned" in capsys.readouterr().out
    assert main(["review", "remove", key, "--reviews", str(reviews)]) == 0
    assert read_reviews(reviews) == []


def test_a_key_that_names_no_current_finding_is_refused(dismissed, capsys):
    _, path, reviews, key, _ = dismissed
    before = reviews.read_bytes()
    wrong = key[:-1] + ("0" if key[-1] != "0" else "1")
    assert main(["review", "confirm", wrong, "--reason", "x", "--by", "王芳",
                 "--warehouse", str(path), "--reviews", str(reviews)]) == 1
    assert "no current finding" in capsys.readouterr().err
    assert reviews.read_bytes() == before


def test_the_reviews_file_is_validated_with_every_problem_named(tmp_path):
    bad = tmp_path / "reviews.toml"
    bad.write_text('[[review]]\nkey = "T4-SUM:430181002:2019:54efa1842b45"\ndecision = "ok"\n'
                   'by = "王芳"\n\n[[review]]\nkey = "not a key"\ndecision = "dismissed"\n'
                   'reason = "x"\nby = "y"\ncolour = "red"\n', encoding="utf-8")
    with pytest.raises(DecisionFileError) as err:
        read_reviews(bad)
    text = str(err.value)
    for expected in ("reviews.toml (entry 1, decision)", "(entry 1, reason): missing",
                     "(entry 2, key)", "(entry 2, colour): unknown field"):
        assert expected in text
    assert str(tmp_path) not in text  # messages carry no machine paths
    bad.write_text("[[review]\n", encoding="utf-8")
    with pytest.raises(DecisionFileError, match="not valid TOML"):
        read_reviews(bad)
    assert read_reviews(tmp_path / "absent.toml") == []


def test_a_run_with_a_broken_reviews_file_changes_nothing(dismissed):
    raw, path, reviews, _, _ = dismissed
    before = query(path, "select * from finding_reviews")
    reviews.write_text(reviews.read_text(encoding="utf-8") + "\n[[review]]\nkey = 1\n",
                       encoding="utf-8")
    with pytest.raises(DecisionFileError):
        build(raw, path, reviews, run_id="r3")
    assert query(path, "select * from finding_reviews") == before


def test_the_file_round_trips_in_a_fixed_order(tmp_path):
    path = tmp_path / "r.toml"
    reviews = [Review("T4-SUM:430181003:2020:aaaaaaaaaaaa", "confirmed", '引号"与\\反斜杠\n换行',
                      "张三"),
               Review("R-DEADLINE:430181002:2021:bbbbbbbbbbbb", "dismissed", "理由", "李四",
                      place="cccccccccccc")]
    write_reviews(path, reviews)
    again = read_reviews(path)
    assert [r.key for r in again] == [reviews[1].key, reviews[0].key]
    assert again[1].reason == '引号"与\\反斜杠\n换行'
    write_reviews(path, again)
    assert read_reviews(path) == again


def test_match_and_decide_without_a_warehouse():
    f = CurrentFinding("T4-SUM:u:2019:aaaaaaaaaaaa", "p1", "T4-SUM", "error", "fail", "source",
                       "u", 2019, "m", "2019/u.md", "s" * 64)
    other = CurrentFinding("T4-SUM:u:2019:bbbbbbbbbbbb", "p1", "T4-SUM", "error", "fail",
                           "source", "u", 2019, "m", "2019/u.md", "s" * 64)
    old = Review("T4-SUM:u:2019:cccccccccccc", "dismissed", "r", "b", place="p1")
    gone = Review("T3-BALANCE:u:2019:dddddddddddd", "dismissed", "r", "b", place="p9")
    states = [(m.review.key, m.state) for m in match([old, gone], [f])]
    assert states == [(old.key, "stale"), (gone.key, "orphaned")]
    # a new decision replaces the stale review of its place, not a current one there
    kept = decide([old, gone, Review(other.key, "confirmed", "r", "b", place="p1")], f,
                  "dismissed", "why", "me", current_keys=frozenset({f.key, other.key}))
    assert sorted(r.key for r in kept) == sorted([gone.key, other.key, f.key])
