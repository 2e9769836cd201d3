"""Time loading and the figures of SPEC §3 at city, province and national scale.

Each scale runs in its own Python process (so that peak memory is its own):
the synthetic GeoPackages are written by one process, then another loads the
file (:func:`geo.dataset.load_dataset`), computes the city-wide figures
(:func:`analysis.kpis.compute_kpis`, projection and geometry included), the
figures by county (:func:`analysis.kpis.kpis_by_area`, from scratch) and the
figures by township reusing the prepared geometry (medians of three runs
below 50,000 villages, one run above), and reports its peak resident
memory (``ru_maxrss``).

Usage::

    .venv/bin/python -m benchmarks.bench_kpis                      # city, province
    .venv/bin/python -m benchmarks.bench_kpis --scales city province national:100000
    .venv/bin/python -m benchmarks.bench_kpis --keep /tmp/bench    # keep the .gpkg files

A scale is ``city`` (the bundled demo), ``province`` (15,000 villages,
150,000 unit grids), ``national`` (490,000 villages, 4.9 M unit grids) or
``NAME:VILLAGES`` for any size, 10 unit grids per village.  A scale that
fails or exceeds ``--timeout`` seconds is reported as such and the larger
ones are skipped.
"""
from __future__ import annotations

import argparse
import json
import logging
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo" / "sanming.gpkg"
SIZES = {"province": 15_000, "national": 490_000}
log = logging.getLogger(__name__)


def _timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start


def _median_time(repeat: int, func, *args, **kwargs):
    """Result, median wall seconds and median CPU seconds (all threads) of ``repeat`` runs."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        cpu = time.process_time()
        result, seconds = _timed(func, *args, **kwargs)
        walls.append(seconds)
        cpus.append(time.process_time() - cpu)
    return result, statistics.median(walls), statistics.median(cpus)


def measure(path: str, repeat: int | None = None) -> dict:
    """Load ``path`` and time the figures; run in a fresh process.

    Times are medians of ``repeat`` runs (default 3, 1 from 50,000 villages):
    the machine is shared, single runs drift.
    """
    sys.path.insert(0, str(ROOT))
    from analysis.kpis import compute_kpis, kpis_by_area, prepare_kpis
    from analysis.params import Params
    from geo.dataset import load_dataset

    params = Params()
    dataset, load_s = _timed(load_dataset, path)
    if repeat is None:
        repeat = 3 if len(dataset.villages) < 50_000 else 1
    city, city_s, city_cpu = _median_time(repeat, compute_kpis, dataset, params)
    counties, county_s, _ = _median_time(repeat, kpis_by_area, dataset, "county", params)
    prepared, prepare_s, _ = _median_time(repeat, prepare_kpis, dataset, params)
    townships, township_s, _ = _median_time(repeat, kpis_by_area, dataset, "township", params,
                                            prepared)
    return {
        "villages": len(dataset.villages), "grids_l4": city["grid_l4"],
        "sites": len(dataset.service_sites), "counties": len(counties),
        "townships": len(townships), "repeat": repeat, "load_s": load_s, "city_s": city_s,
        "city_cpu_s": city_cpu, "county_s": county_s, "prepare_s": prepare_s,
        "township_prepared_s": township_s,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def run_scale(name: str, villages: int | None, folder: Path, timeout: float) -> dict:
    """Generate (unless the demo), then measure in a separate process."""
    row = {"scale": name}
    if villages is None:
        path = DEMO
        row["generate_s"] = None
    else:
        path = folder / f"{name}.gpkg"
        start = time.perf_counter()
        done = _run(["-m", "benchmarks.synthetic", str(villages), str(path)], timeout)
        if done.returncode:
            raise RuntimeError(f"生成失败：{done.stderr.strip()[-500:]}")
        row["generate_s"] = time.perf_counter() - start
        row["file_mib"] = path.stat().st_size / 2**20
    done = _run(["-m", "benchmarks.bench_kpis", "--measure", str(path)], timeout)
    if done.returncode:
        raise RuntimeError(f"测量失败：{done.stderr.strip()[-500:]}")
    row.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return row


def _parse_scale(text: str) -> tuple[str, int | None]:
    if text == "city":
        return text, None
    if text in SIZES:
        return text, SIZES[text]
    name, _, size = text.partition(":")
    if not size.isdigit():
        raise argparse.ArgumentTypeError(
            f"规模应为 city、province、national 或 名称:村数，收到 {text!r}")
    return name, int(size)


TARGETS = {"city": ("city figures", "city_s", 0.5),
           "province": ("load + figures", "load_and_city_s", 10.0)}


def format_table(rows: list[dict]) -> str:
    """The results as a Markdown table, then the targets of issue 14 that apply."""
    head = ("| scale | villages | L4 grids | sites | load s | city figures s (CPU s) "
            "| load + figures s | by county s | prepare s | by township (prepared) s "
            "| peak MiB |")
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['scale']} | {r.get('villages_asked', '')} | | | "
                         f"{r['error']} | | | | | | |")
            continue
        r["load_and_city_s"] = r["load_s"] + r["city_s"]
        lines.append(
            f"| {r['scale']} | {r['villages']:,} | {r['grids_l4']:,} | {r['sites']:,} "
            f"| {r['load_s']:.2f} | {r['city_s']:.2f} ({r['city_cpu_s']:.2f}) "
            f"| {r['load_and_city_s']:.2f} | {r['county_s']:.2f} | {r['prepare_s']:.2f} "
            f"| {r['township_prepared_s']:.3f} | {r['peak_mib']:,.0f} |")
    for r in rows:
        if r["scale"] in TARGETS and "error" not in r:
            label, key, target = TARGETS[r["scale"]]
            verdict = "met" if r[key] <= target else "NOT met"
            lines.append(f"target {r['scale']} {label} ≤ {target} s: {r[key]:.2f} s, {verdict}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="指标计算的性能测试")
    parser.add_argument("--scales", nargs="+", type=_parse_scale,
                        default=[("city", None), ("province", SIZES["province"])])
    parser.add_argument("--timeout", type=float, default=1800.0, help="每个规模的秒数上限")
    parser.add_argument("--keep", type=Path, help="保留生成的 .gpkg 的目录")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name, villages in args.scales:
            log.info("scale %s …", name)
            try:
                row = run_scale(name, villages, folder, args.timeout)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                reason = "超时" if isinstance(exc, subprocess.TimeoutExpired) else str(exc)
                rows.append({"scale": name, "villages_asked": villages, "error": reason})
                log.info("%s stopped: %s", name, reason)
                break
            rows.append(row)
            log.info("%s", json.dumps(row, ensure_ascii=False))
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
