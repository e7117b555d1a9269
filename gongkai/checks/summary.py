"""The per-rule summary of a check run as Markdown and as the rows of a table (the flow posts
them as a Prefect artifact: flows/artifacts.py)."""

from __future__ import annotations

from typing import Any

_COLUMNS = (
    ("rule_id", "rule"),
    ("severity", "severity"),
    ("status", "status"),
    ("rows_evaluated", "evaluated"),
    ("rows_failing", "failing"),
    ("rows_not_assessable", "not assessable"),
    ("duration_ms", "ms"),
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value).replace("|", "\\|")


def summary_markdown(summary: list[dict[str, Any]]) -> str:
    """The summary returned by ``run_checks`` as a Markdown table (one line per rule)."""
    lines = [
        "| " + " | ".join(title for _, title in _COLUMNS) + " |",
        "|" + "|".join("---" for _ in _COLUMNS) + "|",
    ]
    for row in summary:
        lines.append("| " + " | ".join(_cell(row.get(key)) for key, _ in _COLUMNS) + " |")
    errors = [row for row in summary if row.get("status") == "error"]
    for row in errors:
        lines.append("")
        lines.append(f"- {row['rule_id']}: {_cell(row.get('error'))}")
    return "\n".join(lines) + "\n"


def summary_table(summary: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """The summary as table rows (titled columns) and a one-line description."""
    table = [{title: row.get(k) for k, title in _COLUMNS} for row in summary]
    failing = sum(1 for row in summary if row.get("status") in ("fail", "error"))
    return table, f"Consistency checks: {len(summary)} rules, {failing} failing or broken."
