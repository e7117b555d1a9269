"""Where the project's SQL, templates and bundled data live.

``sql/`` and ``templates/`` are package data: a wheel installs them inside the package
(``gongkai/sql``, ``gongkai/templates``; see setup.py), a checkout or an editable install
reads the top-level folders. The bundled demo data (``data/``) exists in a checkout only.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent


def _package_folder(name: str) -> Path:
    """The installed copy of a top-level folder inside the package, else the checkout's."""
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else ROOT / name


SQL_DIR = _package_folder("sql")
TEMPLATES_DIR = _package_folder("templates")
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
# what `gongkai run` reads without --source: the bundled data in a checkout, else ./data/raw
DEFAULT_SOURCE = RAW_DIR if RAW_DIR.is_dir() else Path("data") / "raw"


def stored_name(name: str) -> str:
    """A file name or path as the warehouse and messages keep it: valid UTF-8 as it is; a name
    with bytes that are not UTF-8 (which Python holds as lone surrogates, and DuckDB, JSON and
    the terminal refuse) with each such byte written ``\\xNN`` and each backslash doubled, so
    that no two such names look alike."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape").replace(b"\\", b"\\\\")
        return raw.decode("utf-8", "backslashreplace")
    return name


def shown_name(name: str) -> str:
    """A file name for a log line: ``stored_name`` with control characters (a newline in a
    name) escaped, so that a name cannot start a line of its own."""
    name = stored_name(name)
    if name.isprintable():
        return name
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in name)
