"""数据管理 in a real headless Chromium: a GBK shapefile of villages without
.prj or .cpg and an income sheet with Chinese headers are imported through the
page, validated, confirmed, used by the other pages, and rolled back.  A
village named like an HTML injection is shown as text and runs nothing."""
import io

import openpyxl
import pytest

from geo.dataset import load_dataset
from tests.browser.conftest import ARTIFACTS, empty_store_server, go_to, metric_value, recorded_page
from tests.conftest import DEMO
from tests.geo.ingest.fixtures import write_shapefile, zip_shapefile

COUNTY = "350481"  # 永安市
XSS = '<img src=x onerror="window.__xss=1">'
COLUMNS = {"village_code": "村代码", "name": "村名", "township_code": "乡镇代码",
           "township": "乡镇", "county_code": "县代码", "county": "县", "kind": "类型",
           "households": "户数", "population": "人口"}


@pytest.fixture(scope="module")
def uploads(tmp_path_factory):
    """永安市's villages as a zipped GBK shapefile (no .prj, no .cpg) and their
    2019–2021 income as an XLSX with Chinese headers."""
    folder = tmp_path_factory.mktemp("uploads")
    data = load_dataset(DEMO)
    villages = data.villages[data.villages["county_code"] == COUNTY].reset_index(drop=True)
    frame = villages[[*COLUMNS, "geometry"]].rename(columns=COLUMNS)
    frame["类型"] = frame["类型"].map({"village": "行政村", "community": "社区"})
    frame.loc[0, "村名"] = XSS
    shp = write_shapefile(folder / "shp", frame, name="永安村界", encoding="GBK", cpg=False,
                          prj=False)
    archive = zip_shapefile(shp, folder / "永安村界.zip")
    income = data.village_income
    income = income[income["village_code"].isin(set(villages["village_code"]))
                     & income["year"].between(2019, 2021)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "村集体收入"
    sheet.append(["村代码", "年份", "集体经营性收入"])
    for row in income.itertuples(index=False):
        sheet.append([str(row.village_code), int(row.year), float(row.collective_income)])
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = folder / "永安收入.xlsx"
    xlsx.write_bytes(buffer.getvalue())
    return {"zip": archive, "xlsx": xlsx, "villages": len(villages)}


@pytest.fixture(scope="module")
def store_server(tmp_path_factory):
    """The demo with an empty data folder of its own."""
    with empty_store_server(tmp_path_factory, "data") as url:
        yield url


def _pick(page, label, option):
    """Choose ``option`` in the Streamlit selectbox labelled ``label``."""
    box = page.locator("[data-testid='stSelectbox']", has_text=label).first
    box.click()
    page.keyboard.type(option[:12])
    page.get_by_role("option", name=option).first.click()


def _upload(recorded, path, layer_option=None):
    """Choose the layer (when another is chosen: then wait for the run that choice
    starts, or the file would go to an uploader about to be redrawn), upload."""
    page = recorded.page
    box = page.locator("[data-testid='stSelectbox']", has_text="导入为图层").first
    if layer_option and box.locator("input").input_value() != layer_option:
        runs = recorded.runs
        _pick(page, "导入为图层", layer_option)
        recorded.wait_for_run(runs)
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(path))


def test_import_confirm_use_and_roll_back(store_server, browser, uploads):
    with recorded_page(browser, height=1400) as recorded:
        page = recorded.page
        page.goto(store_server, wait_until="domcontentloaded")
        page.wait_for_selector("[data-testid='stMetric']", timeout=120_000)
        go_to(page, "数据管理", "导入为图层")
        assert "内置示例数据" in page.inner_text("main")

        _upload(recorded, uploads["zip"])
        page.get_by_text("文件没有声明坐标系").wait_for(timeout=60_000)
        text = page.inner_text("main")
        assert "GB18030（自动识别）" in text or "GBK（自动识别）" in text
        _pick(page, "坐标系（文件未声明时必选）", "EPSG:4490 CGCS2000 经纬度（国家标准）")
        page.get_by_text("校验结果：0 个错误").wait_for(timeout=60_000)
        recorded.settle()
        page.screenshot(path=str(ARTIFACTS / "data-validated.png"), full_page=True)
        page.get_by_role("button", name="确认导入，生成新数据版本").click()
        page.get_by_text("已导入并切换到数据版本 v0001").wait_for(timeout=60_000)
        recorded.settle()

        _upload(recorded, uploads["xlsx"], "village_income（村集体经营性收入）")
        page.get_by_text("Excel（.xlsx）").first.wait_for(timeout=60_000)
        recorded.settle()
        page.get_by_text("校验结果：0 个错误").wait_for(timeout=60_000)
        page.get_by_role("button", name="确认导入，生成新数据版本").click()
        page.get_by_text("已导入并切换到数据版本 v0002").wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "data-versions.png"), full_page=True)

        go_to(page, "总览", "联村覆盖率")
        assert "示例数据" not in page.inner_text("main")
        assert metric_value(page, "低收入村数") == "0 个"  # 永安 2021: 清零
        go_to(page, "跨村联建", "联村党组织数")
        page.wait_for_selector("iframe[title*='streamlit_folium']", timeout=60_000)
        for link, ready in (("网格治理", "网格治理"), ("分组规划", "联建村人口覆盖率"),
                            ("报告导出", "报告导出"), ("汇报模式", "联村覆盖率")):
            runs = recorded.runs
            go_to(page, link, ready)  # every page works on the imported data
            recorded.wait_for_run(runs)
            assert not page.query_selector("[data-testid='stException']"), link
        assert page.evaluate("() => window.__xss") is None
        page.goto(store_server, wait_until="domcontentloaded")
        page.wait_for_selector("[data-testid='stMetric']", timeout=120_000)

        go_to(page, "数据管理", "导入为图层")
        _pick(page, "选择数据版本", "v0001")
        page.get_by_role("button", name="切换到该版本").click()
        page.get_by_text("已切换到数据版本 v0001").wait_for(timeout=60_000)
        go_to(page, "总览", "联村覆盖率")
        assert metric_value(page, "低收入村数") == "—"  # no income table in v0001
        assert recorded.foreign_requests() == []
        assert recorded.errors == []


def test_unknown_columns_are_mapped_once_and_remembered(store_server, browser, tmp_path):
    """An income CSV with headers no alias knows: the user maps them, confirms, and
    the next upload with the same headers is mapped by itself."""
    data = load_dataset(DEMO)
    codes = data.villages.loc[data.villages["county_code"] == COUNTY, "village_code"][:3]
    csv = tmp_path / "收入表.csv"
    rows = [f"{c},{year},{20.5 + i}" for i, c in enumerate(codes) for year in (2020, 2021)]
    csv.write_bytes(("编码,统计年,经营收入\n" + "\n".join(rows) + "\n").encode("gbk"))
    with recorded_page(browser, height=1400) as recorded:
        page = recorded.page
        page.goto(store_server, wait_until="domcontentloaded")
        page.wait_for_selector("[data-testid='stMetric']", timeout=120_000)
        go_to(page, "数据管理", "导入为图层")
        _upload(recorded, csv, "village_income（村集体经营性收入）")
        page.get_by_text("字段对应").first.wait_for(timeout=60_000)
        recorded.settle()
        for field, column in (("village_code（村代码）", "编码"), ("year（年份）", "统计年"),
                              ("collective_income（集体经营性收入（万元））", "经营收入")):
            runs = recorded.runs
            _pick(page, field, column)
            recorded.wait_for_run(runs)
        page.get_by_text("校验结果：0 个错误").wait_for(timeout=60_000)
        page.get_by_role("button", name="确认导入，生成新数据版本").click()
        page.get_by_text("已导入并切换到数据版本").first.wait_for(timeout=60_000)
        recorded.settle()
        _upload(recorded, csv, "village_income（村集体经营性收入）")
        page.get_by_text("已自动套用上次为同样列名确认的字段对应").wait_for(timeout=60_000)
        recorded.settle()
        assert "校验结果：0 个错误" in page.inner_text("main")
        assert recorded.foreign_requests() == []
