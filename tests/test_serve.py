"""``gongkai serve`` against a real Prefect server on 127.0.0.1: the deployment carries its
schedule and parameters, a run triggered through the API completes, and its stages, logs and
artifacts (check summary, league table, city summary, rejected files) are on the server.

Starts ``prefect server start`` and ``gongkai serve`` as processes of their own (each its own
session, stopped in ``finally``), with a PREFECT_HOME under the test's tmp_path. About a
minute on this machine (see bench/README.md, "Served flow").
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from gongkai.paths import RAW_DIR

pytestmark = [pytest.mark.flow, pytest.mark.slow]

BIN = Path(sys.executable).parent
CRON = "0 7 * 1,2 *"
REPORTS = ("430181001-huaichuan.txt", "430181002-jili.txt", "430181102-shegang.txt")
# the flow's tasks: reading and loading are one task (batches loaded as they are read)
STAGES = {"discover", "stage-warehouse", "read-load", "apply-decisions", "check", "materialise",
          "publish", "render"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, timeout: float, procs: list[tuple[subprocess.Popen, Path]]):
    """Poll ``check()`` until it returns something truthy; fail with the processes' logs when
    one of them exits or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        for proc, log in procs:
            if proc.poll() is not None:
                pytest.fail(f"{proc.args[:3]} exited ({proc.returncode}) while waiting for "
                            f"{what}:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.5)
    logs = "\n".join(log.read_text(errors="replace")[-2000:] for _, log in procs)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{logs}")


def healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process's session (the server's workers, the runs the serve process
    started), then SIGKILL what is left after 30 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.mark.timeout(600)
def test_served_flow_runs_on_the_server_with_schedule_and_artifacts(tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.settings import PREFECT_API_URL, temporary_settings

    started = time.perf_counter()
    raw = tmp_path / "raw"
    (raw / "2023").mkdir(parents=True)
    for name in REPORTS:
        shutil.copy(RAW_DIR / "2023" / name, raw / "2023" / name)
    (raw / "2023" / "430181003-hehua.docx").write_bytes(b"this is not a Word file")
    warehouse, out = tmp_path / "wh" / "gongkai.duckdb", tmp_path / "out"

    api = f"http://127.0.0.1:{free_port()}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_API_URL=api,
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_UI_ENABLED="false")
    procs: list[tuple[subprocess.Popen, Path]] = []

    def start(args: list[str], log_name: str) -> None:
        log = tmp_path / log_name
        with log.open("wb") as fh:
            proc = subprocess.Popen(args, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                    cwd=tmp_path, start_new_session=True)
        procs.append((proc, log))

    timings = {}
    try:
        start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port",
               api.rsplit(":", 1)[1].split("/")[0]], "server.log")
        wait_for("the server's health check", lambda: healthy(api), 180, procs)
        timings["server up"] = time.perf_counter() - started
        start([str(BIN / "gongkai"), "serve", "--name", "test", "--cron", CRON, "--source",
               str(raw), "--warehouse", str(warehouse), "--out", str(out)], "serve.log")

        with temporary_settings(updates={PREFECT_API_URL: api}), \
                get_client(sync_client=True) as client:

            def deployment():
                try:
                    return client.read_deployment_by_name("gongkai-annual/test")
                except Exception:  # not registered yet (ObjectNotFound)
                    return None

            found = wait_for("the deployment", deployment, 120, procs)
            timings["deployment registered"] = time.perf_counter() - started
            (schedule,) = found.schedules
            assert (schedule.schedule.cron, schedule.schedule.timezone) == (CRON,
                                                                           "Asia/Shanghai")
            assert schedule.active and not found.paused
            assert found.parameters == {
                "source": str(raw), "warehouse": str(warehouse), "out": str(out),
                "with_render": True, "reviews": str(tmp_path / "data" / "reviews.toml"),
                "corrections": str(tmp_path / "data" / "corrections.toml")}
            assert found.entrypoint == "flows.serve.annual_deployed"

            run = client.create_flow_run_from_deployment(found.id)

            def finished():
                state = client.read_flow_run(run.id).state
                return state if state is not None and state.is_final() else None

            state = wait_for("the flow run to finish", finished, 300, procs)
            timings["run finished"] = time.perf_counter() - started
            assert state.is_completed(), state

            by_run = FlowRunFilter(id=FlowRunFilterId(any_=[run.id]))
            artifacts = {a.key: a for a in client.read_artifacts(flow_run_filter=by_run)}
            assert {"check-summary", "league-table-2023", "city-summary-2023",
                    "rejected-files", "notifications"} <= set(artifacts)
            rejected = json.loads(artifacts["rejected-files"].data)
            assert [r["file"] for r in rejected] == ["2023/430181003-hehua.docx"]
            league = json.loads(artifacts["league-table-2023"].data)
            ranked = sorted(row["单位"] for row in league if row["名次"] != "—")
            assert ranked == ["淮川街道", "社港镇", "集里街道"]  # the readable reports

            stages = client.read_task_runs(flow_run_filter=by_run)
            done = {t.name.rsplit("-", 1)[0] for t in stages if t.state.is_completed()}
            assert STAGES <= done, sorted(t.name for t in stages)
            assert all(t.total_run_time is not None for t in stages)  # the UI's stage timings

            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])))
            text = "\n".join(log.message for log in logs)
            assert "load: 3 loaded, 1 rejected, 0 unchanged" in text
        assert warehouse.is_file() and (out / "index.html").is_file()
    finally:
        for proc, _ in reversed(procs):
            stop(proc)
    assert all(proc.poll() is not None for proc, _ in procs)
    timings["total"] = time.perf_counter() - started
    print("served flow test: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
