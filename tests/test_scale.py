"""At the scale of a province or the country: the flow's read stage on a Dask cluster gives the
warehouse the default runner gives, row for row (run ids and times aside: tools/snapshot.py);
a township name several counties share is placed by the county its report was filed under."""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from gongkai.paths import RAW_DIR, ROOT
from gongkai.read import parse_bytes
from gongkai.synth.registry import synthetic_units
from gongkai.units import Registry


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


@pytest.mark.flow
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


def _shared_name() -> tuple[Registry, list]:
    """A generated registry of ~3,000 townships and the units of a name several counties share."""
    registry = Registry(synthetic_units(3000, seed=3, history=False))
    by_name: dict[str, list] = {}
    for unit in registry.units:
        by_name.setdefault(unit.name, []).append(unit)
    return registry, next(units for units in by_name.values()
                          if len({u.city for u in units}) > 2)


def _report(name: str) -> bytes:
    return (f"{name}2023年政府信息公开工作年度报告\n一、总体情况\n本年度依法公开政府信息。\n"
            ).encode()


@pytest.mark.parametrize("printed", ["{name}", "{name}人民政府"])
def test_a_shared_township_name_is_placed_by_the_county_it_was_filed_under(printed):
    registry, units = _shared_name()
    assert registry.resolve(units[0].name, 2023).how == "ambiguous"
    for unit in units:
        report = parse_bytes(_report(printed.format(name=unit.name)), "r.txt", filed_year=2023,
                             filed_unit_code=unit.code, registry=registry)
        assert report.unit_code == unit.code
    # not filed, or filed under a unit of another name: the name stays unplaced
    other = next(u for u in registry.units if u.name != units[0].name)
    for filed in (None, other.code):
        report = parse_bytes(_report(units[0].name), "r.txt", filed_year=2023,
                             filed_unit_code=filed, registry=registry)
        assert report.unit_code is None
    # the county printed in the title settles it as before, whatever the filing says
    report = parse_bytes(_report(units[1].city + units[1].name), "r.txt", filed_year=2023,
                         filed_unit_code=units[0].code, registry=registry)
    assert report.unit_code == units[1].code
