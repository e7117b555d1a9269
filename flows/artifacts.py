"""The rejected-files artifact: the files of a run that could not be loaded, and why.

The annual flow posts the check summary, the league table and the city summary; this adds
the files the office has to chase (unreadable, scanned without text, not a report, a fetch
that failed). ``post_rejected_files`` works inside any flow or task run;
``post_rejected_files_on_completion`` is a flow hook that reads the list from the flow's
result (``annual`` returns ``rejected_files``), so a served deployment shows it without a
change to the flow itself.
"""

from __future__ import annotations

from typing import Any

REJECTED_FILES_KEY = "rejected-files"


def rejected_files_table(rejected: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The artifact's rows (file, reason), ordered by file."""
    rows = sorted(rejected, key=lambda r: (str(r.get("file") or ""), str(r.get("reason") or "")))
    return [{"file": str(r.get("file") or ""), "reason": str(r.get("reason") or "")}
            for r in rows]


def post_rejected_files(rejected: list[dict[str, Any]]) -> Any:
    """Post the rejected files as a table artifact (key ``rejected-files``); an empty run
    posts a table saying none were rejected, so every run has the artifact."""
    from prefect.artifacts import create_table_artifact

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
