"""The catalogue of bad inputs for ``python -m analysis import`` (issue 7), in one table.

Each case builds one bad upload, imports it into a valid DATA.gpkg through the
command line, and expects exit 1, a Chinese message containing the fragments
given, no traceback, and DATA.gpkg byte for byte as it was (no version kept,
no temporary file left).  The base dataset is the tiny one of
``tests.geo.conftest`` plus organisation O2 = {三村, 燕江社区}.
"""
import sqlite3
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from cli.main import main
from tests.geo.conftest import tiny_layers, write_gpkg
from tests.geo.ingest.fixtures import (VRT, base_dataset, chinese_villages, digest, frame_to_csv,
                                       income_rows, link_entry, no_temp_files, passwd_leaked,
                                       write_shapefile, write_text, xlsx_bytes, zip_entries,
                                       zip_shapefile)


def _base_layers():
    layers = tiny_layers()
    layers["joint_orgs"] = pd.concat([layers["joint_orgs"], pd.DataFrame(
        {"org_id": ["O2"], "name": ["燕江联村党委"], "org_type": ["territorial"],
         "lead_village_code": ["350481101203"], "founded_year": [2021], "projects": [1]})])
    layers["joint_members"] = pd.concat([layers["joint_members"], pd.DataFrame(
        {"org_id": ["O2", "O2"], "village_code": ["350481101203", "350481101001"],
         "joined_year": [2021, 2021]})])
    return layers


def _villages(change=None, crs=None):
    """Write-ready villages with Chinese columns, changed by ``change(frame)``."""
    frame = chinese_villages()
    frame["户数"] = frame["户数"].astype(object)
    frame["星级"] = frame["星级"].astype(object)
    if change:
        change(frame)
    return frame.to_crs(crs) if crs else frame


def _gpkg(change=None):
    return lambda p: write_gpkg(p / "v.gpkg", {"villages": _villages(change)})


def _shp_zip(change=None, **kw):
    def build(p):
        shp = write_shapefile(p / "src", _villages(change),
                              **{k: v for k, v in kw.items() if k != "parts"})
        return zip_shapefile(shp, p / "v.zip",
                             parts=kw.get("parts", (".shp", ".shx", ".dbf", ".prj", ".cpg")))
    return build


def _set(column, row, value):
    def change(frame):
        frame.loc[frame.index[row], column] = value
    return change


def _projected_as_4490(p):
    shp = write_shapefile(p / "src", _villages(crs="EPSG:4549"), prj=False)
    shp.with_suffix(".prj").write_text(gpd.GeoSeries([], crs="EPSG:4490").crs.to_wkt("WKT1_ESRI"))
    return zip_shapefile(shp, p / "v.zip")


def _mojibake(p):
    shp = write_shapefile(p / "src", _villages())
    shp.with_suffix(".cpg").write_text("UTF-8")  # the text is GBK
    return zip_shapefile(shp, p / "v.zip")


def _points(p):
    frame = _villages()
    frame.geometry = shapely.point_on_surface(frame.geometry.values)
    path = p / "v.geojson"
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def _geometry(index, geom):
    def change(frame):
        frame.geometry = frame.geometry.where(frame.index != index, geom)
    return change


def _sqlite(p):
    con = sqlite3.connect(p / "v.gpkg")
    con.execute("create table villages (village_code text)")
    con.commit()
    con.close()
    return p / "v.gpkg"


def _truncated(p):
    full = write_gpkg(p / "full.gpkg", {"villages": _villages()})
    return write_text(p / "v.gpkg", full.read_bytes()[:9000])


def _csv(frame, name="t.csv"):
    return lambda p: frame_to_csv(frame, p / name)


def _xlsx(rows):
    return lambda p: write_text(p / "t.xlsx", xlsx_bytes({"Sheet1": rows}))


def _bad_crc(p):
    path = zip_entries(p / "v.zip", SHP_PARTS[:2] + [("v.dbf", b"\x03" + b"A" * 100)],
                       zipfile.ZIP_STORED)
    return write_text(path, path.read_bytes().replace(b"A" * 100, b"B" * 100))


GML = ('<?xml version="1.0"?><wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" '
       'xmlns:gml="http://www.opengis.net/gml"><gml:featureMember/></wfs:FeatureCollection>')
KML = '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>'
SHP_PARTS = [("v.shp", b"\x00\x00\x27\x0a"), ("v.shx", b"\x00\x00\x27\x0a"), ("v.dbf", b"\x03")]
MEMBERS = ["org_id", "village_code", "joined_year"]

# (case id, build(tmp folder) -> upload path, layer, extra CLI arguments, fragments of the message)
CASES = [
    ("empty-file", lambda p: write_text(p / "v.gpkg", b""), "villages", [], ["文件为空"]),
    ("text-file", lambda p: write_text(p / "v.geojson", "hello world\n"), "villages", [],
     ["CSV 文件没有几何图形", "villages"]),
    ("vrt-as-geojson", lambda p: write_text(p / "v.geojson", VRT.format(layer="villages")),
     "villages", [], ["OGR VRT", "安全"]),
    ("vrt-as-gpkg", lambda p: write_text(p / "v.gpkg", VRT.format(layer="villages")),
     "villages", [], ["OGR VRT"]),
    ("vrt-as-zip", lambda p: write_text(p / "v.zip", VRT.format(layer="joint_orgs")),
     "joint_orgs", [], ["OGR VRT"]),
    ("gml", lambda p: write_text(p / "v.gml", GML), "villages", [], ["GML", "不支持"]),
    ("kml", lambda p: write_text(p / "v.geojson", KML), "villages", [], ["KML", "不支持"]),
    ("sqlite-not-gpkg", _sqlite, "villages", [], ["SQLite", "不是 GeoPackage"]),
    ("truncated-gpkg", _truncated, "villages", [], ["已损坏或不完整"]),
    ("old-xls", lambda p: write_text(p / "v.xlsx", b"\xd0\xcf\x11\xe0" + b"\x00" * 600),
     "village_income", [], [".xls", "另存为 .xlsx"]),
    ("png-image", lambda p: write_text(p / "v.csv", b"\x89PNG\r\n\x1a\n" + b"\x01" * 50),
     "village_income", [], ["无法识别"]),
    ("json-not-geojson", lambda p: write_text(p / "v.geojson", '{"a": 1}'), "villages", [],
     ["不是 GeoJSON"]),
    ("geojson-crs-link", lambda p: write_text(p / "v.geojson",
                                              '{"type": "FeatureCollection", "features": [], '
                                              '"crs": {"type": "link", '
                                              '"properties": {"href": "/etc/passwd"}}}'),
     "villages", [], ["crs 成员只接受 EPSG 名称"]),
    ("zip-traversal", lambda p: zip_entries(p / "v.zip", [("../../v.shp", b"x")] + SHP_PARTS[1:]),
     "villages", [], ["'../../v.shp' 路径不安全"]),
    ("zip-absolute", lambda p: zip_entries(p / "v.zip", [("/tmp/v.shp", b"x")]), "villages", [],
     ["路径不安全"]),
    ("zip-symlink", lambda p: zip_entries(p / "v.zip", [link_entry("v.dbf")] + SHP_PARTS[:2]),
     "villages", [], ["符号链接"]),
    ("zip-bomb", lambda p: zip_entries(p / "v.zip",
                                       SHP_PARTS[:2] + [("v.dbf", b"\x03" + b"\x00" * (8 << 20))]),
     "villages", [], ["压缩炸弹"]),
    ("zip-too-many", lambda p: zip_entries(p / "v.zip", [(f"{i}.txt", b"") for i in range(250)]),
     "villages", [], ["超过上限 200"]),
    ("zip-nested", lambda p: zip_entries(p / "v.zip", [("inner.zip", b"PK\x03\x04")]), "villages",
     [], ["又含压缩包"]),
    ("zip-bad-crc", _bad_crc, "villages", [], ["压缩包已损坏", "CRC"]),
    ("deeply-nested-json", lambda p: write_text(p / "v.geojson", "[" * 100_000 + "]" * 100_000),
     "villages", [], ["不是有效的 JSON"]),
    ("broken-xlsx", lambda p: zip_entries(p / "v.xlsx", [("[Content_Types].xml", b"<x"),
                                                         ("xl/workbook.xml", b"<")]),
     "village_income", [], ["Excel 文件无法读取"]),
    ("zip-without-shp", lambda p: zip_entries(p / "v.zip", [("readme.txt", b"hi")]), "villages", [],
     ["没有 .shp 文件"]),
    ("shp-without-dbf", _shp_zip(parts=(".shp", ".shx", ".prj")), "villages", [],
     ["缺少 .dbf 文件"]),
    ("mojibake-shapefile", _mojibake, "villages", [],
     ["UTF-8（来自 .cpg 文件）无法解码", "--encoding"]),
    ("forced-wrong-encoding", _shp_zip(), "villages", ["--encoding", "cp1252"],
     ["乱码", "CP1252（用户指定）"]),
    ("points-as-villages", _points, "villages", [], ["几何类型为 点", "Polygon/MultiPolygon"]),
    ("line-among-polygons", _gpkg(_geometry(1, shapely.LineString([(117, 26), (117.1, 26.1)]))),
     "villages", [], ["第 2 行", "几何类型为 线"]),
    ("empty-geometry", _gpkg(_geometry(2, shapely.Polygon())), "villages", [],
     ["第 3 行", "几何为空"]),
    ("missing-required-field", _shp_zip(lambda f: f.pop("户数")), "villages", [],
     ["缺少必需字段 households（户数）", "--map"]),
    ("duplicate-village-code", _gpkg(_set("村代码", 1, "350481101201")), "villages", [],
     ["第 2 行", "350481101201 重复"]),
    ("negative-households", _gpkg(_set("户数", 0, -5)), "villages", [],
     ["第 1 行", "households（户数）", "超出范围"]),
    ("star-rating-7", _gpkg(_set("星级", 1, 7)), "villages", [], ["star_rating（星级）", "0–5"]),
    ("unknown-kind", _gpkg(_set("类型", 2, "乡")), "villages", [],
     ["kind（类型）", "'乡'", "行政村"]),
    ("missing-crs", _shp_zip(prj=False), "villages", [],
     ["没有坐标系", "--crs", "EPSG:4490", "EPSG:4534–4554"]),
    ("projected-declared-4490", _projected_as_4490, "villages", [], ["像是投影坐标", "EPSG:4490"]),
    ("crs-option-metres-for-degrees", _shp_zip(), "villages",
     ["--crs", "EPSG:4549", "--coords", "gcj02"], ["像是经纬度"]),
    ("gcj-on-projected-layer",
     lambda p: zip_shapefile(write_shapefile(p / "s", _villages(crs="EPSG:4549")), p / "v.zip"),
     "villages", ["--coords", "gcj02"], ["只适用于经纬度坐标", "投影坐标系"]),
    ("bad-crs-option", _shp_zip(prj=False), "villages", ["--crs", "EPSG:123456"],
     ["无法识别坐标系 'EPSG:123456'"]),
    ("member-of-unknown-village", _csv(pd.DataFrame([["O1", "350481101201", 2020],
                                                     ["O1", "999", 2020]], columns=MEMBERS)),
     "joint_members", [], ["joint_members", "第 2 行", "village_code"]),
    ("member-of-unknown-org", _csv(pd.DataFrame([["OX", "350481101201", 2020]], columns=MEMBERS)),
     "joint_members", [], ["OX"]),
    ("village-in-two-orgs", _csv(pd.DataFrame([["O1", "350481101201", 2020],
                                               ["O1", "350481101202", 2020],
                                               ["O2", "350481101202", 2021],
                                               ["O2", "350481101203", 2021]], columns=MEMBERS)),
     "joint_members", [], ["同时属于多个联村党组织"]),
    ("xlsx-without-year", _xlsx([[r[0], r[2]] for r in income_rows()]), "village_income", [],
     ["缺少必需字段 year（年份）"]),
    ("csv-bad-year", _csv(pd.DataFrame({"村代码": ["350481101201"], "年份": ["二〇二〇"],
                                        "村财收入": [5]})),
     "village_income", [], ["第 1 行", "year（年份）", "不是整数"]),
    ("bad-map-target", _csv(pd.DataFrame({"村代码": ["1"], "年份": [2020], "收入": [5]})),
     "village_income", ["--map", "收入=income"], ["没有字段 'income'"]),
    ("map-two-columns-to-one-field", _csv(pd.DataFrame({"村代码": ["1"], "年份": [2020], "甲": [5],
                                                        "乙": [6]})),
     "village_income", ["--map", "甲=collective_income", "--map", "乙=collective_income"],
     ["'甲' 和列 '乙' 都被指定为字段 collective_income"]),
    ("unknown-org-type", _csv(pd.DataFrame({"组织编号": ["O3"], "名称": ["x"], "类型": ["混合"],
                                            "领建村": ["350481101201"], "成立年份": [2022]})),
     "joint_orgs", [], ["org_type", "'混合'"]),
]


@pytest.fixture
def data(tmp_path):
    return base_dataset(tmp_path / "store", _base_layers())


@pytest.mark.parametrize("case, build, layer, extra, fragments", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_the_dataset_is_unchanged(tmp_path, capsys, data, case, build,
                                                           layer, extra, fragments):
    upload = build(tmp_path)
    before = digest(data)
    assert main(["import", str(upload), "--layer", layer, "--into", str(data), *extra]) == 1
    captured = capsys.readouterr()
    for fragment in fragments:
        assert fragment in captured.err, (fragment, captured.err)
    assert "未导入" in captured.err and "Traceback" not in captured.err + captured.out
    assert not passwd_leaked(captured.err + captured.out)
    assert digest(data) == before
    assert not (data.parent / "DATA.versions").exists() and no_temp_files(data.parent)


def test_the_catalogue_is_long_and_every_case_is_distinct():
    assert len(CASES) >= 25
    assert len({c[0] for c in CASES}) == len(CASES)


def test_the_base_dataset_itself_imports_cleanly(tmp_path, capsys, data):
    """The catalogue's refusals come from the bad inputs, not from the base or the good files."""
    assert main(["import", str(_gpkg()(tmp_path)), "--layer", "villages", "--into", str(data)]) == 0
