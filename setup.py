"""Which packages a build installs (the rest of the metadata is in pyproject.toml).

The top-level folders ``sql/`` and ``templates/`` stay where a reader of the repository
expects them, and are installed inside the package as ``gongkai.sql`` and
``gongkai.templates`` (gongkai/paths.py finds them there, or in a checkout at the top).
"""

from pathlib import Path

from setuptools import find_packages, setup

DATA_PACKAGES = {"gongkai.sql": "sql", "gongkai.templates": "templates"}


def data_packages() -> list[str]:
    """The mapped data packages and their subfolders (sql/checks → gongkai.sql.checks …)."""
    names = []
    for package, folder in DATA_PACKAGES.items():
        names.append(package)
        for sub in sorted(p for p in Path(folder).rglob("*") if p.is_dir()
                          and not p.name.startswith((".", "__"))):
            names.append(".".join((package, *sub.relative_to(folder).parts)))
    return names


setup(
    packages=[*find_packages(include=["gongkai*", "flows*"]), *data_packages()],
    package_dir=DATA_PACKAGES,
)
