"""The 网格治理 page in a real headless Chromium: the city's unit grids drawn by
deck.gl, nothing fetched from outside the machine, a click that drills down."""
import pytest

from tests.browser.conftest import ARTIFACTS, click_deck_map, count_pixels, recorded_page
from tests.browser.conftest import wait_painted as wait_pixels

GREEN = (93, 183, 121)        # compliant fill (49, 163, 84) at alpha 200 over white
L4_LABEL = "四级网格（单元网格）数"


def is_green(r, g, b, tolerance: int = 14) -> bool:
    """The compliant-grid colour."""
    return all(abs(c - want) <= tolerance for c, want in zip((r, g, b), GREEN))


def green_pixels(png: bytes) -> int:
    return count_pixels(png, is_green)


def open_grids(page, url: str):
    """Load the app, follow the navigation link to 网格治理, return the map canvas."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stMetric']", timeout=180_000)
    page.get_by_role("link", name="网格治理").click()
    page.wait_for_selector("text=片区未建网格党支部", timeout=180_000)  # the map's legend
    return page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas", timeout=60_000)


def wait_painted(canvas, minimum: int = 20_000, timeout_s: float = 60.0) -> bytes:
    """Screenshots of the canvas until deck.gl has drawn the grids."""
    return wait_pixels(canvas, is_green, minimum, timeout_s)


def l4_count(page) -> str:
    metric = page.locator("[data-testid='stMetric']", has_text=L4_LABEL).first
    return metric.locator("[data-testid='stMetricValue']").inner_text()


@pytest.fixture
def tall_page(browser):
    """A viewport tall enough to hold the whole map, so that it can be clicked."""
    with recorded_page(browser, height=1600) as recorded:
        yield recorded


def test_city_grid_map_is_drawn_offline(server, page):
    canvas = open_grids(page.page, server)
    shot = wait_painted(canvas)
    (ARTIFACTS / "grids-map.png").write_bytes(shot)
    page.page.screenshot(path=str(ARTIFACTS / "grids.png"), full_page=True)
    assert green_pixels(shot) >= 20_000, "the compliant unit grids are not drawn"
    assert l4_count(page.page) == "11,738 个"
    assert page.foreign_requests() == []
    assert page.errors == []


def chosen(page) -> list[str]:
    """The codes shown by the village, 片区 and unit-grid selectboxes ("" for 全部)."""
    main = page.get_by_test_id("stMainBlockContainer")
    values = [main.get_by_role("combobox", name=label).input_value()
              for label in ("村（社区）", "片区（三级网格）", "单元网格（四级网格）")]
    return [v.split()[-1] if " " in v else "" for v in values]


def test_clicking_the_map_drills_down(server, tall_page):
    """City map: a click on the compliant grids of a village selects the
    village; on the village's map a click on a unit grid selects it."""
    page = tall_page.page
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    open_grids(page, server)
    wait_painted(canvas)
    click_deck_map(tall_page, canvas, steady_px=0)
    page.wait_for_function(
        "label => Array.from(document.querySelectorAll('[data-testid=stMetric]'))"
        ".some(e => e.innerText.includes(label) && !e.innerText.includes('11,738'))",
        arg=L4_LABEL, timeout=120_000)
    village, _, _ = chosen(page)
    assert village.isdigit() and len(village) == 12
    wait_painted(canvas, minimum=5_000)
    click_deck_map(tall_page, canvas, steady_px=0)
    page.wait_for_function(
        "label => Array.from(document.querySelectorAll('[data-testid=stMetric]'))"
        ".some(e => e.innerText.includes(label) && e.innerText.trim().endsWith('\\n1 个'))",
        arg=L4_LABEL, timeout=120_000)
    picked_village, l3, unit = chosen(page)
    assert picked_village == village and l3.startswith(village) and unit.startswith(l3)
    shot = wait_painted(page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas"),
                        minimum=5_000)
    (ARTIFACTS / "grids-click-map.png").write_bytes(shot)
    page.screenshot(path=str(ARTIFACTS / "grids-click.png"), full_page=True)
    assert tall_page.foreign_requests() == []
    assert tall_page.errors == []
