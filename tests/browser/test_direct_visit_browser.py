"""A bookmarked page opened first on a freshly started server still runs inside
the frame: the shared sidebar is there, and so are the page's query parameters."""
from tests.browser.conftest import ARTIFACTS, recorded_page, start_server
from tests.conftest import DEMO


def test_first_visit_to_a_page_url_gets_the_frame(browser):
    proc, url = start_server(DEMO, ARTIFACTS / "streamlit-direct-server.log")
    try:
        with recorded_page(browser) as recorded:
            page = recorded.page
            page.goto(url + "/joint", wait_until="domcontentloaded")
            page.get_by_text("联村党组织一览").first.wait_for(timeout=120_000)
            sidebar = page.locator("[data-testid='stSidebar']")
            assert sidebar.locator("[data-testid='stSelectbox']").count() == 3
            assert page.url.rstrip("/").endswith("/joint")
            page.goto(url + "/briefing?theme=light", wait_until="domcontentloaded")
            page.get_by_text("联村覆盖率").first.wait_for(timeout=120_000)
            assert "theme=light" in page.url
            assert recorded.foreign_requests() == []
    finally:
        proc.terminate()
        proc.wait(timeout=20)
