"""Time the command line as a whole process: ``kpis --json`` and ``report`` on the demo.

Each command runs in a fresh Python process, one warm-up run first (file
cache, ``.pyc``), then ``--runs`` counted runs; the table gives the median and
the range of the wall times, the CPU seconds of the median run (user + system,
all threads) and, for the report, the size of the Word file and of its largest
picture.  The targets of issue 14 are printed beside them; the machine's load
average is printed too, since other jobs on the same two cores slow every
figure down (quote medians measured in one run).

Usage::

    .venv/bin/python -m benchmarks.bench_cli              # kpis ×7, report ×3
    .venv/bin/python -m benchmarks.bench_cli --runs 3
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo" / "sanming.gpkg"
TARGETS = {"kpis": 1.5, "report": 8.0, "docx_mb": 3.0}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one ``python ARGS`` process (output discarded)."""
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, _children_cpu() - cpu


def measure(args: list[str], runs: int) -> dict:
    """Median wall (and its run's CPU), minimum and maximum over ``runs`` after a warm-up."""
    timed_run(args)
    results = sorted(timed_run(args) for _ in range(runs))
    walls = [w for w, _ in results]
    median = statistics.median(walls)
    cpu = min(results, key=lambda r: abs(r[0] - median))[1]
    return {"median": median, "min": walls[0], "max": walls[-1], "cpu": cpu, "runs": runs}


def docx_sizes(folder: Path) -> tuple[float, float]:
    """Size of the report's .docx and of its largest picture, MB."""
    docx = next(folder.glob("*.docx"))
    with zipfile.ZipFile(docx) as z:
        largest = max((i.file_size for i in z.infolist() if i.filename.startswith("word/media/")),
                      default=0)
    return docx.stat().st_size / 1e6, largest / 1e6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="命令行整体耗时（kpis、report）")
    parser.add_argument("--runs", type=int, default=None,
                        help="计数运行次数（默认 kpis 7 次、report 3 次）")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    kpis = measure(["-m", "analysis", "kpis", str(DEMO), "--json"], args.runs or 7)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report"
        report = measure(["-m", "analysis", "report", str(DEMO), "--out", str(out)],
                         args.runs or 3)
        docx_mb, picture_mb = docx_sizes(out)
    print(f"load average at start: {load:.2f} (2 cores)")
    print("| command (demo) | runs | median wall s | min–max s | CPU s | target | met |")
    print("|---|---|---|---|---|---|---|")
    for name, row in (("kpis --json", kpis), ("report", report)):
        target = TARGETS[name.split()[0]]
        print(f"| {name} | {row['runs']} | {row['median']:.2f} | {row['min']:.2f}–{row['max']:.2f} "
              f"| {row['cpu']:.2f} | ≤ {target} s | {'yes' if row['median'] <= target else 'no'} |")
    print(f"| report .docx | | {docx_mb:.2f} MB (largest picture {picture_mb:.2f} MB) | | "
          f"| ≤ {TARGETS['docx_mb']} MB | {'yes' if docx_mb <= TARGETS['docx_mb'] else 'no'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
