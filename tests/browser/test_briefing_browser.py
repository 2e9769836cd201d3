"""Briefing mode in a real Chromium: no sidebar or chrome, big numbers, the map."""
import pytest

from tests.browser.conftest import ARTIFACTS, recorded_page
from tests.browser.test_overview_browser import painted_canvas


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_briefing_hides_sidebar_and_draws_map(server, browser, theme):
    with recorded_page(browser, 1920, 1080) as page:
        _check_briefing(server, page, theme)


def _check_briefing(server, page, theme):
    page.page.goto(f"{server}/briefing?theme={theme}", wait_until="domcontentloaded")
    page.page.wait_for_selector(".bn-value", timeout=60_000)
    painted_canvas(page.page)
    assert not page.page.is_visible("[data-testid='stSidebar']")
    assert not page.page.is_visible("header[data-testid='stHeader']")
    values = page.page.locator(".bn-value").all_inner_texts()
    assert "50.23%" in values and len(values) == 6
    assert "示例数据" in page.page.inner_text(".bn-badge")
    page.page.screenshot(path=str(ARTIFACTS / f"briefing-{theme}.png"))
    assert page.foreign_requests() == []
