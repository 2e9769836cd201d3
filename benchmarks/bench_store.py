"""The data store on files and on PostgreSQL/PostGIS, side by side (issue 17).

Each backend gets the same work, on this machine, with a durable PostgreSQL
(fsync and synchronous commit on, as deployed: a throwaway cluster of
tests/pg_cluster.py started and stopped here):

* ``import`` — a dataset version added and made current (the demo, 1,934
  villages and its other layers; median of ``--imports``);
* ``load`` — what a process does the first time it shows a version: find the
  current one, get its GeoPackage (PostGIS: materialised from the tables into
  the local cache) and load it (``geo.dataset.load_dataset``); then the same
  once the GeoPackage is cached;
* ``version check`` — the read every script run makes to notice a version made
  current elsewhere (``current()``; median of 200);
* ``scenario save`` — one scenario saved (SPEC §4 document of 30 groups;
  median of ``--saves``), and the list read back.

Usage::

    .venv/bin/python -m benchmarks.bench_store [--imports 3] [--saves 50]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEMO = ROOT / "data" / "demo" / "sanming.gpkg"


def _median(func, times: int) -> float:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        func()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


def _document(number: int) -> dict:
    groups = [{"org_id": f"S{g}", "name": f"第{g}联村党委", "org_type": "strong_weak",
               "lead_village_code": f"3504811{number % 1000:03d}{g:02d}1",
               "villages": [f"3504811{number % 1000:03d}{g:02d}{k}" for k in range(1, 4)]}
              for g in range(30)]
    return {"created": "2026-12-07T10:00:00+08:00", "groups": groups}


def measure(location, data_store, imports: int, saves: int) -> dict:
    """Seconds of each step on one backend (``location``: folder or URL)."""
    from geo.dataset import load_dataset
    from geo.scenario_store import ScenarioStore

    store = data_store(location)
    figures = {"import": _median(lambda: store.add_version(DEMO, "基准"), imports)}
    # a fresh store object: what another process sees first
    fresh = data_store(location, cache=True)
    start = time.perf_counter()
    version = fresh.current()
    path = fresh.path_of(version.id)
    load_dataset(path)
    figures["load (first)"] = time.perf_counter() - start
    start = time.perf_counter()
    load_dataset(fresh.path_of(fresh.current().id))
    figures["load (cached file)"] = time.perf_counter() - start
    figures["version check"] = _median(fresh.current, 200)
    scenarios = ScenarioStore(location)
    numbers = iter(range(10 ** 6))
    figures["scenario save"] = _median(
        lambda: scenarios.save(f"方案 {next(numbers)}", _document(7)), saves)
    figures["scenario list"] = _median(scenarios.list, 20)
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--imports", type=int, default=3)
    parser.add_argument("--saves", type=int, default=50)
    args = parser.parse_args(argv)

    from geo.pg_store import PgDataStore
    from geo.store import DataStore
    from tests.pg_cluster import start_cluster

    work = Path(tempfile.mkdtemp(prefix="bench-store-"))
    cluster = start_cluster(work, durable=True)
    try:
        url = cluster.new_database("bench_store")

        def files(location, cache=False):
            return DataStore(location)

        def postgis(location, cache=False):
            # cache=True: a new cache folder, as a process that has not materialised yet
            return PgDataStore(location, cache_dir=(tempfile.mkdtemp(dir=work) if cache
                                                    else work / "cache"))

        rows = {"files": measure(work / "var", files, args.imports, args.saves),
                "PostGIS": measure(url, postgis, args.imports, args.saves)}
        print(f"PostgreSQL {cluster.server_version}, PostGIS {cluster.postgis_version}; "
              f"the demo ({DEMO.stat().st_size / 1e6:.1f} MB GeoPackage)")
        print(f"{'step':<22}{'files':>12}{'PostGIS':>12}{'ratio':>8}")
        for step in rows["files"]:
            a, b = rows["files"][step], rows["PostGIS"][step]
            print(f"{step:<22}{_seconds(a):>12}{_seconds(b):>12}{b / a:>7.1f}×")
    finally:
        cluster.stop()
    return 0


def _seconds(value: float) -> str:
    return f"{value * 1000:.2f} ms" if value < 1 else f"{value:.2f} s"


if __name__ == "__main__":
    sys.exit(main())
