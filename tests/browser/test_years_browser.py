"""汇报模式's year slider and 播放 in a real Chromium: moving the slider changes the
big numbers and the date of the data; 播放 moves the year on by itself; 停止 stops."""
import re

from tests.browser.conftest import ARTIFACTS, recorded_page
from tests.browser.test_overview_browser import painted_canvas

DATE = re.compile(r"数据截至 (\d{4}) 年")


def _orgs(page) -> str:
    """The big number under 联村党组织数."""
    panel = page.locator(".bn-panel", has_text="联村党组织数").first
    return panel.locator(".bn-value").inner_text()


def _year(page) -> int:
    return int(DATE.search(page.locator(".bn-sub").first.inner_text()).group(1))


def _wait_year(page, test, timeout_s: float = 60) -> None:
    """Wait until the header's 数据截至 year satisfies ``test`` (a JS expression on y)."""
    page.wait_for_function(
        "() => { const m = /数据截至 (\\d{4}) 年/.exec("
        "document.querySelector('.bn-sub')?.innerText || ''); "
        f"if (!m) return false; const y = Number(m[1]); return {test}; }}",
        timeout=timeout_s * 1000)


def test_slider_changes_the_figures_and_play_advances_the_year(server, browser):
    with recorded_page(browser, 1920, 1080) as recorded:
        page = recorded.page
        page.goto(f"{server}/briefing", wait_until="domcontentloaded")
        page.wait_for_selector(".bn-value", timeout=60_000)
        painted_canvas(page)
        recorded.settle()
        assert _year(page) == 2023 and _orgs(page) == "223 个"

        thumb = page.get_by_role("slider").first
        thumb.focus()
        for expected in (2022, 2021, 2020, 2019, 2018):  # one year per key press
            page.keyboard.press("ArrowLeft")
            _wait_year(page, f"y === {expected}")
        recorded.settle()
        assert _orgs(page) == "30 个"          # 30 organisations founded in 2018
        page.screenshot(path=str(ARTIFACTS / "briefing-2018.png"))

        page.get_by_role("button", name="播放").click()
        _wait_year(page, "y >= 2020")           # two steps on, 2.5 s apart
        assert _orgs(page) != "30 个"
        page.get_by_role("button", name="停止").click()
        page.get_by_role("button", name="播放").wait_for(timeout=60_000)
        recorded.settle()
        stopped = _year(page)
        assert 2020 <= stopped <= 2023
        assert page.get_by_role("slider").first.get_attribute("aria-valuetext") in (
            f"{stopped} 年", None)
        assert recorded.foreign_requests() == []
