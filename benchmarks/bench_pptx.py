"""Time 导出 PPT for the city (issue 15: ≤ 20 s): the standard set of slides —
the city overview, each county, the ranking, the grids and the joint
organisations (15 slides on the demo: 1,934 villages, 11 counties) — written
with :func:`report.pptx.write_pptx` from the loaded dataset, as the page and
``python -m analysis report … --pptx`` do (figures, grid checks, every print
map drawn and encoded, the file written).  Loading the GeoPackage is timed
apart.

Usage::

    .venv/bin/python -m benchmarks.bench_pptx [--data DATA.gpkg] [--runs N]
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

TARGET_S = 20.0
DEMO = ROOT / "data" / "demo" / "sanming.gpkg"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEMO))
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from geo.dataset import load_dataset
    from report.pptx import SlideOptions, write_pptx
    from report.slides import area_options, standard_views

    dataset = load_dataset(args.data)
    loaded = time.perf_counter() - started
    views = standard_views(area_options(dataset.villages))
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            path = Path(tmp) / f"run{run}.pptx"
            start = time.perf_counter()
            write_pptx(dataset, path, views, options=SlideOptions(sample=True))
            times.append(time.perf_counter() - start)
            size = path.stat().st_size
    print(f"数据载入 {loaded:.2f} s")
    print(f"导出 PPT（全市标准汇报，{len(views)} 页，{size / 1e6:.1f} MB）："
          f"{' / '.join(f'{t:.2f}' for t in times)} s，中位数 {statistics.median(times):.2f} s"
          f"（目标 ≤ {TARGET_S:g} s）")
    return 0 if max(times) <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
