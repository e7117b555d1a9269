"""The temporary Prefect server of a `gongkai run`, started by the command itself.

Without a configured server (``PREFECT_API_URL``), a flow run starts Prefect's temporary
server: a process serving Prefect's API app (``uvicorn … prefect.server.api.server:create_app``,
the UI off, Prefect's own flags for an ephemeral server), found again by every client of the
process. Prefect starts it when the flow is called, after the command has imported Prefect's
server module (2–3 s of imports on this machine) and read its registry; the server then
needs another 4–5 s to answer. The command starts the same process itself as soon as it
knows no server is configured, waits for it to answer while it reads its registry and
imports the flow, and points the run at it through ``PREFECT_API_URL`` (set in this
process's environment, Prefect's global settings refreshed): the flow run then uses it as
a configured server and never imports the server module.

The server lives as long as the process (as Prefect's own does): a second run in the same
process finds it again; it is stopped when the process exits. When it does not answer in
time, it is stopped and the environment left as it was: the flow run starts Prefect's own
and says what went wrong.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

PORTS = range(8000, 9000)  # Prefect's own range for its temporary server
PORT_IN_USE = 3  # uvicorn's exit status when its port was taken meanwhile

_current: TemporaryServer | None = None
# the ports tried, picked by a generator of the module's own: the server is started from a
# thread, and a pick from the ``random`` module's shared one would move the sequence of
# whatever else draws from it meanwhile (a caller's seeded draws, a test's examples)
_PORT_PICKER = random.Random()


def _free_port() -> int:
    for _ in range(20):
        port = _PORT_PICKER.choice(PORTS)
        with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for a temporary Prefect server")


def _prefect_parent() -> str:
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("prefect is not installed")
    return str(Path(next(iter(spec.submodule_search_locations))).parent)


class TemporaryServer:
    """A Prefect API server process on a free local port, stopped when this process ends."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen | None = self._launch()
        atexit.register(self.stop)

    @property
    def api_url(self) -> str:
        """The URL a Prefect client is given (``PREFECT_API_URL``)."""
        return f"http://127.0.0.1:{self.port}/api"

    def _launch(self) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env.update(PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1",
                   PREFECT__SERVER_FINAL="1")
        return subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", _prefect_parent(), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port",
             str(self.port), "--log-level", "error", "--lifespan", "on"],
            env=env, stdin=subprocess.DEVNULL)

    def alive(self) -> bool:
        """Whether its process is still running."""
        return self.process is not None and self.process.poll() is None

    def wait(self, timeout: float) -> bool:
        """Wait until the server answers its health check (True), at most ``timeout``
        seconds; a port taken meanwhile is replaced by another one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process is not None:
            status = self.process.poll()
            if status == PORT_IN_USE:
                self.port = _free_port()
                self.process = self._launch()
                continue
            if status is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        """Stop the process (killed when it does not end within 5 s)."""
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _NoLinkToIt(logging.Filter):
    """Drops the flow run's "View at http://127.0.0.1:…/runs/…" line for the temporary
    server: it serves no UI and stops with the command, so the link leads nowhere."""

    def filter(self, record: logging.LogRecord) -> bool:
        server = _current
        return not (server is not None and isinstance(record.msg, str)
                    and record.msg.startswith(f"View at http://127.0.0.1:{server.port}/"))


_NO_LINK = _NoLinkToIt()


def _use(url: str | None) -> None:
    """Point this process's Prefect clients at ``url`` (None: at no configured server)."""
    flow_runs = logging.getLogger("prefect.flow_runs")
    if _NO_LINK not in flow_runs.filters:
        flow_runs.addFilter(_NO_LINK)
    if url is None:
        os.environ.pop("PREFECT_API_URL", None)
    else:
        os.environ["PREFECT_API_URL"] = url
    if "prefect.context" in sys.modules:
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()


def ours(api_url: str | None) -> bool:
    """Whether ``api_url`` is the temporary server this process started (a second run)."""
    return _current is not None and _current.alive() and api_url == _current.api_url


def start(timeout: float) -> Callable[[], bool]:
    """Start the temporary server (or find the one this process started) and return a
    function that waits until it answers, at most ``timeout`` seconds from now, and then
    points the run at it (True); False when it did not answer (stopped; Prefect's own
    start is left to the flow run)."""
    global _current
    if _current is None or not _current.alive():
        _current = TemporaryServer()
    server = _current
    answered: list[bool] = []
    waiter = threading.Thread(target=lambda: answered.append(server.wait(timeout)),
                              name="gongkai-prefect-server", daemon=True)
    waiter.start()

    def wait() -> bool:
        waiter.join()
        if answered and answered[0]:
            _use(server.api_url)
            return True
        server.stop()
        if os.environ.get("PREFECT_API_URL") == server.api_url:
            _use(None)
        return False

    return wait
