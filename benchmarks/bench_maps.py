"""First map of each deck.gl page against a one-polygon page, in one browser run.

Issue 14's page benchmark.  Two servers run side by side: the dashboard on the
demo (``streamlit run dashboard.py``, ``DASHBOARD_DATA``) and
``benchmarks/reference_page.py`` (one polygon in ``st.pydeck_chart``, nothing
else).  Both are warmed (every page opened once), then for ``--runs``
rounds each page is opened in a NEW browser context (no cache: Streamlit's
JavaScript is downloaded again, as for a new user) by Debian's headless
Chromium with software WebGL, 1600×900, and timed from navigation to the
map painted (≥ 15,000 non-white pixels in a screenshot of the canvas; polled,
so an upper bound).  The bound of a page is the reference's median in the same
run + 1 s.  Before each round the servers are left to go quiet (their CPU time
unchanged for 2 s: the dashboard's background warm-up of the other pages'
layers runs for ~10 s of CPU after the first visits and would otherwise
share the two cores with the first rounds).

Per page the breakdown (medians, seconds from navigation, from the browser's
own network timeline and a performance trace):

* ``DCL`` — DOMContentLoaded (Streamlit's HTML and entry scripts);
* ``deck msg`` — the WebSocket frame carrying the map's JSON received (the
  server's script run and the transfer are behind it); ``MB`` its size;
* ``deck.js`` — deck.gl's code (``DeckGlJsonChart``) fetched;
* ``canvas`` — the canvas element in the page;
* ``GPU`` — the GPU process's WebGL work in the load (software rendering of
  the first frames: shader compilation and drawing), ms;
* ``painted``.

Usage::

    .venv/bin/python -m benchmarks.bench_maps [--runs 5] [--data DATA.gpkg] [--no-trace]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_pages import CANVAS, _drawn  # noqa: E402
from benchmarks.timed_server import cpu_s, stop_server  # noqa: E402

DEMO = ROOT / "data" / "demo" / "sanming.gpkg"
PAGES = (("总览", ""), ("网格治理", "/grids"), ("汇报模式", "/briefing"))
PAINTED_PX = 15_000
BIG_FRAME = 100_000          # bytes: a WebSocket frame this large carries a map


def _reference_server(log: Path):
    from tests.browser.conftest import _free_port, start_logged

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_logged([sys.executable, "-m", "streamlit", "run",
                         str(ROOT / "benchmarks" / "reference_page.py"), "--server.port",
                         str(port), "--server.headless", "true",
                         "--browser.serverAddress", "127.0.0.1"], log, f"URL: {url}", cwd=ROOT)
    if proc is None:
        raise RuntimeError(f"reference page did not start; see {log}")
    return proc, url


class Timeline:
    """Network events of one page, in seconds from its first request."""

    def __init__(self, context, page):
        self.t0 = None
        self.deck_msg = self.deck_js = float("nan")
        self.deck_bytes = 0
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.on("Network.loadingFinished", self._finished)
        self.urls = {}

    def _request(self, event):
        if self.t0 is None:
            self.t0 = event["timestamp"]
        self.urls[event["requestId"]] = event["request"]["url"]

    def _frame(self, event):
        # a binary frame's payload comes base64-encoded (opcode 2): its bytes are 3/4
        response = event["response"]
        size = len(response["payloadData"])
        if response.get("opcode") == 2:
            size = size * 3 // 4
        if size >= BIG_FRAME and self.deck_bytes == 0 and self.t0 is not None:
            self.deck_msg, self.deck_bytes = event["timestamp"] - self.t0, size

    def _finished(self, event):
        url = self.urls.get(event["requestId"], "")
        if "/DeckGlJsonChart." in url and url.endswith(".js") and self.t0 is not None:
            self.deck_js = event["timestamp"] - self.t0


def wait_quiet(pids: list[int], still_s: float = 2.0, limit_s: float = 240.0) -> float:
    """Wait until the processes ``pids`` used < 0.05 s of CPU in ``still_s``; the wait, s."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit_s:
        before = sum(cpu_s(p) for p in pids)
        time.sleep(still_s)
        if sum(cpu_s(p) for p in pids) - before < 0.05:
            break
    return time.perf_counter() - start


def _gpu_ms(trace: bytes) -> float:
    events = json.loads(trace)["traceEvents"]
    return sum(e["dur"] for e in events if e.get("name") == "WebGL" and "dur" in e) / 1e3


def open_page(browser, url: str, trace: bool) -> dict:
    """One page load in a fresh context; the breakdown of :func:`main`'s table."""
    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN")
    page = context.new_page()
    timeline = Timeline(context, page)
    if trace:
        browser.start_tracing(page=page, categories=["gpu"])
    start = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    dcl = time.perf_counter() - start
    canvas = page.wait_for_selector(CANVAS, timeout=180_000)
    shown = time.perf_counter() - start
    painted = float("nan")
    while time.perf_counter() - start < 180:
        if _drawn(canvas.screenshot()) >= PAINTED_PX:
            painted = time.perf_counter() - start
            break
        time.sleep(0.05)
    gpu = _gpu_ms(browser.stop_tracing()) if trace else float("nan")
    context.close()
    return {"dcl": dcl, "deck_msg": timeline.deck_msg, "mb": timeline.deck_bytes / 1e6,
            "deck_js": timeline.deck_js, "canvas": shown, "gpu": gpu, "painted": painted}


def measure(data: Path, runs: int, trace: bool) -> dict:
    """``{page label: [breakdown per run]}``, the reference under ``参考页``."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server

    logs = Path(os.environ.get("TMPDIR", "/tmp"))
    proc, url = start_server(data, logs / "bench_maps_server.log")
    ref_proc, ref_url = _reference_server(logs / "bench_maps_reference.log")
    targets = [("参考页", ref_url)] + [(label, url + path) for label, path in PAGES]
    samples = {label: [] for label, _ in targets}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=CHROMIUM_ARGS)
            for _, target in targets:                          # warm both servers
                open_page(browser, target, trace=False)
            for _ in range(runs):
                wait_quiet([proc.pid, ref_proc.pid])
                for label, target in targets:
                    samples[label].append(open_page(browser, target, trace))
            browser.close()
    finally:
        for server in (proc, ref_proc):
            stop_server(server, 30)
    return samples


def report(samples: dict) -> str:
    def med(rows, key):
        values = [r[key] for r in rows if r[key] == r[key]]
        return statistics.median(values) if values else float("nan")

    bound = med(samples["参考页"], "painted") + 1.0
    lines = ["deck.gl pages, first map in a new browser (seconds from navigation; medians)",
             f"bound = one-polygon page + 1 s = {bound:.2f} s", "",
             "page       DCL  deck msg    MB  deck.js  canvas   GPU ms  painted   bound"]
    for label, rows in samples.items():
        ok = "" if label == "参考页" else ("ok" if med(rows, "painted") <= bound else "MISSED")
        pad = " " * (8 - 2 * len(label))
        lines.append(f"{label}{pad} {med(rows, 'dcl'):5.2f} {med(rows, 'deck_msg'):9.2f} "
                     f"{med(rows, 'mb'):5.2f} {med(rows, 'deck_js'):8.2f} "
                     f"{med(rows, 'canvas'):7.2f} {med(rows, 'gpu'):8.0f} "
                     f"{med(rows, 'painted'):8.2f}   {ok}")
    lines.append("")
    lines.append("painted, every run: " + "; ".join(
        f"{label} " + " ".join(f"{r['painted']:.2f}" for r in rows)
        for label, rows in samples.items()))
    load = os.getloadavg()
    lines.append(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEMO)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-trace", action="store_true",
                        help="no performance trace (no GPU column; a little less overhead)")
    args = parser.parse_args(argv)
    print(report(measure(args.data, args.runs, not args.no_trace)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
