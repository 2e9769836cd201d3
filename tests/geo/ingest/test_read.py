"""geo.ingest.read.read_upload: every format, by content; encodings, columns,
CRS, offsets, safety."""
import json
import os

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.ingest import formats as fmt
from geo.ingest.columns import recalled_mapping, remember_mapping
from geo.ingest.encoding import TextEncoding
from geo.ingest.read import ImportOptions, read_upload
from tests.geo.conftest import tiny_layers, write_gpkg
from tests.geo.ingest.fixtures import (VRT, chinese_villages, frame_to_csv, income_rows,
                                       passwd_leaked, write_shapefile, write_text, xlsx_bytes,
                                       zip_shapefile)

NAMES = ["一村", "二村", "三村", "燕江社区"]


def _codes(result):
    return [p.code for p in result.problems]


@pytest.mark.parametrize("cpg", [True, False], ids=["with-cpg", "without-cpg"])
def test_gbk_shapefile_without_prj_reads_chinese_names(tmp_path, cpg):
    shp = write_shapefile(tmp_path / "src", chinese_villages(), cpg=cpg, prj=False)
    upload = zip_shapefile(shp, tmp_path / "村界.zip", folder_in_zip="村界/")
    first = read_upload(upload, "villages")
    assert first.needs_crs and not first.ok and _codes(first) == ["missing_crs"]
    assert "--crs" in first.problems[0].message and "EPSG:4490" in first.problems[0].message
    assert first.suggested_crs == ("EPSG:4490", "EPSG:4326")
    result = read_upload(upload, "villages", ImportOptions(crs="EPSG:4490"))
    assert result.ok, result.problems
    assert result.encoding == TextEncoding("GBK", "cpg" if cpg else "detected")
    assert result.frame["name"].tolist() == NAMES
    # column cut to 乡镇（街道 in the .dbf
    assert result.frame["township"].tolist() == ["洪田镇"] * 4
    assert result.crs == "EPSG:4490" and result.file_format == "shapefile"
    assert result.source_layer == "村界/村界.shp"


def test_wrong_forced_encoding_is_refused(tmp_path):
    shp = write_shapefile(tmp_path, chinese_villages())
    result = read_upload(shp, "villages", ImportOptions(encoding="latin-1"))
    assert not result.ok and result.frame is None
    assert "按 ISO-8859-1（用户指定）读取会出现乱码" in result.problems[0].message


def test_utf8_shapefile_with_a_name_cut_inside_a_character(tmp_path):
    shp = write_shapefile(tmp_path, chinese_villages(), encoding="UTF-8")
    result = read_upload(shp, "villages")
    assert result.ok, result.problems
    assert result.mapping["乡镇（"] == "township" and "truncated_name" in _codes(result)


def test_bare_shapefile_needs_its_siblings(tmp_path):
    shp = write_shapefile(tmp_path, chinese_villages())
    shp.with_suffix(".dbf").unlink()
    result = read_upload(shp, "villages")
    assert "缺少 .dbf 文件" in result.problems[0].message


def test_geopackage_layer_choice(tmp_path):
    path = write_gpkg(tmp_path / "all.gpkg", tiny_layers())
    assert read_upload(path, "grids").source_layer == "grids"
    chosen = read_upload(path, "villages", ImportOptions(source_layer="grids"))
    assert chosen.source_layer == "grids" and chosen.missing  # grids lack village fields
    only = write_gpkg(tmp_path / "one.gpkg", {"村界": tiny_layers()["villages"]})
    assert read_upload(only, "villages").ok
    two = write_gpkg(tmp_path / "two.gpkg", {"a": tiny_layers()["villages"],
                                             "b": tiny_layers()["grids"]})
    assert ("有多个图层（a、b），没有名为 villages"
            in read_upload(two, "villages").problems[0].message)
    table = read_upload(path, "villages", ImportOptions(source_layer="joint_orgs"))
    assert "是无几何的表" in table.problems[0].message
    income = read_upload(path, "village_income")
    assert income.ok and not isinstance(income.frame, gpd.GeoDataFrame) and len(income.frame) == 6


def test_geojson_is_read_and_checked_before_gdal(tmp_path):
    path = tmp_path / "v.json"
    chinese_villages().to_file(path, driver="GeoJSON", engine="pyogrio")
    result = read_upload(path, "villages")
    assert result.ok and result.crs == "EPSG:4490" and result.frame["name"].tolist() == NAMES
    doc = json.loads(path.read_text())
    doc["crs"] = {"type": "link", "properties": {"href": "/etc/passwd"}}
    write_text(path, json.dumps(doc))
    assert "crs 成员只接受 EPSG 名称" in read_upload(path, "villages").problems[0].message
    write_text(path, '{"type": "Topology", "objects": {}}')
    assert ("不是 GeoJSON 要素集合（type='Topology'）"
            in read_upload(path, "villages").problems[0].message)


@pytest.mark.parametrize("name", ["villages.geojson", "villages.gpkg", "villages.zip",
                                  "villages.csv"])
def test_vrt_is_refused_whatever_its_name_and_nothing_of_etc_passwd_leaks(tmp_path, name):
    path = write_text(tmp_path / name, VRT.format(layer="villages"))
    for layer in ("villages", "village_income"):
        result = read_upload(path, layer)
        assert result.frame is None and _codes(result) == ["vrt"]
        assert "OGR VRT" in result.problems[0].message
        assert not passwd_leaked(repr(result) + "".join(str(p) for p in result.problems))


def test_vrt_is_refused_even_if_it_reached_a_reader(tmp_path):
    """Defence in depth: the forced drivers do not open a VRT either."""
    path = write_text(tmp_path / "upload.geojson", VRT.format(layer="villages"))
    for read in (lambda: fmt.read_geojson(path, True),
                 lambda: fmt.read_gpkg(path, "villages", None, True)):
        with pytest.raises(fmt.Refused) as info:
            read()
        assert not passwd_leaked(str(info.value))


def test_csv_in_any_encoding_and_delimiter(tmp_path):
    income = pd.DataFrame(income_rows()[1:], columns=income_rows()[0])
    for encoding, sep in (("utf-8", ","), ("utf-8-sig", ","), ("gbk", ";"), ("gb18030", "\t")):
        result = read_upload(frame_to_csv(income, tmp_path / f"{encoding}.csv", encoding, sep),
                             "village_income")
        assert result.ok, (encoding, result.problems)
        assert list(result.frame.columns) == ["village_code", "year", "collective_income"]
        assert result.frame["village_code"].iloc[0] == "350481101201"


def test_tables_cannot_be_geometry_layers(tmp_path):
    path = frame_to_csv(pd.DataFrame({"村代码": ["1"]}), tmp_path / "v.csv")
    assert ("没有几何图形，不能作为几何图层 villages"
            in read_upload(path, "villages").problems[0].message)


def test_xlsx_title_row_and_sheet_choice(tmp_path):
    rows = [["2019—2020 年村集体经营性收入统计表"], [], *income_rows()]
    path = write_text(tmp_path / "收入.xlsx", xlsx_bytes({"Sheet1": rows, "Sheet2": []}))
    result = read_upload(path, "village_income")
    assert (result.ok and result.source_layer == "Sheet1"
            and result.available == ("Sheet1", "Sheet2"))
    assert result.frame["collective_income"].tolist()[:2] == [60.0, 8.0]
    two = write_text(tmp_path / "two.xlsx", xlsx_bytes({"甲": income_rows(), "乙": income_rows()}))
    assert ("有多个工作表（甲、乙），请选择一个"
            in read_upload(two, "village_income").problems[0].message)
    assert read_upload(two, "village_income", ImportOptions(source_layer="乙")).ok
    named = write_text(tmp_path / "n.xlsx", xlsx_bytes({"说明": [["x"]],
                                                        "村集体经营性收入": income_rows()}))
    assert read_upload(named, "village_income").source_layer == "村集体经营性收入"


def test_column_mapping_user_choice_missing_and_ambiguous(tmp_path):
    income = pd.DataFrame({"编码": ["350481101201"], "年": [2020], "收入": [1.5]})
    path = frame_to_csv(income, tmp_path / "i.csv")
    result = read_upload(path, "village_income")
    assert sorted(result.missing) == ["collective_income", "village_code", "year"]
    messages = " ".join(p.message for p in result.problems)
    assert "缺少必需字段 year（年份）" in messages and "--map 源列=字段" in messages
    assert "可能是 收入" in messages  # the suggestion names the likely column
    mapped = read_upload(path, "village_income", ImportOptions(
        mapping={"编码": "village_code", "年": "year", "收入": "collective_income"}))
    assert mapped.ok and list(mapped.frame.columns) == ["village_code", "year", "collective_income"]
    both = frame_to_csv(pd.DataFrame({"村代码": ["1"], "village_code": ["2"], "年份": [1],
                                      "村财收入": [1]}),
                        tmp_path / "b.csv")
    assert "ambiguous_column" in _codes(read_upload(both, "village_income"))


def test_remembered_mapping_round_trip(tmp_path):
    columns = ["编码", "年", "收入"]
    mapping = {"编码": "village_code", "年": "year", "收入": "collective_income"}
    path = remember_mapping(tmp_path / "store", "village_income", columns, mapping)
    assert recalled_mapping(tmp_path / "store", "village_income", ["收入", "年", "编码"]) == mapping
    assert recalled_mapping(tmp_path / "store", "village_income", ["编码"]) == {}
    assert recalled_mapping(tmp_path / "store", "joint_orgs", columns) == {}
    assert not [n for n in os.listdir(path.parent) if n.endswith(".part")]
    path.write_text("{broken")
    assert recalled_mapping(tmp_path / "store", "village_income", columns) == {}


def test_crs_override_and_coordinate_checks(tmp_path):
    shp = write_shapefile(tmp_path / "m", chinese_villages().to_crs("EPSG:4549"), prj=False)
    wrong = read_upload(shp, "villages", ImportOptions(crs="EPSG:4490"))
    assert _codes(wrong) == ["crs_mismatch"] and "像是投影坐标" in wrong.problems[0].message
    assert read_upload(shp, "villages").suggested_crs[0] == "EPSG:4534"  # any CM: the user picks
    right = read_upload(shp, "villages", ImportOptions(crs="EPSG:4549"))
    assert right.ok and right.crs == "EPSG:4549"
    declared = write_shapefile(tmp_path / "d", chinese_villages())
    override = read_upload(declared, "villages", ImportOptions(crs="EPSG:4326"))
    assert override.ok and "crs_overridden" in _codes(override)


def test_gcj02_upload_is_converted(tmp_path):
    gcj = chinese_villages()
    path = tmp_path / "gcj.geojson"
    gcj.to_file(path, driver="GeoJSON", engine="pyogrio")
    result = read_upload(path, "villages", ImportOptions(coords="gcj02"))
    assert result.ok and "coords_converted" in _codes(result)
    moved = shapely.distance(result.frame.geometry.values[0].centroid,
                             gcj.geometry.values[0].centroid)
    assert 0.002 < moved < 0.01  # degrees: a few hundred metres
    projected = write_shapefile(tmp_path / "p", chinese_villages().to_crs("EPSG:4549"))
    refused = read_upload(projected, "villages", ImportOptions(coords="gcj02"))
    assert _codes(refused) == ["coords_projected"]
    bare = write_shapefile(tmp_path / "b", chinese_villages(), prj=False)
    assumed = read_upload(bare, "villages", ImportOptions(coords="bd09"))
    assert assumed.ok and assumed.crs == "EPSG:4326" and "crs_assumed" in _codes(assumed)


def test_paths_that_are_not_plain_files_are_refused(tmp_path):
    real = frame_to_csv(pd.DataFrame({"a": [1]}), tmp_path / "real.csv")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    cases = {link: "符号链接", tmp_path: "不是普通文件", tmp_path / "none.csv": "文件不存在",
             "/vsizip//tmp/x.zip": "虚拟路径"}
    for path, fragment in cases.items():
        assert fragment in read_upload(path, "village_income").problems[0].message
    big = read_upload(real, "village_income", ImportOptions(max_bytes=3))
    assert "超过上传上限 3 字节" in big.problems[0].message


def test_unknown_layer_and_offset_are_programming_errors(tmp_path):
    with pytest.raises(ValueError, match="未知图层 'towns'"):
        read_upload(tmp_path / "x", "towns")
    with pytest.raises(ValueError, match="未知的坐标偏移类型"):
        read_upload(tmp_path / "x", "villages", ImportOptions(coords="mars"))


def test_reading_leaves_the_upload_untouched(tmp_path):
    shp = write_shapefile(tmp_path, chinese_villages(), encoding="UTF-8")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    read_upload(shp, "villages")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_the_xlsx_template_filled_in_is_read(tmp_path):
    """The other half of issue 7: the downloadable template (geo.ingest.templates) round-trips."""
    import io

    import openpyxl

    from geo.ingest.templates import template_xlsx_bytes

    book = openpyxl.load_workbook(io.BytesIO(template_xlsx_bytes()))
    for row in income_rows()[1:]:
        book["village_income"].append(row)
    path = tmp_path / "模板.xlsx"
    book.save(path)
    result = read_upload(path, "village_income")
    assert result.ok and result.source_layer == "village_income", result.problems
    assert (list(result.frame.columns) == ["village_code", "year", "collective_income"]
            and len(result.frame) == 6)
