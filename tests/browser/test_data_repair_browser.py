"""数据管理 in a real headless Chromium repairs the dataset in use (issue 11).

``DASHBOARD_DATA`` names a GeoPackage holding every layer of the tiny
dataset (``tests.geo.conftest``) but ``villages``: it is invalid, the pages
refuse it.  The villages are uploaded on 数据管理 as layer 村（社区）; the
report says the import repairs the dataset, the confirmed version holds every
layer, and the page says that ``DASHBOARD_DATA`` still wins over the store
(SPEC §6), so the new version is not what the pages show.
"""
import pyogrio
import pytest

from analysis.kpis import compute_kpis
from analysis.params import Params
from geo.dataset import load_dataset, read_dataset
from geo.store import DataStore
from tests.browser.conftest import ARTIFACTS, recorded_page, start_server
from tests.conftest import DEMO
from tests.geo.conftest import tiny_layers, write_gpkg
from tests.geo.ingest.fixtures import digest

CONFIRM = "确认导入，生成新数据版本"


@pytest.fixture(scope="module")
def incomplete(tmp_path_factory):
    """DATA.gpkg without villages, the villages as GeoJSON, an empty data folder and a server."""
    folder = tmp_path_factory.mktemp("repair")
    layers = tiny_layers()
    villages = layers.pop("villages")
    data = write_gpkg(folder / "DATA.gpkg", layers)
    upload = folder / "村界.geojson"
    villages.to_file(upload, driver="GeoJSON", engine="pyogrio")
    partial = folder / "三个村.geojson"
    villages.iloc[[0, 2, 3]].to_file(partial, driver="GeoJSON", engine="pyogrio")
    config = folder / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{folder / "var"}"\n', encoding="utf-8")
    proc, url = start_server(data, ARTIFACTS / "streamlit-data-repair-server.log", config=config)
    yield {"url": url, "data": data, "upload": upload, "partial": partial, "store": folder / "var",
           "digest": digest(data)}
    proc.terminate()
    proc.wait(timeout=20)


def _upload(recorded, path, report: str) -> None:
    """Upload ``path`` and wait until its validation report (``report``) is shown."""
    runs = recorded.runs
    recorded.page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(
        str(path))
    recorded.wait_for_run(runs)
    recorded.page.get_by_text(report).wait_for(timeout=60_000)
    recorded.settle()


def test_importing_the_missing_villages_repairs_the_dataset_in_use(incomplete, browser):
    assert read_dataset(incomplete["data"])[0] is None  # refused before the import
    with recorded_page(browser, height=1400) as recorded:
        page = recorded.page
        page.goto(incomplete["url"], wait_until="domcontentloaded")
        page.get_by_text("数据集无法使用").first.wait_for(timeout=120_000)
        recorded.settle()
        page.get_by_role("link", name="数据管理").click()
        page.get_by_text("导入为图层").first.wait_for(timeout=120_000)
        recorded.settle()
        main = page.inner_text("main")
        assert f"环境变量 DASHBOARD_DATA 指定了数据集 {incomplete['data']}" in main
        layer = page.get_by_role("combobox", name="导入为图层")
        assert layer.input_value() == "villages（村（社区））"  # the layer 村（社区）, the default
        _upload(recorded, incomplete["upload"], "校验结果：0 个错误")
        main = page.inner_text("main")
        assert "正在使用的数据集本身有 3 个错误，本次导入全部修复" in main
        assert "其他图层保留" in main
        confirm = page.get_by_role("button", name=CONFIRM)
        assert confirm.is_enabled()
        page.screenshot(path=str(ARTIFACTS / "data-repair-validated.png"), full_page=True)

        confirm.click()
        page.get_by_text("已导入为数据版本 v0001，"
                         "并设为数据仓库的当前版本").wait_for(timeout=60_000)
        recorded.settle()
        warning = page.locator("[data-testid='stAlert']", has_text="数据版本 v0001 不会显示").first
        text = warning.inner_text()
        assert f"环境变量 DASHBOARD_DATA 指定的数据集 {incomplete['data']} 优先于数据仓库" in text
        assert "请取消 DASHBOARD_DATA" in text
        # not claimed: the pages do not show it
        assert "已导入并切换到" not in page.inner_text("main")
        page.screenshot(path=str(ARTIFACTS / "data-repair-confirmed.png"), full_page=True)

        # the next import is still planned on DASHBOARD_DATA's file: villages
        # without 二村 leave its member row dangling, and the page says so
        _upload(recorded, incomplete["partial"], "校验结果：2 个错误")
        assert ("正在使用的数据集本身有 3 个错误：本次导入修复其中 2 个，仍有 1 个未修复"
                in page.inner_text("main"))
        assert page.get_by_role("button", name=CONFIRM).is_disabled()
        assert recorded.foreign_requests() == []
        assert recorded.errors == []

    store = DataStore(incomplete["store"])
    version = store.current()
    assert version.id == "v0001"
    path = store.path_of(version.id)
    assert str(path) in text
    assert sorted(str(name) for name, _ in pyogrio.list_layers(path)) == sorted(tiny_layers())
    repaired = load_dataset(path)
    assert (repaired.villages["village_code"].tolist()
            == tiny_layers()["villages"]["village_code"].tolist())
    figures = compute_kpis(repaired, Params())
    assert (figures["joint_villages"], figures["grid_l4"]) == (2, 1)
    assert figures["joint_coverage"] == pytest.approx(2 / 3)
    assert digest(incomplete["data"]) == incomplete["digest"]  # DASHBOARD_DATA's file is untouched
