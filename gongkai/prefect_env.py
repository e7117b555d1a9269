"""Quiet, patient Prefect settings for local runs; import before ``prefect``.

Without a configured server, a flow run starts a temporary local server. Its own services
log telemetry errors, "database is locked" and shutdown tracebacks that say nothing about
the run, every task logs an INFO line, and the first start on an empty PREFECT_HOME can
exceed the default start-up timeout. These defaults keep a run readable; anything the user
has set in the environment wins.
"""

from __future__ import annotations

import os

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

