"""Bad input and faults: nothing hangs, nothing is silent, nothing leaks.

The bad-input corpus (tests/bad_inputs.py) through a real ``gongkai run``; ``gongkai parse``
and ``gongkai check`` on what is not a report; the reader pool's time budget; the version
rule; permanent fetch failures; a run killed with SIGKILL in each stage and run again.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import bad_inputs
import pyarrow.compute as pc
import pytest
from warehouse_helpers import query as _query

from gongkai import manifest, pipeline, rawfolder
from gongkai import warehouse as wh
from gongkai.paths import ROOT, shown_name, stored_name
from gongkai.read import limits, parse_bytes, parse_file
from gongkai.read.pool import Job, ReaderPool

SEED = ROOT / "data" / "raw" / "2019" / "430181002-jili.md"


def _cli(*args, env=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "gongkai.cli", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env,
                          stdin=subprocess.DEVNULL)


# ---------------------------------------------------------------------------------------------
# gongkai parse / gongkai check on what is not a report
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def not_reports(tmp_path):
    """A FIFO, /dev/zero, a folder and a 20 MB one-line file, with the code each must get."""
    fifo = tmp_path / "430181002-fifo.md"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.md"
    folder.mkdir()
    line = tmp_path / "one-line.txt"
    line.write_bytes(b"0\t" * 10_000_000)
    return [(fifo, "not_regular_file"), (Path("/dev/zero"), "not_regular_file"),
            (folder, "is_folder"), (line, "line_too_long")]


@pytest.mark.parametrize("command", ["parse", "check"])
def test_cli_refuses_what_is_not_a_report(not_reports, command):
    """Exit 2 with the reason, no traceback; the timeout of _cli stands for a hang."""
    for path, code in not_reports:
        proc = _cli(command, path)
        output = proc.stdout + proc.stderr
        assert proc.returncode == 2, (path, output)
        assert "Traceback" not in output
        assert code in output, (path, output)


def test_messages_never_name_the_machines_folders(tmp_path):
    """Reasons of broken Word, PDF and Excel files name the file, not where it lies."""
    pdf = next(p for p in sorted((ROOT / "data" / "raw").glob("*/*.pdf")))
    docx = next(p for p in sorted((ROOT / "data" / "raw").glob("*/*.docx")))
    broken = {"430181002-cut.pdf": pdf.read_bytes()[:3000],
              "430181002-cut.docx": docx.read_bytes()[:5000],
              "430181002-noise.xlsx": b"PK\x03\x04" + os.urandom(4096),
              "430181002-empty.md": b""}
    folder = tmp_path / "raw" / "2024"
    folder.mkdir(parents=True)
    for name, data in broken.items():
        (folder / name).write_bytes(data)
        report = parse_file(folder / name)
        said = [t for i in report.issues for t in (i.message_zh, i.message_en, i.location or "")]
        assert said and not any(str(tmp_path) in t or "/tmp" in t for t in said), said
    built = pipeline.build_warehouse(tmp_path / "raw", check=False)
    try:
        rows = built.con.execute(
            "select s.reject_reason, i.message_zh, i.message_en, i.location from submissions s "
            "join parse_issues i using (submission_id)").fetchall()
    finally:
        built.con.close()
    assert rows and not any(str(tmp_path) in (cell or "") for row in rows for cell in row)


def test_each_cap_has_its_own_code():
    text = SEED.read_bytes()
    row = "| 本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n".encode()
    cases = {
        "line_too_long": text[:1500] + b"x" * (limits.MAX_LINE_CHARS + 1) + b"\n",
        "too_many_lines": b"1\n" * (limits.MAX_LINES + 1),
        "too_many_cells_in_row": text[:1500] + b"\t1" * (limits.MAX_CELLS_PER_ROW + 1) + b"\n",
        "too_many_rows_in_table": text[:1500] + row * (limits.MAX_ROWS_PER_TABLE + 1),
        "pdf_inflates_too_much": bad_inputs._pdf_bomb(limits.MAX_PDF_INFLATED_BYTES + (8 << 20)),
        "pdf_too_many_pages": bad_inputs._pdf_with_stream(b"BT ET",
                                                          pages=limits.MAX_PDF_PAGES + 1),
        "empty_file": b"",
        "no_text": b"\xef\xbb\xbf \n",
        "no_report_tables": "浏阳市集里街道2024年政府信息公开工作年度报告\n".encode(),
    }
    for code, data in cases.items():
        name = "x.pdf" if code.startswith("pdf") else "x.md"
        report = parse_bytes(data, name)
        assert [i.code for i in report.issues if i.severity == "error"] == [code], code
        issue = next(i for i in report.issues if i.code == code)
        assert issue.message_zh and issue.message_en and issue.message_zh != issue.message_en
    # just under the caps, the same shapes are read
    assert parse_bytes(text[:1500] + row * limits.MAX_ROWS_PER_TABLE, "x.md").issues[-1].code \
        != "too_many_rows_in_table"
    assert limits.pdf_inflated_bytes(bad_inputs._pdf_bomb(1 << 20)) == 1 << 20


# ---------------------------------------------------------------------------------------------
# the reader pool: a file over its time budget is rejected as such, the rest is read
# ---------------------------------------------------------------------------------------------

def _slow_seed(path: Path) -> None:
    """The seed with tables just under every cap (lines, rows a table, cells a row): about
    1.5 s of table reading here, three times the largest budget the tests below give it."""
    text = SEED.read_bytes()
    row = ("| 本年新收政府信息公开申请数量 |" + " 1 |" * 40 + "\n").encode()
    path.write_bytes(text[:1500] + (row * 900 + "说明。\n".encode()) * 21)


def test_reader_pool_stops_a_file_over_budget_and_reads_the_rest(tmp_path):
    text = SEED.read_bytes()
    slow = tmp_path / "slow.md"
    _slow_seed(slow)
    fast = tmp_path / "fast.md"
    fast.write_bytes(text)
    jobs = [Job("slow", str(slow), "slow.md"), Job("fast", str(fast), "fast.md"),
            Job("again", str(fast), "again.md")]
    pool = ReaderPool(1, budget=0.25)
    out = pool.read([jobs])
    assert list(out) == ["slow", "fast", "again"]
    assert [i.code for i in out["slow"].issues] == ["read_timeout"]
    assert "0.25" in out["slow"].issues[0].message_en
    # the worker was killed and replaced; the files after the slow one were read by the next
    assert pool.replaced == 1 and pool.workers == []
    assert out["fast"].template and out["fast"].is_readable and out["again"].is_readable


def test_a_pool_kept_open_reads_group_after_group_with_the_same_processes(tmp_path):
    """As a context manager the pool starts its processes once for every read (a process
    costs a second to start), stops them on leaving, and still replaces a killed one."""
    text = SEED.read_bytes()
    fast = tmp_path / "fast.md"
    fast.write_bytes(text)
    slow = tmp_path / "slow.md"
    _slow_seed(slow)
    # a budget the slow file overruns and a fresh process's first file (its first reading
    # 40 ms, a few times that on a loaded machine) keeps within
    with ReaderPool(2, budget=0.5) as pool:
        first = pool.read([[Job("a", str(fast), "a.md")], [Job("b", str(fast), "b.md")]])
        pids = sorted(w.process.pid for w in pool.workers)
        second = pool.read([[Job("c", str(fast), "c.md")], [Job("d", str(fast), "d.md")]])
        assert sorted(w.process.pid for w in pool.workers) == pids and len(pids) == 2
        third = pool.read([[Job("slow", str(slow), "slow.md"), Job("e", str(fast), "e.md")]])
        assert pool.replaced == 1
        processes = [w.process for w in pool.workers]
    assert pool.workers == [] and not any(p.is_alive() for p in processes)
    assert all(r.is_readable for r in [*first.values(), *second.values(), third["e"]])
    assert [i.code for i in third["slow"].issues] == ["read_timeout"]


def test_groups_read_ahead_give_what_one_read_gives(tmp_path):
    """``sources.read_groups`` (the run's read stage: one pool, a group read ahead) yields
    each group's reports as ``read_submissions`` reads them."""
    from gongkai import sources

    text = SEED.read_bytes()
    year = tmp_path / "raw" / "2019"
    year.mkdir(parents=True)
    for i in range(6):
        (year / f"430181{i:03d}-r.md").write_bytes(text.replace("集里".encode(), f"第{i}".encode()))
    subs = rawfolder.scan_folder(tmp_path / "raw").submissions
    groups = [subs[:2], subs[2:5], subs[5:]]
    read = list(sources.read_groups(groups, workers=2, batch_size=1))
    alone = sources.read_submissions(subs, workers=1)
    assert [list(r) for r in read] == [[s.submission_id for s in g] for g in groups]
    for reports in read:
        for key, report in reports.items():
            assert report.to_json() == alone[key].to_json()


def test_rows_made_by_the_readers_are_the_rows_made_in_one_process(tmp_path):
    """The run's read stage (``pipeline.read_batches`` on the reader pool): each reader
    process makes the rows of its batches, the writer joins them in discovery order; a file
    over its budget is a rejected row in its place."""
    text = SEED.read_bytes()
    year = tmp_path / "raw" / "2019"
    year.mkdir(parents=True)
    for i in range(9):
        (year / f"430181{i:03d}-r.md").write_bytes(text.replace("集里".encode(), f"第{i}".encode()))
    _slow_seed(year / "430181004-r.md")
    subs = rawfolder.scan_folder(tmp_path / "raw").submissions
    slow = next(s.submission_id for s in subs if s.file_path.endswith("430181004-r.md"))
    (made,) = pipeline.read_batches(subs, workers=2, batch_size=3, time_budget=0.25)
    assert made.submissions.column("submission_id").to_pylist() == [s.submission_id for s in subs]
    issues = made.children["parse_issues"].to_pylist()
    assert [i["issue_code"] for i in issues if i["submission_id"] == slow] == ["read_timeout"]
    alone = pipeline.read_rows([s for s in subs if s.submission_id != slow])
    for name, table in [("submissions", made.submissions), *made.children.items()]:
        expected = alone.submissions if name == "submissions" else alone.children[name]
        kept = table.filter(pc.not_equal(table.column("submission_id"), slow))
        assert kept.equals(expected), name


def test_a_run_s_reader_started_early_reads_its_files(tmp_path):
    """The flow starts one reader process before it discovers the files
    (``pipeline.reader_pool``): that process reads, alongside the others the job needs, the
    rows are those of a pool started when reading, and closing stops every process."""
    text = SEED.read_bytes()
    year = tmp_path / "raw" / "2019"
    year.mkdir(parents=True)
    for i in range(70):  # three batches of the pool (32 files each): two processes
        (year / f"430181{i:03d}-r.md").write_bytes(text.replace("集里".encode(), f"第{i}".encode()))
    subs = rawfolder.scan_folder(tmp_path / "raw").submissions
    pool = pipeline.reader_pool(2, time_budget=30.0)
    try:
        assert len(pool.workers) == 1 and pool.workers[0].process.is_alive()
        early = pool.workers[0].process
        (made,) = pipeline.read_batches(subs, workers=2, batch_size=256, time_budget=30.0,
                                        pool=pool)
        # kept for the next read: the early process and a second one the batches asked for
        assert early in [w.process for w in pool.workers] and len(pool.workers) == 2
        assert pool.replaced == 0
        processes = [w.process for w in pool.workers]
    finally:
        pool.close()
    assert pool.workers == [] and not any(p.is_alive() for p in processes)
    (fresh,) = pipeline.read_batches(subs, workers=2, batch_size=256, time_budget=30.0)
    for name, table in [("submissions", made.submissions), *made.children.items()]:
        expected = fresh.submissions if name == "submissions" else fresh.children[name]
        assert table.drop_columns([c for c in table.column_names if c.endswith("_at")]).equals(
            expected.drop_columns([c for c in expected.column_names if c.endswith("_at")])), name


def _lost_once(read):
    """A reader pool's ``finish`` that kills its process on a batch holding a job whose key
    starts with "lost": the first time only (a marker file), or always ("lost-always")."""
    for job, _ in read:
        if job.key.startswith("lost"):
            marker = Path(job.path).with_name(job.key + ".seen")
            if job.key == "lost-always" or not marker.exists():
                marker.touch()
                os._exit(3)
    return [job.key for job, _ in read]


def _address_space(read):
    """A reader pool's ``finish``: the rows of the batch (as a run makes them), then the
    process's address space in bytes and Arrow's allocator."""
    import pyarrow as pa

    from gongkai.report_tables import finished_rows

    finished_rows(read)
    status = Path("/proc/self/status").read_text()
    size = next(int(line.split()[1]) * 1024 for line in status.splitlines()
                if line.startswith("VmSize:"))
    return size, pa.default_memory_pool().backend_name


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_rows_made_in_a_reader_leave_room_under_its_memory_limit(tmp_path):
    """A reader process's address space is capped (MEMORY_LIMIT_BYTES); making the rows
    with Arrow must not take most of it up front (mimalloc reserved 1.1 of 1.5 GB, and
    reports failed as over the limit)."""
    from gongkai.read.pool import MEMORY_LIMIT_BYTES
    from gongkai.sources import _job

    raw = tmp_path / "raw" / "2019"
    raw.mkdir(parents=True)
    (raw / "430181002-jili.md").write_bytes(SEED.read_bytes())
    subs = rawfolder.scan_folder(tmp_path / "raw").submissions
    pool = ReaderPool(1, finish=_address_space)
    finished, failed = pool.read_finished([[_job(s, True) for s in subs]] * 3)
    assert failed == {} and len(finished) == 3
    for size, backend in finished:
        assert backend == "system"
        assert size + 512 * 1024 ** 2 < MEMORY_LIMIT_BYTES  # half a GB left for a file


def _collector(read):
    """A reader pool's ``finish``: the process's collector thresholds."""
    import gc

    return gc.get_threshold()


def test_a_reader_collects_its_garbage_every_few_thousand_allocations(tmp_path):
    """A reader process holds a report's few thousand objects while it reads it: with the
    default threshold (700) the collector ran every report, 5 % of the reader's time."""
    import gc

    from gongkai.read.pool import READER_GC_THRESHOLD

    fast = tmp_path / "fast.md"
    fast.write_bytes(SEED.read_bytes())
    finished, failed = ReaderPool(1, finish=_collector).read_finished(
        [[Job("a", str(fast), "a.md")]])
    assert failed == {}
    assert finished == [(READER_GC_THRESHOLD, *gc.get_threshold()[1:])]
    assert READER_GC_THRESHOLD > gc.get_threshold()[0]  # this process keeps the default


def test_the_readers_caches_are_bounded():
    """The reader caches label and line texts (labels repeat across a corpus): each cache
    holds at most TEXT_CACHE texts. Eleven caches of 65,536 held 0.3–0.4 GB in a reader after
    20,000 reports, and a country's run failed 25,000 files as over the memory limit."""
    import importlib
    import inspect
    import pkgutil

    import gongkai.read

    caches = []
    for info in pkgutil.iter_modules(gongkai.read.__path__):
        module = importlib.import_module(f"gongkai.read.{info.name}")
        for name, obj in vars(module).items():
            if callable(obj) and hasattr(obj, "cache_info") \
                    and getattr(obj, "__module__", "") == module.__name__ \
                    and inspect.signature(obj).parameters:  # no argument: one value
                caches.append((f"{module.__name__}.{name}", obj.cache_info().maxsize))
    assert len(caches) >= 10
    assert [(name, size) for name, size in caches
            if size is None or size > limits.TEXT_CACHE] == []


def test_a_batch_lost_before_it_was_finished_is_read_again_once(tmp_path):
    fast = tmp_path / "fast.md"
    fast.write_bytes(SEED.read_bytes())
    pool = ReaderPool(1, finish=_lost_once)
    finished, failed = pool.read_finished([[Job("a", str(fast), "a.md"),
                                            Job("lost-once", str(fast), "l.md")],
                                           [Job("b", str(fast), "b.md")]])
    assert sorted(k for part in finished for k in part) == ["a", "b", "lost-once"]
    assert failed == {} and pool.replaced == 1
    # lost again: the batch's files are not read a third time
    finished, failed = pool.read_finished([[Job("c", str(fast), "c.md"),
                                            Job("lost-always", str(fast), "x.md")],
                                           [Job("d", str(fast), "d.md")]])
    assert [k for part in finished for k in part] == ["d"]
    assert sorted(failed) == ["c", "lost-always"]
    assert {failed[k][1].issues[0].code for k in failed} == {"reader_crashed"}
    assert failed["c"][0].name == "c.md" and pool.workers == []
    with pytest.raises(TypeError):
        pool.read([[Job("e", str(fast), "e.md")]])


# ---------------------------------------------------------------------------------------------
# which version is current: readable, then the newest file time, then the name
# ---------------------------------------------------------------------------------------------

def test_current_version_by_rule_not_by_path_order(tmp_path):
    raw = tmp_path / "raw" / "2024"
    raw.mkdir(parents=True)
    text = SEED.read_bytes()
    files = {"430181002-a.md": (text.replace(b"2019", b"2018"), 1_000),
             "430181002-b.md": (text.replace(b"2019", b"2017"), 2_000),
             "430181002-c.md": (text[:200], 3_000)}  # newest, but unreadable
    for name, (data, mtime) in files.items():
        (raw / name).write_bytes(data)
        os.utime(raw / name, (mtime, mtime))
    db = tmp_path / "wh.duckdb"

    def current():
        built = pipeline.build_warehouse(tmp_path / "raw", db, check=False)
        try:
            return built.con.execute(
                "select file_name, current_reason from submissions where is_current").fetchall()
        finally:
            built.con.close()

    assert current() == [("430181002-b.md", "the newest file time of 2 readable files of its "
                                            "unit-year; 1 unreadable file(s) not counted")]
    os.utime(raw / "430181002-a.md", (5_000, 5_000))  # a touched again: now the newest
    assert current()[0][0] == "430181002-a.md"
    os.utime(raw / "430181002-b.md", (5_000, 5_000))  # the same time: the last by name
    assert current() == [("430181002-b.md", "2 readable files of its unit-year share the newest "
                                            "file time: the last by name; 1 unreadable file(s) "
                                            "not counted")]


# ---------------------------------------------------------------------------------------------
# fetching: a redirect loop and a redirect to file:// are permanent, never retried
# ---------------------------------------------------------------------------------------------

def test_permanent_fetch_failures_are_not_retried(tmp_path, http_server):
    http_server.routes["/loop"] = (302, b"", 0, {"Location": "/loop"})
    http_server.routes["/file"] = (302, b"", 0, {"Location": "file:///etc/passwd"})
    http_server.routes["/ftp"] = (301, b"", 0, {"Location": "ftp://127.0.0.1/x.pdf"})
    for path, said in (("/loop", "redirect loop"), ("/file", "(file://); not followed"),
                       ("/ftp", "(ftp://); not followed")):
        row = manifest.ManifestRow(2, "430181002", "430181002", 2024,
                                   http_server.base_url + path)
        # not the last attempt: a transient failure would raise to be retried
        sub = pipeline.fetch(row, tmp_path / "raw", timeout=5, max_bytes=1 << 20,
                             last_attempt=False)
        assert sub.error and said in sub.error, sub.error
    assert http_server.hits["/loop"] == manifest.MAX_REDIRECTS + 1
    assert http_server.hits["/file"] == 1 and http_server.hits["/ftp"] == 1
    assert not list((tmp_path / "raw").rglob("*.part"))


# ---------------------------------------------------------------------------------------------
# the corpus through `gongkai run`: exit 0, no traceback, every entry accounted for
# ---------------------------------------------------------------------------------------------

def _digests(root: Path) -> dict[str, str]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.mark.flow
def test_bad_input_corpus_through_gongkai_run(prefect_harness, tmp_path):
    from prefect.settings import PREFECT_API_URL

    root = tmp_path / "raw"
    kinds = bad_inputs.build(root)
    assert len({k.name for k in kinds}) >= 40
    before = _digests(root)
    db = tmp_path / "wh" / "gongkai.duckdb"
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    proc = _cli("run", "--source", root, "--warehouse", db, "--out", tmp_path / "out",
                "--no-render", env=env, timeout=600)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert "Traceback" not in output
    assert _digests(root) == before  # raw files are only ever read

    rows = _query(db, "select file_path, status, reject_reason, duplicate_of, is_current, "
                      "current_reason, submission_id from submissions")
    subs = {r[0]: r for r in rows}
    codes: dict[str, set[str]] = {}
    for sid, code in _query(db, "select submission_id, issue_code from parse_issues "
                                "where severity = 'error'"):
        codes.setdefault(sid, set()).add(code)
    skipped = {}
    for line in output.splitlines():
        if " - skipped " in line:
            path, _, reason = line.split(" - skipped ", 1)[1].partition(": ")
            skipped[path] = reason
    reasons = {c: r for c, r in rawfolder.SKIP_REASONS.items()}

    # every entry: a submission row, or one logged skip line (a skipped folder covers its files)
    for entry in bad_inputs.entries(root):
        shown = shown_name(entry)
        assert stored_name(entry) in subs or shown in skipped or any(
            shown.startswith(s + "/") for s in skipped), f"{entry!r} is not accounted for"

    for kind in kinds:
        where = stored_name(kind.path)
        if kind.expect == "skipped":
            shown = shown_name(kind.path)
            line = skipped.get(shown) or next(r for s, r in skipped.items()
                                              if shown.startswith(s + "/"))
            assert line == reasons[kind.code], (kind.path, line)
            assert where not in subs
            continue
        path, status, reason, duplicate_of, is_current, current_reason, sid = subs[where]
        if kind.expect == "rejected":
            assert status == "rejected" and reason, kind.path
            assert kind.code in codes.get(sid, set()) and reason.endswith(f"({kind.code})"), (
                kind.path, reason, codes.get(sid))
        elif kind.expect == "duplicate":
            assert status == "duplicate" and duplicate_of in {r[6] for r in rows}, kind.path
        else:
            assert status == "loaded", (kind.path, reason)
        if kind.expect == "loaded":
            assert is_current and current_reason, kind.path
    # rejected files each say why in their own words: one reason per code
    rejected = [k for k in kinds if k.expect == "rejected"]
    by_code = {}
    for kind in rejected:
        by_code.setdefault(kind.code, set()).add(
            subs[stored_name(kind.path)][2].split(": ", 1)[-1].rsplit(" (", 1)[0]
            if "line" not in kind.code else kind.code)
    assert len(by_code) >= 20
    # the seed unit's 2024 report: of its readable versions, the newest file is current
    current = _query(db, "select file_path, current_reason from submissions "
                         "where unit_code = '430181002' and report_year = 2024 and is_current")
    assert current[0][0] == bad_inputs.CURRENT_VERSION
    assert current[0][1].startswith("the newest file time of")
    # no message stored anywhere names the machine's folders
    texts = _query(db, "select message_zh || message_en || coalesce(location, '') "
                       "from parse_issues union all select coalesce(reject_reason, '') "
                       "from submissions")
    assert not [t for (t,) in texts if str(tmp_path) in t]
    run = _query(db, "select status, files_seen, files_duplicate, files_skipped from runs")
    assert run[0][0] == "completed" and run[0][2] >= 3 and run[0][3] == len(skipped)


# ---------------------------------------------------------------------------------------------
# SIGKILL in each stage, then a run again
# ---------------------------------------------------------------------------------------------

RUN = textwrap.dedent("""
    import sys
    from flows.annual import annual
    annual(source=sys.argv[1], warehouse=sys.argv[2], out=sys.argv[3], workers=1,
           with_render=sys.argv[4] == "render")
""")

# (where the run kills itself, whether it was asked to render)
KILL_POINTS = [*((stage, False) for stage in ("discover", "stage", "read", "load", "check",
                                              "materialise", "publish")),
               ("publish:renamed", False), ("publish:renamed", True), ("render", True)]


def _data(path) -> dict:
    """Every table but ``runs``, row by row."""
    tables = [r[0] for r in _query(path, "select table_name from duckdb_tables() "
                                         "where table_name <> 'runs' order by table_name")]
    return {t: _query(path, f"select * exclude (last_run_id) from {t} order by all")
            if t == "submissions" else _query(path, f"select * from {t} order by all")
            for t in tables}


def _leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in wh.stale_files(db))


@pytest.mark.flow
@pytest.mark.parametrize(("point", "with_render"), KILL_POINTS)
def test_killed_in_each_stage_then_run_again(prefect_harness, tmp_path, point, with_render):
    from prefect.settings import PREFECT_API_URL

    from flows.annual import annual

    raw = tmp_path / "raw"
    (raw / "2019").mkdir(parents=True)
    seed = SEED.read_text(encoding="utf-8")
    (raw / "2019" / SEED.name).write_text(seed, encoding="utf-8")
    db = tmp_path / "wh" / "gongkai.duckdb"
    out = tmp_path / "out"
    first = annual(source=str(raw), warehouse=str(db), out=str(out), workers=1,
                   with_render=False)
    published = _data(db)
    # a second unit's report arrives; the next run is killed at `point`
    (raw / "2019" / "430181003-hehua.md").write_text(
        seed.replace("集里街道", "荷花街道").replace("集里", "荷花"), encoding="utf-8")
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(),
           pipeline.KILL_AT_ENV: point}
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN, str(raw), str(db), str(out),
         "render" if with_render else "no-render"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True)  # its own group: reader processes it started die with it
    try:
        output, _ = proc.communicate(timeout=300)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert proc.returncode == -signal.SIGKILL, output.decode(errors="replace")[-3000:]
    killed_run = json.loads(next(p for p in db.parent.glob(f".{db.name}.*.run")).read_text())
    assert killed_run["stage"] == point.split(":")[0]
    if point in ("publish:renamed", "render"):
        # the new warehouse was published before the kill: two units current
        assert _query(db, "select count(*) from v_current_submissions") == [(2,)]
    else:
        assert _data(db) == published  # unchanged until a successful publish
        assert _leftovers(db)  # the dead run's marker (and staging copy) are still there

    again = annual(source=str(raw), warehouse=str(db), out=str(out), workers=1,
                   with_render=False)
    assert _leftovers(db) == []
    runs = dict(_query(db, "select run_id, status from runs"))
    assert runs[first["run_id"]] == "completed" and runs[again["run_id"]] == "completed"
    dead = _query(db, "select status, failed_stage from runs where run_id not in (?, ?)",
                  [first["run_id"], again["run_id"]])
    if point == "publish:renamed" and not with_render:
        # renamed into place with nothing left but the Parquet swap, which the next run did:
        # every stage asked for had finished
        assert dead == [("completed", None)]
    else:
        assert dead == [("failed", point.split(":")[0])]
    exported = _query(db, "select count(*) from read_parquet(?, hive_partitioning = true)",
                      [str(wh.parquet_dir(db) / "submissions" / "**" / "*.parquet")])
    assert exported == [(2,)]  # the Parquet export matches the published warehouse
    # the rerun is correct: the same data as a clean build of the same files
    clean = tmp_path / "clean" / "gongkai.duckdb"
    annual(source=str(raw), warehouse=str(clean), out=str(tmp_path / "out2"), workers=1,
           with_render=False)
    assert _query(db, "select file_path, status, is_current from submissions order by 1") == \
        _query(clean, "select file_path, status, is_current from submissions order by 1")
    assert _query(db, "select * exclude (submission_id) from v_t3 order by all") == \
        _query(clean, "select * exclude (submission_id) from v_t3 order by all")
