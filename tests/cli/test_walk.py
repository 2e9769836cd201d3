"""Roads on the command line: ``import --layer roads`` and ``kpis --walk-minutes M``."""
import json

import geopandas as gpd
import pytest
import shapely

from cli.main import main
from geo.dataset import load_dataset
from tests.geo.conftest import METRIC, X0, Y0, tiny_layers, write_gpkg
from tests.geo.ingest.fixtures import base_dataset, digest, write_shapefile, zip_shapefile

CRS = "EPSG:32650"


def _run(capsys, *args):
    code = main([*map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def walk_dataset(path):
    """Three villages in EPSG:32650, one county; a site on the node (0, 0) of
    the road (0, 0)–(400, 0)–(800, 0).  Units (village centres): v1 (100, 0),
    100 people, walk 100 m; v2 (800, 50), 300 people, walk 800 + 50 = 850 m;
    v3 (3100, 0), 600 people, 2.3 km from the road.  10 minutes (666.7 m):
    100 / 1,000; 15 minutes (1,000 m): 400 / 1,000."""
    ids = ["v1", "v2", "v3"]
    villages = gpd.GeoDataFrame({
        "village_code": ids, "name": ids, "township_code": ["T"] * 3, "township": ["甲镇"] * 3,
        "county_code": ["C"] * 3, "county": ["甲县"] * 3, "kind": ["village"] * 3,
        "households": [30, 100, 200], "population": [100, 300, 600]},
        geometry=[shapely.box(0, -100, 200, 100), shapely.box(700, -50, 900, 150),
                  shapely.box(3000, -100, 3200, 100)], crs=CRS)
    sites = gpd.GeoDataFrame({"site_id": ["S1"], "name": ["中心"], "site_type": ["center"]},
                             geometry=[shapely.Point(0, 0)], crs=CRS)
    roads = gpd.GeoDataFrame({"road_id": ["R1"]},
                             geometry=[shapely.LineString([(0, 0), (400, 0), (800, 0)])], crs=CRS)
    return write_gpkg(path, {"villages": villages, "service_sites": sites, "roads": roads})


def test_kpis_walk_minutes_10_and_15(tmp_path, capsys):
    data = walk_dataset(tmp_path / "walk.gpkg")
    figures = {}
    for minutes in (None, 10, 15):
        extra = () if minutes is None else ("--walk-minutes", minutes)
        code, out, _ = _run(capsys, "kpis", data, "--json", *extra)
        assert code == 0
        figures[minutes] = json.loads(out)["walk_service_population_coverage"]
    assert figures == {None: pytest.approx(0.4), 10: pytest.approx(0.1), 15: pytest.approx(0.4)}
    code, out, _ = _run(capsys, "kpis", data, "--walk-minutes", "10", "--by", "county")
    assert code == 0 and "步行服务圈人口覆盖率" in out and "10.00%" in out
    assert "步行服务圈按 10 分钟计（4 千米/小时，沿道路约 667 米）" in out
    assert "步行服务圈按" not in _run(capsys, "kpis", data)[1]


def test_kpis_without_roads_print_no_walking_figure(tmp_path, capsys):
    code, out, _ = _run(capsys, "kpis", base_dataset(tmp_path), "--json")
    assert code == 0 and json.loads(out)["walk_service_population_coverage"] is None


@pytest.mark.parametrize("minutes", ["0", "-5", "十"])
def test_walk_minutes_must_be_positive(capsys, minutes):
    with pytest.raises(SystemExit) as info:
        main(["kpis", "d.gpkg", "--walk-minutes", minutes])
    assert info.value.code == 2 and "用法错误" in capsys.readouterr().err


def _roads_4490(**columns):
    """Two roads across the tiny dataset (EPSG:4549 → EPSG:4490)."""
    lines = [shapely.LineString([(X0, Y0 + 500), (X0 + 2000, Y0 + 500)]),
             shapely.LineString([(X0 + 2000, Y0 + 500), (X0 + 2000, Y0 + 900)])]
    return gpd.GeoDataFrame(columns, geometry=lines, crs=METRIC).to_crs("EPSG:4490")


def test_import_roads_from_geojson_with_gcj02_offsets(tmp_path, capsys):
    data = base_dataset(tmp_path)
    path = tmp_path / "高德道路.geojson"
    _roads_4490(道路编号=["R1", "R2"], 道路名称=["主路", "支路"]).to_file(
        path, driver="GeoJSON", engine="pyogrio")
    code, out, _ = _run(capsys, "import", path, "--layer", "roads", "--into", data,
                        "--coords", "gcj02")
    assert code == 0 and "已导入 roads（道路） 2 行" in out
    assert "已把 2 个要素的坐标从 GCJ-02 转换为 WGS84" in out
    roads = load_dataset(data).roads
    assert roads["road_id"].tolist() == ["R1", "R2"] and roads["name"].tolist() == ["主路", "支路"]
    moved = shapely.distance(roads.geometry.values[0], _roads_4490().geometry.values[0])
    assert 0.002 < moved < 0.01  # degrees: the GCJ-02 offset, a few hundred metres


def test_import_roads_from_a_zipped_shapefile_and_a_geopackage(tmp_path, capsys):
    data = base_dataset(tmp_path)
    shp = write_shapefile(tmp_path / "src", _roads_4490(路名=["主路", "支路"]), name="道路")
    code, out, _ = _run(capsys, "import", zip_shapefile(shp, tmp_path / "道路.zip"),
                        "--layer", "roads", "--into", data)
    assert code == 0 and "已导入 roads（道路） 2 行（Shapefile" in out
    assert load_dataset(data).roads["name"].tolist() == ["主路", "支路"]
    gpkg = write_gpkg(tmp_path / "路网.gpkg", {"roads": _roads_4490(road_class=["县道", "村道"])})
    code, out, _ = _run(capsys, "import", gpkg, "--layer", "roads", "--into", data)
    assert code == 0 and "（GeoPackage，来源 roads" in out
    assert load_dataset(data).roads["road_class"].tolist() == ["县道", "村道"]


def test_points_imported_as_roads_are_refused(tmp_path, capsys):
    data = base_dataset(tmp_path)
    before = digest(data)
    path = tmp_path / "点.geojson"
    tiny_layers()["service_sites"].assign(road_id=["R9"]).to_file(path, driver="GeoJSON",
                                                                   engine="pyogrio")
    code, _, err = _run(capsys, "import", path, "--layer", "roads", "--into", data)
    assert code == 1 and digest(data) == before
    assert "图层 roads（道路）第 1 行（road_id=R9）字段 geometry：几何类型为 点" in err
