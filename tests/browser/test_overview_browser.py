"""The overview page in a real headless Chromium: map drawn, nothing fetched
from outside the machine, figures shown."""
import io

from PIL import Image

from tests.browser.conftest import ARTIFACTS


def _open(page, url):
    page.page.goto(url, wait_until="domcontentloaded")
    page.page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
    canvas = page.page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas",
                                         timeout=60_000)
    page.page.wait_for_timeout(1500)  # let deck.gl paint its first frame
    return canvas


def _red_pixels(png: bytes) -> int:
    """Pixels of the joint-village colour (200, 16, 46) blended on white."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for r, g, b in img.get_flattened_data() if r > 180 and g < 120 and b < 130)


def test_overview_draws_the_map_offline(server, page):
    canvas = _open(page, server)
    shot = canvas.screenshot()
    (ARTIFACTS / "overview-map.png").write_bytes(shot)
    page.page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
    assert _red_pixels(shot) > 2000, "joint villages are not drawn on the map"
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


def _click_centre(page, canvas):
    """Hover (deck.gl picks on hover first, and shows the area's name), then click."""
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_selector(".deck-tooltip", state="visible", timeout=30_000)
    page.mouse.click(x, y)


def test_clicking_the_map_drills_down(server, browser):
    """A click on a county of the city map selects it; a click in the county's map
    selects a township (the sidebar follows)."""
    from tests.browser.conftest import recorded_page

    with recorded_page(browser, height=1400) as page:
        _click_centre(page.page, _open(page, server))
        page.page.wait_for_function(
            "() => !document.querySelector('h1').innerText.includes('全市')", timeout=60_000)
        title = page.page.inner_text("h1")
        page.page.wait_for_timeout(2500)
        _click_centre(page.page, page.page.wait_for_selector(
            "[data-testid='stDeckGlJsonChart'] canvas"))
        page.page.wait_for_function(
            "t => document.querySelector('h1') && document.querySelector('h1').innerText.split('·').length > 2",
            timeout=60_000)
        county, town = page.page.inner_text("h1").split("·")[1:3]
        shown = page.page.eval_on_selector_all(
            "[data-testid='stSidebar'] [data-testid='stSelectbox']",
            "boxes => boxes.map(b => (b.querySelector('input') || {}).value || b.innerText)")
        assert any(county.strip() in v for v in shown), shown
        assert any(town.strip() in v for v in shown), shown
        page.page.screenshot(path=str(ARTIFACTS / "overview-clicked.png"), full_page=True)
        assert page.foreign_requests() == []
