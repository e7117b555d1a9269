"""``gongkai serve``: serve the annual flow as a deployment against a Prefect server.

The server is a separate, persistent process (``prefect server start``, or ``make server``)
whose UI shows the runs, their stage timings, logs and artifacts. This command registers the
deployment ``gongkai-annual/<name>`` with a schedule (by default 07:00 daily in January and
February, Asia/Shanghai) and the parameters of its runs, then stays in the foreground and
runs each scheduled or triggered run (UI, ``prefect deployment run``, the API) until stopped.

Exit status: 2 when the arguments, the registry or the server are not usable; otherwise it
runs until interrupted (0).
"""

from __future__ import annotations

import sys
from pathlib import Path

from gongkai.commands.common import (
    add_decision_files,
    add_out,
    add_registry,
    add_warehouse,
    add_years,
    run_inputs,
)

HELP = "按计划运行年度流程 / serve the annual flow on a schedule against a Prefect server"
# argparse reflows the description: its line breaks are for reading here
DESCRIPTION = """\
Register the annual flow as the deployment gongkai-annual/NAME with a schedule and default
parameters on the Prefect server of PREFECT_API_URL (start one with `prefect server start`),
and run its scheduled and triggered runs until stopped. See docs/operations.md."""


def register(sub) -> None:
    """Add the ``serve`` subcommand."""
    p = sub.add_parser("serve", help=HELP, description=DESCRIPTION)
    p.add_argument("--name", default="office", help="deployment name (default: office)")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--cron", default="0 7 * 1,2 *", metavar="EXPR",
                      help="when to run, a cron expression (default: '0 7 * 1,2 *', 07:00 "
                           "daily in January and February)")
    when.add_argument("--no-schedule", action="store_true",
                      help="no schedule: runs only when triggered")
    p.add_argument("--timezone", default="Asia/Shanghai",
                   help="time zone of the cron expression (default: Asia/Shanghai)")
    p.add_argument("--paused", action="store_true",
                   help="register the schedule paused (resume it in the UI)")
    p.add_argument("--source", default=None, metavar="DIR|URLS.csv",
                   help="raw folder or URL manifest of the runs (default: data/raw)")
    add_warehouse(p)
    add_out(p)
    add_years(p, "report years of every run (default: every year found)")
    p.add_argument("--no-render", action="store_true", help="runs do not render reports")
    add_registry(p, "the unit registry CSV of the runs")
    add_decision_files(p)
    p.set_defaults(func=run)


def configured_api_url() -> str | None:
    """The Prefect API URL from the environment, ``.env``, ``prefect.toml`` or the profile
    (``prefect config set PREFECT_API_URL=…``); None when runs would use a temporary server."""
    import gongkai.prefect_env  # noqa: F401, I001  (quiet settings before prefect is imported)
    from prefect.settings import get_current_settings

    return get_current_settings().api.url or None


def server_problem(api_url: str | None) -> str | None:
    """Why the Prefect server cannot be used (None when it answers its health check)."""
    if not api_url:
        return ("PREFECT_API_URL is not set: start a server (`prefect server start` or "
                "`make server`) and set PREFECT_API_URL=http://127.0.0.1:4200/api "
                "(environment, or `prefect config set PREFECT_API_URL=…`) — "
                "a schedule needs a persistent server, not the temporary one of `gongkai run`")
    import httpx

    try:
        response = httpx.get(api_url.rstrip("/") + "/health", timeout=10)
    except httpx.HTTPError as exc:
        return f"the Prefect server at {api_url} does not answer ({type(exc).__name__})"
    if response.status_code != 200:
        return f"the Prefect server at {api_url} answered {response.status_code} to /health"
    return None


def parameters(args, source: Path, years: list[int] | None) -> dict:
    """The deployment's default run parameters (absolute paths: runs are subprocesses).

    The reviews and corrections files are named even before they exist: every run reads
    them as they are then (a file the office creates later is read from that run on)."""
    params = {"source": str(source.resolve()), "warehouse": str(Path(args.warehouse).resolve()),
              "out": str(Path(args.out).resolve()), "with_render": not args.no_render,
              "reviews": str(Path(args.reviews).resolve()),
              "corrections": str(Path(args.corrections).resolve())}
    if years:
        params["years"] = years
    return params


def run(args) -> int:
    """Register the deployment and serve it until interrupted."""
    from gongkai.paths import RAW_DIR

    inputs = run_inputs("serve", args, RAW_DIR)
    if inputs is None:
        return 2
    source, years = inputs.source, inputs.years
    problem = server_problem(configured_api_url())
    if problem:
        print(f"gongkai serve: {problem}", file=sys.stderr)
        return 2

    from flows.serve import build_deployment, serve

    try:
        deployment = build_deployment(
            args.name, cron=None if args.no_schedule else args.cron, timezone=args.timezone,
            parameters=parameters(args, source, years), paused=args.paused)
    except ValueError as exc:  # a cron expression or time zone Prefect does not accept
        print(f"gongkai serve: {exc}", file=sys.stderr)
        return 2
    when = "on demand only" if args.no_schedule else f"cron '{args.cron}' ({args.timezone})"
    print(f"gongkai serve: gongkai-annual/{args.name}, {when}, source {source}, warehouse "
          f"{args.warehouse}; Ctrl-C stops serving and pauses the schedule",
          flush=True)
    try:
        with inputs.registry:
            serve(deployment)
    except KeyboardInterrupt:
        pass
    return 0
