"""The checks against known truth: a generated corpus with injected errors of every rule,
a clean generated corpus, the seed report, and the real fixtures' answer keys.

Corpus runs go end to end (generated files → readers → warehouse → every rule), so a
finding the checks miss because a file was misread shows up here too. Recall is counted
strictly: every injected error must be found as ``fail`` by its rule, for its unit-year. An
error hidden by a misread file is a miss, even when the checks flagged the cells as an
extraction doubt (those are listed apart in the failure message, to point at the reader).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from conftest import SHARED_FIXTURES, needs_shared_fixtures

from gongkai import synth
from gongkai import template as tpl
from gongkai import warehouse as wh
from gongkai.checks import fetch_findings, load_rules, run_checks
from gongkai.paths import RAW_DIR
from gongkai.pipeline import build_warehouse

YEARS = list(range(2019, 2025))
# the arithmetic rules a report can break by itself (own_rule_violations of the answer keys)
ARITHMETIC_RULES = {"T3-BALANCE", "T3-OUTCOMES", "T3-ROWSUM", "T3-INTEGER", "T4-SUM",
                    "T4-INTEGER", "T2-NONNEG"}


def load_folder(raw: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse holding every report file under ``raw/<year>/``, checked."""
    return build_warehouse(raw, run_id="corpus").con


def generated(tmp_path_factory, name: str, inject) -> tuple[duckdb.DuckDBPyConnection, list]:
    """Generate every unit's reports for 2019–2024, load and check them."""
    out = tmp_path_factory.mktemp(name)
    reports = synth.generate(synth.SynthOptions(out=out / "raw", truth_dir=out / "truth",
                                                years=YEARS, seed=11, inject=inject))
    return load_folder(out / "raw"), reports


@pytest.fixture(scope="module")
def injected_corpus(tmp_path_factory):
    """The corpus with errors of every rule injected (``gongkai synth --inject-errors all``)."""
    return generated(tmp_path_factory, "injected", "all")


@pytest.fixture(scope="module")
def clean_corpus(tmp_path_factory):
    """The same corpus without injected errors."""
    return generated(tmp_path_factory, "clean", None)


def _truth(reports) -> dict[tuple[str, int], set[str]]:
    """unit-year → every rule its published report breaks (injected and collateral)."""
    truth: dict[tuple[str, int], set[str]] = defaultdict(set)
    for r in reports:
        key = (r.unit_code, r.year)
        data = json.loads(Path(r.truth_path).read_text(encoding="utf-8"))
        truth[key] |= set(data.get("own_rule_violations") or [])
        for inj in r.injected:
            truth[key].add(inj["rule_id"])
            truth[key] |= set(inj.get("also_breaks") or [])
    return truth


def recall_report(con, reports) -> tuple[int, list, list]:
    """(injected errors, those found as fail, those surfaced only as extraction doubt)."""
    findings = fetch_findings(con, "corpus")
    fails = {(f["unit_code"], f["report_year"], f["rule_id"])
             for f in findings if f["status"] == "fail"}
    doubts = defaultdict(set)
    for f in findings:
        if f["status"] == "not_assessable" and f["responsibility"] == "extraction":
            doubts[(f["unit_code"], f["report_year"])] |= set(f["cells"] or {})
    injected, missed, doubted = 0, [], []
    for r in reports:
        for inj in r.injected:
            injected += 1
            key = (r.unit_code, r.year, inj["rule_id"])
            if key in fails:
                continue
            cells = set(inj.get("cells") or [])
            if cells and cells <= doubts[(r.unit_code, r.year)]:
                doubted.append((*key, inj["description"]))
            else:
                missed.append((*key, inj["description"]))
    return injected, missed, doubted


def test_every_rule_is_injected(injected_corpus):
    _, reports = injected_corpus
    injected_rules = {inj["rule_id"] for r in reports for inj in r.injected}
    assert injected_rules == {r.rule_id for r in load_rules()}


def test_every_injected_error_is_found(injected_corpus):
    con, reports = injected_corpus
    injected, missed, doubted = recall_report(con, reports)
    assert missed == [], f"{len(missed)} of {injected} injected errors missed"
    # strict recall: an error the checks could only doubt (not_assessable, blamed on
    # extraction) was not found either
    assert doubted == [], (
        f"{len(doubted)} of {injected} injected errors only doubted (misread files): {doubted}")


def test_every_blank_injected_is_found_as_blank(injected_corpus):
    # a table left blank ('', '/', '-', '—') is read as blank cells, so R-BLANK fails on it:
    # not a table we never saw (unseen cells are not counted as blanks)
    con, reports = injected_corpus
    found = {(f["unit_code"], f["report_year"]) for f in fetch_findings(con, "corpus")
             if f["rule_id"] == "R-BLANK" and f["status"] == "fail"}
    blanks = [(r.unit_code, r.year, Path(r.truth_path).stem, inj["description"])
              for r in reports for inj in r.injected if inj["rule_id"] == "R-BLANK"]
    assert blanks
    assert [b for b in blanks if b[:2] not in found] == []


def test_no_error_finding_outside_the_truth(injected_corpus):
    con, reports = injected_corpus
    truth = _truth(reports)
    wrong = [(f["unit_code"], f["report_year"], f["rule_id"], f["message_zh"])
             for f in fetch_findings(con, "corpus")
             if f["status"] == "fail" and f["severity"] == "error"
             and f["rule_id"] not in truth[(f["unit_code"], f["report_year"])]]
    assert wrong == []


def test_clean_corpus_gives_no_error_finding(clean_corpus):
    con, reports = clean_corpus
    assert all(not r.injected for r in reports)
    errors = [(f["unit_code"], f["report_year"], f["rule_id"], f["message_zh"])
              for f in fetch_findings(con, "corpus")
              if f["status"] == "fail" and f["severity"] == "error"]
    assert errors == []


def test_seed_gives_no_error_finding(tmp_path):
    raw = tmp_path / "raw" / "2019"
    raw.mkdir(parents=True)
    (raw / "430181002-jili.md").write_bytes((RAW_DIR / "2019" / "430181002-jili.md").read_bytes())
    con = load_folder(tmp_path / "raw")
    errors = [f for f in fetch_findings(con, "corpus") if f["severity"] == "error"]
    assert errors == []


# --- the real fixtures: their answer keys list the rules the published report breaks --------

def _fixture_keys() -> list[Path]:
    if not SHARED_FIXTURES.is_dir():
        return []
    return sorted(p for p in SHARED_FIXTURES.glob("*/*.json")
                  if "own_rule_violations" in json.loads(p.read_text(encoding="utf-8")))


def load_answer_key(con, key_path: Path, submission_id: str) -> None:
    """Insert a fixture's answer key as one submission: its cells (blank cells blank,
    unseen cells absent, ambiguous cells unreadable)."""
    key = json.loads(key_path.read_text(encoding="utf-8"))
    template, year = key["template"], key["year"]
    blank = set(key.get("blank_cells") or [])
    unseen = set(key.get("unseen_cells") or [])
    ambiguous = set(key.get("ambiguous_cells") or [])
    con.execute(
        "insert into submissions (submission_id, file_path, file_name, sha256, unit_code, "
        "report_year, template, status, is_current) values (?, ?, ?, ?, ?, ?, ?, 'loaded', true)",
        [submission_id, key_path.name, key_path.name, submission_id, submission_id, year,
         template])
    rows = []
    for code in tpl.get(template).cell_codes:
        if code in unseen:
            continue
        table, rest = code.split(".", 1)
        row, col = rest.rsplit(".", 1)
        value = key["cells"].get(code)
        status = ("blank" if code in blank else "unreadable" if code in ambiguous
                  else "value" if value is not None else "blank")
        rows.append((submission_id, submission_id, year, code, table, row, col,
                     None if status != "value" else float(value), str(value), status))
    con.executemany(
        "insert into cells (submission_id, unit_code, report_year, cell_code, table_code, "
        "row_code, col_code, value, raw_text, status) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows)


@needs_shared_fixtures
@pytest.mark.parametrize("key_path", _fixture_keys() or [None],
                         ids=lambda p: p.stem if p else "no-fixtures")
def test_fixture_answer_key_breaks_exactly_its_own_rules(key_path):
    con = duckdb.connect()
    wh.create_schema(con)
    load_answer_key(con, key_path, key_path.stem)
    run_checks(con, "fixture")
    key = json.loads(key_path.read_text(encoding="utf-8"))
    found = {f["rule_id"] for f in fetch_findings(con, "fixture")
             if f["status"] == "fail" and f["rule_id"] in ARITHMETIC_RULES}
    assert found == set(key["own_rule_violations"])


@needs_shared_fixtures
@pytest.mark.parametrize("key_path", _fixture_keys() or [None],
                         ids=lambda p: p.stem if p else "no-fixtures")
def test_fixture_file_read_and_checked_breaks_exactly_its_own_rules(key_path):
    from gongkai.commands.check import check_files

    report_files = [p for p in key_path.parent.glob(key_path.stem + ".*") if p.suffix != ".json"]
    _, findings = check_files([str(report_files[0])])
    key = json.loads(key_path.read_text(encoding="utf-8"))
    found = {f["rule_id"] for f in findings
             if f["status"] == "fail" and f["rule_id"] in ARITHMETIC_RULES}
    assert found == set(key["own_rule_violations"])
