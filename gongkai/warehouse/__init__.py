"""The DuckDB warehouse, one module per job.

- ``schema``: tables and views (the ``schema`` step of ``sql/manifest.toml``), units and
  cell codes;
- ``load``: parsed reports become Arrow rows where they are read (``report_rows``) and go
  into DuckDB set-wise (the load stage's ``Loader``, ``load_submissions``; one report:
  ``insert_report``);
- ``versions``: which loaded submission of a unit-year is current (and which no longer is);
- ``runs``: the ``runs`` table and the one place a run's status is written;
- ``publish``: build a copy, checkpoint, rename into place; one writer at a time;
- ``export``: the Parquet copy beside the published file;
- ``frame``: analysts' read-only queries as Polars DataFrames;
- ``sqlfiles``: the one runner of the project's SQL files and its ``$name`` binder.

The names analysts and the pipeline use are importable from here::

    from gongkai import warehouse as wh
    wh.frame("warehouse/gongkai.duckdb", "select * from v_t3 where report_year = ?", [2024])
"""

from __future__ import annotations

from gongkai.sources import submission_id_for
from gongkai.warehouse.export import (
    build_parquet,
    building_dir,
    export_parquet,
    parquet_dir,
    refresh_plain_table,
    swap_parquet,
)
from gongkai.warehouse.frame import frame
from gongkai.warehouse.load import (
    CELL_STATUSES,
    SUBMISSION_STATUSES,
    Loader,
    LoadResult,
    ReportRows,
    insert_rejected,
    insert_report,
    load_submissions,
    report_rows,
)
from gongkai.warehouse.publish import (
    dead_runs,
    discard,
    marker_path,
    publish,
    remove_marker,
    remove_stale,
    stage_copy,
    stale_files,
    write_marker,
    writer_lock,
)
from gongkai.warehouse.runs import (
    RUN_STATUSES,
    STAGES,
    finish_run,
    has_run,
    set_status,
    start_run,
)
from gongkai.warehouse.schema import (
    cell_code_rows,
    connect,
    create_schema,
    load_cell_codes,
    load_units,
    open_writer,
    wide_column,
)
from gongkai.warehouse.versions import (
    choose_current,
    current_of,
    known_submissions,
    make_all_current,
    promote,
    record_duplicates,
    settle_current,
    touch_submission,
)

__all__ = [
    "CELL_STATUSES",
    "RUN_STATUSES",
    "STAGES",
    "SUBMISSION_STATUSES",
    "LoadResult",
    "Loader",
    "ReportRows",
    "build_parquet",
    "building_dir",
    "cell_code_rows",
    "connect",
    "create_schema",
    "choose_current",
    "current_of",
    "dead_runs",
    "discard",
    "export_parquet",
    "finish_run",
    "frame",
    "has_run",
    "insert_rejected",
    "insert_report",
    "known_submissions",
    "load_cell_codes",
    "load_submissions",
    "load_units",
    "open_writer",
    "make_all_current",
    "marker_path",
    "parquet_dir",
    "promote",
    "publish",
    "record_duplicates",
    "refresh_plain_table",
    "remove_marker",
    "remove_stale",
    "report_rows",
    "set_status",
    "settle_current",
    "stage_copy",
    "stale_files",
    "start_run",
    "submission_id_for",
    "swap_parquet",
    "touch_submission",
    "wide_column",
    "write_marker",
    "writer_lock",
]
