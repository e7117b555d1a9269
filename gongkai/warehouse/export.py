"""The Parquet export beside a published warehouse (``gongkai.duckdb`` → ``parquet/``)."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import duckdb

from gongkai.warehouse.schema import writer_memory

# Every table of the warehouse is exported (docs/warehouse.md lists them; a test compares):
# a table with a report_year column partitioned by it, any other as a single file. Views are
# not exported (they are queries over the tables), except the views of constants the docs
# list among the tables.
CONSTANT_VIEWS = ("value_rules",)
# the single-file tables a run rewrites after publishing (refresh_plain_table)
PLAIN_TABLES = ("units", "runs", "check_runs")


def _sql_path(path: Path) -> str:
    """A file path as a SQL string literal (COPY takes no parameter for its target)."""
    return "'" + str(path).replace("'", "''") + "'"


def _ident(name: str) -> str:
    """A table name of the catalog as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def parquet_dir(published: str | Path) -> Path:
    """The Parquet export folder beside a warehouse file (``gongkai.duckdb`` → ``parquet/``)."""
    return Path(published).with_name("parquet")


def _copy_plain(con: duckdb.DuckDBPyConnection, table: str, target: Path) -> None:
    """One table of the warehouse's own catalog to one Parquet file."""
    con.execute(f"copy (select * from {_ident(table)}) to {_sql_path(target)} "
                "(format parquet, compression zstd)")


def exported_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, bool]]:
    """The tables the export writes, as (name, partitioned by report_year), by name: every
    base table of the warehouse and the views of constants (CONSTANT_VIEWS)."""
    return [(name, bool(partitioned)) for name, partitioned in con.execute(
        "select t.table_name, exists (select 1 from information_schema.columns as c "
        "    where c.table_schema = t.table_schema and c.table_name = t.table_name "
        "    and c.column_name = 'report_year') "
        "from information_schema.tables as t "
        "where t.table_schema = 'main' and t.table_catalog = current_database() "
        "and (t.table_type = 'BASE TABLE' or t.table_name in (select unnest(?))) "
        "order by t.table_name", [list(CONSTANT_VIEWS)]).fetchall()]


def export_parquet(warehouse: str | Path, out_dir: str | Path,
                   tables: Iterable[str] | None = None) -> Path:
    """Export the warehouse's tables to Parquet, swapping the folder in when complete.

    Every table (``exported_tables``): those with ``report_year`` are partitioned by it
    (``cells/report_year=2019/…``), the others become one file each. The previous export
    stays in place until the new one is written.
    """
    build_parquet(warehouse, out_dir, tables)
    return swap_parquet(out_dir)


def building_dir(out_dir: str | Path) -> Path:
    """Where an export is written before it is swapped in (``.parquet.building``)."""
    out_dir = Path(out_dir)
    return out_dir.with_name(f".{out_dir.name}.building")


# a year partition of more rows than BUCKET_ROWS is written as buckets, the rows of a unit in
# one of them (by a hash of its code): as many buckets as it takes to hold at most
# BUCKET_ROWS rows each, a power of two (at most MAX_BUCKETS). A rerun after one township
# resubmitted then rewrites one small file of each table it touched instead of the whole
# year: at 40,000 reports 62,000 of 7.9 million cells (0.1 s instead of 1.0 s with eight
# buckets, 4.4 s with none) and a quarter of the narratives (bench/README.md). A year whose
# rows cross a power of two is written again whole, once.
BUCKET_ROWS = 100_000
MAX_BUCKETS = 128
# what each file of an export holds (a digest of its rows), for the next export to keep the
# files whose rows did not change: hidden beside the tables' folders
CONTENTS = ".contents.json"
# DuckDB's folder name for a null partition value
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


def _contents(out_dir: Path) -> dict[str, dict]:
    """The previous export's files by part (``table/report_year=Y/b``) with their digests;
    nothing when it was written by another DuckDB or another version of this export."""
    try:
        data = json.loads((out_dir / CONTENTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("writer") != _writer():
        return {}
    parts = data.get("parts")
    return parts if isinstance(parts, dict) else {}


def _writer() -> str:
    return (f"duckdb {duckdb.__version__}; zstd; buckets of {BUCKET_ROWS} rows, "
            f"at most {MAX_BUCKETS}")


def buckets_for(rows: int) -> int:
    """The number of files a year partition of ``rows`` rows is written as."""
    count = 1
    while count < MAX_BUCKETS and rows > count * BUCKET_ROWS:
        count *= 2
    return count


def _kept(out_dir: Path, building: Path, table: str, before: dict | None,
          digest: str) -> list[str] | None:
    """Link the files of a part whose rows are unchanged from the previous export into the
    one being built; their paths, or None when the part must be written again (also when
    the previous export names a file that is not a Parquet file of the table's own folder:
    the contents file is only trusted to say which of its own files can be kept)."""
    if not before or before.get("digest") != digest:
        return None
    files = before.get("files")
    if not isinstance(files, list) or not files or not all(
            _own_file(out_dir, table, rel) for rel in files):
        return None
    for rel in files:
        target = building / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(out_dir / rel, target)
        except OSError:
            shutil.copyfile(out_dir / rel, target)
    return list(files)


def _own_file(out_dir: Path, table: str, rel: object) -> bool:
    """Whether ``rel`` names a regular Parquet file inside ``out_dir/<table>/`` (no link)."""
    if not isinstance(rel, str):
        return False
    parts = PurePosixPath(rel).parts
    if PurePosixPath(rel).is_absolute() or ".." in parts or len(parts) < 2 \
            or parts[0] != table or not rel.endswith(".parquet"):
        return False
    try:
        return stat.S_ISREG(os.lstat(out_dir / rel).st_mode)
    except OSError:
        return False


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """A table's columns and their types, in order."""
    return [(name, kind) for name, kind in con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'main' and table_catalog = current_database() "
        "and table_name = ? order by ordinal_position", [table]).fetchall()]


def _signature(columns: list[tuple[str, str]]) -> str:
    """A table's columns and their types, for the digests: a changed schema is written anew."""
    return ",".join(f"{name} {kind}" for name, kind in columns)


def build_parquet(warehouse: str | Path, out_dir: str | Path,
                  tables: Iterable[str] | None = None) -> Path:
    """Write the export of ``export_parquet`` beside ``out_dir`` (``building_dir``), not yet
    swapped in: a run exports its staging copy before publishing it, so that once the
    warehouse is renamed into place only ``swap_parquet`` is left to do.

    A file whose rows are those of the previous export's file (same digest: the rows' hashes
    summed, their count and the table's columns, ``CONTENTS``) is linked from it instead of
    written again."""
    out_dir = Path(out_dir)
    building = building_dir(out_dir)
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    before = _contents(out_dir)
    parts: dict[str, dict] = {}
    # within the writer's budget: the run exports its staging copy in the same process
    con = duckdb.connect(str(warehouse), read_only=True,
                         config={"memory_limit": writer_memory()})
    try:
        con.execute("set enable_progress_bar = false")
        wanted = set(tables) if tables is not None else None
        for table, partitioned in exported_tables(con):
            if wanted is not None and table not in wanted:
                continue
            target = building / table
            if partitioned:
                _export_partitioned(con, table, out_dir, building, before, parts)
                continue
            target.mkdir()
            rows, total = con.execute(
                f"select count(*), sum(hash(t)::hugeint) from {_ident(table)} as t").fetchall()[0]
            digest = f"{_signature(_columns(con, table))}|{rows}|{total}"
            rel = f"{table}/{table}.parquet"
            kept = _kept(out_dir, building, table, before.get(table), digest)
            if kept is None:
                _copy_plain(con, table, building / rel)
            parts[table] = {"digest": digest, "files": [rel]}
    finally:
        con.close()
    (building / CONTENTS).write_text(json.dumps({"writer": _writer(), "parts": parts},
                                                ensure_ascii=False, indent=0), encoding="utf-8")
    return building


def _export_partitioned(con: duckdb.DuckDBPyConnection, table: str, out_dir: Path,
                        building: Path, before: dict, parts: dict) -> None:
    """A table with ``report_year``, one folder a year (``report_year=2019/``): a file a year,
    or ``buckets_for(rows)`` files (``data_0``, ``data_1`` …) for a year of more than
    ``BUCKET_ROWS`` rows; only the files whose rows changed are written."""
    target = building / table
    name = _ident(table)
    years = con.execute(f"select report_year, count(*) from {name} group by all").fetchall()
    if not years:
        # no year to partition by: one empty file keeps the table and its columns (a
        # warehouse with no reviews or corrections yet)
        digest = f"{_signature(_columns(con, table))}|0|"
        rel = f"{table}/{table}.parquet"
        if _kept(out_dir, building, table, before.get(table), digest) is None:
            target.mkdir()
            _copy_plain(con, table, building / rel)
        parts[table] = {"digest": digest, "files": [rel]}
        return
    split = {int(year): buckets_for(rows) for year, rows in years
             if year is not None and rows > BUCKET_ROWS}
    columns = _columns(con, table)
    # the years and bucket counts are integers of this query, never text of a submission
    bucket = ("case " + " ".join(f"when t.report_year = {year} then hash(t.unit_code) % {count}"
                                 for year, count in sorted(split.items())) + " else 0 end"
              if split and "unit_code" in dict(columns) else "0")
    signature = _signature(columns)
    missing = []
    for year, part, rows, total in con.execute(
            f"select report_year, {bucket} as part, count(*), sum(hash(t)::hugeint) "
            f"from {name} as t group by all").fetchall():
        folder = f"report_year={NULL_PARTITION if year is None else int(year)}"
        key = f"{table}/{folder}/{int(part)}"
        digest = f"{signature}|{rows}|{total}"
        kept = _kept(out_dir, building, table, before.get(key), digest)
        if kept is None:
            missing.append((year, int(part), rows))
            parts[key] = {"digest": digest, "files": []}
        else:
            parts[key] = {"digest": digest, "files": kept}
    if not missing:
        return
    # the parts to write, in as few statements as keep each within PASS_ROWS rows: DuckDB
    # writes report_year=Y/_part=B/data_0.parquet into a scratch folder, moved to
    # report_year=Y/data_B.parquet
    scratch = building / f".{table}.parts"
    for keys in _passes(missing):
        con.execute(f"copy (select * from (select t.*, {bucket} as _part from {name} as t) as t "
                    f"where {_wanted(keys)}) to {_sql_path(scratch)} "
                    "(format parquet, partition_by (report_year, _part), compression zstd, "
                    "overwrite_or_ignore)")
    for year, part, _rows in missing:
        folder = f"report_year={NULL_PARTITION if year is None else int(year)}"
        written = sorted((scratch / folder / f"_part={part}").glob("*.parquet"))
        (target / folder).mkdir(parents=True, exist_ok=True)
        files = []
        for i, path in enumerate(written):
            rel = f"{table}/{folder}/data_{part}" + (f"_{i}" if i else "") + ".parquet"
            os.replace(path, building / rel)
            files.append(rel)
        parts[f"{table}/{folder}/{part}"]["files"] = files
    shutil.rmtree(scratch)


# a partitioned COPY holds a partition's rows until it has partitioned_write_flush_threshold
# (524,288) of them or the COPY ends, and a bucket has ~100,000: the cells of a country's
# year, 7.9 million rows in 128 buckets, were all held at once, past the writer's 1 GB budget
# (2 GB spilled; 22.9 s of CPU at 40,000 reports). The parts are written in passes of at most
# PASS_ROWS rows instead, each a scan of the table: 11.3 s in eight passes (4: 12.9 s, 16:
# 11.8 s; bench/README.md, "The stages after reading"). The files and their rows are the
# same.
PASS_ROWS = 1_000_000


def _passes(missing: list[tuple[int | None, int, int]]) -> list[list[tuple[int | None, int]]]:
    """The (year, part) keys to write, in order, grouped into passes of at most ``PASS_ROWS``
    rows (a part of more rows is a pass by itself)."""
    passes: list[list[tuple[int | None, int]]] = [[]]
    size = 0
    for year, part, rows in missing:
        if passes[-1] and size + rows > PASS_ROWS:
            passes.append([])
            size = 0
        passes[-1].append((year, part))
        size += rows
    return passes


def _wanted(keys: list[tuple[int | None, int]]) -> str:
    """A condition on ``t.report_year`` and ``t._part`` that holds for the rows of ``keys``:
    per year, its parts as one IN list (the years and parts are integers of the export's own
    queries, never text of a submission)."""
    by_year: dict[int | None, list[int]] = {}
    for year, part in keys:
        by_year.setdefault(year, []).append(part)
    return " or ".join(
        ("(t.report_year is null" if year is None else f"(t.report_year = {int(year)}")
        + f" and t._part in ({', '.join(str(int(p)) for p in parts)}))"
        for year, parts in by_year.items())


def swap_parquet(out_dir: str | Path) -> Path:
    """Put a finished ``build_parquet`` in place of the previous export (two renames)."""
    out_dir = Path(out_dir)
    old = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(building_dir(out_dir), out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return out_dir


def refresh_plain_table(warehouse: str | Path, out_dir: str | Path, table: str) -> Path:
    """Rewrite one small table's Parquet file in an existing export (atomic per file): used
    when only a run's row changed after publishing."""
    if table not in PLAIN_TABLES:
        raise ValueError(f"{table!r} is not one of the single-file tables {PLAIN_TABLES}")
    folder = Path(out_dir) / table
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{table}.parquet"
    partial = folder / f".{table}.parquet.part"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        _copy_plain(con, table, partial)
    finally:
        con.close()
    _forget(Path(out_dir), table)
    os.replace(partial, target)
    return target


def _forget(out_dir: Path, part: str) -> None:
    """Take a part out of an export's ``CONTENTS`` (its file is being replaced): the next
    export writes it again."""
    path = out_dir / CONTENTS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["parts"].pop(part, None)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        path.unlink(missing_ok=True)
        return
    partial = path.with_name(f"{CONTENTS}.part")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=0), encoding="utf-8")
    os.replace(partial, path)
