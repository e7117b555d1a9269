"""Snapshot what the reader makes of many files, or compare two snapshots.

    python tools/parse_snapshot.py take SNAPSHOT.json PATH [PATH …]
    python tools/parse_snapshot.py compare BEFORE.json AFTER.json

A change to the reader's speed must not change what it reads. ``take`` parses every report
file under the given folders (answer keys ``NAME.json`` beside a report, README and
MANIFEST files are skipped) and stores, per file, exactly the text ``gongkai parse FILE
--json`` prints. ``compare`` lists the files whose text differs, is gone or is new, with the
first differing line of each. Exit status: 0 when every file of the older snapshot reads the
same, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SKIPPED = {"readme.md", "manifest.csv"}


def report_files(paths: list[str]) -> list[Path]:
    """The report files under the given files and folders, sorted, answer keys left out."""
    out: list[Path] = []
    for name in paths:
        path = Path(name)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            if f.name.lower() in SKIPPED or f.name.startswith("."):
                continue
            if f.suffix == ".json" and any(s.suffix != ".json"
                                           for s in f.parent.glob(f.stem + ".*")):
                continue
            out.append(f)
    return out


def parse_text(path: Path) -> str:
    """What ``gongkai parse PATH --json`` prints for a file."""
    from gongkai.read import parse_file

    report = parse_file(path)
    return json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n"


def take(out: str, paths: list[str]) -> int:
    """Parse every report file and write the snapshot."""
    files = report_files(paths)
    snapshot = {str(f): parse_text(f) for f in files}
    Path(out).write_text(json.dumps(snapshot, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{len(snapshot)} files parsed into {out}")
    return 0


def compare(before: str, after: str) -> int:
    """Print the files that read differently; 1 when any did."""
    a = json.loads(Path(before).read_text(encoding="utf-8"))
    b = json.loads(Path(after).read_text(encoding="utf-8"))
    differ = 0
    for name in sorted(a):
        if name not in b:
            print(f"gone: {name}")
            differ += 1
        elif a[name] != b[name]:
            old, new = a[name].splitlines(), b[name].splitlines()
            first = next((i for i, (x, y) in enumerate(zip(old, new, strict=False)) if x != y),
                         min(len(old), len(new)))
            print(f"differs: {name} (line {first + 1}: "
                  f"{old[first] if first < len(old) else '<end>'!r} → "
                  f"{new[first] if first < len(new) else '<end>'!r})")
            differ += 1
    for name in sorted(set(b) - set(a)):
        print(f"new: {name}")
    print(f"{len(a)} files before, {len(b)} after: {differ} read differently")
    return 1 if differ else 0


def main(argv: list[str]) -> int:
    """Command line: take or compare."""
    if len(argv) >= 3 and argv[0] == "take":
        return take(argv[1], argv[2:])
    if len(argv) == 3 and argv[0] == "compare":
        return compare(argv[1], argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
