"""Boundaries from one file, attributes from another (geo.ingest.attributes): joined on the
code or on township + name into one villages layer, unmatched rows on both sides reported."""
import pandas as pd
import pytest

from analysis.kpis import compute_kpis
from analysis.params import Params
from geo.dataset import load_dataset
from geo.ingest.attributes import read_with_attributes
from geo.ingest.plan import import_into, plan_import
from geo.ingest.read import ImportOptions
from geo.problems import Problem
from tests.geo.conftest import write_gpkg
from tests.geo.ingest.fixtures import write_shapefile, zip_shapefile
from tests.geo.ingest.sheet_fixtures import (VILLAGES, long_income, own_layers, own_villages,
                                             xlsx)

ATTRIBUTE_HEADERS = ["村代码", "乡镇（街道）", "村名", "乡镇代码", "县代码", "区县", "类型", "户数",
                     "人口", "星级"]
KIND = {"village": "行政村", "community": "社区"}


def _attribute_rows(names=None, codes=True, drop=()):
    """The attributes of 松岭县 as a sheet; ``names``:村名 as written, by row."""
    rows = [ATTRIBUTE_HEADERS if codes else ATTRIBUTE_HEADERS[1:]]
    for i, (code, name, (town_code, town), kind, households, population, star) in enumerate(
            VILLAGES):
        if i in drop:
            continue
        cells = [town, (names or {}).get(i, name), town_code, "350999", "松岭县", KIND[kind],
                 f"{households:,}户", population, "无星" if star == 0 else star]
        rows.append([code, *cells] if codes else cells)
    return rows


def _boundaries(tmp_path, columns, name="村界.geojson"):
    path = tmp_path / name
    own_villages()[[*columns, "geometry"]].to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def _messages(result, code):
    return [p.message for p in result.problems if p.code == code]


def test_joined_on_the_code(tmp_path):
    bounds = _boundaries(tmp_path, ["village_code"])
    sheet = xlsx(tmp_path, "属性.xlsx", {"村属性": _attribute_rows()})
    result = read_with_attributes(bounds, sheet)
    assert result.ok, result.errors
    plan = plan_import(None, "villages", result)
    assert plan.can_confirm, plan.errors
    typed = plan.layers["villages"]
    expected = own_villages()
    for col in ("village_code", "name", "township", "kind", "households", "population"):
        assert typed[col].tolist() == expected[col].tolist(), col
    assert typed["star_rating"].tolist() == [5, 3, pd.NA, 4, 2, 4, 3, 0]
    assert typed.geometry.geom_equals_exact(expected.geometry, tolerance=1e-9).all()
    assert _messages(result, "joined") == [
        "边界文件 8 个村（社区）与属性表 8 行按村代码连接：8 个对上"]
    assert result.attributes.source_layer == "村属性" and result.attributes.file_format == "xlsx"


def test_joined_on_township_and_name_as_people_write_them(tmp_path):
    """A GBK shapefile with only 乡镇 and 村名; the sheet writes 上坪村委会, 桃源村民委员会,
    桃源社区居民委员会 and gives the codes; 石门村 is in both townships."""
    frame = own_villages()[["township", "name", "geometry"]].rename(
        columns={"township": "乡镇", "name": "村名"})
    shp = zip_shapefile(write_shapefile(tmp_path / "shp", frame), tmp_path / "村界.zip")
    written = {0: "上坪村委会", 5: "桃源村民委员会", 6: "桃源社区居民委员会", 7: "杏花"}
    sheet = xlsx(tmp_path, "属性.xlsx", {"Sheet1": _attribute_rows(written)})
    result = read_with_attributes(shp, sheet)
    assert result.ok, result.errors
    plan = plan_import(None, "villages", result)
    assert plan.can_confirm, plan.errors
    typed = plan.layers["villages"]
    assert typed["village_code"].tolist() == [v[0] for v in VILLAGES]
    assert typed["name"].tolist() == [v[1] for v in VILLAGES]  # the boundary's names kept
    assert "按乡镇和村名连接：8 个对上" in _messages(result, "joined")[0]


def test_unmatched_rows_on_both_sides_are_reported(tmp_path):
    """The sheet lacks 杏花村 (row 8 of the boundaries) and has a village with no boundary."""
    bounds = _boundaries(tmp_path, ["village_code", "name"])
    rows = _attribute_rows(drop=(7,))
    rows.append(["350999102299", "梅林乡", "梨园村", "350999102", "350999", "松岭县", "行政村", 10,
                 30, 1])
    result = read_with_attributes(bounds, xlsx(tmp_path, "a.xlsx", {"属性": rows}))
    assert not result.ok
    assert _messages(result, "boundary_unmatched") == [
        "边界文件第 8 行（350999102203，杏花村）在属性表中没有对应的行，缺少该村的属性"]
    assert _messages(result, "attribute_unmatched") == [
        "属性表第 8 行（350999102299，梅林乡，梨园村）在边界文件中没有对应的村，未导入"]
    error = [p for p in result.errors if p.code == "boundary_unmatched"][0]
    assert (error.layer, error.row) == ("villages", 8)


def test_a_name_fitting_two_boundaries_is_refused_with_both_listed(tmp_path):
    bounds = _boundaries(tmp_path, ["township", "name"])
    rows = _attribute_rows({5: "桃源"}, codes=False)
    result = read_with_attributes(bounds, xlsx(tmp_path, "a.xlsx", {"属性": rows}))
    (error,) = [p for p in result.errors if p.code == "attribute_ambiguous"]
    assert error.message == (
        "属性表第 6 行：乡镇“梅林乡”中有 2 个边界文件中的村（社区）都与“桃源”对应："
        "桃源村（梅林乡）、桃源社区（梅林乡）（边界文件第 6 行、第 7 行）；只能一一对应，"
        "请在属性表中写明乡镇或村代码")
    assert "边界文件第 6 行（梅林乡，桃源村）在属性表中没有对应的行，缺少该村的属性" in _messages(
        result, "boundary_unmatched")
    assert "village_code" in result.missing  # neither file has codes


def test_two_attribute_rows_for_one_boundary_are_refused(tmp_path):
    bounds = _boundaries(tmp_path, ["village_code"])
    rows = _attribute_rows()
    rows.append(list(rows[1]))
    result = read_with_attributes(bounds, xlsx(tmp_path, "a.xlsx", {"属性": rows}))
    assert _messages(result, "attribute_ambiguous") == []
    assert _messages(result, "attribute_twice") == [
        "属性表第 1 行和第 9 行都对应边界文件第 1 行（350999101201）；只能一一对应"]


def test_files_without_a_common_key_are_refused(tmp_path):
    bounds = _boundaries(tmp_path, ["village_code"])
    rows = [r[1:] for r in _attribute_rows()]  # no 村代码 column
    result = read_with_attributes(bounds, xlsx(tmp_path, "a.xlsx", {"属性": rows}))
    assert result.frame is None
    assert _messages(result, "no_join_key")[0].startswith(
        "边界文件和属性表没有共同的村代码列，也没有共同的村名列，无法连接")


def test_each_file_says_its_own_problems_and_a_mapping_may_name_either(tmp_path):
    bounds = _boundaries(tmp_path, ["village_code"])
    rows = _attribute_rows()
    rows[0] = [h if h != "户数" else "总户" for h in rows[0]]
    sheet = xlsx(tmp_path, "a.xlsx", {"属性": rows})
    result = read_with_attributes(bounds, sheet)
    assert result.missing == ("households",)
    assert _messages(result, "missing_field")[0].startswith(
        "缺少必需字段 households（户数）：边界文件和属性表中都没有对应的列")
    mapped = read_with_attributes(bounds, sheet, ImportOptions(mapping={"总户": "households"}))
    assert mapped.ok, mapped.errors
    wrong = read_with_attributes(bounds, sheet, ImportOptions(mapping={"户": "households"}))
    assert _messages(wrong, "bad_mapping") == [
        "对应关系 '户' → households 无效：边界文件和属性表中都没有列 '户'"]
    broken = read_with_attributes(bounds, sheet.with_name("none.xlsx"))
    assert [p.message.split("：")[0] for p in broken.errors] == ["属性表"]


@pytest.mark.parametrize("by_name", [False, True], ids=["by-code", "by-name"])
def test_the_pair_gives_the_figures_of_the_whole_file(tmp_path, by_name):
    """Boundaries + attributes into a dataset with income: the same figures as one file."""
    layers = own_layers(income=True)
    whole, pair = tmp_path / "whole.gpkg", tmp_path / "pair.gpkg"
    write_gpkg(whole, layers)
    write_gpkg(pair, layers)
    bounds = _boundaries(tmp_path, ["township", "name"] if by_name else ["village_code"])
    sheet = xlsx(tmp_path, "a.xlsx", {"属性": _attribute_rows({1: "下坪村委会"})})
    done = import_into(pair, bounds, "villages", attributes=sheet)
    assert done.imported, done.problems
    one_file = tmp_path / "v.geojson"
    own_villages().to_file(one_file, driver="GeoJSON", engine="pyogrio")
    assert import_into(whole, one_file, "villages").imported
    a, b = compute_kpis(load_dataset(whole), Params()), compute_kpis(load_dataset(pair), Params())
    assert a == b
    assert (b["villages_total"], b["communities_total"], b["low_income_villages"]) == (6, 2, 1)
    assert len(load_dataset(pair).village_income) == len(long_income())


def test_attributes_only_for_villages(tmp_path):
    layers = own_layers()
    data = write_gpkg(tmp_path / "d.gpkg", layers)
    done = import_into(data, tmp_path / "x.csv", "village_income", attributes=tmp_path / "a.xlsx")
    assert not done.imported and isinstance(done.problems[0], Problem)
    assert done.problems[0].message.startswith("属性表（--attributes）只用于 villages 图层")
