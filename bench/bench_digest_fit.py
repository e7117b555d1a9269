"""Measure how much of its printed A4 page each digest takes, and calibrate
``gongkai.render.data.printed_height`` (the estimate that picks a digest's density before it
is printed, and the only judge where no browser prints).

For every digest of the given warehouses (all years), the digest is written at each density
level and laid out by headless Chromium as it prints it (print media, the page's content
width); the height of the content is measured in page heights (1.0 = one full A4 page), and
with ``--print`` each is printed to PDF and its pages counted (the two agree: a digest
taller than 1.0 prints on two pages). One CSV row per digest and level goes to ``--csv``.
The summary says, for each level, how many digests overflow, how the estimate in force
judges them, and the coefficients a least-squares fit of ``data.print_features`` to the
measured heights at density 0 gives (to copy into ``data.FIT``).

Run: ``.venv/bin/python bench/bench_digest_fit.py WAREHOUSE [WAREHOUSE …] [--levels 0,1,2]
[--print] [--csv FILE]``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from gongkai.render import browser, data, digest_html, pdf

# the printed page's content box in CSS pixels (A4 less the digest's 9 mm and 10 mm margins)
CONTENT_WIDTH_PX = round((210 - 20) / 25.4 * 96)
CONTENT_HEIGHT_PX = (297 - 18) / 25.4 * 96


def measure(warehouses: list[Path], levels: list[int], print_pdf: bool
            ) -> tuple[list[dict], list]:
    """One row per digest and level: the estimate, the measured height in pages, and (with
    ``print_pdf``) the printed page count; and the digests (with their measured height at
    the first level)."""
    rows: list[dict] = []
    measured: list = []
    with tempfile.TemporaryDirectory(prefix="gongkai-fit-") as tmp, \
            browser.open_browser(system_fonts=False) as tab:
        tab.page.emulate_media(media="print")
        tab.page.set_viewport_size({"width": CONTENT_WIDTH_PX, "height": 1000})
        page = Path(tmp) / "digest.html"
        for warehouse in warehouses:
            con, method = data.connect(warehouse)
            try:
                for year in data.years(con):
                    city = data.city_report(con, method, year)
                    for d in data.digests(con, method, city):
                        estimate = data.printed_height(d)
                        for level in levels:
                            page.write_text(digest_html(replace(d, density=level)), "utf-8")
                            tab.open(page)
                            height = tab.page.evaluate(
                                "document.documentElement.getBoundingClientRect().height")
                            row = {"warehouse": warehouse.parent.name or str(warehouse),
                                   "year": year, "unit": d.unit.unit_code,
                                   "findings": len(d.findings), "entries": len(d.groups),
                                   "estimate": round(estimate, 3), "heuristic": d.density,
                                   "level": level,
                                   "pages_measured": round(height / CONTENT_HEIGHT_PX, 3)}
                            if print_pdf:
                                row["pages_printed"] = pdf.page_count(tab.pdf())
                            rows.append(row)
                            if level == levels[0]:
                                measured.append((d, height))
            finally:
                con.close()
    return rows, measured


def fit(measured: list) -> tuple[dict, float, float]:
    """The FIT coefficients that best predict the measured heights (least squares), with
    the characters a line searched on a grid; returns them, the root mean square error and
    the largest underestimate, in CSS pixels."""
    heights = np.array([h for _, h in measured])
    best = None
    for chars in range(60, 96):
        for ref_chars in range(64, 129, 4):
            features = [data.print_features(d, chars, ref_chars) for d, _ in measured]
            names = list(features[0])
            x = np.array([[f[k] for k in names] for f in features], dtype=float)
            coef, *_ = np.linalg.lstsq(x, heights, rcond=None)
            err = heights - x @ coef
            rmse = float(np.sqrt((err ** 2).mean()))
            if best is None or rmse < best[1]:
                best = ({"chars": chars, "ref_chars": ref_chars}
                        | {k: round(float(c), 1) for k, c in zip(names, coef, strict=True)},
                        rmse, float(err.max()))
    return best


def summary(rows: list[dict]) -> list[str]:
    """What the measurements say: overflows per level, and the estimate's threshold."""
    out = []
    for level in sorted({r["level"] for r in rows}):
        at = [r for r in rows if r["level"] == level]
        over = [r for r in at if r["pages_measured"] > 1]
        worst = max(at, key=lambda r: r["pages_measured"])
        line = (f"density {level}: {len(at)} digests, {len(over)} taller than one page; "
                f"tallest {worst['pages_measured']:.2f} pages ({worst['warehouse']} "
                f"{worst['year']} {worst['unit']}, {worst['findings']} findings)")
        if "pages_printed" in at[0]:
            printed = sum(1 for r in at if r["pages_printed"] > 1)
            line += f"; printed on more than one page: {printed}"
        out.append(line)
    base = [r for r in rows if r["level"] == 0]
    unseen = [r for r in base if r["pages_measured"] > 1 and r["heuristic"] == 0]
    needless = [r for r in base if r["pages_measured"] <= 1 and r["heuristic"] > 0]
    errors = [r["pages_measured"] - r["estimate"] for r in base]
    if base:
        out.append(f"estimate in force: error {min(errors):+.3f} to {max(errors):+.3f} pages; "
                   f"{len(unseen)} of {len(base)} digests that overflow at density 0 not "
                   f"foreseen, {len(needless)} made denser that would have fitted")
    return out


def main() -> int:
    """Measure the digests of the warehouses and print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouses", nargs="+", type=Path)
    parser.add_argument("--levels", default="0,1,2")
    parser.add_argument("--print", dest="print_pdf", action="store_true",
                        help="also print each digest to PDF and count its pages")
    parser.add_argument("--csv", type=Path, default=None)
    args = parser.parse_args()
    if browser.missing_reason():
        print(browser.missing_reason(), file=sys.stderr)
        return 2
    rows, measured = measure(args.warehouses, [int(x) for x in args.levels.split(",")],
                             args.print_pdf)
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    print("\n".join(summary(rows)))
    if rows[0]["level"] == 0:
        coefficients, rmse, under = fit(measured)
        print(f"least-squares fit at density 0 (RMSE {rmse:.1f} px, largest underestimate "
              f"{under:.1f} px of {data.FIT['page']} px): {coefficients}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
