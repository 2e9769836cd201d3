"""报告导出 in a real headless Chromium: build one county's report and download
the zip through the page (Word, Excel and the PNG maps inside)."""
import io
import zipfile

from tests.browser.conftest import ARTIFACTS, recorded_page


def test_report_is_built_and_downloaded(server, browser):
    with recorded_page(browser, height=1200) as recorded:
        page = recorded.page
        page.goto(server, wait_until="domcontentloaded")
        page.wait_for_selector("[data-testid='stMetric']", timeout=120_000)
        page.get_by_role("link", name="报告导出").click()
        box = page.locator("[data-testid='stSelectbox']", has_text="范围").first
        box.wait_for(timeout=120_000)
        box.click()
        runs = recorded.runs
        page.get_by_role("option", name="永安市").click()
        recorded.wait_for_run(runs)
        page.get_by_role("button", name="生成报告").click()
        button = page.get_by_role("button", name="全部文件（ZIP）")
        button.wait_for(timeout=180_000)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        with page.expect_download(timeout=60_000) as info:
            button.click()
        names = zipfile.ZipFile(io.BytesIO(open(info.value.path(), "rb").read())).namelist()
        assert any(n.endswith(".docx") for n in names)
        assert any(n.endswith(".xlsx") for n in names)
        assert sum(n.endswith(".png") for n in names) >= 5
        assert recorded.foreign_requests() == []
        assert recorded.errors == []
