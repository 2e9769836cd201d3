"""Time the 网格治理 page with the city-wide unit-grid layer, server and browser.

Server (Python, in this process, on the dataset): the cold resources
(dataset load, compliance, tree, integrity, display layers), the build of the
city-wide deck and its JSON, and the JSON payload in bytes.

Browser (a real ``streamlit run`` from :func:`tests.browser.conftest.start_server`
and Debian's headless Chromium with software WebGL): seconds from navigation to
the deck canvas painted (20,000 non-white pixels in a screenshot of the
canvas; screenshots are polled, so this is an upper bound) and
the bytes transferred (HTTP bodies as encoded on the wire, plus WebSocket
frames received), in three views:

* ``first view``  — fresh server and browser, from a click on the navigation
  link on the overview page: the server computes everything;
* ``new browser`` — server caches warm, a new browser context opens the page's
  URL: Streamlit's own JavaScript is downloaded again;
* ``reload``      — the same context reloads: the browser cache holds the
  JavaScript, so the transfer is the page's data;
* ``overview reload`` — the overview page (1,934 villages, pydeck's default
  serialisation) reloaded in the same way: the baseline measured in the same
  run, since absolute times drift on a shared machine (PERFORMANCE.md).

Targets (PERFORMANCE.md): city-wide grid layer drawn in ≤ 3 s and ≤ 3 MB per
page view.

Usage::

    .venv/bin/python -m benchmarks.bench_pages [--data DATA.gpkg] [--runs 3]
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.timed_server import stop_server  # noqa: E402

CANVAS = "[data-testid='stDeckGlJsonChart'] canvas"
TARGET_S, TARGET_BYTES = 3.0, 3_000_000


def _timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start


def server_side(path: str) -> dict:
    """Cold resources, deck build and payload of the city-wide grid map (seconds, bytes)."""
    from analysis.grid_checks import grid_compliance, grid_integrity
    from analysis.grid_tree import grid_tree
    from geo.dataset import load_dataset
    from maps.grids import build_grid_deck, grid_display_layers

    data, load_s = _timed(load_dataset, path)
    compliance, compliance_s = _timed(grid_compliance, data.grids)
    tree, tree_s = _timed(grid_tree, data.villages, data.grids)
    integrity, integrity_s = _timed(grid_integrity, data.villages, data.grids)
    display, display_s = _timed(grid_display_layers, data.villages, data.grids, tree,
                                compliance, integrity)
    deck, deck_s = _timed(build_grid_deck, display)
    payload = deck.to_json().encode("utf-8")
    deflated = zlib.compressobj(6, zlib.DEFLATED, -15)          # as permessage-deflate does
    deflate_bytes = len(deflated.compress(payload) + deflated.flush())
    layers = {layer["id"]: len(json.dumps(layer, separators=(",", ":"),
                                          ensure_ascii=False).encode())
              for layer in json.loads(payload)["layers"]}
    return {"load_s": load_s, "compliance_s": compliance_s, "tree_s": tree_s,
            "integrity_s": integrity_s, "display_s": display_s, "deck_s": deck_s,
            "payload_bytes": len(payload), "deflate_bytes": deflate_bytes, "layer_bytes": layers,
            "features": int(sum(len(f) for f in display.values()))}


def _drawn(png: bytes) -> int:
    """Pixels that are not (near) white: deck.gl has drawn something there."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("L")
    return sum(1 for value in img.get_flattened_data() if value < 235)


class Traffic:
    """Bytes received by one page: HTTP bodies as sent, WebSocket frames."""

    def __init__(self, context, page):
        self.http = self.ws = 0
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameReceived", self._frame)

    def _finished(self, event):
        self.http += int(event.get("encodedDataLength", 0))

    def _frame(self, event):
        data = event["response"]["payloadData"]        # base64 for binary frames (opcode 2)
        self.ws += len(data) * 3 // 4 if event["response"].get("opcode") == 2 else len(data)

    def reset(self):
        self.http = self.ws = 0


def _painted_after(page, start: float, timeout_s: float = 180.0) -> float:
    canvas = page.wait_for_selector(CANVAS, timeout=timeout_s * 1000)
    while time.perf_counter() - start < timeout_s:
        if _drawn(canvas.screenshot()) >= 20_000:
            return time.perf_counter() - start
        time.sleep(0.1)
    return float("nan")


def browser_side(path: str, runs: int) -> list[dict]:
    """The three views of the page (see the module notes)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server

    rows = []
    log = Path(tempfile.gettempdir()) / "bench_pages_server.log"
    proc, url = start_server(path, log)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=CHROMIUM_ARGS)
            viewport = {"width": 1600, "height": 1600}
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            traffic = Traffic(context, page)
            page.goto(url, wait_until="domcontentloaded")
            page.wait_for_selector(CANVAS, timeout=180_000)      # the overview, fully loaded
            page.wait_for_timeout(3000)
            traffic.reset()
            start = time.perf_counter()
            page.get_by_role("link", name="网格治理").click()
            page.wait_for_selector("text=片区未建网格党支部", timeout=300_000)
            rows.append({"view": "first view", "paint_s": _painted_after(page, start),
                         "http": traffic.http, "ws": traffic.ws})
            context.close()
            for run in range(runs):
                context = browser.new_context(viewport=viewport, locale="zh-CN")
                page = context.new_page()
                traffic = Traffic(context, page)
                start = time.perf_counter()
                page.goto(url + "/grids", wait_until="domcontentloaded")
                rows.append({"view": "new browser", "paint_s": _painted_after(page, start),
                             "http": traffic.http, "ws": traffic.ws})
                page.wait_for_timeout(1000)
                traffic.reset()
                start = time.perf_counter()
                page.reload(wait_until="domcontentloaded")
                rows.append({"view": "reload", "paint_s": _painted_after(page, start),
                             "http": traffic.http, "ws": traffic.ws})
                page.goto(url, wait_until="domcontentloaded")     # the baseline
                page.wait_for_selector(CANVAS, timeout=180_000)
                page.wait_for_timeout(3000)
                traffic.reset()
                start = time.perf_counter()
                page.reload(wait_until="domcontentloaded")
                rows.append({"view": "overview reload", "paint_s": _painted_after(page, start),
                             "http": traffic.http, "ws": traffic.ws})
                context.close()
            browser.close()
    finally:
        stop_server(proc, 30)
    return rows


def report(server: dict, rows: list[dict]) -> str:
    mb = 1e6
    lines = ["网格治理 page, city-wide unit grids", "",
             "server (Python)                      seconds",
             f"  load dataset                       {server['load_s']:7.2f}",
             f"  grid_compliance                    {server['compliance_s']:7.2f}",
             f"  grid_tree                          {server['tree_s']:7.2f}",
             f"  grid_integrity                     {server['integrity_s']:7.2f}",
             f"  display layers (simplify, dissolve){server['display_s']:7.2f}",
             f"  build deck + JSON (city-wide)      {server['deck_s']:7.2f}",
             f"  deck JSON payload                  {server['payload_bytes'] / mb:7.2f} MB"
             f"  ({server['features']:,} features)"]
    lines += [f"    {name:<32} {size / mb:7.3f} MB" for name, size in server["layer_bytes"].items()]
    lines += [f"  the same deflated                  {server['deflate_bytes'] / mb:7.2f} MB"
              "  (server.enableWebsocketCompression would send about this)"]
    lines += ["", "browser (headless Chromium, software WebGL)",
              "  view          paint s   HTTP MB   WebSocket MB   total MB   target"]
    for view in ("first view", "new browser", "reload", "overview reload"):
        picked = [r for r in rows if r["view"] == view]
        if not picked:
            continue
        paint = statistics.median(r["paint_s"] for r in picked)
        http = statistics.median(r["http"] for r in picked)
        ws = statistics.median(r["ws"] for r in picked)
        ok = "ok" if paint <= TARGET_S and http + ws <= TARGET_BYTES else "MISSED"
        lines.append(f"  {view:<15} {paint:5.2f} {http / mb:9.2f} {ws / mb:12.2f} "
                     f"{(http + ws) / mb:10.2f}   {ok}  (median of {len(picked)})")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data" / "demo" / "sanming.gpkg"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    server = server_side(args.data)
    rows = [] if args.no_browser else browser_side(args.data, args.runs)
    print(report(server, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
