"""Time and memory of reading each kind of bad input (tests/bad_inputs.py), one process each.

    .venv/bin/python bench/bench_bad_inputs.py [--small] [--timeout 120] [--only NAME] [--run]

Builds the corpus in a scratch folder, then runs ``gongkai parse FILE --json`` on every entry
in its own process (so peak memory is the file's own) with a time limit, and prints a
Markdown table: entry, what it is, exit status, seconds, peak RSS (MB), and the first issue
code the reader gave. The targets (issue: no file over 5 s or 300 MB) are checked at the end.
With ``--run`` it then times ``gongkai run --no-render`` over the whole corpus (its peak RSS
is the largest of the run's own process and the children it waited for).

The corpus is built in a child process: a process started from a parent holding hundreds of
megabytes (the corpus's bombs, made in memory) reports the parent's peak as its own
``ru_maxrss`` (Linux carries the high-water mark over the exec), which made every file look
like 617 MB in the first measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

BUILD = """
import json, sys
sys.path.insert(0, sys.argv[3])
import bad_inputs
kinds = bad_inputs.build(sys.argv[1], big=sys.argv[2] == "big")
print(json.dumps([[k.name, k.path, k.what, k.expect] for k in kinds]))
"""

LIMIT_SECONDS = 5.0
LIMIT_MB = 300.0


def build(root: Path, big: bool) -> list[list[str]]:
    """Build the corpus in a child process; (name, path, what, expected) per entry."""
    out = subprocess.run([sys.executable, "-c", BUILD, str(root), "big" if big else "small",
                          str(ROOT / "tests")], cwd=ROOT, check=True, capture_output=True)
    return json.loads(out.stdout)


def measure(path: Path, timeout: float, cmd: list[str] | None = None) -> dict:
    """Run ``gongkai parse --json`` on one entry (or ``cmd``); seconds, peak RSS, exit status,
    issue codes, whether a traceback was printed."""
    cmd = cmd or [sys.executable, "-m", "gongkai.cli", "parse", str(path), "--json"]
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out_f, stderr=err_f, stdin=subprocess.DEVNULL,
                                cwd=ROOT)
        timed_out = False
        while True:  # wait4 gives this child's own peak memory
            pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout and not timed_out:
                proc.kill()
                timed_out = True
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
        out_f.seek(0)
        err_f.seek(0)
        out, err = out_f.read(), err_f.read()
    codes: list[str] = []
    try:
        doc = json.loads(out or b"{}")
        codes = [i.get("code") for i in doc.get("issues", []) if i.get("severity") == "error"]
    except (ValueError, AttributeError):
        pass
    return {"status": "timeout" if timed_out else proc.returncode, "seconds": seconds,
            "peak_mb": usage.ru_maxrss / 1024, "codes": codes,
            "traceback": b"Traceback" in err or b"Traceback" in out, "output": out + err}


def main() -> int:
    """Build the corpus and measure every entry."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="leave out the deliberately big kinds")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--only", default=None, help="measure entries whose path contains this")
    ap.add_argument("--run", action="store_true",
                    help="also time `gongkai run --no-render` over the whole corpus")
    ap.add_argument("--no-files", action="store_true", help="skip the per-file measurements")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "raw"
        kinds = build(root, big=not args.small)
        rows = []
        if not args.no_files:
            print("| entry | what | exit | s | peak MB | error codes |")
            print("|---|---|---|---|---|---|")
        for _name, rel, what, _expect in ([] if args.no_files else kinds):
            if args.only and args.only not in rel:
                continue
            m = measure(root / rel, args.timeout)
            rows.append((rel, m))
            peak = f"{m['peak_mb']:.0f}"
            codes = ", ".join(m["codes"][:3]) + (" TRACEBACK" if m["traceback"] else "")
            print(f"| {rel!r} | {what} | {m['status']} | {m['seconds']:.2f} | "
                  f"{peak} | {codes} |", flush=True)
        if rows:
            slow = [r for r, m in rows if m["status"] == "timeout" or m["seconds"] > LIMIT_SECONDS]
            big = [r for r, m in rows if m["peak_mb"] > LIMIT_MB]
            worst_s = max(rows, key=lambda r: r[1]["seconds"])
            worst_mb = max(rows, key=lambda r: r[1]["peak_mb"])
            print(f"\n{len(rows)} entries; slowest {worst_s[1]['seconds']:.2f} s ({worst_s[0]!r}); "
                  f"largest {worst_mb[1]['peak_mb']:.0f} MB ({worst_mb[0]!r}); "
                  f"over {LIMIT_SECONDS:g} s or timed out: {len(slow)} {slow}; "
                  f"over {LIMIT_MB:g} MB: {len(big)} {big}; "
                  f"tracebacks: {sum(m['traceback'] for _, m in rows)}")
        if args.run:
            cmd = [sys.executable, "-m", "gongkai.cli", "run", "--source", str(root),
                   "--warehouse", str(Path(tmp) / "wh" / "gongkai.duckdb"),
                   "--out", str(Path(tmp) / "out"), "--no-render"]
            m = measure(root, max(args.timeout, 600), cmd)
            print(f"\ngongkai run --no-render over {len(kinds)} entries: exit {m['status']}, "
                  f"{m['seconds']:.1f} s, peak {m['peak_mb']:.0f} MB, "
                  f"tracebacks: {int(m['traceback'])}")
            tail = m["output"].decode("utf-8", "replace").strip().splitlines()
            print("\n".join("    " + line for line in tail[-12:]))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    sys.exit(main())
