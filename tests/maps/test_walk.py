"""The catchment map's deck: small and offline, no visible layer pickable, the area cut,
the suggested sites on top (hand-built villages in EPSG:32650 near 117°E, 26°N)."""
import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

from analysis.walk_catchment import walk_catchment
from maps.display import display_geometry
from maps.walk import build_walk_deck, walk_display_layers, walk_legend

CRS = "EPSG:32650"
X0, Y0 = 500_000.0, 2_900_000.0


def frame(geoms, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=list(geoms), crs=CRS)


@pytest.fixture(scope="module")
def town():
    """Two townships side by side, 2 km wide; a road along y = 0 through both, a site
    at the west end: the west village's unit is reached, the east one's is not."""
    villages = frame([shapely.box(X0, Y0 - 500, X0 + 2000, Y0 + 500),
                      shapely.box(X0 + 2000, Y0 - 500, X0 + 4000, Y0 + 500)],
                     village_code=["v1", "v2"], name=["西村", "东村"], county_code=["c", "c"],
                     township_code=["t1", "t2"], population=[10, 20])
    roads = frame([shapely.LineString([(X0 + 100, Y0), (X0 + 1000, Y0), (X0 + 3000, Y0),
                                       (X0 + 3900, Y0)])])
    sites = frame([shapely.Point(X0 + 100, Y0)])
    catchment = walk_catchment(villages, sites, roads)
    return villages, walk_display_layers(catchment, villages)


def layers_of(deck) -> dict:
    return {layer["id"]: layer for layer in json.loads(deck.to_json())["layers"]}


def test_display_frames_carry_the_area_codes(town):
    _, display = town
    assert display["units"][["township_code", "reached"]].values.tolist() == [
        ["t1", True], ["t2", False]]
    assert sorted(display["reached"]["township_code"]) == ["t1"]
    assert sorted(display["unreached"]["township_code"]) == ["t2"]   # by the midpoint
    assert display["reached"].crs == "EPSG:4326"
    assert display["sites"]["township_code"].tolist() == ["t1"]


def test_deck_is_compact_offline_and_only_an_invisible_layer_is_pickable(town):
    villages, display = town
    outlines = display_geometry(villages)
    label = "建议点1：东村（道路交叉口）"
    deck = build_walk_deck(display, outlines, suggested=((117.01, 26.2, label),))
    text = deck.to_json()
    assert "\n" not in text and ": " not in text and "mapbox" not in text
    out = json.loads(text)
    assert out["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in out
    layers = layers_of(deck)
    assert list(layers) == ["areas", "borders", "roads", "units-reached", "units-missed",
                            "catchment", "sites", "kept", "suggested", "labels"]
    assert [k for k, layer in layers.items() if layer.get("pickable")] == ["labels"]
    assert layers["labels"]["getFillColor"][3] <= 1 and not layers["labels"]["stroked"]
    assert [row["n"] for row in layers["labels"]["data"]] == ["建议点1：东村（道路交叉口）"]
    assert len(layers["units-missed"]["data"]) == 1 and len(layers["units-reached"]["data"]) == 1
    assert not layers["sites"]["stroked"] and not layers["areas"]["stroked"]
    assert deck._tooltip == {"text": "{n}"}


def test_a_township_shows_its_own_units_and_roads_only(town):
    villages, display = town
    outlines = display_geometry(villages)
    layers = layers_of(build_walk_deck(display, outlines[outlines["township_code"] == "t2"],
                                       "c", "t2"))
    assert len(layers["units-reached"]["data"]) == 0 and len(layers["units-missed"]["data"]) == 1
    assert layers["catchment"]["data"] == [] and len(layers["roads"]["data"]) >= 1
    assert layers["roads"]["@@type"] == "LineLayer" and not layers["roads"]["pickable"]
    origin = np.array(layers["roads"]["coordinateOrigin"])
    ends = [row[end] for row in layers["roads"]["data"] for end in ("s", "t")]
    xy = np.array(ends) * 1e-5 + origin
    assert xy[:, 0].min() > 117.0  # east of the township border (about 117.02°)


def test_legend_names_the_minutes():
    labels = [label for _, label in walk_legend(10).entries]
    assert labels[0] == "步行 10 分钟可达路段" and "未覆盖人口单元" in labels


def test_print_map_of_the_catchment_and_its_notice_without_roads():
    """The print map draws the county's catchment; without one it says why, no error."""
    import dataclasses

    from analysis.params import Params
    from geo.dataset import load_dataset
    from maps import print_layout as ml
    from maps.static import build_map, map_available, map_layers
    from tests.conftest import DEMO

    layers = map_layers(load_dataset(DEMO), Params(walk_minutes=10), "350481")
    assert map_available("walk", layers) and len(layers.walk["units"]) == 1787
    assert len(layers.walk["reached"]) > 100 and layers.walk["budget_m"] == pytest.approx(666.667,
                                                                                        abs=1e-3)
    furniture = ml.Furniture("永安市党群服务阵地步行服务圈图")
    fig = build_map("walk", layers, furniture)
    labels = [t.get_text() for t in next(lg for lg in fig.legends).get_texts()]
    assert "步行 10 分钟可达路段" in labels and "未覆盖人口单元" in labels
    bare = dataclasses.replace(layers, walk=None)
    assert not map_available("walk", bare)
    fig = build_map("walk", bare, furniture)
    assert any("无法绘制步行服务圈" in t.get_text() for t in fig.axes[0].texts)
