"""Benchmark: reading legacy Office files (.doc, .wps, .rtf, .xls, .et) through LibreOffice.

Generated Word and Excel reports of both template versions are written in each legacy format
by LibreOffice (Word 97, RTF and Excel 97 filters; the .wps and .et files are Word 97 and
Excel 97 files under WPS Office's names), then each is read with ``parse_file`` — a fresh
private LibreOffice profile and process per file, as in a run — and timed.  The conversion
alone (``legacy.convert``) is timed too, and the original .docx/.xlsx for comparison.  Every
file read is checked against its truth: a wrong cell stops the benchmark.

usage: .venv/bin/python bench/bench_legacy.py [--units N] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gongkai.read import legacy, parse_file
from gongkai.synth import SynthOptions, generate
from gongkai.units import default_registry

EXPORTS = {"doc": ("docx", "doc:MS Word 97"), "wps": ("docx", "doc:MS Word 97"),
           "rtf": ("docx", "rtf:Rich Text Format"), "xls": ("xlsx", "xls:MS Excel 97"),
           "et": ("xlsx", "xls:MS Excel 97")}
LAYOUTS = {"docx": ["docx"], "xlsx": ["xlsx_form", "xlsx_sheet"]}


def make_files(work: Path, units: list[str], soffice: str) -> dict[str, list[tuple[Path, dict]]]:
    """Generated reports (2020 on v2019, 2022 on v2021) in every legacy format."""
    originals: dict[str, list[tuple[Path, dict]]] = {}
    for kind, layouts in LAYOUTS.items():
        originals[kind] = []
        for layout in layouts:
            reports = generate(SynthOptions(out=work / "src" / layout, years=[2020, 2022],
                                            units=units, seed=11, layouts=[layout],
                                            formats=[kind]))
            originals[kind] += [(r.path, json.loads(r.truth_path.read_text(encoding="utf-8")))
                                for r in reports]
    files: dict[str, list[tuple[Path, dict]]] = {"docx": originals["docx"],
                                                 "xlsx": originals["xlsx"]}
    for fmt, (kind, export) in EXPORTS.items():
        folders = sorted({p.parent for p, _ in originals[kind]})
        for folder in folders:  # one LibreOffice process per folder of originals
            batch = [str(p) for p, _ in originals[kind] if p.parent == folder]
            subprocess.run([soffice, "--headless", "--norestore",
                            f"-env:UserInstallation={(work / 'profile').as_uri()}",
                            "--convert-to", export, "--outdir", str(_made_in(work, fmt, folder)),
                            *batch], check=True, capture_output=True, timeout=300)
        files[fmt] = []
        for path, truth in originals[kind]:
            made = _made_in(work, fmt, path.parent) / f"{path.stem}.{export.split(':')[0]}"
            files[fmt].append((made.rename(made.with_suffix(f".{fmt}")), truth))
    return files


def _made_in(work: Path, fmt: str, folder: Path) -> Path:
    """Where the ``fmt`` files made from the originals in ``folder`` (layout/year) go."""
    return work / fmt / folder.parent.name / folder.name


def main() -> int:
    """Time reading every format; print a Markdown table of seconds per file."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=3, help="units per year and layout (default 3)")
    ap.add_argument("--repeat", type=int, default=1, help="reads of each file (default 1)")
    args = ap.parse_args()
    soffice = legacy.find_soffice()
    if soffice is None:
        print("LibreOffice (soffice) is not installed: apt-get install "
              f"{legacy.INSTALL_HINT}", file=sys.stderr)
        return 2
    units = [u.code for u in default_registry().current()][: args.units]
    isolated = "yes (unshare --net)" if legacy.isolation_prefix() else "no"
    with tempfile.TemporaryDirectory(prefix="bench-legacy-") as tmp:
        files = make_files(Path(tmp), units, soffice)
        print(f"LibreOffice: {soffice}; network namespace: {isolated}; "
              f"{args.repeat} read(s) of each file; load average before reading "
              f"{os.getloadavg()[0]:.1f}")
        print()
        print("| format | files | read (parse_file), median s | min–max s | "
              "conversion alone, median s | cells exact |")
        print("|---|---|---|---|---|---|")
        for fmt in ("docx", "xlsx", *EXPORTS):
            reads, converts, exact = [], [], 0
            for path, truth in files[fmt]:
                data = path.read_bytes()
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    report = parse_file(path)
                    reads.append(time.perf_counter() - t0)
                    if fmt in EXPORTS:
                        t0 = time.perf_counter()
                        legacy.convert(data, fmt)
                        converts.append(time.perf_counter() - t0)
                wrong = {k for k, v in truth["cells"].items() if report.cells.get(k) != v}
                if wrong:
                    print(f"{path.name}: {len(wrong)} cells wrong", file=sys.stderr)
                    return 1
                exact += 1
            conv = f"{statistics.median(converts):.2f}" if converts else "—"
            print(f"| {fmt} | {len(files[fmt])} | {statistics.median(reads):.3f} | "
                  f"{min(reads):.3f}–{max(reads):.3f} | {conv} | {exact}/{len(files[fmt])} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
