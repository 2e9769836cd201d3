"""National scale on the partitioned engine (issue 18): time and memory per worker.

Synthetic national data of :mod:`benchmarks.synthetic` (the same lattice of
jittered villages, ten unit grids each, a service centre per village and a
station for half of them), written straight into the partitioned format
(:mod:`geo.partitioned`) one row of counties at a time, so that generating
490,000 villages never holds them all.  Counties are blocks of 13 × 12
villages (156), provinces blocks of 10 × 10 counties; codes are 12-digit
statistical codes (province 11–…).  Roads: every village's bottom and left
sides (shared by the neighbours, so they connect) and a path from its centre
(where its service centre stands) to the middle of its bottom side.

Each measurement runs in a fresh process: ``kpis`` on a local cluster of N
worker processes (:func:`analysis.partitioned.prepare_partitioned` with the
figures overall and by county), reporting the wall time, the peak resident
memory of every worker process and of the client (which runs the scheduler),
and the compute time of the tasks; and, for the sizes where it fits, the
in-memory engine on the same data (:func:`geo.dataset.load_dataset` of the
folder, then :mod:`analysis.kpis`).

Usage (heavy: run niced, one at a time)::

    nice -n 10 .venv/bin/python -m benchmarks.bench_national --folder /tmp/national \\
        --sizes 100000 200000 490000 --workers 1 2 4 --in-memory-up-to 100000
    .venv/bin/python -m benchmarks.bench_national --folder /tmp/national --check 15000

``--check N`` compares the engines on N villages (every key of SPEC §3, overall
and by county) and prints the largest difference.  Any partitioned folder (real
data) is measured with ``python -m benchmarks.bench_national _measure DIR WORKERS
BATCH_VILLAGES 4GiB`` (one JSON line: time, peaks, worker CPU, counties).
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analysis.partitioning import row_keys  # noqa: E402
from benchmarks import synthetic  # noqa: E402
from geo import schema as s  # noqa: E402
from geo.crs import metric_crs  # noqa: E402
from geo.dataset import Dataset, empty_layer  # noqa: E402
from geo.partitioned import ROW, PartitionWriter, is_partitioned, province_of  # noqa: E402

log = logging.getLogger(__name__)
COUNTY_W, COUNTY_H = 13, 12          # villages per county: 13 × 12 = 156
PROVINCE_W = PROVINCE_H = 10         # counties per province: 10 × 10


def national_codes(i: np.ndarray, j: np.ndarray, nx: int) -> tuple:
    """Village, township and county codes of lattice cells (i, j): 12-digit codes."""
    cx, cy = i // COUNTY_W, j // COUNTY_H
    counties_x = math.ceil(nx / COUNTY_W)
    provinces_x = math.ceil(counties_x / PROVINCE_W)
    province = 11 + cx // PROVINCE_W + provinces_x * (cy // PROVINCE_H)
    local_county = 1 + cx % PROVINCE_W + PROVINCE_W * (cy % PROVINCE_H)
    local = i % COUNTY_W + COUNTY_W * (j % COUNTY_H)
    county = np.char.add(province.astype(str), np.char.zfill(local_county.astype(str), 4))
    township = np.char.add(county, np.char.zfill((local // 12 + 1).astype(str), 3))
    village = np.char.add(township, np.char.zfill((local % 12 + 1).astype(str), 3))
    return village, township, county


def _roads(geom, codes) -> gpd.GeoDataFrame:
    """Bottom and left side of every village, and a path from its centre to the bottom."""
    m = synthetic.SEGMENTS
    bottom, left = geom.side("bottom", 0, m), geom.side("left", 0, m)
    centre = np.stack([geom.x0 + synthetic.SIDE_M / 2, geom.y0 + synthetic.SIDE_M / 2], axis=-1)
    spoke = np.stack([centre, bottom[:, m // 2]], axis=1)
    lines = np.concatenate([shapely.linestrings(bottom), shapely.linestrings(left),
                            shapely.linestrings(spoke)])
    ids = np.concatenate([np.char.add(codes, suffix) for suffix in ("-B", "-L", "-S")])
    return gpd.GeoDataFrame({s.ROAD_ID: ids, s.NAME: np.char.add("路", ids),
                             s.ROAD_CLASS: "村道"}, geometry=lines,
                            crs=synthetic.GENERATION_CRS).to_crs(synthetic.STORED_CRS)


def write_national(n: int, root: Path, seed: int = 0, grids_per_village: int = 10) -> dict:
    """Generate ``n`` villages into the partitioned folder ``root``, a row of counties at
    a time; returns the counts."""
    rng = np.random.default_rng(seed)
    geom = synthetic._Geometry(n, rng)
    nx = int(geom.i.max()) + 1
    writer, rows, tables, bounds = PartitionWriter(root), {}, {}, []
    band = COUNTY_H * nx
    for chunk, start in enumerate(range(0, n, band)):
        idx = np.arange(start, min(n, start + band))
        part = geom.subset(idx)
        codes = national_codes(part.i, part.j, nx)
        layers = synthetic.layers_of(part, *codes, grids_per_village, rng)
        layers[s.SERVICE_SITES][s.SITE_ID] = np.char.add(
            f"C{chunk}-", layers[s.SERVICE_SITES][s.SITE_ID].to_numpy().astype(str))
        layers[s.ROADS] = _roads(part, codes[0])
        for layer in (s.JOINT_ORGS, s.JOINT_MEMBERS):
            tables.setdefault(layer, []).append(layers.pop(layer))
        _write_chunk(writer, layers, rows)
        bounds.append(layers[s.VILLAGES].total_bounds)
        log.info("rows %d–%d of %d written", start, idx[-1], n)
    writer.write_tables({layer: pd.concat(frames, ignore_index=True)
                         for layer, frames in tables.items()})
    b = np.array(bounds)
    extent = gpd.GeoSeries([shapely.box(b[:, 0].min(), b[:, 1].min(), b[:, 2].max(),
                                        b[:, 3].max())], crs=synthetic.STORED_CRS)
    manifest = writer.finish(synthetic.STORED_CRS, metric_crs(extent),
                             [*rows, s.JOINT_ORGS, s.JOINT_MEMBERS],
                             info={"source": f"synthetic national {n}", "seed": seed})
    return {layer: manifest.rows(layer) for layer in manifest.present}


def _write_chunk(writer: PartitionWriter, layers: dict, rows: dict) -> None:
    full = {name: layers.get(name, empty_layer(name, synthetic.STORED_CRS)) for name in s.LAYERS}
    keys = row_keys(Dataset(full, frozenset(layers)))
    extra = {s.GRIDS: keys.pop("grid_columns")}
    framed = {}
    for layer, frame in layers.items():
        first = rows.get(layer, 0)
        rows[layer] = first + len(frame)
        framed[layer] = frame.assign(**{ROW: np.arange(first + 1, first + len(frame) + 1)},
                                     **extra.get(layer, {}))
    where = {layer: pd.Series(np.arange(len(keys[layer]))).groupby(keys[layer]).indices
             for layer in framed}
    for key in sorted(where[s.VILLAGES]):
        writer.write(key, province_of(key), {layer: frame.iloc[where[layer][key]]
                                             for layer, frame in framed.items()
                                             if key in where[layer]})


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker_usage() -> tuple:  # runs on each worker: peak MB, CPU seconds (all threads)
    import resource as r

    use = r.getrusage(r.RUSAGE_SELF)
    return use.ru_maxrss / 1024, use.ru_utime + use.ru_stime


def measure_partitioned(root: str, workers: int, batch: int, memory: str) -> dict:
    """``kpis`` overall and by county on a new local cluster; run in a fresh process."""
    from distributed import get_task_stream

    from analysis.params import Params
    from analysis.partitioned import (dask_client, partitioned_kpis, partitioned_kpis_by_area,
                                      prepare_partitioned)

    start = time.perf_counter()
    with dask_client(workers, memory_limit=memory) as client:
        ready = time.perf_counter()
        with get_task_stream(client) as stream:
            inputs = prepare_partitioned(root, Params(), client, batch)
        overall = partitioned_kpis(inputs)
        partitioned_kpis_by_area(inputs, "county")
        done = time.perf_counter()
        usage = list(client.run(_worker_usage).values())
    tasks = [t for t in stream.data if "run_batch" in str(t.get("key"))]
    busy = sum(p["stop"] - p["start"] for t in tasks for p in t["startstops"]
               if p["action"] == "compute")
    counties = sum(1 for p in inputs.manifest.partitions if p.rows.get(s.VILLAGES))
    return {"workers": workers, "seconds": done - ready, "startup_s": ready - start,
            "worker_peak_mb": sorted(u[0] for u in usage),
            "worker_cpu_s": sum(u[1] for u in usage), "client_peak_mb": _peak_mb(),
            "tasks": len(tasks),
            "task_seconds": busy, "counties": counties,
            "villages": inputs.manifest.rows(s.VILLAGES), "villages_total":
            overall["villages_total"]}


def measure_in_memory(root: str) -> dict:
    """Load the folder into one process and compute as :mod:`analysis.kpis` does."""
    from analysis.kpis import compute_kpis, kpis_by_area, prepare_kpis
    from geo.dataset import load_dataset

    start = time.perf_counter()
    dataset = load_dataset(root)
    loaded = time.perf_counter()
    prepared = prepare_kpis(dataset)
    compute_kpis(dataset, prepared=prepared)
    kpis_by_area(dataset, "county", prepared=prepared)
    return {"load_s": loaded - start, "seconds": time.perf_counter() - loaded,
            "peak_mb": _peak_mb()}


def check(root: str, workers: int, batch: int) -> dict:
    """The largest difference between the engines over every key, overall and by county."""
    from analysis.kpis import compute_kpis, kpis_by_area, prepare_kpis
    from analysis.partitioned import (dask_client, partitioned_kpis, partitioned_kpis_by_area,
                                      prepare_partitioned)
    from geo.dataset import load_dataset

    dataset = load_dataset(root)
    prepared = prepare_kpis(dataset)
    memory = [compute_kpis(dataset, prepared=prepared),
              *kpis_by_area(dataset, "county", prepared=prepared)]
    with dask_client(workers) as client:
        inputs = prepare_partitioned(root, client=client, batch_villages=batch)
    parts = [partitioned_kpis(inputs), *partitioned_kpis_by_area(inputs, "county")]
    worst, compared, mismatched = 0.0, 0, []
    for a, b in zip(memory, parts, strict=True):
        for key, value in a.items():
            other = b[key]
            if value is None or other is None or isinstance(value, str):
                if value != other:
                    mismatched.append((a.get("code"), key, value, other))
                continue
            compared += 1
            worst = max(worst, abs(value - other))
    return {"areas": len(memory), "values": compared, "max_abs_diff": worst,
            "mismatched": mismatched, "walk": memory[0]["walk_service_population_coverage"]}


def _child(*argv) -> dict:
    run = subprocess.run([sys.executable, "-m", "benchmarks.bench_national", *map(str, argv)],
                         cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        return {"error": run.stderr.strip().splitlines()[-1:] or ["?"]}
    return json.loads(run.stdout.strip().splitlines()[-1])


def _table(rows: list[dict]) -> str:
    head = ("| villages | unit grids | engine | workers | time (s) | peak per worker (GB) "
            "| total peak (GB) | task time per county (s) | worker CPU per county (s) |\n"
            "|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['size']:,} | | {r['engine']} | {r.get('workers', '')} | "
                         f"failed: {r['error'][0]} | | | | |")
        elif r["engine"] == "in-memory":
            lines.append(f"| {r['size']:,} | {r['grids']:,} | in-memory | 1 process | "
                         f"{r['seconds']:.0f} (+{r['load_s']:.0f} load) | "
                         f"{r['peak_mb'] / 1024:.1f} | {r['peak_mb'] / 1024:.1f} | | |")
        else:
            worker = max(r["worker_peak_mb"]) / 1024
            total = (sum(r["worker_peak_mb"]) + r["client_peak_mb"]) / 1024
            lines.append(f"| {r['size']:,} | {r['grids']:,} | partitioned | {r['workers']} | "
                         f"{r['seconds']:.0f} | {worker:.2f} | {total:.1f} | "
                         f"{r['task_seconds'] / r['counties']:.3f} | "
                         f"{r.get('worker_cpu_s', float('nan')) / r['counties']:.3f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("geo.dataset").setLevel(logging.WARNING)  # not every accepted warning
    args = sys.argv[1:] if argv is None else list(argv)
    if args and args[0] == "_measure":
        print(json.dumps(measure_partitioned(args[1], int(args[2]), int(args[3]), args[4])))
        return
    if args and args[0] == "_memory":
        print(json.dumps(measure_in_memory(args[1])))
        return
    p = argparse.ArgumentParser(description="全国规模分区计算的性能测试（issue 18）")
    p.add_argument("--folder", required=True, help="合成数据目录（已有则复用）")
    p.add_argument("--sizes", type=int, nargs="+", default=[100_000, 200_000, 490_000])
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    p.add_argument("--batch-villages", type=int, default=10_000)
    p.add_argument("--worker-memory", default="4GiB")
    p.add_argument("--in-memory-up-to", type=int, default=100_000)
    p.add_argument("--check", type=int, metavar="N", help="只比较两种引擎（N 个村）")
    p.add_argument("--json", help="结果另存为 JSON")
    opts = p.parse_args(args)
    folder = Path(opts.folder)
    sizes = [opts.check] if opts.check else opts.sizes
    rows = []
    for size in sizes:
        root = folder / f"national-{size}"
        if not is_partitioned(root):
            started = time.perf_counter()
            counts = write_national(size, root)
            log.info("generated %s in %.0f s", counts, time.perf_counter() - started)
        grids = json.loads((root / "manifest.json").read_text())
        grids = sum(p["rows"].get(s.GRIDS, 0) for p in grids["partitions"])
        if opts.check:
            print(json.dumps(check(str(root), 2, opts.batch_villages), ensure_ascii=False))
            return
        for workers in opts.workers:
            got = _child("_measure", root, workers, opts.batch_villages, opts.worker_memory)
            rows.append({"size": size, "grids": grids, "engine": "partitioned", **got,
                         "workers": workers})
            log.info("%s", rows[-1])
        if size <= opts.in_memory_up_to:
            rows.append({"size": size, "grids": grids, "engine": "in-memory",
                         **_child("_memory", root)})
            log.info("%s", rows[-1])
    print(_table(rows))
    if opts.json:
        Path(opts.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
