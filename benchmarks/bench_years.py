"""Time a year step of the year slider and of 汇报模式's playback, server side, at
city scale (the demo: 1,934 villages, 223 organisations, 2018–2023).

Two measurements, each year in turn from the latest back to the first (every
step a year not computed before) and then once more (the cached playback of a
second round):

* ``functions`` — what a year step computes, outside Streamlit: the dataset as
  of the year, the city's and the counties' figures (the prepared geometry
  shared), the village table, the organisations' outlines and lead villages,
  the income series, the briefing's deck and its JSON;
* ``page`` — the 汇报模式 script (Streamlit's AppTest, in this process) after
  the slider is moved: the whole server-side run of a year step, including
  the element protobufs (the browser's drawing is not included).  A timed
  playback step reruns only the screen fragment, which is the same work.

Target (issue 15): a year step ≤ 1 s on the server.

Usage::

    .venv/bin/python -m benchmarks.bench_years [--data DATA.gpkg]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_S = 1.0
DEMO = ROOT / "data" / "demo" / "sanming.gpkg"


def _timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start


def function_steps(path: str) -> dict:
    """``{year: seconds}`` of the work of one year step, without Streamlit."""
    from analysis.as_of import as_of_years, dataset_as_of
    from analysis.kpis import compute_kpis, kpis_by_area, prepare_kpis
    from analysis.params import Params
    from analysis.trends import income_trend
    from analysis.villages import village_table
    from geo.dataset import load_dataset
    from maps.display import display_geometry, dissolve_display
    from maps.overview import lead_points, org_outlines, overview_map

    data = load_dataset(path)
    prepared = prepare_kpis(data)
    villages = display_geometry(data.villages)
    base = {"villages": villages,
            "townships": dissolve_display(villages, ["county_code", "township_code"]),
            "counties": dissolve_display(villages, ["county_code"])}

    def step(year: int) -> None:
        params = Params(as_of_year=year)
        at = dataset_as_of(data, year)
        figs = compute_kpis(data, params, prepared)
        kpis_by_area(data, "county", params, prepared)
        table = village_table(at.villages, at.joint_members, at.village_income,
                              figs["base_year"], figs["eval_year"])
        display = {**base, "orgs": org_outlines(villages, table),
                   "leads": lead_points(villages, at.joint_orgs)}
        income_trend(at.villages, at.joint_members, at.village_income)
        deck, _ = overview_map(display, table, "joint", view_px=(820, 740))
        deck.to_json()

    return {year: _timed(step, year)[1] for year in reversed(as_of_years(data))}


def page_steps(path: str) -> tuple[dict, dict]:
    """``({year: s}, {year: s})``: the 汇报模式 run after moving the slider to each
    year, the first time (nothing of that year cached) and the second time."""
    from streamlit.testing.v1 import AppTest

    os.environ["DASHBOARD_DATA"] = str(path)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    at.run()
    at.switch_page("pages/briefing.py").run()
    years = [int(option[:4]) for option in at.select_slider(key="briefing_year").options]
    rounds = []
    for _ in range(2):
        times = {}
        for year in reversed(years[:-1]) if not rounds else reversed(years):
            slider = at.select_slider(key="briefing_year").set_value(year)
            _, seconds = _timed(slider.run)
            if at.exception:
                raise RuntimeError(f"汇报模式 failed at {year}: {at.exception[0].value}")
            times[year] = seconds
        rounds.append(times)
    return rounds[0], rounds[1]


def _row(name: str, times: dict) -> str:
    values = list(times.values())
    cells = "  ".join(f"{year}: {s:5.2f}" for year, s in times.items())
    worst = max(values)
    verdict = "ok" if worst <= TARGET_S else "over target"
    return (f"{name:<24} median {statistics.median(values):5.2f} s  max {worst:5.2f} s  "
            f"({verdict})   {cells}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEMO), help="GeoPackage (default: the demo)")
    args = parser.parse_args(argv)
    print(f"Year step, server side ({Path(args.data).name}); target ≤ {TARGET_S:.1f} s")
    print(_row("functions, first time", function_steps(args.data)))
    first, again = page_steps(args.data)
    print(_row("汇报模式 run, first time", first))
    print(_row("汇报模式 run, cached", again))
    return 0


if __name__ == "__main__":
    sys.exit(main())
