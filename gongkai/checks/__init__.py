"""The consistency checks: every rule of spec/rules.md as one SQL file under ``sql/checks/``.

``run_checks(con, run_id)`` runs every rule over the current submissions of a warehouse
connection, stores each finding in ``findings`` (history kept: rows carry the run id) and
one row per rule in ``check_runs``, and returns the per-rule summary. A rule whose SQL fails
is recorded as ``error`` and does not stop the others. ``summary_markdown`` and
``summary_table`` turn the summary into Markdown and into table rows (the flow posts them).
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
from gongkai.checks.summary import summary_markdown, summary_table

__all__ = [
    "FINDING_FIELDS",
    "Rule",
    "fetch_findings",
    "load_config",
    "load_rules",
    "prepare",
    "run_checks",
    "summary_markdown",
    "summary_table",
]
