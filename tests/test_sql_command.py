"""``gongkai sql``: read-only queries on a real warehouse file, in every output and input mode."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import pty
import select
import shlex
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import wcwidth

from gongkai import warehouse as wh
from gongkai.commands import sql as sql_command
from gongkai.paths import RAW_DIR
from gongkai.read import parse_file
from gongkai.sources import discover_folder
from gongkai.units import default_registry

ROOT = Path(__file__).resolve().parents[1]
GONGKAI = Path(sys.executable).parent / "gongkai"  # the installed script beside this python


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A warehouse file holding the bundled 2019 reports (read and loaded for real)."""
    path = tmp_path_factory.mktemp("wh") / "gongkai.duckdb"
    con = duckdb.connect(str(path))
    wh.create_schema(con)
    wh.load_units(con, default_registry())
    for sub in discover_folder(RAW_DIR, years=[2019]):
        report = parse_file(sub.path, filed_year=sub.filed_year,
                            filed_unit_code=sub.filed_unit_code)
        wh.insert_report(con, report, submission_id=sub.submission_id, sha256=sub.sha256,
                         size_bytes=sub.size_bytes, file_path=sub.file_path,
                         filed_unit_code=sub.filed_unit_code, filed_year=sub.filed_year,
                         run_id="test")
    con.close()
    return path


def gongkai_sql(*args: str, stdin: str | None = None, cwd: Path = ROOT):
    """``gongkai sql ARGS`` in a process of its own."""
    return subprocess.run([sys.executable, "-m", "gongkai.cli", "sql", *args], input=stdin,
                          capture_output=True, text=True, timeout=60, cwd=cwd)


def query(path: Path, sql: str) -> list[tuple]:
    """The rows of a query, straight from DuckDB."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


UNITS_SQL = ("select u.unit_code, u.name, t.t3__new__total, t.t3__carried_out__total "
             "from v_t3 as t join units as u using (unit_code) order by u.unit_code")


def test_table_is_aligned_with_chinese_text(warehouse):
    """The table's lines are all equally wide on a terminal (a Chinese character counts two
    columns), and hold the rows DuckDB returns."""
    done = gongkai_sql("--warehouse", str(warehouse), UNITS_SQL)
    assert done.returncode == 0, done.stderr
    rows = query(warehouse, UNITS_SQL)
    lines = done.stdout.splitlines()
    table = lines[:-1]
    assert len({wcwidth.width(line) for line in table}) == 1
    assert lines[-1] == f"({len(rows)} 行 rows)"
    body = [[c.strip() for c in line.strip("|").split("|")] for line in table[3:-1]]
    def shown(v):
        if v is None:
            return "NULL"
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)

    expected = [[shown(v) for v in row] for row in rows]
    assert body == expected
    assert any("街道" in row[1] for row in body) and any("镇" in row[1] for row in body)


def test_csv_and_json(warehouse):
    """CSV (a blank is an empty field, never 0) and JSON (null) give DuckDB's rows."""
    sql = "select unit_code, name, null as nothing, 1.5::decimal(4, 2) as d from units " \
          "order by unit_code"
    rows = query(warehouse, sql)
    done = gongkai_sql("--warehouse", str(warehouse), "--csv", sql)
    parsed = list(csv.reader(io.StringIO(done.stdout)))
    assert parsed[0] == ["unit_code", "name", "nothing", "d"]
    assert parsed[1:] == [[r[0], r[1], "", "1.50"] for r in rows]
    done = gongkai_sql("--warehouse", str(warehouse), "--json", sql)
    assert json.loads(done.stdout) == [
        {"unit_code": r[0], "name": r[1], "nothing": None, "d": 1.5} for r in rows]


def test_file_and_piped_statements(warehouse, tmp_path):
    """Statements from a file or a pipe run in order; a ';' inside a string does not end
    one; a failing statement stops a script with status 1 after the earlier output."""
    script = "select ';' as semi;\nselect count(*) as n\nfrom units;\n"
    path = tmp_path / "q.sql"
    path.write_text(script, encoding="utf-8")
    n = query(warehouse, "select count(*) from units")[0][0]
    for done in (gongkai_sql("--warehouse", str(warehouse), "--json", "--file", str(path)),
                 gongkai_sql("--warehouse", str(warehouse), "--json", stdin=script)):
        assert done.returncode == 0, done.stderr
        assert [json.loads(line) for line in done.stdout.splitlines()] == [
            [{"semi": ";"}], [{"n": n}]]
    done = gongkai_sql("--warehouse", str(warehouse), "--json",
                       stdin="select 1 as a; select * from no_such_table; select 2 as b;")
    assert done.returncode == 1
    assert done.stdout.splitlines() == ['[{"a": 1}]']
    assert "no_such_table" in done.stderr and "Traceback" not in done.stderr


def test_output_is_bounded_and_says_so(warehouse):
    """At most --max-rows rows are printed; stderr says how many were cut."""
    total = query(warehouse, "select count(*) from cells")[0][0]
    done = gongkai_sql("--warehouse", str(warehouse), "--csv", "--max-rows", "7",
                       "select cell_code from cells order by submission_id, cell_code")
    assert len(done.stdout.splitlines()) == 1 + 7
    assert f"共 {total} 行，只输出前 7 行，{total - 7} 行未输出" in done.stderr
    assert f"{total - 7} cut" in done.stderr
    done = gongkai_sql("--warehouse", str(warehouse), "--csv", "--max-rows", "0",
                       "select cell_code from cells")
    assert len(done.stdout.splitlines()) == 1 + total and done.stderr == ""


def test_untrusted_text_cannot_drive_the_terminal(warehouse, tmp_path):
    """Control characters in stored text are shown harmlessly; long text is cut."""
    done = gongkai_sql("--warehouse", str(warehouse),
                       "select 'a' || chr(27) || '[2J' || chr(10) || 'b' as t, "
                       "repeat('政', 100) as long_text")
    assert "\x1b" not in done.stdout
    assert "a\ufffd[2J b" in done.stdout
    assert "政" * 29 + "…" in done.stdout and "政" * 30 not in done.stdout


def test_the_warehouse_cannot_be_changed(warehouse):
    """Writes are refused with a read-only message, and the file is not touched."""
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    for statement in ("delete from cells", "create table x (a int)",
                      "update units set name = 'x'", "drop view v_t3"):
        done = gongkai_sql("--warehouse", str(warehouse), statement)
        assert done.returncode == 1, statement
        assert "仓库以只读方式打开" in done.stderr and "read-only" in done.stderr, statement
        assert "Traceback" not in done.stderr
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before


def test_clear_errors(warehouse, tmp_path):
    """A missing warehouse, a file that is not one, and bad SQL: one message in Chinese and
    English, no traceback, status 2 or 1."""
    done = gongkai_sql("select 1", cwd=tmp_path)
    assert done.returncode == 2
    assert "找不到仓库文件 warehouse/gongkai.duckdb" in done.stderr
    assert "warehouse not found" in done.stderr and "make run" in done.stderr
    not_db = tmp_path / "notes.duckdb"
    not_db.write_text("这不是数据库", encoding="utf-8")
    done = gongkai_sql("--warehouse", str(not_db), "select 1")
    assert done.returncode == 2 and "无法打开仓库" in done.stderr
    done = gongkai_sql("--warehouse", str(warehouse), "selec 1")
    assert done.returncode == 1
    assert done.stderr.startswith("SQL 错误：") and "\nSQL error: " in done.stderr
    for d in (done,):
        assert "Traceback" not in d.stderr


def test_help_in_chinese_and_english():
    """``--help`` describes every option in Chinese and English."""
    done = subprocess.run([sys.executable, "-m", "gongkai.cli", "sql", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for phrase in ("只读查询仓库", "read-only", "--max-rows", "默认 default", "--csv", "--json",
                   "--file", "--warehouse", "退出状态 exit status"):
        assert phrase in done.stdout


def test_interactive_prompt(warehouse):
    """At a terminal: a prompt, a statement over two lines, ``.tables``, an error that does
    not end the session, ``.quit``."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: gongkai sql on the terminal
        os.execv(sys.executable, [sys.executable, "-m", "gongkai.cli", "sql", "--warehouse",
                                  str(warehouse)])
    output = b""

    def read_until(marker: bytes, timeout: float = 30) -> None:
        nonlocal output
        deadline = time.monotonic() + timeout
        while marker not in output and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    output += os.read(fd, 65536)
                except OSError:
                    break
        assert marker in output, output.decode(errors="replace")

    read_until(b"gongkai> ")
    os.write(fd, b"select name\n")
    read_until(b"...> ")
    os.write(fd, b"from units where unit_code = '430181002';\n")
    read_until("集里街道".encode())
    read_until(b"(1 \xe8\xa1\x8c rows)")
    os.write(fd, b"select * from nowhere;\n")
    read_until(b"SQL error")
    os.write(fd, b".tables\n")
    read_until(b"v_t3")
    os.write(fd, b".quit\n")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.WEXITSTATUS(status) == 1  # one statement failed
    assert b"Traceback" not in output


@pytest.mark.skipif(not GONGKAI.is_file(), reason="the gongkai script is not installed "
                                                  "beside this Python (pip install -e .)")
def test_run_summary_prints_a_command_that_works(warehouse, tmp_path, monkeypatch):
    """The run summary's "query it" line, as `make run` prints it (.venv/bin/gongkai, not on
    PATH), works when pasted at the project root; so does the plain form for a default
    warehouse."""
    from gongkai.commands.run import summary_text

    project = tmp_path / "project"
    (project / "warehouse").mkdir(parents=True)
    (project / ".venv").symlink_to(GONGKAI.parent.parent)
    default = project / "warehouse" / "gongkai.duckdb"
    default.write_bytes(warehouse.read_bytes())
    result = {"run_id": "r", "years": None, "rejected_files": [], "rendered": [],
              "counts": {"seen": 1, "loaded": 1, "unchanged": 0, "rejected": 0},
              "checks": {"rules": 1, "failing_by_severity": {}, "not_assessable": 0,
                         "broken_rules": []},
              "parquet": "p", "out": "out", "stage_seconds": {}}
    monkeypatch.chdir(project)
    monkeypatch.setattr(sys, "argv", [".venv/bin/gongkai", "run"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # as after `make run`: .venv is not on PATH
    for target, expected in ((default, '.venv/bin/gongkai sql "select * from v_t3 limit 5"'),
                             (warehouse, f".venv/bin/gongkai sql --warehouse {warehouse} "
                                         '"select * from v_t3 limit 5"')):
        line = next(ln for ln in summary_text({**result, "warehouse": str(target)}).splitlines()
                    if "query it" in ln)
        command = line.split("query it", 1)[1].strip()
        assert command == expected
        done = subprocess.run(shlex.split(command), cwd=project, capture_output=True, text=True,
                              timeout=60, env={**os.environ, "PATH": "/usr/bin:/bin"})
        assert done.returncode == 0, done.stderr
        assert "t3__new__total" in done.stdout and "(5 行 rows)" in done.stdout


def test_query_hint_with_gongkai_on_path(tmp_path, monkeypatch):
    """With the environment activated (gongkai on PATH) the hint is plain ``gongkai sql``."""
    if not GONGKAI.is_file():
        pytest.skip("the gongkai script is not installed beside this Python")
    monkeypatch.setenv("PATH", f"{GONGKAI.parent}:/usr/bin:/bin")
    hint = sql_command.query_hint(tmp_path / "warehouse" / "gongkai.duckdb",
                                  argv0=str(GONGKAI), cwd=tmp_path)
    assert hint == 'gongkai sql "select * from v_t3 limit 5"'


def test_readme_queries_run(warehouse, tmp_path):
    """The README's "Querying the warehouse" queries run through ``gongkai sql`` as shown."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Querying the warehouse", 1)[1].split("\n## ", 1)[0]
    script = re.search(r"```sql\n(.*?)```", section, re.S).group(1)
    path = tmp_path / "readme.sql"
    path.write_text(script, encoding="utf-8")
    done = gongkai_sql("--warehouse", str(warehouse), "--file", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("行 rows)") == script.count(";")
    shown = re.findall(r"^\.venv/bin/gongkai sql (.*?)(?:\s+#.*)?$", section, re.M)
    assert len(shown) == 4
    for line in shown:
        args = shlex.split(line.split(">")[0])
        if "--file" in args:
            args[args.index("--file") + 1] = str(path)
        # the prompt's line (no arguments) gets its statement through a pipe here
        done = gongkai_sql("--warehouse", str(warehouse), *args,
                           stdin="select 1 as one;" if not args else None)
        assert done.returncode == 0, (line, done.stderr)
