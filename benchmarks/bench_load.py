"""Load: 30 browser sessions opening every page in waves against ONE server.

One ``streamlit run dashboard.py`` on the demo dataset ``data/demo/sanming.gpkg``
(``DASHBOARD_DATA``; data store and scenarios in a temporary folder through
``DASHBOARD_CONFIG``), started through :mod:`benchmarks.timed_server`, which
times every script run inside the server process.  ``--sessions`` browser
contexts (default 30) in one to three headless Chromium processes (Debian's),
starting ``--stagger`` seconds apart, each repeating a wave until ``--minutes``
(default 30) have passed: open ``/`` in a new tab (a new Streamlit session:
总览), then click every link of the sidebar navigation in its order (where a
page hides the sidebar, as 汇报模式 does, its link back to 总览 — else the
browser's back button — comes first).  No pause between views (``--think``
adds one): the most load the sessions can make.  The server starts cold.

The browsers stand for thirty users' own machines but share the server's CPU
here (2 cores).  Chromium (as root) raises its browser and GPU processes to
nice -8, above the server: every 2 s their threads are put back to the
benchmark's own nice value (``timed_server.even_out``), so that all compete
on equal terms.  WebGL is off unless ``--webgl``: deck.gl receives
and parses its JSON, then stops at "Failed to create WebGL context" (a page
error, not counted) instead of tessellating and drawing on the CPU (software
WebGL), which for 30 sessions took most of the CPU.

Measured:

* **server** — the duration of every script run (from the server's run log:
  the script's own execution, without the browser's share), per page script:
  runs, median, 95th percentile, maximum; the overall 95th percentile.
  Fragment reruns are a row of their own;
* **browser** — per page, seconds from the click (or the tab opened) until the
  page is ready: a script run finished after the action (its ``script_finished``
  message counted on Streamlit's WebSocket in the page), none running,
  nothing stale, the address on the page and the page's own element present
  (the deck.gl chart's element for 总览/汇报模式/网格治理 — not its painted
  canvas —, the Leaflet map in the ``streamlit_folium`` frame for
  跨村联建/分组规划, 0.6 s without a rerun asked after it appeared (st_folium
  sends its first value 250 ms after the map's events; that rerun is waited
  for), the 生成报告 button, the 导入为图层 select box, else the page's title);
* **errors** (must be 0): a run with an uncaught exception or an exception box,
  an ``st.error`` box, a view not ready within ``--timeout`` s, a view showing
  Streamlit's exception box (``stException``), a navigation lost (the app
  settled on another page than the one clicked and stayed there 5 s with no
  message arriving: "bounced").  Their messages are listed; tracebacks are in
  the server log, screenshots next to it, each with a ``.log`` of the tab's
  last WebSocket messages;
* **memory** — the server's resident set size (``psutil``, else
  ``/proc/PID/status`` VmRSS) every 10 s from the first session on: the RSS
  at 1, 5, 10, 20, 30 min and at the end, and the least-squares slope over the
  last half of the run in MB per 10 min; also its CPU time (share of a core).
  Rule: memory has levelled off when the slope's growth over that last half is
  under 5 % of the final RSS.  Runs shorter than 20 min are "indicative": one
  cannot see a level-off yet.

Pass: 0 errors and memory levelled off.  Server times include waiting for the
CPU (the browsers share it); the server's CPU use is printed to tell.

Usage::

    .venv/bin/python -m benchmarks.bench_load [--minutes 30] [--sessions 30] [--json OUT]
"""
from __future__ import annotations

import argparse
import ast
import asyncio
import contextlib
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_all_pages import _pad, _width  # noqa: E402
from benchmarks.timed_server import (SAMPLE_S, Sampler, exit_on_sigterm, read_log,  # noqa: E402
                                     start_server, stop_server)

DEMO = ROOT / "data" / "demo" / "sanming.gpkg"
LOGS = Path(tempfile.gettempdir()) / "bench_load"
DECK, FOLIUM = "[data-testid='stDeckGlJsonChart']", "iframe[title*='streamlit_folium']"
# url path -> (selector, text it must hold) of the element that says the page is there
READY = {"": (DECK, ""), "briefing": (DECK, ""), "grids": (DECK, ""),
         "joint": (FOLIUM, ""), "planning": (FOLIUM, ""),
         "report": ("[data-testid='stButton'] button", "生成报告"),
         "data": ("[data-testid='stSelectbox']", "导入为图层")}
TITLE = ("[data-testid='stMain'] h1", "")
EXIT_LINK = "[data-testid='stMain'] a[data-testid='stPageLink-NavLink'][href='']"  # to 总览
MARKS_MIN, FLAT_SHARE = (1, 5, 10, 20, 30), 0.05

from benchmarks.load_page import COUNTER_JS, READY_JS  # noqa: E402


def page_scripts() -> dict:
    """{url path: page script} from ``dashboard.py``'s PAGES (the first is at ``/``)."""
    tree = ast.parse((ROOT / "dashboard.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES":
            rows = [[getattr(e, "value", None) for e in row.elts] for row in node.value.elts]
            return {("" if i == 0 else row[3]): row[0] for i, row in enumerate(rows)}
    return {}


class Load:
    """The sessions' shared settings and what they saw (``visits``, ``titles``)."""

    def __init__(self, url: str, args, deadline: float):
        self.url, self.args, self.deadline = url, args, deadline
        self.start = time.monotonic()
        self.visits, self.titles, self.shots = [], {"": "总览"}, 0

    def over(self) -> bool:  # no new view after the deadline
        return time.monotonic() >= self.deadline

    async def view(self, page, session: int, path: str, action) -> bool:
        """``action()`` then wait for the page at ``path``; one visit recorded."""
        selector, text = READY.get(path, TITLE)
        before = await page.evaluate("() => window.__benchRuns || 0")
        start, error = time.monotonic(), ""
        try:
            await page.evaluate("p => (window.__benchLog || []).push("
                                "`${Math.round(performance.now())} ${location.pathname} go /${p}`)",
                                path)
            await action()
            handle = await page.wait_for_function(
                READY_JS, arg=[path, selector, text, before, len(self.visits)], polling=250,
                timeout=self.args.timeout * 1000)
            said = await handle.json_value()
            error = "" if said == "ready" else said
        except Exception as exc:  # noqa: BLE001 — a timeout or a lost page is an error
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
        seconds = time.monotonic() - start
        self.visits.append({"session": session, "path": path, "seconds": seconds,
                            "error": error, "at": start - self.start})
        if error:
            print(f"  ! session {session} /{path}: {error}", file=sys.stderr)
            if self.shots < 10:
                self.shots += 1
                name = f"error-{self.shots}-s{session}-{path or 'overview'}.png"
                with contextlib.suppress(Exception):  # the page may be gone
                    await page.screenshot(path=str(LOGS / name), timeout=20_000)
                with contextlib.suppress(Exception):  # the tab's last messages, for the why
                    lines = await page.evaluate("() => window.__benchLog")
                    (LOGS / name).with_suffix(".log").write_text(
                        f"{error}\nms path in/out field value  (fields: 4 new_session, "
                        "6 script_finished, 9 session_status, 11 rerun_script, 23 navigation)\n"
                        + "\n".join(lines), encoding="utf-8")
        elif self.args.think:
            await asyncio.sleep(self.args.think)  # a reader's pause, not a wait for readiness
        return not error

    async def to_overview(self, page, session: int) -> bool:
        """From a page without the sidebar (汇报模式): its link to 总览, else back."""
        exit_link = page.locator(EXIT_LINK).first
        action = (lambda: exit_link.click(timeout=self.args.timeout * 1000)) \
            if await exit_link.count() else page.go_back
        return await self.view(page, session, "", action)

    async def wave(self, context, session: int) -> None:
        """A new tab at ``/``, then every page of the sidebar in order."""
        page = await context.new_page()
        try:
            if not await self.view(page, session, "", lambda: page.goto(
                    self.url + "/", wait_until="commit", timeout=self.args.timeout * 1000)):
                return
            links = await page.eval_on_selector_all(
                "[data-testid='stSidebarNav'] a",
                "els => els.map(a => [new URL(a.href).pathname.replace(/^\\/+|\\/+$/g, ''),"
                " a.innerText.trim().split('\\n').pop()])")
            self.titles.update(dict(links))
            nav = page.locator("[data-testid='stSidebarNav']").first
            for path, _ in links[1:]:
                if self.over():
                    return
                link = page.locator(f"[data-testid='stSidebarNav'] a[href='{self.url}/{path}']")
                if not await self.view(page, session, path, lambda: link.click(
                        timeout=self.args.timeout * 1000)):
                    return
                if not (self.over() or await nav.is_visible() or await self.to_overview(
                        page, session)):
                    return
        finally:
            await page.close()

    async def session(self, browser, session: int) -> None:
        await asyncio.sleep(session * self.args.stagger)  # staggered arrivals
        while not self.over():
            context = await browser.new_context(viewport={"width": 1600, "height": 900},
                                                locale="zh-CN")
            await context.add_init_script(COUNTER_JS)
            try:
                while not self.over():
                    await self.wave(context, session)
            except Exception as exc:  # noqa: BLE001 — a tab crashed: an error, a new context
                self.visits.append({"session": session, "path": "?", "seconds": math.nan,
                                    "error": f"{type(exc).__name__}: {exc}"[:200],
                                    "at": time.monotonic() - self.start})
            finally:
                with contextlib.suppress(Exception):
                    await context.close()


async def drive(load: Load, sessions: int, browsers: int, webgl: bool) -> None:
    from playwright.async_api import async_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    # without WebGL deck.gl parses its JSON, then stops (a page error, not counted)
    args = CHROMIUM_ARGS + ([] if webgl else ["--disable-3d-apis"])
    async with async_playwright() as p:
        launched = [await p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=args) for _ in range(browsers)]
        await asyncio.gather(*(load.session(launched[i % browsers], i)
                               for i in range(sessions)))
        for browser in launched:
            await browser.close()


def pct(values, q: float) -> float:
    """The q-th percentile (inclusive method); the value itself for one value."""
    if len(values := sorted(values)) < 2:
        return values[0] if values else math.nan
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def memory_summary(samples: list) -> dict:
    """RSS at the marks and at the end, the last half's slope and the verdict."""
    if len(samples) < 3:  # a run too short to say anything
        return {"marks": {}, "flat": False, "indicative": True, **dict.fromkeys((
            "end_mb", "peak_mb", "slope_mb_per_10min", "growth_share", "cpu_share",
            "cpu_share_peak_min"), math.nan)}
    end_t = samples[-1][0]
    marks = {}
    for minute in MARKS_MIN:
        if minute * 60 <= end_t + SAMPLE_S / 2:
            marks[minute] = min(samples, key=lambda s: abs(s[0] - minute * 60))[1]
    half = [s for s in samples if s[0] >= end_t / 2]  # least squares, MB per second:
    slope = statistics.linear_regression([s[0] for s in half], [s[1] for s in half]).slope
    growth = slope * (end_t - end_t / 2)
    # the server's CPU: share of one core over the run and in its busiest minute
    per_min = [(b[2] - a[2]) / (b[0] - a[0]) for a, b in zip(samples, samples[6:])]
    return {"marks": marks, "end_mb": samples[-1][1], "peak_mb": max(s[1] for s in samples),
            "cpu_share": (samples[-1][2] - samples[0][2]) / end_t,
            "cpu_share_peak_min": max(per_min, default=math.nan),
            "slope_mb_per_10min": slope * 600, "growth_share": growth / samples[-1][1],
            "flat": growth / samples[-1][1] < FLAT_SHARE, "indicative": end_t < 20 * 60}


def summarise(runs: list, visits: list, scripts: dict, titles: dict) -> dict:
    """Per-page rows (server and browser side), errors, overall figures."""
    paths = {script: path for path, script in scripts.items()}
    rows = {}
    for run in runs:
        key = run["page"] + (" (fragment)" if run["kind"] == "fragment" else "")
        rows.setdefault(key, {"runs": [], "views": []})["runs"].append(run)
    for visit in visits:
        key = scripts.get(visit["path"], "/" + visit["path"])
        rows.setdefault(key, {"runs": [], "views": []})["views"].append(visit)
    errors = [f"server {r['page']}: {r['messages'] or r['outcome']}" for r in runs
              if r["exception"] == "yes" or r["alerts"]]
    errors += [f"browser /{v['path']}: {v['error']} (session {v['session']})"
               for v in visits if v["error"]]
    table = []
    order = list(scripts.values())  # the navigation's order, then the rest
    for key, row in sorted(rows.items(), key=lambda kv: (
            order.index(kv[0].split(" ")[0]) if kv[0].split(" ")[0] in order else len(order),
            kv[0])):
        secs = [r["seconds"] for r in row["runs"]]
        ok = [v["seconds"] for v in row["views"] if not v["error"]]
        path = paths.get(key.split(" ")[0])
        table.append({
            "page": key, "title": titles.get(path, "") if path is not None else "",
            "runs": len(secs), "p50_s": pct(secs, 50), "p95_s": pct(secs, 95),
            "max_s": max(secs, default=math.nan), "reruns": sum(
                r["outcome"] == "rerun" for r in row["runs"]),
            "views": len(row["views"]), "view_p50_s": pct(ok, 50), "view_p95_s": pct(ok, 95),
            "errors": sum(r["exception"] == "yes" or r["alerts"] > 0 for r in row["runs"])
            + sum(bool(v["error"]) for v in row["views"])})
    all_secs = [r["seconds"] for r in runs]
    return {"table": table, "runs": len(runs), "p95_s": pct(all_secs, 95),
            "p50_s": pct(all_secs, 50), "views": len(visits), "errors": len(errors),
            "error_list": errors}


def _f(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.2f}"


def report(result: dict) -> str:
    summary, memory, args = result["summary"], result["memory"], result["args"]
    head = ["page", "title", "runs", "p50 s", "p95 s", "max s", "reruns", "views", "p50 s",
            "p95 s", "errors"]
    rows = [[r["page"], r["title"], str(r["runs"]), _f(r["p50_s"]), _f(r["p95_s"]),
             _f(r["max_s"]), str(r["reruns"]), str(r["views"]), _f(r["view_p50_s"]),
             _f(r["view_p95_s"]), str(r["errors"])] for r in summary["table"]]
    widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda cells: "  ".join(_pad(c, w, i > 1)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    marks = "  ".join(f"{m} min {mb:.0f}" for m, mb in memory["marks"].items())
    start_mb = result["samples_t_rss_cpu"][0][1] if result["samples_t_rss_cpu"] else math.nan
    verdict = ("levelled off" if memory["flat"] else "STILL GROWING") + (
        " (indicative: run < 20 min)" if memory["indicative"] else "")
    out = [f"Load on {DEMO.relative_to(ROOT)}: {args['sessions']} sessions in "
           f"{args['browsers']} Chromium, {result['minutes_run']:.1f} min of waves "
           f"(stagger {args['stagger']:g} s, think {args['think']:g} s, "
           f"WebGL {'on' if args['webgl'] else 'off'})",
           f"load average (1, 5, 15 min): start {result['loads'][0]}, end {result['loads'][1]}",
           "", " " * (widths[0] + widths[1] + 4) + "server: script runs".ljust(
               sum(widths[2:7]) + 10) + "browser: action → ready",
           line(head), line(["-" * w for w in widths]),
           *[line(r) for r in rows], "",
           f"all runs: {summary['runs']}, p50 {_f(summary['p50_s'])} s, "
           f"p95 {_f(summary['p95_s'])} s; views {summary['views']}",
           f"errors: {summary['errors']}"]
    shown = {}  # the same error in several sessions: once, counted
    for err in (e.rsplit(" (session", 1)[0] for e in summary["error_list"]):
        shown[err] = shown.get(err, 0) + 1
    out += [f"  {n}× {text}" for text, n in list(shown.items())[:20]]
    out += [f"server RSS MB: start {_f(start_mb)}  {marks}  end {_f(memory['end_mb'])}  peak "
            f"{_f(memory['peak_mb'])}",
            f"last-half slope {_f(memory['slope_mb_per_10min'])} MB / 10 min = "
            f"{_f(100 * memory['growth_share'])} % growth over the last half "
            f"(levelled off: < {FLAT_SHARE:.0%}): {verdict}",
            f"server CPU: {_f(100 * memory['cpu_share'])} % of one core over the run, "
            f"{_f(100 * memory['cpu_share_peak_min'])} % in its busiest minute",
            f"PASS: {'yes' if result['pass'] else 'NO'} (0 errors and memory levelled off)",
            f"logs: {result['run_log']}, {result['server_log']}"]
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--browsers", type=int, default=0,
                        help="Chromium processes (default: one per 10 sessions, at most 3)")
    parser.add_argument("--stagger", type=float, default=2.0, help="s between session starts")
    parser.add_argument("--think", type=float, default=0.0, help="s of pause after each view")
    parser.add_argument("--timeout", type=float, default=300.0, help="s for a view to be ready")
    parser.add_argument("--webgl", action="store_true",
                        help="let the browsers draw the deck.gl maps (software WebGL)")
    parser.add_argument("--json", metavar="OUT", help="write the figures to this file")
    args = parser.parse_args(argv)
    exit_on_sigterm()
    args.browsers = args.browsers or min(3, max(1, math.ceil(args.sessions / 10)))
    LOGS.mkdir(exist_ok=True)
    for old in [*LOGS.glob("error-*.png"), *LOGS.glob("error-*.log")]:
        old.unlink()
    run_log, server_log = LOGS / "runs.tsv", LOGS / "server.log"
    run_log.write_text("", encoding="utf-8")
    start_load = tuple(round(x, 2) for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        proc, url = start_server(DEMO, Path(tmp), run_log, server_log)
        print(f"  server {url} (pid {proc.pid}); logs in {LOGS}", file=sys.stderr)
        try:
            sampler = Sampler(proc.pid)
            load = Load(url, args, time.monotonic() + 60 * args.minutes)
            sampler.sample()
            sampler.start()
            asyncio.run(drive(load, args.sessions, args.browsers, args.webgl))
            sampler.stopped.set()
            sampler.sample()
            minutes_run = (time.monotonic() - sampler.start_time) / 60
        finally:
            stop_server(proc)
    summary = summarise(read_log(run_log), load.visits, page_scripts(), load.titles)
    memory = memory_summary(sampler.samples)
    result = {"args": vars(args), "minutes_run": minutes_run, "summary": summary,
              "memory": memory, "samples_t_rss_cpu": sampler.samples, "visits": load.visits,
              "pass": summary["errors"] == 0 and memory["flat"],
              "loads": (start_load, tuple(round(x, 2) for x in os.getloadavg())),
              "run_log": str(run_log), "server_log": str(server_log),
              "threads_evened": sampler.evened}
    print(report(result))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1,
                                              default=str), encoding="utf-8")
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
