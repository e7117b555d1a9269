"""Where the project's SQL, templates and bundled data live."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
SQL_DIR = ROOT / "sql"
TEMPLATES_DIR = ROOT / "templates"
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"


def sql_file(relative: str) -> str:
    """The text of a SQL file under ``sql/`` (e.g. ``schema/001_core.sql``)."""
    return (SQL_DIR / relative).read_text(encoding="utf-8")
