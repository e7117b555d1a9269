"""The reader's full output over a set of files, one JSON line a file: to hold a change to the
reader to the very same output (a speed-up must not move a single parsed value).

usage: .venv/bin/python bench/read_snapshot.py OUT.jsonl [--generated DIR --registry CSV]
       then, after the change, again to another file and ``cmp`` the two (or ``--compare A B``)

Each line is ``gongkai parse --json``'s object (every cell, its source's raw text, location,
status and confidence, the metadata, sections, narrative figures and issues, in their order)
with the file it came from. The files: the bundled demo ``data/raw`` (filed for the year
folder and the name's unit code, as the read stage files them), every report file of the
shared fixtures (``../shared/fixtures``: seed, real pages, full reports, openings) and of
``tests/`` (layouts, adversarial inputs, office files) read as ``gongkai parse`` reads them
(nothing filed), and, when given, a generated raw year folder with its registry.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gongkai.sources import LEADING_CODE, Submission, read_one
from gongkai.units import load_registry

ROOT = Path(__file__).resolve().parents[1]
SKIP_SUFFIXES = {".json", ".py", ".pyc"}


def report_files(folder: Path) -> list[Path]:
    """Every file under ``folder`` that is not an answer key or code, by path."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix not in SKIP_SUFFIXES
                  and "__pycache__" not in p.parts)


def filed(path: Path) -> tuple[int | None, str | None]:
    """The year folder and the leading unit code of a raw file's name."""
    year = int(path.parent.name) if path.parent.name.isdigit() else None
    m = LEADING_CODE.match(path.stem)
    return year, (m.group(1) if m else None)


def read(path: Path, registry, filing: bool) -> dict:
    year, code = filed(path) if filing else (None, None)
    sub = Submission(str(path), str(path), "", None, code, year)
    return read_one(sub, registry).to_json()


def dump(out: Path, generated: Path | None, registry_csv: str | None) -> int:
    n = 0
    with out.open("w", encoding="utf-8") as f:
        def write(path: Path, registry, filing: bool) -> None:
            nonlocal n
            rec = {"path": str(path), "filed": filing, "report": read(path, registry, filing)}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1

        for p in report_files(ROOT / "data" / "raw"):
            write(p, None, True)
        for folder in (ROOT.parent / "shared" / "fixtures", ROOT / "tests"):
            for p in report_files(folder):
                write(p, None, False)
        if generated is not None:
            registry = load_registry(registry_csv) if registry_csv else None
            for p in sorted(generated.iterdir()):
                if p.is_file():
                    write(p, registry, True)
    return n


def compare(a: Path, b: Path) -> int:
    """Print the files whose output differs; the number of them."""
    la = a.read_text(encoding="utf-8").splitlines()
    lb = b.read_text(encoding="utf-8").splitlines()
    if len(la) != len(lb):
        print(f"{len(la)} lines against {len(lb)}")
    diffs = 0
    for x, y in zip(la, lb, strict=False):
        if x != y:
            diffs += 1
            rx, ry = json.loads(x), json.loads(y)
            print("DIFF", rx["path"])
            for k in rx["report"]:
                if rx["report"][k] != ry["report"].get(k):
                    print("   ", k)
    print(f"{min(len(la), len(lb))} files compared, {diffs} differ")
    return diffs + abs(len(la) - len(lb))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?")
    ap.add_argument("--generated", type=Path)
    ap.add_argument("--registry")
    ap.add_argument("--compare", nargs=2, type=Path)
    args = ap.parse_args()
    if args.compare:
        sys.exit(1 if compare(*args.compare) else 0)
    n = dump(Path(args.out), args.generated, args.registry)
    print(f"{n} files written to {args.out}")


if __name__ == "__main__":
    main()
