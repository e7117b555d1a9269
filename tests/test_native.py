"""The reader's compiled modules (setup.py, gongkai/read/_native.py): a stale compiled module
is never the one that runs, and the compiled reader reads exactly as the Python source does."""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai.read import _native

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "fixtures"
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _package(tmp_path: Path, name: str, modules: dict[str, str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    for module, source in modules.items():
        (folder / f"{module}.py").write_text(source, encoding="utf-8")
    return folder


def _record(folder: Path, names: list[str]) -> None:
    (folder / _native.RECORD).write_text(
        "".join(f"{n} {_native.source_hash(folder / f'{n}.py')}\n" for n in names),
        encoding="ascii")


def test_stale_modules_by_recorded_hash(tmp_path):
    folder = _package(tmp_path, "pkg_hash", {"fresh": "A = 1\n", "edited": "A = 2\n",
                                             "unrecorded": "A = 3\n"})
    for name in ("fresh", "edited", "orphan"):  # orphan: no .py beside it
        (folder / f"{name}{SUFFIX}").write_bytes(b"not a library")
    _record(folder, ["fresh", "edited"])
    assert set(_native.compiled_files(folder)) == {"fresh", "edited"}
    assert _native.stale_modules(folder) == {}
    assert set(_native.stale_modules(folder, pure=True)) == {"fresh", "edited"}

    # one module edited after the build: every compiled module runs from source (they may
    # depend on one another's declarations)
    (folder / "edited.py").write_text("A = 20\n", encoding="utf-8")
    assert set(_native.stale_modules(folder)) == {"fresh", "edited"}
    _record(folder, ["fresh", "edited"])
    assert _native.stale_modules(folder) == {}
    # a compiled module the build did not record
    (folder / f"unrecorded{SUFFIX}").write_bytes(b"not a library")
    assert set(_native.stale_modules(folder)) == {"fresh", "edited", "unrecorded"}
    _record(folder, ["fresh", "edited", "unrecorded"])
    assert _native.stale_modules(folder) == {}
    # a module recorded whose compiled file is gone (the others may cimport it)
    (folder / f"unrecorded{SUFFIX}").unlink()
    assert set(_native.stale_modules(folder)) == {"fresh", "edited"}
    # nothing compiled: nothing stale, whatever the record says
    plain = _package(tmp_path, "pkg_plain", {"a": "A = 1\n"})
    assert _native.stale_modules(plain) == {}


def test_the_declarations_beside_a_module_are_part_of_its_source(tmp_path):
    folder = _package(tmp_path, "pkg_pxd", {"typed": "A = 1\n", "other": "B = 1\n"})
    for name in ("typed", "other"):
        (folder / f"{name}{SUFFIX}").write_bytes(b"not a library")
    (folder / "typed.pxd").write_text("cdef class A:\n    pass\n", encoding="utf-8")
    _record(folder, ["typed", "other"])
    assert _native.stale_modules(folder) == {}
    without = _native.source_hash(folder / "other.py")
    assert without == hashlib.sha256(b"B = 1\n").hexdigest()  # as before .pxd files
    (folder / "typed.pxd").write_text("cdef class A:\n    cdef public object a\n",
                                      encoding="utf-8")
    assert set(_native.stale_modules(folder)) == {"typed", "other"}
    _record(folder, ["typed", "other"])
    (folder / "typed.pxd").unlink()
    assert set(_native.stale_modules(folder)) == {"typed", "other"}


def test_a_module_with_declarations_left_uncompiled_has_all_run_from_source(tmp_path):
    # a build where one module with declarations failed to compile and the others did: it is
    # neither compiled nor recorded, and the others may cimport its types
    folder = _package(tmp_path, "pkg_failed", {"typed": "A = 1\n", "other": "B = 1\n"})
    (folder / "typed.pxd").write_text("cdef class A:\n    pass\n", encoding="utf-8")
    (folder / f"other{SUFFIX}").write_bytes(b"not a library")
    _record(folder, ["other"])
    assert set(_native.stale_modules(folder)) == {"other"}
    (folder / f"typed{SUFFIX}").write_bytes(b"not a library")
    _record(folder, ["typed", "other"])
    assert _native.stale_modules(folder) == {}


def test_a_stale_compiled_module_is_imported_from_its_source(tmp_path, monkeypatch):
    """A file Python would load before the source (here not even a library) is passed over
    for the source once the guard names it; without the guard the import fails on it."""
    folder = _package(tmp_path, "pkg_guard", {"mod": "VALUE = 'from source'\n"})
    (folder / f"mod{SUFFIX}").write_bytes(b"not a library")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    with pytest.raises(ImportError):
        importlib.import_module("pkg_guard.mod")
    sys.modules.pop("pkg_guard.mod", None)

    finder = _native.SourceFirst({f"pkg_guard.{n}": p
                                  for n, p in _native.stale_modules(folder).items()})
    sys.meta_path.insert(0, finder)
    try:
        module = importlib.import_module("pkg_guard.mod")
        assert module.VALUE == "from source"
        assert module.__file__.endswith("mod.py")
    finally:
        sys.meta_path.remove(finder)
        for name in ("pkg_guard.mod", "pkg_guard"):
            sys.modules.pop(name, None)


def _compiled_build() -> dict[str, str]:
    return _native.recorded(_native.HERE)


def _read_all(env_extra: dict[str, str], files: list[Path]) -> dict:
    """Each file read in a fresh process (the reader compiled, or not): the JSON of its
    report, and which reader modules ran compiled."""
    code = (
        "import json, sys\n"
        "from gongkai.read import parse_file\n"
        "from gongkai.read._native import compiled_now\n"
        "out = {p: parse_file(p).to_json() for p in sys.argv[1:]}\n"
        "print(json.dumps({'compiled': compiled_now(), 'reports': out}, ensure_ascii=False,"
        " sort_keys=True))\n")
    env = {k: v for k, v in os.environ.items() if k != "GONGKAI_PURE"} | env_extra
    proc = subprocess.run([sys.executable, "-c", code, *map(str, files)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=True)
    return json.loads(proc.stdout)


@pytest.mark.skipif(not _compiled_build(),
                    reason="the reader was not compiled at install (no Cython or no C "
                           "compiler; .ci/run installs gcc): it runs as Python")
def test_the_compiled_reader_reads_as_the_source_does():
    files = sorted(p for p in (ROOT / "data" / "raw").rglob("*") if p.is_file())
    files += sorted(p for p in (ROOT / "tests" / "layouts").rglob("*")
                    if p.is_file() and p.suffix in (".txt", ".md", ".html", ".htm"))
    if SHARED.is_dir():
        files += sorted(p for p in SHARED.rglob("*") if p.is_file()
                        and p.suffix in (".txt", ".md", ".html", ".htm"))
    assert len(files) > 50
    compiled = _read_all({}, files)
    pure = _read_all({"GONGKAI_PURE": "1"}, files)
    # every module the build compiled ran compiled, none with GONGKAI_PURE
    assert set(compiled["compiled"]) >= {"tables", "textlines", "html", "text"}
    assert set(compiled["compiled"]) <= set(_compiled_build())
    assert pure["compiled"] == []
    assert compiled["reports"] == pure["reports"]


@pytest.mark.skipif(not _compiled_build(),
                    reason="the reader was not compiled at install: it runs as Python")
@pytest.mark.parametrize("edited", ["textlines.py", "textlines.pxd", "tables.pxd"])
def test_an_edited_module_of_the_compiled_group_has_all_run_from_source(tmp_path, edited):
    """The compiled tables module is built on the TextLines type of the compiled textlines
    (tables.pxd cimports it): beside a textlines run from its source it does not import
    (“TextLines size changed”). After an edit of either module or of their declarations,
    every module runs from source, and reads as before."""
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT / "gongkai", copy / "gongkai",
                    ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "gongkai" / "read" / edited).open("a", encoding="utf-8") as out:
        out.write("\n# edited after the build\n")
    files = sorted(p for p in (ROOT / "tests" / "layouts").rglob("*")
                   if p.is_file() and p.suffix in (".txt", ".md", ".html", ".htm"))[:40]
    assert files
    code = (
        "import json, sys\n"
        "import gongkai.read\n"
        "from gongkai.read import parse_file\n"
        "from gongkai.read._native import compiled_now\n"
        "assert gongkai.read.__file__.startswith(sys.argv[1]), gongkai.read.__file__\n"
        "out = {p: parse_file(p).to_json() for p in sys.argv[2:]}\n"
        "print(json.dumps({'compiled': compiled_now(), 'reports': out}, ensure_ascii=False,"
        " sort_keys=True))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("GONGKAI_PURE", "PYTHONPATH")}
    proc = subprocess.run([sys.executable, "-c", code, str(copy), *map(str, files)],
                          env=env | {"PYTHONPATH": str(copy)}, cwd=copy, capture_output=True,
                          text=True, timeout=600, check=True)
    edited_run = json.loads(proc.stdout)
    assert edited_run["compiled"] == []
    assert edited_run["reports"] == _read_all({"GONGKAI_PURE": "1"}, files)["reports"]
