"""数据管理 with AppTest: versions, the stated upload limit, templates."""
import pytest

from geo.settings import load_settings
from geo.store import DataStore
from tests.conftest import DEMO
from tests.pages.conftest import data_page_app


@pytest.fixture
def store_app(monkeypatch, tmp_path):
    """The app without DASHBOARD_DATA, its data folder empty: the demo is shown."""
    return data_page_app(monkeypatch, tmp_path, DEMO)


def test_data_page_states_the_limit_and_offers_templates(store_app):
    run, _ = store_app
    at = run()
    assert not at.exception
    assert any("内置示例数据" in i.value for i in at.info)
    limit = load_settings().upload_limit_mb
    assert any(f"单个文件不超过 {limit} MB" in c.value for c in at.caption)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["下载 GeoPackage 模板", "下载 Excel 模板"]


def test_data_page_lists_versions_and_switches_back(store_app):
    run, folder = store_app
    store = DataStore(folder)
    first = store.add_version(DEMO, "第一版", "a.gpkg")
    store.add_version(DEMO, "第二版", "b.gpkg")
    at = run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["版本"]) == ["v0002", "v0001"]
    assert list(table["正在使用"]) == [True, False]
    at.selectbox(key="data_version_pick").set_value(first.id).run()
    at.button(key="data_switch").click().run()
    assert DataStore(folder).current().id == "v0001"
    assert any("已切换到数据版本 v0001" in s.value for s in at.success)


def test_a_damaged_store_is_reported_not_raised(store_app):
    run, folder = store_app
    DataStore(folder).add_version(DEMO, "第一版", "a.gpkg")
    (folder / "datasets" / "manifest.json").write_text("{坏", encoding="utf-8")
    at = run()
    assert not at.exception
    assert "manifest" in at.error[0].value or "数据仓库" in at.error[0].value, at.error[0].value


def test_an_old_version_can_be_deleted_not_the_current_one(store_app):
    run, folder = store_app
    store = DataStore(folder)
    first = store.add_version(DEMO, "第一版", "a.gpkg")
    store.add_version(DEMO, "第二版", "b.gpkg")
    at = run()
    assert at.button(key="data_delete").disabled  # the current version is picked
    at.selectbox(key="data_version_pick").set_value(first.id).run()
    at.button(key="data_delete").click().run()
    assert not at.exception
    assert [v.id for v in DataStore(folder).versions()] == ["v0002"]
    assert any("已删除数据版本 v0001" in s.value for s in at.success)
