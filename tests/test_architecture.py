"""The shape of the code: imports run one way, the library has no Prefect, every SQL file has
its place in sql/manifest.toml, and no module is too long to read whole without saying why."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from gongkai.paths import ROOT, SQL_DIR
from gongkai.warehouse.sqlfiles import manifest

PACKAGE = ROOT / "gongkai"
# the import direction: a module may import its own layer and the layers before it
LAYERS = (
    {"gongkai", "data", "model", "template", "units", "paths", "prefect_env", "wording", "zips",
     "decisions"},  # decisions: the office's TOML decision files, read and written
    {"read", "xlsx_form"},  # bytes → ParsedReport (xlsx_form: the office's form, read and written)
    {"sources", "manifest", "rawfolder", "report_tables"},  # discover: one Submission per file
    # or URL; report_tables: read submissions as the warehouse's rows, made where files are read
    {"warehouse"},  # schema, load, versions, runs, publish, export; the SQL runner
    {"checks"},  # the consistency rules
    {"rankings", "rank_ranges", "rank_reuse"},  # the marts built on the checks: scores, league table,
    # rank ranges
    {"render", "synth", "notify"},  # reports out of the warehouse; reports made up for tests;
    # the run's notifications to the townships
    {"pipeline"},  # the stages in order, without Prefect
    {"commands", "cli"},  # the command line: it starts the flows of flows/ (and Prefect)
)
# modules whose layer is not their package's: units/missing.py reports units without a current
# report, with the deadline the checks use: a query over the warehouse, a mart by its imports;
# units/tables.py is the registry as warehouse rows (it inserts them with warehouse/rows.py)
MODULE_LAYERS = {"gongkai.units.missing": "rankings", "gongkai.units.tables": "warehouse"}
LONG_MODULE_LINES = 450
LONG_MODULE_REASON = "Long because"
# modules over the limit when this test was written, each being split by the work that owns it
# (issue 9). A ratchet: the test fails when one of them is short again (take it off the list)
# and when any other module grows long.
KNOWN_LONG = {
    "gongkai.render.data": "the report model's queries (render)",
    "gongkai.render.model": "the typed report model (render)",
    "gongkai.synth.inject": "the error injection of the generator (synth)",
}


def _layer(part: str) -> int:
    for i, names in enumerate(LAYERS):
        if part in names:
            return i
    raise AssertionError(f"gongkai.{part} is in no layer of tests/test_architecture.py")


def _imports(path: Path) -> set[str]:
    """Every module a file imports (``from a import b`` counts as ``a`` and ``a.b``)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
    return out


def _part(module: str) -> str:
    """``gongkai.warehouse.load`` → ``warehouse``; ``gongkai`` and ``gongkai.__version__``
    → ``gongkai``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and not parts[1].startswith("__") else parts[0]


def _library_modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out.append((".".join(parts), path))
    return out


def test_the_library_imports_no_prefect():
    """Only flows/ and the command line that starts them (gongkai run, gongkai serve) touch
    Prefect; every stage runs without it."""
    offenders = [name for name, path in _library_modules()
                 if _part(name) not in LAYERS[-1]
                 and any(m == "prefect" or m.startswith("prefect.") for m in _imports(path))]
    assert offenders == [], "Prefect belongs in flows/, not in the library"


def test_imports_run_one_way():
    backwards = []
    for name, path in _library_modules():
        here = _layer(MODULE_LAYERS.get(name, _part(name)))
        for module in _imports(path):
            if module.startswith("flows"):
                if _part(name) not in LAYERS[-1]:
                    backwards.append(f"{name} imports {module} (only the command line may)")
                continue
            target = next((layer for mod, layer in MODULE_LAYERS.items()
                           if module == mod or module.startswith(mod + ".")), _part(module))
            if module.startswith("gongkai") and _layer(target) > here:
                backwards.append(f"{name} imports {module}")
    assert backwards == [], "imports against the direction of the layers:\n" + \
        "\n".join(sorted(set(backwards)))


def test_the_layer_check_can_fail(tmp_path):
    """The check above reads imports as they are written: a reader importing the warehouse
    would be reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("from gongkai.warehouse import load\nimport gongkai.render\n", encoding="utf-8")
    assert {"gongkai.warehouse", "gongkai.warehouse.load", "gongkai.render"} <= _imports(bad)
    assert _layer("read") < _layer("warehouse") < _layer("checks") < _layer("rankings") \
        < _layer("render") < _layer("pipeline")


def test_every_sql_file_has_its_place():
    """Each .sql file is a rule (sql/checks/*.sql) or listed in a step of the manifest, and
    every file the manifest lists exists."""
    listed = {path for files in manifest().values() for path in files}
    missing = sorted(str(p.relative_to(SQL_DIR)) for p in listed if not p.is_file())
    assert missing == [], f"listed in sql/manifest.toml but absent: {missing}"
    rules = set((SQL_DIR / "checks").glob("*.sql"))
    unplaced = sorted(str(p.relative_to(SQL_DIR)) for p in SQL_DIR.rglob("*.sql")
                      if p not in listed and p not in rules)
    assert unplaced == [], f"SQL files no step runs (add them to sql/manifest.toml): {unplaced}"
    layers = {p.relative_to(SQL_DIR).parts[0] for p in SQL_DIR.rglob("*.sql")}
    assert layers == {"schema", "staging", "intermediate", "marts", "checks"}


@pytest.mark.parametrize("step", sorted(manifest()))
def test_every_step_names_its_reader(step):
    """A step says in sql/manifest.toml who runs it: the comment above its files."""
    text = (SQL_DIR / "manifest.toml").read_text(encoding="utf-8")
    block = text.split(f"[{step}]", 1)[1].split("files", 1)[0]
    assert block.strip().startswith("#"), f"step {step} has no comment saying who runs it"


def test_no_module_is_long_without_saying_why():
    too_long, now_short = [], set(KNOWN_LONG)
    for name, path in _library_modules() + [(f"flows.{p.stem}", p)
                                            for p in sorted((ROOT / "flows").glob("*.py"))]:
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) <= LONG_MODULE_LINES:
            continue
        now_short.discard(name)
        docstring = ast.get_docstring(ast.parse("\n".join(lines))) or ""
        if LONG_MODULE_REASON not in docstring and name not in KNOWN_LONG:
            too_long.append(f"{name}: {len(lines)} lines")
    assert too_long == [], (
        f"modules over {LONG_MODULE_LINES} lines: split them, or say at the top why one "
        f"reads them whole ('{LONG_MODULE_REASON} …' in the docstring): {too_long}")
    assert not now_short, f"no longer long, take them off KNOWN_LONG: {sorted(now_short)}"


def test_the_architecture_page_names_what_exists():
    """docs/architecture.md: the stages of its diagram are the run's stages, and every file
    and folder it names is there."""
    import re

    from gongkai.warehouse.runs import STAGES

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    diagram = text.split("```", 2)[1]
    assert re.findall(r"[│▼] (\w+)", diagram) == list(STAGES)
    named = set(re.findall(r"`((?:gongkai|sql|flows|tools|tests|templates|bench)/[\w/.<>-]*)`",
                           text))
    named |= set(re.findall(r"((?:gongkai|sql|flows|tools)/[\w/]+\.(?:py|sql|toml))", diagram))
    missing = sorted(n for n in named if "<" not in n and not (ROOT / n.rstrip("/")).exists())
    assert len(named) > 20 and missing == [], f"named in docs/architecture.md, absent: {missing}"
