"""The temporary Prefect server `gongkai run` starts itself (gongkai.commands.prefect_server):
a real server process answering on 127.0.0.1, found again by a second run of the process,
replaced when its port is taken, stopped when it does not answer, and never left behind."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

from gongkai.commands import prefect_server
from gongkai.paths import ROOT

# a fresh Prefect home starts its database from nothing: slower than a warm one
START_TIMEOUT = 120.0


@pytest.fixture
def clean_server(monkeypatch):
    """No server of an earlier test, and the environment's API URL restored afterwards."""
    monkeypatch.setattr(prefect_server, "_current", None)
    before = os.environ.get("PREFECT_API_URL")
    yield
    if prefect_server._current is not None:
        prefect_server._current.stop()
    prefect_server._use(before)


def _health(url: str) -> int:
    with urllib.request.urlopen(f"{url}/health", timeout=10) as response:
        return response.status


def test_the_server_answers_and_the_run_is_pointed_at_it(clean_server):
    wait = prefect_server.start(START_TIMEOUT)
    assert wait() is True
    server = prefect_server._current
    url = os.environ["PREFECT_API_URL"]
    assert url == server.api_url and url.startswith("http://127.0.0.1:")
    assert _health(url) == 200
    from prefect import context

    # Prefect's settings of the process see it (a test harness's own settings context, when
    # one is active in this test session, would stand above them)
    assert context.GLOBAL_SETTINGS_CONTEXT.settings.api.url == url
    # a second run of the same process finds the same server
    assert prefect_server.ours(url)
    assert prefect_server.start(START_TIMEOUT)() is True
    assert prefect_server._current is server
    process = server.process
    server.stop()
    assert process.poll() is not None
    assert not prefect_server.ours(url)


def test_a_server_that_does_not_answer_in_time_is_stopped(clean_server):
    before = os.environ.get("PREFECT_API_URL")
    wait = prefect_server.start(0.0)
    server = prefect_server._current
    process = server.process
    assert wait() is False
    assert process.poll() is not None  # stopped, not left running
    assert os.environ.get("PREFECT_API_URL") == before  # the flow run starts Prefect's own


def test_a_port_taken_meanwhile_is_replaced(clean_server, monkeypatch):
    taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    busy = taken.getsockname()[1]
    ports = iter([busy])
    real = prefect_server._free_port
    monkeypatch.setattr(prefect_server, "_free_port", lambda: next(ports, None) or real())
    try:
        wait = prefect_server.start(START_TIMEOUT)
        assert prefect_server._current.port == busy
        assert wait() is True
        assert prefect_server._current.port != busy
        assert _health(prefect_server._current.api_url) == 200
    finally:
        taken.close()


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in environ:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_a_run_without_a_configured_server_leaves_no_server_behind(tmp_path, seed_path):
    raw_dir = tmp_path / "raw" / "2019"
    raw_dir.mkdir(parents=True)
    (raw_dir / seed_path.name).write_bytes(seed_path.read_bytes())
    marker = f"run-{uuid.uuid4().hex}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(GONGKAI_TEST_MARKER=marker, PREFECT_HOME=str(tmp_path / "prefect-home"))
    proc = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "run", "--source", str(tmp_path / "raw"),
         "--warehouse", str(tmp_path / "wh" / "g.duckdb"), "--out", str(tmp_path / "out"),
         "--no-render"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "a temporary Prefect server starts first" in output
    assert "1 found: 1 loaded" in output
    assert "View at" not in output  # no link to a server that serves no UI and is gone
    assert "Traceback" not in output
    assert _processes_with(marker) == []


def test_picking_a_port_leaves_the_shared_random_generator_alone():
    # the server starts from a thread: a pick from the random module's shared generator would
    # move the draws of whatever else uses it meanwhile
    import random

    state = random.getstate()
    port = prefect_server._free_port()
    assert port in prefect_server.PORTS
    assert random.getstate() == state
