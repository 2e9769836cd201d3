"""数据管理 with AppTest, sheets as people keep them (SPEC §5): a wide income sheet by
township and name in 元, one name settled with its selectbox (remembered for the next
upload), the preview as read; boundaries and attributes as two uploads."""
import json

import pytest

from geo.dataset import load_dataset
from geo.store import DataStore
from tests.geo.ingest.fixtures import xlsx_bytes
from tests.geo.ingest.sheet_fixtures import (VILLAGES, long_income, own_dataset, own_villages,
                                             wide_rows)
from tests.pages.conftest import data_page_app

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def sheets_app(monkeypatch, tmp_path):
    """The app on 松岭县 (as its demo; no income yet) with an empty data folder."""
    return data_page_app(monkeypatch, tmp_path, own_dataset(tmp_path / "demo"))


def _slipped_sheet() -> bytes:
    """The income by 乡镇 + 村名 in 元, one row per village; 上坪村 written 上平村."""
    rows = wide_rows(by_name=True, in_yuan=True)
    rows[1][1] = "上平村"
    return xlsx_bytes({"收入": rows})


def _name_boxes(at):
    return [b for b in at.selectbox if (b.key or "").startswith("data_village_")]


def _table(at, column):
    """The dataframe shown with ``column`` (AppTest does not expose a dataframe's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _report(at):
    return _table(at, "级别")


def test_a_wide_sheet_by_name_in_yuan_with_one_name_settled(sheets_app):
    run, folder = sheets_app
    at = run()
    at.selectbox(key="data_layer").set_value("village_income").run()
    at.file_uploader(key="data_upload_0").set_value(("收入.xlsx", _slipped_sheet(), XLSX)).run()
    assert not at.exception
    report = _report(at)
    assert ("2019年（元）、2020年（元）、2021年（元）按元读入，已换算为万元（17 个值除以 10000）"
            in set(report["说明"]))
    assert "说明" in set(report["级别"])
    (box,) = _name_boxes(at)
    assert box.label == "“清溪镇 上平村”（第 1 行）" and box.value is None
    assert box.options[1] == "上坪村（350999101201，清溪镇）"  # the closest first
    assert any("没有与“上平村”对应" in c.value for c in at.caption)
    assert any("校验结果：0 个错误" in s.value for s in at.success)  # a warning only

    box.set_value("350999101201").run()
    assert not at.exception
    assert _name_boxes(at)[0].value == "350999101201"
    assert not [m for m in _report(at)["说明"] if "上平村" in m]
    preview = _table(at, "year（取自年份列）")
    assert list(preview.columns) == ["乡镇（街道）", "村名", "year（取自年份列）",
                                     "collective_income（元→万元、去分隔符）",
                                     "village_code（按乡镇和村名匹配）"]
    assert preview.iloc[0].tolist() == ["清溪镇", "上平村", 2019, 26.61, "350999101201"]
    at.button(key="data_confirm").click().run()
    assert not at.exception
    store = DataStore(folder)
    income = load_dataset(store.path_of(store.current().id)).village_income
    assert sorted(zip(income["village_code"], income["year"], income["collective_income"])) == (
        sorted(map(tuple, long_income().values.tolist())))
    remembered = json.loads((folder / "village_names.json").read_text(encoding="utf-8"))
    assert remembered == {"names": {"清溪镇/上平村": "350999101201"}}

    at.selectbox(key="data_layer").set_value("village_income").run()
    at.file_uploader(key="data_upload_1").set_value(("收入.xlsx", _slipped_sheet(), XLSX)).run()
    assert any("已自动套用上次确认的村名对应（1 个）" in c.value for c in at.caption)
    assert _name_boxes(at)[0].value == "350999101201"


def test_boundaries_and_attributes_as_two_uploads(sheets_app, tmp_path):
    run, folder = sheets_app
    bounds = tmp_path / "村界.geojson"
    own_villages()[["village_code", "geometry"]].to_file(bounds, driver="GeoJSON",
                                                        engine="pyogrio")
    rows = [["村代码", "村名", "乡镇代码", "乡镇", "县代码", "县", "类型", "户数", "人口"]]
    rows += [[code, name, town_code, town, "350999", "松岭县",
              {"village": "行政村", "community": "社区"}[kind], f"{households:,}户", population]
             for code, name, (town_code, town), kind, households, population, _ in VILLAGES[1:]]
    at = run()
    at.toggle(key="data_two_files").set_value(True).run()
    at.file_uploader(key="data_upload_0").set_value(
        ("村界.geojson", bounds.read_bytes(), "application/geo+json")).run()
    assert any("请再选择村属性表" in c.value for c in at.caption)
    at.file_uploader(key="data_attr_upload_0").set_value(
        ("村属性.xlsx", xlsx_bytes({"属性": rows}), XLSX)).run()
    assert not at.exception
    report = _report(at)
    assert ("边界文件第 1 行（350999101201）在属性表中没有对应的行，缺少该村的属性"
            in set(report["说明"]))
    assert at.button(key="data_confirm").disabled
    assert any("属性表：Excel（.xlsx），工作表 属性，7 行" in c.value for c in at.caption)

    rows.insert(1, ["350999101201", "上坪村", "350999101", "清溪镇", "350999", "松岭县", "行政村",
                    "320户", 960])
    at.file_uploader(key="data_attr_upload_0").set_value(
        ("村属性.xlsx", xlsx_bytes({"属性": rows}), XLSX)).run()
    assert not at.exception
    assert any("校验结果：0 个错误" in s.value for s in at.success)
    at.button(key="data_confirm").click().run()
    store = DataStore(folder)
    villages = load_dataset(store.path_of(store.current().id)).villages
    assert villages["households"].tolist() == [v[4] for v in VILLAGES]
    assert villages["name"].tolist() == [v[1] for v in VILLAGES]
