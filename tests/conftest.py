"""Shared fixtures: hand-built parsed reports, the bundled seed report, the real fixtures of
../shared, one Prefect harness."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from gongkai import template as tpl
from gongkai.model import CellSource, ParsedReport
from gongkai.paths import RAW_DIR, ROOT

SEED = RAW_DIR / "2019" / "430181002-jili.md"

# the real third-party fixtures live outside the repository (../shared/fixtures beside the
# checkout, or $GONGKAI_SHARED/fixtures); tests that need them skip, saying where they looked
SHARED_FIXTURES = Path(os.environ.get("GONGKAI_SHARED", ROOT.parent / "shared")) / "fixtures"
needs_shared_fixtures = pytest.mark.skipif(
    not SHARED_FIXTURES.is_dir(),
    reason=f"shared fixtures not found at {SHARED_FIXTURES} (they live outside the repository; "
           "set GONGKAI_SHARED to the folder holding fixtures/)")


def build_report(
    *,
    unit_code: str | None = "430181002",
    unit_name: str | None = "集里街道",
    year: int | None = 2019,
    template: str | None = "v2019",
    values: dict[str, float | None] | None = None,
    blanks: tuple[str, ...] = (),
    file: str = "report.md",
) -> ParsedReport:
    """A parsed report built by hand: every cell of the template read as 0 unless given.

    ``values`` overrides cells (a value of None there means the reader did not see the cell);
    ``blanks`` are visibly empty cells.
    """
    report = ParsedReport(file=file, format="markdown", encoding="utf-8", unit_name=unit_name,
                          unit_code=unit_code, year=year, template=template,
                          published="2020-01-20", title=f"{unit_name} {year} 年报")
    values = values or {}
    codes = tpl.get(template).cell_codes if template else ()
    for i, code in enumerate(codes, start=1):
        if code in blanks:
            report.cells[code] = None
            report.sources[code] = CellSource(raw="/", location=f"line {i}", status="blank")
        elif code in values and values[code] is None:
            continue
        else:
            value = values.get(code, 0)
            report.cells[code] = value
            report.sources[code] = CellSource(raw=str(value), location=f"line {i}")
    report.sections = {"s1": "总体情况……", "s5": "存在的主要问题……"}
    report.section_order = ["s1", "s5"]
    return report


@pytest.fixture
def make_report():
    """Factory for hand-built parsed reports (see ``build_report``)."""
    return build_report


@pytest.fixture
def seed_path() -> Path:
    """The bundled seed report (集里街道 2019)."""
    return SEED


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The bundled demo built into a warehouse (real reading, checks and stored rankings)
    and its 2023 and 2024 reports rendered without PDFs: (warehouse path, output folder)."""
    from gongkai.paths import RAW_DIR
    from gongkai.pipeline import build_warehouse
    from gongkai.render import render_all

    root = tmp_path_factory.mktemp("demo")
    path = root / "gongkai.duckdb"
    build_warehouse(RAW_DIR, path, materialise=True).con.close()
    out = root / "out"
    render_all(path, out, [2023, 2024], pdf=False)
    return path, out


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (starting one costs ~20 s)."""
    import gongkai.prefect_env  # noqa: F401, I001  (quiet settings before prefect is imported)
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(autouse=True, scope="module")
def _prefect_events_closed():
    """After each module, Prefect's events client is closed (a later flow opens it again): it
    holds a websocket to the session's server open from a background thread, whose keepalive
    pings draw from the random module's shared generator every 20 s or so, and a draw in the
    middle of a Hypothesis example of a later module is a warning of random use in strategies."""
    yield
    worker = sys.modules.get("prefect.events.worker")
    if worker is not None:
        worker.EventsWorker.drain_all(timeout=10)


class _Routes(dict):
    """path → (status, body bytes, delay seconds) served by the local HTTP server."""


@pytest.fixture
def http_server():
    """A real HTTP server on 127.0.0.1 (a thread); set ``server.routes[path] = (status, body,
    delay)`` or ``(status, body, delay, headers)``; yields the server with ``base_url`` and
    ``hits`` (path → request count)."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    routes = _Routes()
    hits: dict[str, int] = {}

    class Handler(BaseHTTPRequestHandler):
        """Serves ``routes``; unknown paths are 404."""

        def do_GET(self):  # noqa: N802 (http.server's naming)
            """Answer with the route's status and body after its delay."""
            hits[self.path] = hits.get(self.path, 0) + 1
            status, body, delay, *more = routes.get(self.path, (404, b"not found", 0))
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                for name, value in (more[0] if more else {}).items():  # e.g. a Location
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.routes = routes
    server.hits = hits
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
