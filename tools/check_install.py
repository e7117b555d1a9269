"""Install gongkai from a wheel into a fresh virtual environment and run it from elsewhere.

    python tools/check_install.py [--keep DIR]

Builds the wheel of this checkout, creates a virtual environment in a temporary folder,
installs the wheel there (its dependencies from the package index, as a user would), and
from a folder outside the checkout runs ``gongkai parse`` on the seed report, a small
``gongkai run --no-render`` and ``gongkai render``: the SQL and the report templates must come
from the installed package. Exit status 0 when every step worked; the output says which
step failed otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "2019" / "430181002-jili.md"


def step(title: str, cmd: list[str], cwd: Path, env: dict[str, str] | None = None,
         timeout: int = 900) -> str:
    """Run one step; raise with its output when it fails."""
    print(f"-- {title}: {' '.join(str(c) for c in cmd)}", flush=True)
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{title} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def check(work: Path) -> None:
    """Build, install and run; raises on the first failure."""
    dist, venv, elsewhere = work / "dist", work / "venv", work / "elsewhere"
    step("build the wheel", [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                             "-w", dist, ROOT], cwd=ROOT)
    wheel = next(dist.glob("gongkai-*.whl"))
    step("create a fresh venv", [sys.executable, "-m", "venv", venv], cwd=work)
    step("install the wheel", [venv / "bin" / "python", "-m", "pip", "install", "--quiet",
                               wheel], cwd=work)
    raw = elsewhere / "raw" / "2019"
    raw.mkdir(parents=True)
    shutil.copyfile(SEED, raw / SEED.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PYTHON"))}
    env["PREFECT_HOME"] = str(work / "prefect")
    gongkai = venv / "bin" / "gongkai"
    where = step("package data installed", [venv / "bin" / "python", "-c",
                 "from gongkai.paths import SQL_DIR, TEMPLATES_DIR; "
                 "print(SQL_DIR); print(TEMPLATES_DIR)"], cwd=elsewhere, env=env)
    if str(ROOT) in where or "site-packages" not in where:
        raise RuntimeError(f"the SQL and templates are not the installed ones:\n{where}")
    # the wheel carries the reader compiled when a C compiler built it (setup.py), and the
    # modules it compiled are the ones that run
    compiled = step("reader compiled", [venv / "bin" / "python", "-c",
                    "import gongkai.read.tables, gongkai.read.html, gongkai.read.text; "
                    "from gongkai.read._native import compiled_now, STALE; "
                    "print(' '.join(compiled_now())); print(len(STALE))"], cwd=elsewhere, env=env)
    names, stale = compiled.splitlines()[:2] if compiled.count("\n") >= 2 else ("", "0")
    if shutil.which("cc") and not {"tables", "html", "text"} <= set(names.split()):
        raise RuntimeError(f"the wheel's reader is not compiled (a C compiler is here):\n{compiled}")
    if stale != "0":
        raise RuntimeError(f"the wheel's compiled modules do not match their sources:\n{compiled}")
    out = step("gongkai parse", [gongkai, "parse", raw / SEED.name], cwd=elsewhere, env=env)
    if "430181002" not in out:
        raise RuntimeError(f"gongkai parse did not name the unit:\n{out}")
    out = step("gongkai run --no-render", [gongkai, "run", "--no-render", "--source",
               "raw", "--warehouse", "wh/gongkai.duckdb", "--workers", "1"],
               cwd=elsewhere, env=env)
    if "1 found: 1 loaded" not in out:
        raise RuntimeError(f"gongkai run did not load the report:\n{out}")
    step("gongkai render", [gongkai, "render", "--warehouse", "wh/gongkai.duckdb", "--out",
         "out", "--workers", "1"], cwd=elsewhere, env=env)
    if not (elsewhere / "out" / "2019" / "city-report.html").is_file():
        raise RuntimeError("gongkai render wrote no city report")
    print("ok: installed from the wheel, gongkai parse, run and render work outside the "
          "checkout")


def main(argv: list[str] | None = None) -> int:
    """Command line: run the check in a temporary folder (or ``--keep DIR``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and leave it for a look")
    args = parser.parse_args(argv)
    if args.keep:
        work = Path(args.keep).resolve()
        work.mkdir(parents=True, exist_ok=True)
        check(work)
        return 0
    with tempfile.TemporaryDirectory(prefix="gongkai-install-") as tmp:
        check(Path(tmp))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
