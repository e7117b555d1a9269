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
