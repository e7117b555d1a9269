"""Prefect artifacts of a run: the check summary, and each year's league table and summary.

The library builds their content (``gongkai.checks.summary_table``,
``gongkai.render.city_artifacts``); posting them is Prefect's business, so it lives here.
Call these inside a flow or task run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from gongkai.checks import summary_table


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
