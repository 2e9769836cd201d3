"""A briefing sequence (汇报序列) played in 汇报模式 in a real Chromium: → and ←
(and a click on a panel) move between two views; and the briefing screen and a
slide at 1920×1080, a 4K 3840×2160 and an ultra-wide 拼接屏 6656×1792: no
horizontal overflow, the title and the big numbers sized to the screen's height
(never to an ultra-wide width), the content no wider than 2.4 × the height.
Screenshots of each size are kept in test-artifacts/."""
import io
import time

import numpy as np
import pytest
from PIL import Image

from geo.sequence_store import SequenceStore, View
from tests.browser.conftest import ARTIFACTS, recorded_page, start_server
from tests.browser.test_overview_browser import painted_canvas
from tests.conftest import DEMO

NAME = "县委汇报"
FIRST, SECOND = "永安市 · 总览", "全市 · 排名（联村覆盖率）"
SCREENS = [(1920, 1080), (3840, 2160), (6656, 1792)]
FRAMED = 0.6  # the least share of the map's width or height the city spans


@pytest.fixture(scope="module")
def seq_server(tmp_path_factory):
    """A server on the demo with a data folder of its own holding a two-view sequence."""
    folder = tmp_path_factory.mktemp("sequence")
    config = folder / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{folder / "var"}"\n',
                      encoding="utf-8")
    store = SequenceStore(folder / "var")
    store.add_view(NAME, View("overview", "350481"), create=True)
    store.add_view(NAME, View("rankings", theme="light"))
    ARTIFACTS.mkdir(exist_ok=True)
    proc, url = start_server(DEMO, ARTIFACTS / "streamlit-sequence-server.log", config=config)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def city_span(png: bytes) -> float:
    """How much of the map's canvas the city spans: the larger of the shares of its width
    and of its height that the drawn villages reach from edge to edge."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    grey = (abs(r - g) < 14) & (abs(g - b) < 22) & (100 < r) & (r < 232)
    red = (r > 120) & (g < 60) & (b < 90)
    rows, cols = np.nonzero(grey | red)
    if not len(rows):
        return 0.0
    height, width = rgb.shape[:2]
    return max((cols.max() - cols.min()) / width, (rows.max() - rows.min()) / height)


def wait_framed(canvas, least: float, timeout_s: float = 120.0) -> float:
    """Screenshots of the map until the city spans ``least`` of it (the browser has
    measured the screen and the map was framed for it); the last span."""
    deadline = time.monotonic() + timeout_s
    while True:
        span = city_span(canvas.screenshot())
        if span >= least or time.monotonic() > deadline:
            return span


def _wait_slide(page, n: int, title: str) -> None:
    """Wait until the counter says slide ``n`` and the title is ``title``."""
    page.wait_for_function(
        "([n, title]) => (document.querySelector('.seq-counter')?.innerText || '')"
        ".startsWith(`第 ${n} / 2 页`) && document.querySelector('.bn-title')?.innerText === title",
        arg=[n, title], timeout=120_000)


def test_the_keys_and_a_click_move_between_the_views(seq_server, browser):
    with recorded_page(browser, 1920, 1080) as recorded:
        page = recorded.page
        page.goto(f"{seq_server}/briefing?seq={NAME}", wait_until="domcontentloaded")
        _wait_slide(page, 1, FIRST)
        painted_canvas(page)
        recorded.settle()
        assert page.locator(".bn-value").first.inner_text() == "56.00%"  # 永安市's coverage
        assert "示例数据" in page.inner_text(".bn-badge")

        page.keyboard.press("ArrowRight")
        _wait_slide(page, 2, SECOND)
        recorded.settle()
        assert "尚有" in page.inner_text(".seq-said")       # who misses the target
        assert page.get_by_role("button", name="下一页").is_disabled()
        assert "slide=2" in page.url
        page.screenshot(path=str(ARTIFACTS / "sequence-slide-2.png"))

        page.keyboard.press("ArrowLeft")
        _wait_slide(page, 1, FIRST)
        recorded.settle()
        page.locator(".seq-takeaway").click()                # a click on a panel: next
        _wait_slide(page, 2, SECOND)
        recorded.settle()
        page.get_by_role("button", name="上一页").click()
        _wait_slide(page, 1, FIRST)
        recorded.settle()
        page.get_by_role("button", name="结束播放").click()
        page.get_by_role("button", name="播放", exact=True).wait_for(timeout=120_000)
        assert "seq=" not in page.url
        assert recorded.foreign_requests() == [] and recorded.errors == []


MEASURE = """() => {
  const size = s => { const e = document.querySelector(s);
                      return e ? parseFloat(getComputedStyle(e).fontSize) : null; };
  const main = document.querySelector("[data-testid='stMain']");
  const block = document.querySelector("[data-testid='stMainBlockContainer']");
  const map = document.querySelector("[data-testid='stDeckGlJsonChart']").getBoundingClientRect();
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth,
          innerHeight: innerHeight, mainScroll: main.scrollWidth, mainWidth: main.clientWidth,
          block: block.getBoundingClientRect().width, mapLeft: map.left, mapRight: map.right,
          title: size(".bn-title"), value: size(".bn-value"), label: size(".bn-label")};
}"""


@pytest.mark.parametrize("width, height", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
@pytest.mark.parametrize("what", ["briefing", "slide"])
def test_screens_show_the_layout_unstretched(seq_server, browser, width, height, what):
    with recorded_page(browser, width, height) as recorded:
        page = recorded.page
        address = f"/briefing?seq={NAME}" if what == "slide" else "/briefing"
        page.goto(seq_server + address, wait_until="domcontentloaded")
        if what == "slide":
            _wait_slide(page, 1, FIRST)
        page.wait_for_selector(".bn-value", timeout=120_000)
        canvas = painted_canvas(page)
        # framed for this screen (ui/screen.py): the city fills its map at every size
        # (before: at 4K it spanned about 0.37 of the map, half its 1080p size)
        span = wait_framed(canvas, FRAMED)
        assert span >= FRAMED, f"the city spans {span:.2f} of the map at {width}×{height}"
        recorded.settle()
        page.screenshot(path=str(ARTIFACTS / f"sequence-{what}-{width}x{height}.png"))
        m = page.evaluate(MEASURE)
        assert m["scrollWidth"] <= m["innerWidth"], m          # no horizontal overflow
        assert m["mainScroll"] <= m["mainWidth"], m
        assert 0 <= m["mapLeft"] and m["mapRight"] <= width, m
        assert m["block"] <= 2.4 * height + 1, m              # never stretched sideways
        # sizes follow the screen's height: 16 px a rem at 1080 px, 32 at 2160
        rem = min(max(16, 0.0148 * min(width, height)), 40)
        assert m["title"] == pytest.approx(2.4 * rem, rel=0.02), m
        assert m["value"] == pytest.approx(2.6 * rem, rel=0.02), m
        assert 0.03 <= m["title"] / height <= 0.045 and 0.03 <= m["value"] / height <= 0.045, m
        assert m["label"] >= 16, m
        assert recorded.foreign_requests() == []
