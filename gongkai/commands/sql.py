"""``gongkai sql``: query the warehouse read-only, without a DuckDB command-line client.

One query (``gongkai sql "select …"`` or ``--file q.sql``), or statements read from standard
input — typed at a prompt when it is a terminal, or piped — each ending in ``;``.  Results
print as an aligned table (Chinese counts two columns wide), as CSV or as JSON, at most
``--max-rows`` rows (the rest are counted and said to be cut).  The warehouse is opened
read-only: a run can publish meanwhile, and a statement that would change it is refused.
Errors are one line in Chinese and English, never a traceback.

Exit status: 0 when every statement ran, 1 when one failed, 2 when the warehouse (or the
query file) cannot be opened.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import json
import os
import shlex
import shutil
import sys
import unicodedata
from pathlib import Path
from typing import Any, TextIO

DEFAULT_WAREHOUSE = "warehouse/gongkai.duckdb"
DEFAULT_MAX_ROWS = 200
MAX_CELL_WIDTH = 60  # display columns of one table cell; longer text ends in …
EXAMPLE_QUERY = "select * from v_t3 limit 5"
_PROMPT, _MORE = "gongkai> ", "    ...> "
_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                  "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


class SqlCommandError(Exception):
    """A failure to report in one line: Chinese, then English, and the exit status."""

    def __init__(self, zh: str, en: str, status: int):
        super().__init__(en)
        self.zh, self.en, self.status = zh, en, status

    def __str__(self) -> str:
        return f"{self.zh}\n{self.en}"


def register(sub) -> None:
    """Add the ``sql`` subcommand."""
    p = sub.add_parser(
        "sql",
        help="只读查询仓库 query the warehouse (read-only)",
        description="只读查询仓库：一条查询，或从标准输入读取以分号结尾的语句（终端中为交互提示符）。"
                    "结果为对齐的表格、CSV 或 JSON。\n"
                    "Query the warehouse read-only: one query, or statements ending in ';' "
                    "from standard input (an interactive prompt at a terminal). Results as an "
                    "aligned table, CSV or JSON.",
        epilog="例 examples:\n"
               f"  gongkai sql \"{EXAMPLE_QUERY}\"\n"
               "  gongkai sql --csv \"select * from v_unit_status\" > status.csv\n"
               "  gongkai sql --file query.sql --json\n"
               "  gongkai sql            # 交互 interactive; .tables 列出表和视图 lists tables, "
               ".quit 退出 quits\n"
               "表、视图和列见 tables, views and columns: docs/warehouse.md\n"
               "退出状态 exit status: 0 成功 ok, 1 语句出错 a statement failed, "
               "2 无法打开仓库 the warehouse cannot be opened",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("query", nargs="?", default=None, metavar="QUERY",
                   help="一条 SQL 查询 one SQL query (默认 default: 从标准输入读取 read from stdin)")
    p.add_argument("--file", "-f", default=None, metavar="Q.SQL",
                   help="从文件读取语句 read the statements from a file")
    p.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, metavar="FILE",
                   help=f"仓库文件 the warehouse file (默认 default: {DEFAULT_WAREHOUSE})")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--csv", action="store_true", help="输出 CSV output CSV")
    out.add_argument("--json", action="store_true",
                     help="输出 JSON（每条语句一个对象数组）output JSON (an array of objects per "
                          "statement)")
    p.add_argument("--max-rows", type=int, default=DEFAULT_MAX_ROWS, metavar="N",
                   help=f"每条语句最多输出的行数，0 为不限 at most N rows per statement, 0 for all "
                        f"(默认 default: {DEFAULT_MAX_ROWS})")
    p.set_defaults(func=run)


# --- opening and running ----------------------------------------------------------------------

def open_warehouse(path: str | Path):
    """A read-only connection to the warehouse; ``SqlCommandError`` when it cannot be opened."""
    import duckdb

    path = Path(path)
    if not path.is_file():
        raise SqlCommandError(
            f"找不到仓库文件 {path}（先运行 make run 或 gongkai run，或用 --warehouse 指定）",
            f"warehouse not found: {path} (run `make run` or `gongkai run` first, or give "
            "--warehouse)", 2)
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise SqlCommandError(f"无法打开仓库 {path}：{_first_line(exc)}",
                              f"cannot open the warehouse {path}: {_first_line(exc)}",
                              2) from None


def split_statements(con, text: str) -> list[str]:
    """The statements of a script, split by DuckDB's own parser (a ``;`` inside a string
    does not end a statement); ``SqlCommandError`` for a script that does not parse."""
    import duckdb

    try:
        return [s.query.strip() for s in con.extract_statements(text) if s.query.strip()]
    except duckdb.Error as exc:
        raise SqlCommandError(f"SQL 错误：{_first_line(exc)}", f"SQL error: {_first_line(exc)}",
                              1) from None


def execute(con, statement: str, max_rows: int) -> tuple[list[str], list[str], list[tuple], int]:
    """Run one statement: (column names, DuckDB type names, the first ``max_rows`` rows (all
    when 0), the number of rows cut).  ``SqlCommandError`` on a SQL error or a write."""
    import duckdb

    try:
        cursor = con.execute(statement)
        if cursor.description is None:
            return [], [], [], 0
        names = [d[0] for d in cursor.description]
        types = [str(d[1]) for d in cursor.description]
        if max_rows <= 0:
            return names, types, cursor.fetchall(), 0
        rows = cursor.fetchmany(max_rows)
        cut = 0
        while chunk := cursor.fetchmany(10_000):  # counted, not kept
            cut += len(chunk)
        return names, types, rows, cut
    except duckdb.Error as exc:
        message = _first_line(exc)
        if "read-only" in message or "read only" in message:
            raise SqlCommandError(
                "仓库以只读方式打开，不能修改（gongkai sql 只用于查询；数据由 gongkai run 写入）",
                f"the warehouse is open read-only and cannot be changed (gongkai sql only "
                f"queries; gongkai run writes the data): {message}", 1) from None
        raise SqlCommandError(f"SQL 错误：{message}", f"SQL error: {message}", 1) from None


def _first_line(exc: Exception) -> str:
    """DuckDB's message without the LINE/caret context lines that follow it."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- output -----------------------------------------------------------------------------------

def _display(value: Any) -> str:
    """A value as shown in a table: NULL for null, doubles to 15 significant digits (no
    0.30000000000000004), control characters made harmless (submission text must not drive
    the analyst's terminal), long text cut to ``MAX_CELL_WIDTH`` columns."""
    import wcwidth

    if value is None:
        return "NULL"
    if isinstance(value, float):
        text = f"{value:.15g}"
    else:
        text = str(value)
    text = "".join(" " if c in "\t\r\n" else ("\ufffd" if unicodedata.category(c) == "Cc" else c)
                   for c in text)
    if wcwidth.width(text) > MAX_CELL_WIDTH:
        # a wide character split by the cut comes back as a space: dropped before the …
        text = wcwidth.clip(text, 0, MAX_CELL_WIDTH - 1).rstrip() + "…"
    return text


def format_table(names: list[str], types: list[str], rows: list[tuple]) -> str:
    """An aligned table (tabulate, widths by wcwidth): numbers right, text left."""
    from tabulate import tabulate

    align = ["right" if t.split("(")[0] in _NUMERIC_TYPES else "left" for t in types]
    return tabulate([[_display(v) for v in row] for row in rows],
                    headers=[_display(n) for n in names], tablefmt="psql",
                    disable_numparse=True, colalign=align)


def _json_value(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def write_result(out: TextIO, err: TextIO, fmt: str, names: list[str], types: list[str],
                 rows: list[tuple], cut: int) -> None:
    """Print one statement's result in the chosen format; the count of cut rows to ``err``."""
    if not names:
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    elif fmt == "json":
        json.dump([dict(zip(names, row, strict=True)) for row in rows], out,
                  ensure_ascii=False, default=_json_value)
        out.write("\n")
    else:
        out.write(format_table(names, types, rows) + "\n")
        out.write(f"({len(rows) + cut} 行 rows)\n")
    if cut:
        err.write(f"共 {len(rows) + cut} 行，只输出前 {len(rows)} 行，{cut} 行未输出"
                  f"（用 --max-rows N 调整，0 为不限）\n"
                  f"{len(rows) + cut} rows; the first {len(rows)} printed, {cut} cut "
                  "(--max-rows N to change, 0 for all)\n")


# --- the command ------------------------------------------------------------------------------

_TABLES = ("select table_name as name, case table_type when 'VIEW' then 'view' else 'table' "
           "end as kind from information_schema.tables where table_schema = 'main' "
           "order by kind, name")


def run(args) -> int:
    """Run the query, the file or the statements on standard input; the exit status."""
    out, err = sys.stdout, sys.stderr
    fmt = "csv" if args.csv else "json" if args.json else "table"
    try:
        if args.query is not None and args.file is not None:
            raise SqlCommandError("查询和 --file 只能给一个", "give a query or --file, not both", 2)
        script = args.query
        if args.file is not None:
            try:
                script = Path(args.file).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise SqlCommandError(f"无法读取查询文件 {args.file}：{exc}",
                                      f"cannot read the query file {args.file}: {exc}",
                                      2) from None
        con = open_warehouse(args.warehouse)
    except SqlCommandError as exc:
        err.write(f"{exc}\n")
        return exc.status
    try:
        if script is None and sys.stdin.isatty():
            return _interactive(con, fmt, args.max_rows, out, err)
        if script is None:
            script = sys.stdin.read()
        return run_script(con, script, fmt, args.max_rows, out, err)
    finally:
        con.close()


def run_script(con, script: str, fmt: str, max_rows: int, out: TextIO, err: TextIO) -> int:
    """Run every statement of a script in order, stopping at the first that fails."""
    try:
        statements = split_statements(con, script)
        if not statements:
            raise SqlCommandError("没有要执行的语句", "no statement to run", 1)
        for statement in statements:
            write_result(out, err, fmt, *execute(con, statement, max_rows))
    except SqlCommandError as exc:
        err.write(f"{exc}\n")
        return exc.status
    return 0


def _interactive(con, fmt: str, max_rows: int, out: TextIO, err: TextIO) -> int:
    """A prompt: statements end in ``;``; ``.tables`` lists tables and views; ``.quit`` or
    Ctrl-D ends. A failed statement is reported and the prompt goes on."""
    try:
        import readline  # noqa: F401 - line editing and history for input()
    except ImportError:
        pass
    out.write("gongkai sql：只读查询，语句以 ; 结尾；.tables 列出表和视图；.quit 或 Ctrl-D 退出\n"
              "read-only; end statements with ;  .tables lists tables and views; "
              ".quit or Ctrl-D quits\n")
    status = 0
    buffer: list[str] = []
    while True:
        try:
            line = input(_MORE if buffer else _PROMPT)
        except EOFError:
            out.write("\n")
            break
        except KeyboardInterrupt:  # Ctrl-C drops the statement being typed
            buffer = []
            out.write("\n")
            continue
        command = line.strip()
        if not buffer and command in (".quit", ".exit", "\\q", "exit", "quit"):
            break
        if not buffer and command == ".tables":
            write_result(out, err, fmt, *execute(con, _TABLES, 0))
            continue
        buffer.append(line)
        if not command.endswith(";"):
            continue
        text, buffer = "\n".join(buffer), []
        try:
            for statement in split_statements(con, text):
                write_result(out, err, fmt, *execute(con, statement, max_rows))
        except SqlCommandError as exc:
            err.write(f"{exc}\n")
            status = 1
    return status


def query_hint(warehouse: str | Path, *, argv0: str | None = None,
               cwd: Path | None = None) -> str:
    """The ``gongkai sql`` command line to query ``warehouse``, as it works from ``cwd``
    with the ``gongkai`` program that is running: ``.venv/bin/gongkai sql "…"`` after
    ``make run`` (whose .venv is not on PATH), ``gongkai sql "…"`` where it is; the
    warehouse is named unless it is the default one."""
    # absolute, not resolved: a .venv reached through a symlink stays as typed
    cwd = Path(os.path.abspath(cwd or Path.cwd()))
    program = Path(os.path.abspath(argv0 if argv0 is not None else sys.argv[0]))
    if program.name != "gongkai":
        command = "gongkai"  # not run through the installed script (python -m, tests)
    else:
        on_path = shutil.which("gongkai")
        if on_path and Path(on_path).resolve() == program.resolve():
            command = "gongkai"
        elif program.is_relative_to(cwd):
            command = program.relative_to(cwd).as_posix()
        else:
            command = str(program)
    parts = [command, "sql"]
    target = Path(os.path.abspath(warehouse))
    if target != cwd / DEFAULT_WAREHOUSE:
        shown = target.relative_to(cwd).as_posix() if target.is_relative_to(cwd) else str(target)
        parts += ["--warehouse", shown]
    return " ".join(shlex.quote(p) for p in parts) + f' "{EXAMPLE_QUERY}"'
