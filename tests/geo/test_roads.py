"""The optional ``roads`` layer of SPEC §2: loading and validation.

The tiny dataset of ``conftest.py`` (four 1 km squares from (X0, Y0), EPSG:4549)
gets roads stored in EPSG:4490: R1 a LineString along the row of villages,
R2 a MultiLineString; fields all optional, ``road_id`` need not be unique.
"""
import geopandas as gpd
import pandas as pd
import shapely

from geo import schema as s
from geo.dataset import load_dataset, read_dataset
from tests.geo.conftest import METRIC, X0, Y0


def roads(geoms, crs=METRIC, **columns) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(columns, geometry=list(geoms), crs=crs)
    return frame.to_crs("EPSG:4490") if crs else frame


def two_roads(**columns):
    return roads([shapely.LineString([(X0, Y0 + 500), (X0 + 4000, Y0 + 500)]),
                  shapely.MultiLineString([[(X0 + 500, Y0), (X0 + 500, Y0 + 1000)],
                                           [(X0 + 500, Y0 + 1000), (X0 + 900, Y0 + 1000)]])],
                 **columns)


def errors(problems):
    return [p for p in problems if p.is_error]


def test_roads_load_with_or_without_their_optional_fields(layers, gpkg):
    data = load_dataset(gpkg(layers | {s.ROADS: two_roads(road_id=["R1", "R1"],
                                                          name=["主路", None],
                                                          road_class=["县道", "村道"])}))
    assert data.has(s.ROADS) and data.warnings == ()
    assert data.roads[s.ROAD_ID].tolist() == ["R1", "R1"]      # not an id: may repeat
    assert data.roads.geom_type.tolist() == ["MultiLineString", "MultiLineString"]
    bare = load_dataset(gpkg(layers | {s.ROADS: two_roads()}))
    assert bare.has(s.ROADS) and list(bare.roads.columns) == ["geometry"]


def test_without_roads_the_layer_is_empty(layers, gpkg):
    data = load_dataset(gpkg(layers))
    assert not data.has(s.ROADS) and len(data.roads) == 0
    assert list(data.roads.columns) == [s.ROAD_ID, s.NAME, s.ROAD_CLASS, "geometry"]


def test_points_instead_of_lines_are_refused_naming_layer_field_and_row(layers, gpkg):
    points = roads([shapely.Point(X0, Y0), shapely.Point(X0 + 10, Y0)], road_id=["R1", "R2"])
    _, problems = read_dataset(gpkg(layers | {s.ROADS: points}))
    found = errors(problems)
    assert [(p.code, p.layer, p.field, p.row, p.row_id) for p in found] == [
        ("wrong_geometry", "roads", "geometry", 1, "R1"),
        ("wrong_geometry", "roads", "geometry", 2, "R2")]
    assert str(found[1]) == ("错误：图层 roads（道路）第 2 行（road_id=R2）字段 geometry："
                             "几何类型为 点，应为 LineString/MultiLineString")


def test_roads_without_crs_are_refused(layers, gpkg):
    bare = two_roads().set_crs(None, allow_override=True)
    _, problems = read_dataset(gpkg(layers | {s.ROADS: bare}))
    assert [(p.code, p.layer, p.field) for p in errors(problems)] == [
        ("missing_crs", "roads", "geometry")]
    assert "图层 roads（道路）字段 geometry：几何图层没有坐标系（CRS）" in str(errors(problems)[0])


def test_an_empty_road_is_refused_naming_its_row(layers, gpkg):
    lines = two_roads(road_id=["R1", "R2"])
    lines.loc[1, "geometry"] = shapely.LineString()
    _, problems = read_dataset(gpkg(layers | {s.ROADS: lines}))
    assert [(p.code, p.row, p.row_id) for p in errors(problems)] == [("empty_geometry", 2, "R2")]
    assert str(errors(problems)[0]) == ("错误：图层 roads（道路）第 2 行（road_id=R2）字段 "
                                        "geometry：几何为空（没有线，无法作为道路）")


def test_a_line_of_one_position_is_kept_with_a_warning(layers, gpkg):
    lines = two_roads(road_id=["R1", "R2"])
    lines.loc[0, "geometry"] = shapely.LineString([(117.0, 26.0), (117.0, 26.0)])
    data = load_dataset(gpkg(layers | {s.ROADS: lines}))
    assert [(p.code, p.row, p.severity) for p in data.warnings] == [("invalid_line", 1, "warning")]
    assert len(data.roads) == 2


def test_bad_road_attributes_name_the_row(layers, gpkg):
    """Only the geometry is checked: text fields take any value; a layer with
    villages only and roads is valid."""
    lines = two_roads(road_id=[1, 2], road_class=[3, None])
    data = load_dataset(gpkg({s.VILLAGES: layers[s.VILLAGES], s.ROADS: lines}))
    assert data.roads[s.ROAD_ID].tolist() == ["1", "2"]
    assert pd.isna(data.roads[s.ROAD_CLASS].iloc[1])
