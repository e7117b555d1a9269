# ruff: noqa: I001  (gongkai.prefect_env must be imported before prefect)
"""The annual flow as a deployment: served on a schedule against a persistent Prefect server.

    prefect server start                 # the server and its UI (http://127.0.0.1:4200)
    gongkai serve --cron "0 7 * 1,2 *"   # this process: polls for scheduled and manual runs

``annual_deployed`` is the annual flow (``flows.annual``) with one hook added: the files a run
rejected are posted as an artifact. ``build_deployment`` gives its deployment with the
office's schedule (a cron in the office's time zone) and default parameters; ``serve``
registers it with the server and runs every scheduled or triggered run in a subprocess
until stopped (Ctrl-C). See docs/operations.md.
"""

from __future__ import annotations

import gongkai.prefect_env  # noqa: F401  (quiet settings before prefect is imported)

from typing import Any

from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from flows.annual import annual
from flows.artifacts import post_rejected_files_on_completion

DEFAULT_NAME = "office"
DEFAULT_CRON = "0 7 * 1,2 *"  # 07:00 every day of January and February, when reports arrive
DEFAULT_TIMEZONE = "Asia/Shanghai"

annual_deployed = annual.with_options(on_completion=[post_rejected_files_on_completion])


def build_deployment(
    name: str = DEFAULT_NAME,
    *,
    cron: str | None = DEFAULT_CRON,
    timezone: str = DEFAULT_TIMEZONE,
    parameters: dict[str, Any] | None = None,
    paused: bool = False,
    tags: list[str] | None = None,
) -> RunnerDeployment:
    """The deployment of the annual flow: its schedule (none when ``cron`` is None: runs on
    demand only) and the default parameters of its runs."""
    deployment = annual_deployed.to_deployment(
        name=name,
        schedules=[Cron(cron, timezone=timezone)] if cron else None,
        parameters=parameters or {},
        paused=paused,
        tags=tags or ["gongkai"],
        description="Load the submitted reports into the warehouse, check, rank, publish and "
                    "render (gongkai run, served).",
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    # the runs import this module's flow, with its hook, not the bare flows.annual.annual
    deployment.entrypoint = f"{__name__}.annual_deployed"
    return deployment


def serve(deployment: RunnerDeployment, *, limit: int = 1) -> None:
    """Register the deployment and run its scheduled and triggered runs until stopped.

    ``limit`` runs at a time: the warehouse has one writer, and a second run would only
    wait for the first one's lock and fail.
    """
    from prefect import serve as prefect_serve

    prefect_serve(deployment, limit=limit, print_starting_message=True)
