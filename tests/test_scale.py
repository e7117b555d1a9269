"""Scale-out: the flow's read stage on a Dask cluster gives the warehouse the default runner
gives, row for row (run ids and times aside: tools/snapshot.py)."""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from gongkai.paths import RAW_DIR, ROOT

pytestmark = pytest.mark.flow


def _snapshot_tool():
    """tools/snapshot.py as a module (tools/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("snapshot", ROOT / "tools" / "snapshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _raw(tmp_path):
    """Two years of the bundled reports (every format) and an unreadable file."""
    raw = tmp_path / "raw"
    for year in ("2019", "2023"):
        shutil.copytree(RAW_DIR / year, raw / year)
    (raw / "2023" / "430181004-guankou.pdf").write_bytes(b"%PDF-1.4\n\x00 not really a pdf")
    return raw


def test_dask_cluster_of_two_workers_builds_the_same_warehouse(prefect_harness, tmp_path):
    from distributed import Client, LocalCluster, get_task_stream

    from flows.annual import annual
    from gongkai.commands.run import dask_runner

    raw = _raw(tmp_path)
    common = dict(source=str(raw), with_render=False, batch_size=8, workers=2)
    local = annual(warehouse=str(tmp_path / "local" / "g.duckdb"), out=str(tmp_path / "o1"),
                   **common)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        with get_task_stream(client) as stream:
            on_dask = annual.with_options(task_runner=dask_runner(cluster.scheduler_address,
                                                                  None))(
                warehouse=str(tmp_path / "dask" / "g.duckdb"), out=str(tmp_path / "o2"),
                runner="dask", **common)
        workers = {task["worker"] for task in stream.data}
    assert len(workers) == 2  # both worker processes read batches
    assert local["counts"] == on_dask["counts"]
    assert on_dask["counts"]["read"] == 65
    assert (on_dask["counts"]["loaded"], on_dask["counts"]["rejected"]) == (64, 1)

    snapshot = _snapshot_tool()
    empty = tmp_path / "no-reports"
    empty.mkdir()
    a = snapshot.take(tmp_path / "local" / "g.duckdb", empty)
    b = snapshot.take(tmp_path / "dask" / "g.duckdb", empty)
    assert snapshot.compare(a, b) == []
    assert a["tables"]["submissions"]["rows"] == 65
