"""The reader over the real report openings of ../shared/fixtures/real-openings: what it reads
and which parse issues it raises, file by file and as a table of issue codes with counts.

usage: .venv/bin/python bench/openings_issues.py [FOLDER] [--files]
The folder holds real portal pages cut off after about 2,000 bytes (no answer keys) and a
MANIFEST.csv with the template each page's header shows; see bench/README.md for what the
unusual issues mean.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from pathlib import Path

from gongkai.read import parse_file

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "fixtures" / "real-openings"


def manifests(folder: Path) -> dict[Path, dict]:
    """Report file → its MANIFEST.csv row, for the folder and its sub-folders."""
    out = {}
    for manifest in sorted(folder.rglob("MANIFEST.csv")):
        with manifest.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                out[manifest.parent / f"{row['name']}.txt"] = row
    return out


def main() -> None:
    """Parse every page and print the issue table (and, with --files, a line per page)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--files", action="store_true", help="a line per page as well")
    args = ap.parse_args()
    rows = manifests(args.folder)
    counts: Counter[tuple[str, str]] = Counter()
    pages: Counter[tuple[str, str]] = Counter()
    wrong_template, values, started = [], 0, 0
    t0 = time.perf_counter()
    for path, meta in rows.items():
        report = parse_file(path)
        codes = Counter((i.code, i.severity) for i in report.issues)
        counts.update(codes)
        pages.update(codes.keys())
        read = sum(1 for s in report.sources.values() if s.status == "value")
        values += read
        hint = meta.get("template_hint") or ""
        if hint and report.template != hint:
            wrong_template.append(path.name)
        if args.files:
            issues = " ".join(f"{c}:{s[0]}" + (f"×{n}" if n > 1 else "")
                              for (c, s), n in sorted(codes.items()))
            print(f"{path.relative_to(args.folder)!s:44} {report.template} (hint {hint or '-':5}) "
                  f"{report.year or '-'} {report.unit_name or '-'}: {read} values; {issues}")
            started += 1
    seconds = time.perf_counter() - t0
    if args.files:
        print()
    print(f"{len(rows)} pages, {values} values read, {seconds:.2f} s; template as the header "
          f"shows: {len(rows) - len([r for r in rows.values() if not r.get('template_hint')])}"
          f" shown, {len(wrong_template)} read otherwise {wrong_template or ''}")
    print()
    print(f"{'issue code':<24} {'severity':<8} {'pages':>5} {'issues':>6}")
    for (code, severity), n in sorted(counts.items(), key=lambda x: (-pages[x[0]], x[0])):
        print(f"{code:<24} {severity:<8} {pages[(code, severity)]:>5} {n:>6}")


if __name__ == "__main__":
    main()
