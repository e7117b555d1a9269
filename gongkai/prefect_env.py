"""Quiet, patient Prefect settings for local runs; import before ``prefect``.

Without a configured server, a flow run starts a temporary local server. Its own services
log telemetry errors, "database is locked" and shutdown tracebacks that say nothing about
the run, every task logs an INFO line, and the first start on an empty PREFECT_HOME can
exceed the default start-up timeout. These defaults keep a run readable; anything the user
has set in the environment wins.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LOGGERS_PREFECT_SERVER_LEVEL": "CRITICAL",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL": "WARNING",
}


def apply(environ: dict[str, str] | None = None) -> dict[str, str]:
    """Set each default that is not already set; returns the ones applied."""
    env = os.environ if environ is None else environ
    applied = {}
    for name, value in DEFAULTS.items():
        if name not in env:
            env[name] = value
            applied[name] = value
    return applied


apply()


def start_temporary_server() -> Callable[[], None]:
    """Start, in a thread, the temporary server a flow run would start itself (nothing when a
    server is configured or the temporary one is turned off), and return a function that
    waits until it answers. Its start (4–5 s: a process that imports Prefect's server and
    sets up its database) then overlaps the command's own imports and registry instead of
    following them; the flow run finds it running (Prefect keeps one per process). A start
    that fails here is left to the flow run, which tries again and says why."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return lambda: None
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()

    def start() -> None:
        try:
            server.start()
        except Exception:  # noqa: BLE001 - the flow run starts it again and reports the error
            server.running = False

    thread = threading.Thread(target=start, name="gongkai-prefect-server", daemon=True)
    thread.start()
    return thread.join
