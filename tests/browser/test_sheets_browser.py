"""Sheets as people keep them (SPEC §5) in a real headless Chromium: a wide income sheet
naming its villages by township and name, in 元, is uploaded on 数据管理; the one name
that matches no village (上平村, a slip for 上坪村) is fixed with its selectbox; the
import is confirmed and the overview shows the figure of the canonical long sheet."""
import pytest

from tests.browser.conftest import ARTIFACTS, go_to, metric_value, recorded_page, start_server
from tests.geo.ingest.sheet_fixtures import own_dataset, wide_rows, xlsx

INCOME = "village_income（村集体经营性收入）"
SLIP = "清溪镇 上平村"
MEANT = "上坪村（350999101201，清溪镇）"


@pytest.fixture(scope="module")
def sheets_server(tmp_path_factory):
    """The dashboard on 松岭县 (its demo, no income yet) with an empty data folder."""
    ARTIFACTS.mkdir(exist_ok=True)
    folder = tmp_path_factory.mktemp("sheets")
    config = folder / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{own_dataset(folder / "demo")}"\n'
                      f'folder = "{folder / "var"}"\n', encoding="utf-8")
    proc, url = start_server(None, ARTIFACTS / "streamlit-sheets-server.log", config=config)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def wide_sheet(tmp_path_factory):
    rows = wide_rows(by_name=True, in_yuan=True)
    rows[1][1] = "上平村"
    return xlsx(tmp_path_factory.mktemp("upload"), "村集体收入（元）.xlsx", {"收入": rows})


def _pick(recorded, label, option):
    """Choose ``option`` in the selectbox labelled ``label``; wait for the run it starts."""
    page = recorded.page
    runs = recorded.runs
    box = page.locator("[data-testid='stSelectbox']", has_text=label).first
    box.click()
    page.keyboard.type(option[:3])
    page.get_by_role("option", name=option).first.click()
    recorded.wait_for_run(runs)


def test_a_wide_sheet_with_one_name_fixed_on_the_page(sheets_server, browser, wide_sheet):
    with recorded_page(browser, height=1600) as recorded:
        page = recorded.page
        page.goto(sheets_server, wait_until="domcontentloaded")
        page.wait_for_selector("[data-testid='stMetric']", timeout=120_000)
        assert metric_value(page, "低收入村数") == "—"  # no income yet
        go_to(page, "数据管理", "导入为图层")
        recorded.settle()
        _pick(recorded, "导入为图层", INCOME)
        page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(
            str(wide_sheet))
        page.get_by_text("村名对应").first.wait_for(timeout=60_000)
        recorded.settle()
        main = page.inner_text("main")
        assert "乡镇“清溪镇”中没有与“上平村”对应的村（社区）" in main
        assert "校验结果：0 个错误，" in main  # income: a warning, the row would be left out

        _pick(recorded, SLIP, MEANT)
        page.get_by_text("collective_income：元→万元").first.wait_for(timeout=60_000)
        recorded.settle()
        main = page.inner_text("main")
        assert "没有与“上平村”对应" not in main
        assert "village_code：按乡镇和村名匹配" in main
        box = page.locator("[data-testid='stSelectbox']", has_text=SLIP).first
        assert box.locator("input").input_value() == MEANT or MEANT in box.inner_text()
        page.screenshot(path=str(ARTIFACTS / "sheets-name-fixed.png"), full_page=True)

        page.get_by_role("button", name="确认导入，生成新数据版本").click()
        page.get_by_text("已导入并切换到数据版本 v0001").wait_for(timeout=60_000)
        recorded.settle()
        go_to(page, "总览", "联村覆盖率")
        page.locator("[data-testid='stMetric']", has_text="低收入村数").first.wait_for()
        recorded.settle()
        assert metric_value(page, "低收入村数") == "1 个"  # 杏花村: 44,000 元 = 4.4 万元 < 10
        assert recorded.foreign_requests() == []
        assert recorded.errors == []
