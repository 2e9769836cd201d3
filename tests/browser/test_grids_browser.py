"""The 网格治理 page in a real headless Chromium: the city's unit grids drawn by
deck.gl, nothing fetched from outside the machine, a click that drills down."""
import io
import time

import pytest
from PIL import Image

from tests.browser.conftest import ARTIFACTS, recorded_page

GREEN = (93, 183, 121)        # compliant fill (49, 163, 84) at alpha 200 over white
L4_LABEL = "四级网格（单元网格）数"


def green_pixels(png: bytes, tolerance: int = 14) -> int:
    """Pixels of the compliant-grid colour."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for px in img.get_flattened_data()
               if all(abs(c - g) <= tolerance for c, g in zip(px, GREEN)))


def open_grids(page, url: str):
    """Load the app, follow the navigation link to 网格治理, return the map canvas."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stMetric']", timeout=180_000)
    page.get_by_role("link", name="网格治理").click()
    page.wait_for_selector("text=片区未建网格党支部", timeout=180_000)  # the map's legend
    return page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas", timeout=60_000)


def wait_painted(canvas, minimum: int = 20_000, timeout_s: float = 60.0) -> bytes:
    """Screenshots of the canvas until deck.gl has drawn the grids."""
    deadline = time.monotonic() + timeout_s
    while True:
        shot = canvas.screenshot()
        if green_pixels(shot) >= minimum or time.monotonic() > deadline:
            return shot
        time.sleep(0.25)


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


def click_center(page, canvas) -> None:
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for step in range(3):  # hover first: deck.gl picks on pointer moves
        page.mouse.move(x + step, y + step)
        page.wait_for_timeout(300)
    page.mouse.click(x + 2, y + 2)


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
    wait_painted(open_grids(page, server))
    click_center(page, page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas"))
    page.wait_for_function(
        "label => Array.from(document.querySelectorAll('[data-testid=stMetric]'))"
        ".some(e => e.innerText.includes(label) && !e.innerText.includes('11,738'))",
        arg=L4_LABEL, timeout=120_000)
    village, _, _ = chosen(page)
    assert village.isdigit() and len(village) == 12
    canvas = page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas")
    wait_painted(canvas, minimum=5_000)
    click_center(page, canvas)
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
