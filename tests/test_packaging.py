"""A non-editable install has its SQL and templates: built as a wheel, installed into a fresh
virtual environment, run from another folder (tools/check_install.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from gongkai.paths import ROOT

pytestmark = pytest.mark.slow

# what pip prints when it cannot reach a package index (then the install cannot be tried here)
OFFLINE = ("Failed to establish a new connection", "Network is unreachable",
           "Temporary failure in name resolution", "No matching distribution found")


def test_wheel_installs_and_runs_outside_the_checkout():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "check_install.py")],
                          capture_output=True, text=True, timeout=1500)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0 and "install the wheel failed" in output and any(
            text in output for text in OFFLINE):
        pytest.skip("pip cannot reach a package index from here, so the wheel's dependencies "
                    "cannot be installed into a fresh environment")
    assert proc.returncode == 0, output
    assert "ok: installed from the wheel" in output
