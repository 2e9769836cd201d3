"""The overview page in a real headless Chromium: map drawn, nothing fetched
from outside the machine, figures shown, clicks that drill down."""
from tests.browser.conftest import (ARTIFACTS, click_deck_map, count_pixels, recorded_page,
                                   wait_painted)

CANVAS = "[data-testid='stDeckGlJsonChart'] canvas"


def is_joint_red(r, g, b):
    """The joint-village colour (200, 16, 46), on white or on the dark theme."""
    return r > 180 and g < 120 and b < 130


def is_village(r, g, b):
    """A village's fill: joint red, or the grey of the others (on white or dark)."""
    grey = abs(r - g) < 14 and abs(g - b) < 22 and 100 < r < 232
    return is_joint_red(r, g, b) or grey


def click_map(recorded) -> str:
    """Click the drawn overview map (:func:`click_deck_map`); the tooltip's name."""
    return click_deck_map(recorded, painted_canvas(recorded.page)).removeprefix("领建村：")


def painted_canvas(page, minimum=2000):
    """The map's canvas once deck.gl has drawn villages on it."""
    page.wait_for_selector(CANVAS, timeout=120_000)
    canvas = page.locator(CANVAS).first
    shot = wait_painted(canvas, is_village, minimum, timeout_s=120)
    assert count_pixels(shot, is_village) >= minimum, "the map was not drawn"
    return canvas


def _open(page, url):
    page.page.goto(url, wait_until="domcontentloaded")
    page.page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
    canvas = painted_canvas(page.page)
    wait_painted(canvas, is_joint_red, 2000)
    return canvas


def test_overview_draws_the_map_offline(server, page):
    canvas = _open(page, server)
    shot = canvas.screenshot()
    (ARTIFACTS / "overview-map.png").write_bytes(shot)
    page.page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
    assert count_pixels(shot, is_joint_red) > 2000, "joint villages are not drawn on the map"
    assert page.foreign_requests() == []
    assert page.errors == []


def test_overview_shows_the_city_figures(server, page):
    _open(page, server)
    text = page.page.inner_text("main")
    assert "联村覆盖率" in text and "50.23%" in text
    assert "示例数据" in text


def test_sidebar_drill_down_changes_the_page(server, page):
    _open(page, server)
    sidebar = page.page.locator("[data-testid='stSidebar']")
    sidebar.locator("[data-testid='stSelectbox']").first.click()
    page.page.get_by_role("option", name="永安市").click()
    page.page.wait_for_selector("h1:has-text('永安市')", timeout=30_000)
    # 永安市's unit grids replace the city's once the rerun has finished
    page.page.get_by_text("1,775 个").wait_for(timeout=30_000)
    assert "11,738 个" not in page.page.inner_text("main")
    page.page.screenshot(path=str(ARTIFACTS / "overview-county.png"), full_page=True)
    assert page.foreign_requests() == []


# The briefing's title has ``n`` parts split by "·" (and shows 全市 or not).
TITLE_IS = """([n, city]) => { \
const t = (document.querySelector('.bn-title') || {}).innerText || '';
  return t.split('·').length == n && t.includes('全市') == city; }"""


def heading_parts(page, selector="h1") -> list[str]:
    return [part.strip() for part in page.inner_text(selector).split("·")]


def test_clicks_drill_down_to_a_village_on_a_slow_machine(server, browser):
    """City → county → township → village by clicking the map, with the page's
    CPU slowed four times (software WebGL on a slow or busy machine).

    deck.gl counts a press as a click only when the pointer comes up within
    250 ms; a stroked click layer kept the main thread ~100 ms per pick, so
    at 4× every click was lost.  Then 返回上一级 goes back up one level.
    """
    with recorded_page(browser, height=1400, throttle=4) as page:
        p = page.page
        p.goto(server, wait_until="domcontentloaded")
        p.wait_for_selector("[data-testid='stMetric']", timeout=120_000)
        click_map(page)
        p.wait_for_function("() => !document.querySelector('h1').innerText.includes('全市')",
                            timeout=120_000)
        click_map(page)
        p.wait_for_function("() => document.querySelector('h1').innerText.split('·').length == 3",
                            timeout=120_000)
        _, county, town = heading_parts(p)
        village = click_map(page).removeprefix("领建村：")
        p.get_by_text(f"所选村（社区）：{village}").wait_for(timeout=120_000)
        shown = p.eval_on_selector_all(
            "[data-testid='stSidebar'] [data-testid='stSelectbox']",
            "boxes => boxes.map(b => (b.querySelector('input') || {}).value || b.innerText)")
        for name in (county, town, village):
            assert any(name in value for value in shown), (name, shown)
        p.screenshot(path=str(ARTIFACTS / "overview-clicked.png"), full_page=True)
        p.get_by_role("button", name="返回上一级").click()
        p.get_by_text("所选村（社区）：").wait_for(state="detached", timeout=120_000)
        assert heading_parts(p)[1:] == [county, town]
        assert page.foreign_requests() == []
        assert page.errors == []


def test_briefing_clicks_drill_down_without_the_sidebar(server, browser):
    """The briefing screen (no sidebar): a click on the map opens a county, then a
    township, then a village; 返回上一级 goes back."""
    with recorded_page(browser, 1920, 1080) as page:
        p = page.page
        p.goto(f"{server}/briefing?theme=dark", wait_until="domcontentloaded")
        p.wait_for_selector(".bn-value", timeout=120_000)
        click_map(page)
        p.wait_for_function(TITLE_IS, arg=[2, False], timeout=120_000)
        click_map(page)
        p.wait_for_function(TITLE_IS, arg=[3, False], timeout=120_000)
        village = click_map(page).removeprefix("领建村：")
        p.wait_for_function(TITLE_IS, arg=[4, False], timeout=120_000)
        assert heading_parts(p, ".bn-title")[-1] == village
        assert f"所选村（社区）：{village}" in p.inner_text("main")
        p.screenshot(path=str(ARTIFACTS / "briefing-clicked.png"))
        for level, city in ((3, False), (2, False), (2, True)):
            p.get_by_role("button", name="返回上一级").click()
            p.wait_for_function(TITLE_IS, arg=[level, city], timeout=120_000)
        p.get_by_role("button", name="返回上一级").wait_for(state="detached", timeout=60_000)
        assert page.foreign_requests() == []
        assert page.errors == []
