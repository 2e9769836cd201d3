"""Every page of the dashboard on the demo: seconds to the map drawn, bytes, build time.

One table, one row per page (plus the city-wide level-4 grid layer), on the
demo dataset ``data/demo/sanming.gpkg`` (``DASHBOARD_DATA``; the data store
and scenarios go to a temporary folder through ``DASHBOARD_CONFIG``).

Server build (Python, in this process, before any browser starts):
``AppTest.from_file('dashboard.py').run()``, then
``.switch_page('pages/x.py').run()`` timed (**build cold**: the page's own
cached resources are computed; what earlier pages already cached in this
process is shared, as on a real server) and a second ``.run()`` (**build
warm**).  For 总览 the cold figure is the app's first run (dataset load
included).  A fresh AppTest per page; the caches are process-wide.

Browser (``streamlit run`` from :func:`tests.browser.conftest.start_server`,
Debian's headless Chromium with software WebGL, 1600×1600 viewport).  Each
of the ``--runs`` repetitions starts a NEW server and a new browser, so every
run has a genuinely cold first view; the table shows medians over runs.
Per page, starting on the overview fully loaded with the traffic counters
reset, seconds from the click on the navigation link to:

* deck.gl pages (总览, 汇报模式, 网格治理): the page's canvas showing ≥ 20,000
  non-white pixels in a screenshot (``benchmarks.bench_pages._drawn``'s rule;
  screenshots are polled, so this is an upper bound);
* the city-wide level-4 grid row: the same 网格治理 navigation until ≥ 20,000
  pixels of the compliant-grid green (``tests/browser/test_grids_browser``);
* folium pages (跨村联建, 分组规划): ``window.map`` in the ``streamlit_folium``
  iframe holding > 1000 Leaflet layers (the browser tests' readiness rule);
* 报告导出: the 生成报告 button visible; 数据管理: the 导入为图层 selectbox visible.

Bytes: HTTP bodies as encoded on the wire (CDP ``encodedDataLength``) and
WebSocket message payloads received (as decoded by the browser, i.e. before
permessage-deflate, which ``enableWebsocketCompression`` turns on), counted
from the click until the traffic has been quiet for 1.5 s after readiness.

* **first view**: the first navigation to the page in the run (server caches
  for the page cold, browser cache holding Streamlit's JavaScript already);
  for 总览 it is the app opened at ``/`` in a fresh browser (JavaScript
  downloaded, server cold);
* **warm view**: back to the overview (the 总览 link; 汇报模式 has no sidebar,
  so the browser's back button), then the same click again.  For 总览 the
  warm samples are those returns to the overview through its link.  Its bytes
  are small because Streamlit sends an element of ≥ 10 kB that the browser
  already holds as a hash reference (its ForwardMsg cache), not again.

Targets (issue 4): first map drawn ≤ 2 s, city-wide grid layer ≤ 3 s,
≤ 3 MB per page view; ✓ met, ✗ not.  Pages without a map are held to the
2 s target.  The load average is printed at start and end: the machine is
shared and absolute times drift (PERFORMANCE.md).

Usage::

    .venv/bin/python -m benchmarks.bench_all_pages [--runs 3] [--no-browser]
"""
from __future__ import annotations

import argparse
import io
import math
import os
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_pages import CANVAS, Traffic, _timed  # noqa: E402
from benchmarks.timed_server import stop_server  # noqa: E402

DEMO = ROOT / "data" / "demo" / "sanming.gpkg"
FRAME = "iframe[title*='streamlit_folium']"
NEW_CANVAS = CANVAS + ":not([data-bench-old])"
GRID_ROW = "城市四级网格图层"
# row label, navigation link, script, readiness kind, time target (s)
PAGES = [("总览", "总览", "pages/overview.py", "deck", 2.0),
         ("汇报模式", "汇报模式", "pages/briefing.py", "deck", 2.0),
         ("跨村联建", "跨村联建", "pages/joint.py", "folium", 2.0),
         ("网格治理", "网格治理", "pages/grids.py", "grids", 2.0),
         ("分组规划", "分组规划", "pages/planning.py", "folium", 2.0),
         ("报告导出", "报告导出", "pages/report.py", "button", 2.0),
         ("数据管理", "数据管理", "pages/data.py", "upload", 2.0)]
TARGET_GRID_S, TARGET_BYTES, TIMEOUT_S = 3.0, 3_000_000, 300.0


def _config(folder: Path) -> Path:
    """Settings with the demo and a throw-away data store (nothing written to the repo)."""
    config = folder / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{folder / "var"}"\n',
                      encoding="utf-8")
    return config


def server_build(config: Path) -> dict:
    """{row: (cold s, warm s, exception?)} from AppTest in this process."""
    from streamlit.testing.v1 import AppTest

    os.environ["DASHBOARD_DATA"], os.environ["DASHBOARD_CONFIG"] = str(DEMO), str(config)
    out = {}
    for label, _, script, _, _ in PAGES:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
        if script == "pages/overview.py":
            _, cold = _timed(at.run)
        else:
            at.run()
            _, cold = _timed(at.switch_page(script).run)
        _, warm = _timed(at.run)
        out[label] = (cold, warm, bool(at.exception))
    return out


def _pixels(png: bytes) -> tuple[int, int]:
    """(non-white pixels as bench_pages._drawn counts them, compliant-grid green pixels)."""
    import numpy as np
    from PIL import Image

    from tests.browser.test_grids_browser import GREEN

    img = Image.open(io.BytesIO(png))
    grey = np.asarray(img.convert("L"))
    rgb = np.asarray(img.convert("RGB")).astype(int)
    green = (np.abs(rgb - np.array(GREEN)) <= 14).all(axis=2)
    return int((grey < 235).sum()), int(green.sum())


def _wait_ready(page, kind: str, start: float) -> dict:
    """Seconds from ``start`` to the page ready (``s``), for 网格治理 to the green
    grids (``grid_s``), and the last canvas screenshot's duration (``shot_s``)."""
    deadline = start + TIMEOUT_S
    if kind in ("deck", "grids"):
        canvas = page.locator(NEW_CANVAS).first
        canvas.wait_for(timeout=TIMEOUT_S * 1000)
        out = {"s": math.nan, "grid_s": math.nan}
        while time.perf_counter() < deadline:
            shot_start = time.perf_counter()
            drawn, green = _pixels(canvas.screenshot())
            now = time.perf_counter()
            out["shot_s"] = now - shot_start
            if drawn >= 20_000 and math.isnan(out["s"]):
                out["s"] = now - start
            if not math.isnan(out["s"]) and (kind == "deck" or green >= 20_000):
                out["grid_s"] = now - start if kind == "grids" else math.nan
                return out
            time.sleep(0.1)
        return out
    if kind == "folium":
        page.wait_for_selector(FRAME, timeout=TIMEOUT_S * 1000)
        frame = page.locator(FRAME).first.element_handle().content_frame()
        frame.wait_for_function("() => window.map && Object.keys(window.map._layers).length"
                                " > 1000", timeout=TIMEOUT_S * 1000, polling=100)
    elif kind == "button":
        page.get_by_role("button", name="生成报告").wait_for(timeout=TIMEOUT_S * 1000)
    else:
        page.locator("[data-testid='stSelectbox']", has_text="导入为图层").first.wait_for(
            timeout=TIMEOUT_S * 1000)
    return {"s": time.perf_counter() - start, "grid_s": math.nan}


def _quiet(page, traffic, quiet_s: float = 1.5, limit_s: float = 30.0) -> tuple[int, int]:
    """Wait until no bytes arrive for ``quiet_s``; return (HTTP, WebSocket) bytes."""
    last, since, end = (-1, -1), time.perf_counter(), time.perf_counter() + limit_s
    while time.perf_counter() < end:
        page.wait_for_timeout(250)
        now = (traffic.http, traffic.ws)
        if now != last:
            last, since = now, time.perf_counter()
        elif time.perf_counter() - since >= quiet_s:
            break
    return last


def _view(page, traffic, kind: str, action) -> dict:
    """Reset the counters, ``action()`` (a click), wait for the page; one measurement."""
    page.evaluate("() => document.querySelectorAll(\"[data-testid='stDeckGlJsonChart'] "
                  "canvas\").forEach(c => c.setAttribute('data-bench-old', '1'))")
    _quiet(page, traffic)
    traffic.reset()
    start = time.perf_counter()
    action()
    try:
        out = _wait_ready(page, kind, start)
    except Exception as exc:  # noqa: BLE001 — a timeout is reported as a missing figure
        print(f"  ! {kind}: {type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        out = {"s": math.nan, "grid_s": math.nan}
    out["http"], out["ws"] = _quiet(page, traffic)
    return out


def _to_overview(page, traffic, label: str, samples: dict):
    """Back to the overview; returns through the 总览 link are its warm samples."""
    if label == "汇报模式":
        _view(page, traffic, "deck", page.go_back)
    else:
        sample = _view(page, traffic, "deck",
                       lambda: page.get_by_role("link", name="总览").click())
        samples[("总览", "warm")].append(sample)


def one_run(config: Path, run: int, samples: dict):
    """A new server and browser: the overview opened, then every page twice."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server

    log = Path(tempfile.gettempdir()) / f"bench_all_pages_server_{run}.log"
    proc, url = start_server(DEMO, log, config=config)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1600, "height": 1600},
                                          locale="zh-CN")
            page = context.new_page()
            traffic = Traffic(context, page)
            samples[("总览", "first")].append(
                _view(page, traffic, "deck",
                      lambda: page.goto(url, wait_until="domcontentloaded")))
            for label, link, _, kind, _ in PAGES[1:]:
                for view in ("first", "warm"):
                    click = page.get_by_role("link", name=link)
                    if view == "first":
                        click.wait_for(timeout=TIMEOUT_S * 1000)
                    samples[(label, view)].append(_view(page, traffic, kind, click.click))
                    _to_overview(page, traffic, label, samples)
                print(f"  run {run + 1}: {label} done", file=sys.stderr)
            browser.close()
    finally:
        stop_server(proc, 30)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def _median(values) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return statistics.median(kept) if kept else math.nan


def _mark(value: float, target: float) -> str:
    return "   –" if math.isnan(value) else f"{value:5.2f}{'✓' if value <= target else '✗'}"


def _cells(picked: list[dict], key: str, target_s: float) -> list[str]:
    if not picked:
        return ["", "", "", ""]
    mb = 1e6
    http, ws = _median(r["http"] for r in picked), _median(r["ws"] for r in picked)
    total = _median(r["http"] + r["ws"] for r in picked)
    return [_mark(_median(r[key] for r in picked), target_s), f"{http / mb:.2f}",
            f"{ws / mb:.2f}", _mark(total / mb, TARGET_BYTES / mb)]


def report(build: dict, samples: dict, runs: int, loads: tuple) -> str:
    head = ["page", "build cold s", "warm s", "first s", "HTTP MB", "WS MB", "total MB",
            "warm s", "HTTP MB", "WS MB", "total MB", "target"]
    rows = []
    for label, _, _, _, target in PAGES:
        cold, warm, failed = build.get(label, (math.nan, math.nan, False))
        build_cells = [f"{cold:.2f}" + (" 异常" if failed else ""), f"{warm:.2f}"]
        rows.append([label, *build_cells,
                     *_cells(samples.get((label, "first"), []), "s", target),
                     *_cells(samples.get((label, "warm"), []), "s", target),
                     f"≤{target:g} s, ≤3 MB"])
        if label == "网格治理":
            rows.append([GRID_ROW, *build_cells,
                         *_cells(samples.get((label, "first"), []), "grid_s", TARGET_GRID_S),
                         *_cells(samples.get((label, "warm"), []), "grid_s", TARGET_GRID_S),
                         f"≤{TARGET_GRID_S:g} s, ≤3 MB"])
    widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda cells: "  ".join(_pad(c, w, right=0 < i < len(head) - 1)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    n = len(samples.get(("总览", "warm"), []))
    shot = _median(r["shot_s"] for rs in samples.values() for r in rs if "shot_s" in r)
    left = sum(widths[:3]) + 6
    out = [f"All pages on {DEMO.relative_to(ROOT)} — browser figures are medians of {runs} "
           f"run(s) (总览 warm: {n} samples); ✓ target met, ✗ missed",
           f"load average (1, 5, 15 min): start {loads[0]}, end {loads[1]}",
           f"one canvas screenshot (the deck.gl poll step) takes {shot:.2f} s (median)", "",
           " " * left + "first view".ljust(sum(widths[3:7]) + 8) + "warm view",
           line(head), line(["-" * w for w in widths])]
    return "\n".join(out + [line(r) for r in rows])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true", help="server build times only")
    args = parser.parse_args(argv)
    start_load = tuple(round(x, 2) for x in os.getloadavg())
    samples = {(label, view): [] for label, *_ in PAGES for view in ("first", "warm")}
    with tempfile.TemporaryDirectory(prefix="bench_all_pages_") as tmp:
        config = _config(Path(tmp))
        build = server_build(config)
        print("  server build done", file=sys.stderr)
        for run in range(0 if args.no_browser else args.runs):
            one_run(config, run, samples)
    end_load = tuple(round(x, 2) for x in os.getloadavg())
    print(report(build, samples, args.runs, (start_load, end_load)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
