"""``gongkai run``: the annual flow — discover, stage, read, load, check, materialise, publish,
render."""

from __future__ import annotations

import sys
from collections.abc import Callable

from gongkai.commands.common import (
    add_decision_files,
    add_out,
    add_registry,
    add_warehouse,
    run_inputs,
)
from gongkai.commands.sql import query_hint
from gongkai.paths import shown_name

RUNNERS = ("processes", "dask")
HELP = "读取、核对并发布年度报告，生成报告 / load report years into the warehouse, check them and publish"
# argparse reflows the description: its line breaks are for reading here
DESCRIPTION = """\
运行年度流程：找到报送的报告，读取新增和改动的文件，载入数据仓库，核对，评分排名，发布数据仓库和
Parquet 导出，并生成报告；没有找到任何文件时不发布。 —— Run the annual flow: find the submitted reports (a raw folder laid out as <dir>/<year>/<file>,
or a CSV of unit,year,url), read new and changed files, load them into a copy of the DuckDB
warehouse, run the consistency checks, store the rankings, publish the warehouse atomically
with a Parquet export, and render the reports."""


def register(sub) -> None:
    """Add the ``run`` subcommand."""
    p = sub.add_parser("run", help=HELP, description=DESCRIPTION)
    when = p.add_mutually_exclusive_group()
    when.add_argument("--year", type=int, default=None, help="one report year, e.g. 2023")
    when.add_argument("--years", default=None, metavar="A-B",
                      help="a range of report years, e.g. 2019-2024 (default: every year found)")
    p.add_argument("--source", default=None, metavar="DIR|URLS.csv",
                   help="raw folder or URL manifest (default: data/raw)")
    add_warehouse(p, "the published warehouse file")
    add_out(p)
    p.add_argument("--raw", default=None, metavar="DIR",
                   help="where fetched bytes are kept for a URL manifest (default: data/raw)")
    p.add_argument("--workers", type=int, default=None,
                   help="reader processes (default: the number of CPUs)")
    p.add_argument("--fetch-timeout", type=float, default=30.0, metavar="SECONDS",
                   help="HTTP timeout per request for a URL manifest (default: 30)")
    p.add_argument("--fetch-retries", type=int, default=2,
                   help="retries of a timed-out or 5xx download (default: 2)")
    p.add_argument("--no-render", action="store_true",
                   help="load, check and publish the warehouse without rendering reports")
    p.add_argument("--runner", choices=RUNNERS, default="processes",
                   help="where files are read: local reader processes (default), or a Dask "
                        "cluster (docs/scale.md); the warehouse is written by this process")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="with --runner dask: a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                        "(default: a local cluster of --workers processes)")
    add_registry(p, more="; validated before the run starts")
    add_decision_files(p)
    p.set_defaults(func=run)


def _fmt_seconds(timings: dict[str, float]) -> str:
    from gongkai.warehouse.runs import STAGES

    return " · ".join(f"{name} {timings[name]:.1f} s" for name in STAGES if name in timings)


def summary_text(result: dict, wall_seconds: float | None = None) -> str:
    """The end-of-run summary a person reads: counts, findings, where everything is."""
    c = result["counts"]
    lines = [
        "",
        f"gongkai run {result['run_id']}" + (f" ({result['years']})" if result["years"] else ""),
        f"  files      {c['seen']} found: {c['loaded']} loaded, {c['unchanged']} unchanged, "
        f"{c['rejected']} rejected"
        + (f", {c['duplicate']} duplicates" if c.get("duplicate") else "")
        + (f"; {c['skipped']} entries skipped (see the log)" if c.get("skipped") else ""),
    ]
    for item in result["rejected_files"][:10]:
        lines.append(f"             rejected {shown_name(item['file'])}: {item['reason']}")
    if len(result["rejected_files"]) > 10:
        lines.append(f"             … and {len(result['rejected_files']) - 10} more "
                     "(see submissions.reject_reason)")
    checks = result["checks"]
    by_sev = checks["failing_by_severity"]
    failing = ", ".join(f"{n} {sev}" for sev, n in sorted(by_sev.items())) or "none"
    lines.append(f"  checks     {checks['rules']} rules; failing findings: {failing}; "
                 f"not assessable: {checks['not_assessable']}")
    if checks["broken_rules"]:
        lines.append(f"             rules that could not run: {', '.join(checks['broken_rules'])}")
    if result.get("stored"):
        lines.append(f"  rankings   stored once: {', '.join(result['stored'])}")
    decisions = result.get("decisions") or {}
    if any(decisions.values()):
        lines.append("  decisions  " + ", ".join(f"{k} {v}" for k, v in decisions.items()))
    if checks.get("reviews"):
        lines.append("  reviews    " + ", ".join(f"{n} {state}" for state, n in
                                                  checks["reviews"].items())
                     + " (gongkai review list)")
    notified = result.get("notifications")
    if notified:
        lines.append(f"  notify     {notified['rejected']} newly rejected files, "
                     f"{notified['errors']} new error findings: {notified['md']}")
    lines.append(f"  warehouse  {result['warehouse']}")
    lines.append(f"  parquet    {result['parquet']}/")
    if result.get("render_skipped"):
        lines.append("  reports    not rendered (--no-render; `gongkai render` renders later)")
    else:
        lines.append(f"  reports    {len(result['rendered'])} files in {result['out']}/ "
                     f"(open {result['out']}/index.html)")
    timing = _fmt_seconds(result["stage_seconds"])
    if wall_seconds is not None:
        timing += f" (total {wall_seconds:.1f} s)"
    lines.append(f"  stages     {timing}")
    lines.append(f"  query it   {query_hint(result['warehouse'])}")
    return "\n".join(lines) + "\n"


def dask_runner(scheduler: str | None, workers: int | None):
    """prefect-dask's task runner: on the scheduler at ``scheduler``, else on a local cluster
    of ``workers`` single-threaded processes (one per CPU by default)."""
    import os

    # Dask's own INFO lines (workers started and retired) are not the run's story; set before
    # distributed is imported, and inherited by the local cluster's worker processes
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    from prefect_dask import DaskTaskRunner

    if scheduler:
        return DaskTaskRunner(address=scheduler)
    return DaskTaskRunner(cluster_kwargs={
        "n_workers": workers or os.cpu_count() or 1, "threads_per_worker": 1,
        "processes": True, "dashboard_address": None})


def run(args) -> int:
    """Run the annual flow with the command-line options; 0 on success, 1 on failure."""
    import time

    from gongkai.paths import DEFAULT_SOURCE

    started = time.perf_counter()
    if args.scheduler and args.runner != "dask":
        print("gongkai run: --scheduler needs --runner dask", file=sys.stderr)
        return 2
    from gongkai.commands import prefect_server
    from gongkai.commands.serve import configured_api_url

    waits: list = []

    def starting(source) -> None:
        """Say what the run reads, and start the temporary server (if one is used) while the
        registry and the decision files are read."""
        api_url = configured_api_url()
        temporary = api_url is None or prefect_server.ours(api_url)
        server = ("a temporary Prefect server starts first; this takes a few seconds"
                  if temporary else f"the Prefect server at {api_url}")
        print(f"gongkai run: reading {source} → {args.warehouse} ({server})", flush=True)
        if temporary:
            waits.append(start_temporary_server())

    inputs = run_inputs("run", args, DEFAULT_SOURCE, [args.year] if args.year else None,
                        sound=starting)
    if inputs is None:  # (a server started is stopped when the process ends)
        return 2
    source = inputs.source
    from flows.annual import annual  # (imported while the server starts)

    if args.runner == "dask":
        annual = annual.with_options(task_runner=dask_runner(args.scheduler, args.workers))
    for wait in waits:  # the server answers before the flow run asks for it
        wait()
    try:
        with inputs.registry:
            result = annual(source=str(source), years=inputs.years, warehouse=args.warehouse,
                            out=args.out, raw_dir=args.raw, workers=args.workers,
                            fetch_timeout=args.fetch_timeout, fetch_retries=args.fetch_retries,
                            with_render=not args.no_render, runner=args.runner,
                            reviews=inputs.reviews, corrections=inputs.corrections)
    except Exception as exc:
        print(f"gongkai run failed: {type(exc).__name__}: {exc}\n"
              f"  the published warehouse {args.warehouse} was left as it was", file=sys.stderr)
        return 1
    if result.get("nothing_found"):
        print(nothing_found_text(str(source), result["years"], args.warehouse), file=sys.stderr)
        return 1
    sys.stdout.write(summary_text(result, time.perf_counter() - started))
    return 0


def start_temporary_server() -> Callable[[], bool]:
    """Start the temporary server a flow run would start itself (``prefect_server``;
    nothing when the temporary one is turned off) and return a function that waits until it
    answers and points the run at it. Its start (4–5 s) then overlaps the command's own
    imports and registry instead of following them."""
    from prefect.settings import get_current_settings

    from gongkai.commands import prefect_server

    ephemeral = get_current_settings().server.ephemeral
    if not ephemeral.enabled:
        return lambda: False
    return prefect_server.start(float(ephemeral.startup_timeout_seconds))


def nothing_found_text(source: str, years: str | None, warehouse: str) -> str:
    """The warning of a run that found no report file: in Chinese, with English beside it."""
    which = f" {years} 年度的" if years else ""
    return (f"gongkai run: 在 {source} 中没有找到{which}报告文件，数据仓库和报告均未更新"
            f"（{warehouse} 保持原样）。请检查 --source 和 --year/--years。\n"
            f"  warning: no report files found under {source}"
            + (f" for {years}" if years else "")
            + "; nothing was published.")
