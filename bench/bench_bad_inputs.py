"""Time and memory of reading each kind of bad input (tests/bad_inputs.py), one process each.

    .venv/bin/python bench/bench_bad_inputs.py [--small] [--timeout 120] [--only NAME]

Builds the corpus in a scratch folder, then runs ``gongkai parse FILE --json`` on every entry
in its own process (so peak memory is the file's own) with a time limit, and prints a
Markdown table: entry, what it is, exit status, seconds, peak RSS (MB), and the first issue
code the reader gave. The targets (issue: no file over 5 s or 300 MB) are checked at the end.
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

import bad_inputs  # noqa: E402

LIMIT_SECONDS = 5.0
LIMIT_MB = 300.0


def measure(path: Path, timeout: float) -> dict:
    """Run ``gongkai parse --json`` on one entry; seconds, peak RSS, exit status, issue codes."""
    cmd = [sys.executable, "-m", "gongkai.cli", "parse", str(path), "--json"]
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
            "traceback": b"Traceback" in err}


def main() -> int:
    """Build the corpus and measure every entry."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="leave out the deliberately big kinds")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--only", default=None, help="measure entries whose path contains this")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "raw"
        kinds = bad_inputs.build(root, big=not args.small)
        rows = []
        print("| entry | what | exit | s | peak MB | error codes |")
        print("|---|---|---|---|---|---|")
        for kind in kinds:
            if args.only and args.only not in kind.path:
                continue
            path = root / kind.path
            m = measure(path, args.timeout)
            rows.append((kind, m))
            peak = f"{m['peak_mb']:.0f}"
            codes = ", ".join(m["codes"][:3]) + (" TRACEBACK" if m["traceback"] else "")
            print(f"| {kind.path!r} | {kind.what} | {m['status']} | {m['seconds']:.2f} | "
                  f"{peak} | {codes} |", flush=True)
        slow = [k.path for k, m in rows if m["status"] == "timeout" or m["seconds"] > LIMIT_SECONDS]
        big = [k.path for k, m in rows if m["peak_mb"] > LIMIT_MB]
        print(f"\n{len(rows)} entries; over {LIMIT_SECONDS:g} s or timed out: {len(slow)} "
              f"{slow}; over {LIMIT_MB:g} MB: {len(big)} {big}; "
              f"tracebacks: {sum(m['traceback'] for _, m in rows)}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    sys.exit(main())
