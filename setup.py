"""Which packages a build installs (the rest of the metadata is in pyproject.toml).

The top-level folders ``sql/`` and ``templates/`` stay where a reader of the repository
expects them, and are installed inside the package as ``gongkai.sql`` and
``gongkai.templates`` (gongkai/paths.py finds them there, or in a checkout at the top).
"""

import hashlib
import os
from pathlib import Path

from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext

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


# the reader's hot path (every text, Markdown and HTML report goes through it), compiled with
# Cython when it and a C compiler are there: the same source (about a fifth less CPU a report;
# docs/scale.md), its hot classes made extension types by the .pxd declarations beside it
# (Cython reads them when it compiles the .py; Python never does). Not compiled:
# gongkai/read/_native.py (it tells a compiled module from a stale one, gongkai.read imports
# it first) and the package's __init__, nor the Office/PDF readers (their time is in their
# libraries).
COMPILED = ("decode", "document", "headers", "html", "labels", "limits", "meta", "pagetext",
            "rowlabels", "rowreading", "slots", "store", "table4", "tables", "text", "textlines",
            "values", "version")
PACKAGE = "gongkai.read"
RECORD = "_compiled.txt"  # gongkai/read/_native.py reads it


def extensions() -> list:
    """The compiled modules (none with GONGKAI_PURE=1 or without Cython)."""
    if os.environ.get("GONGKAI_PURE", "") not in ("", "0"):
        return []
    try:
        from Cython import __version__ as cython_version
        from Cython.Build import cythonize
    except ImportError:
        print("gongkai: Cython is not installed: the reader runs as Python")
        return []
    folder = PACKAGE.replace(".", "/")
    modules = [Extension(f"{PACKAGE}.{name}", [f"{folder}/{name}.py"]) for name in COMPILED]
    # annotations are not types: a frozenset passed where "set" is written stays fine, as
    # in Python (Cython checks annotated builtin types by default)
    directives = {"language_level": 3, "annotation_typing": False}
    # the C files of other directives or another Cython are in another folder: compiled anew
    tag = hashlib.sha256(repr((sorted(directives.items()), cython_version)).encode()).hexdigest()
    try:
        return cythonize(modules, build_dir=f"build/cython-{tag[:12]}", quiet=True,
                         compiler_directives=directives)
    except Exception as exc:  # noqa: BLE001 - a module Cython cannot translate: all as Python
        print(f"gongkai: Cython could not translate the reader ({type(exc).__name__}: {exc}); "
              "it runs as Python")
        return []


class OptionalBuildExt(build_ext):
    """Compiles what it can (a module that fails to compile runs as Python, with a line that
    says so) and records each compiled module's source hash beside it."""

    def finalize_options(self):
        super().finalize_options()
        if self.parallel is None:
            self.parallel = os.cpu_count() or 1

    def run(self):
        self.failed: list[str] = []
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - no compiler: the Python source runs
            if not self.failed:
                print(f"gongkai: the reader is not compiled ({type(exc).__name__}); "
                      "it runs as Python")
        if self.failed:
            print(f"gongkai: {len(self.failed)} of {len(self.extensions)} reader modules are "
                  f"not compiled ({self.failed[0]}: no working C compiler?); they run as Python")
        self.record()

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001 - this module runs as Python
            self.failed.append(type(exc).__name__)  # (its text is the compiler's command line)

    def record(self):
        """Write the source hashes of the modules compiled (``_compiled.txt``; a module whose
        hash differs has every compiled module run as Python, see gongkai/read/_native.py)."""
        lines, folder = [], None
        for ext in self.extensions:
            target = Path(self.get_ext_fullpath(ext.name))
            folder = target.parent
            if target.exists():
                source = Path(ext.sources[0])
                if source.suffix == ".c":  # cythonize's output: the module's own source
                    source = Path(*ext.name.split(".")).with_suffix(".py")
                # the .py and the Cython declarations beside it (.pxd), as _native.source_hash
                # reads them
                digest = hashlib.sha256(source.read_bytes())
                if source.with_suffix(".pxd").is_file():
                    digest.update(b"\0")
                    digest.update(source.with_suffix(".pxd").read_bytes())
                lines.append(f"{ext.name.rsplit('.', 1)[1]} {digest.hexdigest()}\n")
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / RECORD).write_text("".join(lines), encoding="ascii")


setup(
    packages=[*find_packages(include=["gongkai*", "flows*"]), *data_packages()],
    package_dir=DATA_PACKAGES,
    ext_modules=extensions(),
    cmdclass={"build_ext": OptionalBuildExt},
)
