"""汇报模式's playback (播放) in headless Chromium: how often a new year is shown and
how soon its map follows (issue 15).

The dashboard runs on the demo (1,934 villages, 2018–2023); Debian's headless
Chromium with software WebGL opens ``/briefing`` at 1920×1080, moves the year
slider to the first year, and presses 播放: every ``PLAY_SECONDS`` (2.5 s) the
screen fragment moves one year on.  For every step the benchmark records, in
the browser's own clock:

* ``year`` — when the header's 数据截至 year changed (a MutationObserver);
* ``map`` — when the map's canvas showed the new year (polled screenshots of
  the canvas until they differ from the last year's: an upper bound, ~0.1 s);

and prints per step the interval since the previous year, the map's lag behind
its year, and for the whole playback the frame rate (years a minute) against
the target one year every 2–3 s.  ``--rounds`` plays the years that many times
(the first round computes each year; later ones are cached on the server).

Usage::

    .venv/bin/python -m benchmarks.bench_playback [--rounds 2] [--data DATA.gpkg]
"""
from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.timed_server import stop_server  # noqa: E402

DEMO = ROOT / "data" / "demo" / "sanming.gpkg"
CANVAS = "[data-testid='stDeckGlJsonChart'] canvas"
WATCH_YEAR = """() => {
  window.__years = [];
  const read = () => {
    const m = /数据截至 (\\d{4}) 年/.exec(document.querySelector('.bn-sub')?.innerText || '');
    const y = m ? Number(m[1]) : null;
    const last = window.__years[window.__years.length - 1];
    if (y !== null && (!last || last.year !== y))
      window.__years.push({year: y, t: performance.now()});
  };
  new MutationObserver(read).observe(document.body, {subtree: true, childList: true,
                                                     characterData: true});
  read();
}"""


def _shot_hash(canvas) -> str:
    return hashlib.sha1(canvas.screenshot()).hexdigest()


def play(page, years: list[int], rounds: int, seconds: float) -> list[dict]:
    """Steps of ``rounds`` playbacks from the first year: ``{year, t_year, t_map}`` (ms;
    ``t_map`` None when the map looked the same as the last year's for ``seconds``)."""
    steps = []
    canvas = page.locator(CANVAS).first
    for _ in range(rounds):
        slider = page.get_by_role("slider").first
        slider.focus()
        page.keyboard.press("Home")  # the first year
        page.wait_for_function(f"() => /数据截至 {years[0]} 年/.test("
                               "document.querySelector('.bn-sub')?.innerText || '')",
                               timeout=120_000)
        time.sleep(1.0)  # the map of the first year drawn (benchmark only, not a test)
        page.evaluate(WATCH_YEAR)
        last_map = _shot_hash(canvas)
        page.get_by_role("button", name="播放").click()
        for year in years[1:]:
            page.wait_for_function(
                f"() => window.__years.some(s => s.year === {year})", timeout=120_000)
            t_year = page.evaluate(f"window.__years.find(s => s.year === {year}).t")
            # until the map changes, or the next step is due (a year whose map looks
            # like the last one's — 2022 and 2023 of the demo — has nothing to wait for)
            deadline = time.monotonic() + seconds
            while (now := _shot_hash(canvas)) == last_map and time.monotonic() < deadline:
                pass
            changed = now != last_map
            t_map = page.evaluate("performance.now()") if changed else None
            last_map = now
            steps.append({"year": year, "t_year": t_year, "t_map": t_map})
        page.get_by_role("button", name="播放").wait_for(timeout=120_000)  # stopped at the end
    return steps


def report(steps: list[dict], seconds: float) -> None:
    print(f"{'year':>6}{'interval s':>12}{'map lag s':>11}")
    intervals = []
    for before, step in zip([None, *steps], steps):
        gap = (step["t_year"] - before["t_year"]) / 1000 if before and \
            step["year"] > before["year"] else None
        if gap is not None:
            intervals.append(gap)
        lag = "same map" if step["t_map"] is None else \
            f"{(step['t_map'] - step['t_year']) / 1000:.2f}"
        print(f"{step['year']:>6}{'' if gap is None else f'{gap:.2f}':>12}{lag:>11}")
    lags = [(s["t_map"] - s["t_year"]) / 1000 for s in steps if s["t_map"] is not None]
    if intervals:
        print(f"\nyear steps: {len(steps)}; interval median {statistics.median(intervals):.2f} s,"
              f" max {max(intervals):.2f} s (set: {seconds} s, target 2–3 s); "
              f"{60 / statistics.median(intervals):.1f} years a minute")
    print(f"map after its year: median {statistics.median(lags):.2f} s, max {max(lags):.2f} s "
          "(screenshot polling, an upper bound)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data", default=str(DEMO))
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from analysis.as_of import as_of_years
    from geo.dataset import load_dataset
    from tests.browser.conftest import ARTIFACTS, start_server
    from ui.years import PLAY_SECONDS

    years = list(as_of_years(load_dataset(args.data)))
    ARTIFACTS.mkdir(exist_ok=True)
    proc, url = start_server(args.data, ARTIFACTS / "bench-playback-server.log")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--enable-unsafe-swiftshader"])
            page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
            page.goto(f"{url}/briefing", wait_until="domcontentloaded")
            page.wait_for_selector(CANVAS, timeout=120_000)
            page.wait_for_selector(".bn-value", timeout=120_000)
            steps = play(page, years, args.rounds, PLAY_SECONDS)
            browser.close()
    finally:
        stop_server(proc, 30)
    print(f"汇报模式 playback, {len(years)} years ({years[0]}–{years[-1]}), "
          f"{args.rounds} round(s), 1920×1080, headless Chromium (software WebGL)")
    report(steps, PLAY_SECONDS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
