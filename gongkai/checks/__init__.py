"""The consistency checks: every rule of spec/rules.md as one SQL file under ``sql/checks/``.

``run_checks(con, run_id)`` runs every rule over the current submissions of a warehouse
connection, stores each finding in ``findings`` (history kept: rows carry the run id) and
one row per rule in ``check_runs``, and returns the per-rule summary. A rule whose SQL fails
is recorded as ``error`` and does not stop the others. ``summary_markdown`` and
``post_artifact`` turn the summary into a Prefect table artifact.
"""

from __future__ import annotations

from gongkai.checks.config import load_config
from gongkai.checks.runner import (
    FINDING_FIELDS,
    Rule,
    fetch_findings,
    load_rules,
    prepare,
    run_checks,
)
from gongkai.checks.summary import post_artifact, summary_markdown

__all__ = [
    "FINDING_FIELDS",
    "Rule",
    "fetch_findings",
    "load_config",
    "load_rules",
    "post_artifact",
    "prepare",
    "run_checks",
    "summary_markdown",
]
