"""The 服务阵地 page in a real headless Chromium: the walking catchments drawn by
deck.gl (the reached road in blue, units not reached in the warning orange), the
straight-line and walking figures side by side, nothing fetched from outside."""
from tests.browser.conftest import ARTIFACTS, count_pixels, go_to, metric_value, wait_painted

CANVAS = "[data-testid='stDeckGlJsonChart'] canvas"


def is_catchment_blue(r, g, b) -> bool:
    """The reached road (0, 114, 178) at alpha 235 over the light area fill."""
    return r < 70 and 95 <= g <= 150 and b >= 150


def is_warning_orange(r, g, b) -> bool:
    """A unit not reached (230, 85, 13) at alpha 240."""
    return r >= 200 and 60 <= g <= 130 and b <= 80


def test_catchment_map_is_painted_with_both_figures(server, page):
    p = page.page
    p.goto(server, wait_until="domcontentloaded")
    p.wait_for_selector("[data-testid='stMetric']", timeout=180_000)
    go_to(p, "服务阵地", "选址建议")
    canvas = p.wait_for_selector(CANVAS, timeout=120_000)
    shot = wait_painted(canvas, lambda r, g, b: is_catchment_blue(r, g, b)
                        or is_warning_orange(r, g, b), 3_000)
    (ARTIFACTS / "walk-map.png").write_bytes(shot)
    p.screenshot(path=str(ARTIFACTS / "walk.png"), full_page=True)
    assert count_pixels(shot, is_catchment_blue) >= 300, "the reached road is not drawn"
    assert count_pixels(shot, is_warning_orange) >= 300, "the units not reached are not drawn"
    assert metric_value(p, "直线 1000 米内人口覆盖率") == "51.55%"
    assert metric_value(p, "沿道路步行 15 分钟人口覆盖率") == "40.02%"
    assert p.get_by_text("沿道路步行15分钟仅覆盖40.02%", exact=False).count() == 1
    assert page.foreign_requests() == []
    assert page.errors == []
