"""Prefect artifacts of a run: the check summary, each year's league table and summary, the
files the run rejected, and its notifications to the townships.

The library builds their content (``gongkai.checks.summary_table``,
``gongkai.render.city_artifacts``); posting them is Prefect's business, so it lives here.
``post_rejected_files`` names the files the office has to chase (unreadable, scanned without
text, not a report, a fetch that failed); ``post_rejected_files_on_completion`` is a flow
hook that reads the list from the flow's result (``annual`` returns ``rejected_files``), so
a served deployment shows it without a change to the flow itself. Call the others inside a
flow or task run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from gongkai.checks import summary_table

REJECTED_FILES_KEY = "rejected-files"


def post_check_summary(summary: list[dict[str, Any]], key: str = "check-summary") -> Any:
    """Post the per-rule summary of a check run as a table artifact."""
    table, description = summary_table(summary)
    return create_table_artifact(key=key, table=table, description=description)


def post_city_artifacts(warehouse: str | Path, years: Iterable[int] | None = None) -> list[str]:
    """Post each year's league table and summary; returns their keys."""
    from gongkai.render import city_artifacts  # imported here: loading the renderer takes a while

    keys = []
    for artifact in city_artifacts(warehouse, years):
        if artifact.table is not None:
            create_table_artifact(key=artifact.key, table=artifact.table,
                                  description=artifact.description)
        else:
            create_markdown_artifact(key=artifact.key, markdown=artifact.markdown,
                                     description=artifact.description)
        keys.append(artifact.key)
    return keys


def rejected_files_table(rejected: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The artifact's rows (file, reason), ordered by file."""
    rows = sorted(rejected, key=lambda r: (str(r.get("file") or ""), str(r.get("reason") or "")))
    return [{"file": str(r.get("file") or ""), "reason": str(r.get("reason") or "")}
            for r in rows]


def post_rejected_files(rejected: list[dict[str, Any]]) -> Any:
    """Post the rejected files as a table artifact (key ``rejected-files``); an empty run
    posts a table saying none were rejected, so every run has the artifact."""
    rows = rejected_files_table(rejected)
    description = (f"{len(rows)} 个文件被拒收 files rejected: unreadable or not a report; "
                   "the raw files are kept as they were" if rows
                   else "本次运行没有被拒收的文件 no file was rejected in this run")
    return create_table_artifact(key=REJECTED_FILES_KEY,
                                 table=rows or [{"file": "", "reason": ""}],
                                 description=description)


def post_rejected_files_on_completion(flow, flow_run, state) -> None:
    """Flow hook: post the rejected files of a completed ``annual`` run."""
    result = state.result(raise_on_failure=False)
    if isinstance(result, dict):
        post_rejected_files(result.get("rejected_files") or [])


NOTIFICATIONS_KEY = "notifications"


def post_notifications(markdown: str, n_rejected: int, n_errors: int) -> Any:
    """Post a run's notifications (new rejected files, new error findings by township) as
    a Markdown artifact (key ``notifications``)."""
    return create_markdown_artifact(
        key=NOTIFICATIONS_KEY, markdown=markdown,
        description=f"新拒收文件 {n_rejected} 个、新发现错误 {n_errors} 条 newly rejected files "
                    "and new error findings by township, against the previous completed run")
