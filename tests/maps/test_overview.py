"""The overview deck's click layer and what a click picks, on the demo."""
import json

import pytest

from maps.overview import overview_map, picked_area
from tests.conftest import DEMO
from ui import cached


@pytest.fixture(scope="module")
def display():
    src = cached.Source(str(DEMO), DEMO.stat().st_mtime, True)
    return cached.display_layers(src), cached.villages_table(src, cached.params())


AREAS = [(None, None, None), ("350404", None, None), ("350404", "350404006", None),
         ("350404", "350404006", "350404006203")]


@pytest.mark.parametrize("county, township, village", AREAS)
def test_only_unstroked_polygons_and_points_are_pickable(display, county, township, village):
    """deck.gl picks on pointerdown and loses the click when pointerup comes more
    than 250 ms later; stroked (path) layers in the picking pass made that happen
    under software WebGL.  So: the pickable polygons (the villages, which a click
    drills into) are unstroked, and every outline is a LineLayer, never pickable."""
    deck, _ = overview_map(*display, "joint", county, township, village=village)
    layers = json.loads(deck.to_json())["layers"]
    pickable = {layer["id"]: layer for layer in layers if layer.get("pickable")}
    assert set(pickable) == {"areas", "leads"}
    assert pickable["areas"]["@@type"] == "PolygonLayer" and not pickable["areas"]["stroked"]
    assert not [layer["id"] for layer in layers if layer["@@type"] == "GeoJsonLayer"]
    assert ("selected" in {layer["id"] for layer in layers}) == bool(village)


@pytest.mark.parametrize("county, township, field, name", [
    (None, None, "county_code", "county"), ("350404", None, "township_code", "township"),
    ("350404", "350404006", "village_code", "name")])
def test_the_village_layer_holds_the_next_level(display, county, township, field, name):
    """Each village's row carries the codes down to the area a click opens (and no
    deeper) and that area's name for the tooltip; every village of the area is drawn."""
    deck, _ = overview_map(*display, "joint", county, township)
    rows = next(layer for layer in json.loads(deck.to_json())["layers"]
                if layer["id"] == "areas")["data"]
    villages = display[0]["villages"]
    inside = villages[(villages["county_code"] == county) if county else slice(None)]
    if township:
        inside = inside[inside["township_code"] == township]
    expected = dict(zip(inside[field], inside[name]))
    assert {r[field]: r["name"] for r in rows} == expected
    assert all(len(r["f"]) == 4 and r["p"] for r in rows)
    if county:
        assert {r["county_code"] for r in rows} == {county}
    if township:
        assert {r["township_code"] for r in rows} == {township}
    else:
        assert "village_code" not in rows[0]


def test_a_click_picks_one_level_below_the_area():
    feature = {"properties": {"county_code": "c1", "township_code": "t1", "village_code": "v1"}}
    picked = {"selection": {"objects": {"areas": [feature]}}}
    assert picked_area(picked) == {"county": "c1"}
    assert picked_area(picked, "c1") == {"county": "c1", "township": "t1"}
    assert picked_area(picked, "c1", "t1") == {"county": "c1", "township": "t1", "village": "v1"}
    assert picked_area(picked, "c2") == {}
    assert picked_area(picked, "c1", "t2") == {}
    assert picked_area(None) == {} and picked_area({"selection": None}) == {}


def test_a_lead_or_site_without_codes_picks_nothing():
    point = {"selection": {"objects": {"sites": [{"name": "站点", "county_code": None}]}}}
    assert picked_area(point) == {}


def test_a_site_without_a_village_is_drawn_and_picks_nothing(display):
    """``village_code`` is optional for sites: its codes go out as JSON null (not
    NaN, which is not JSON) and a click on it drills nowhere."""
    import pandas as pd

    sites = pd.DataFrame({"lon": [117.6], "lat": [26.2], "name": ["驿站"], "county_code": [None],
                          "township_code": [float("nan")], "village_code": [None]})
    deck, _ = overview_map(*display, "joint", extras={"sites": sites})
    text = deck.to_json()
    assert "NaN" not in text
    point = next(layer for layer in json.loads(text)["layers"] if layer["id"] == "sites")
    picked = {"selection": {"objects": {"sites": point["data"]}}}
    assert point["data"][0]["township_code"] is None and picked_area(picked) == {}


def test_villages_without_a_shape_or_that_geos_cannot_simplify_are_drawn(monkeypatch):
    """Data nobody here made: a missing geometry is left out of the map, and a
    coverage GEOS refuses to simplify is simplified polygon by polygon."""
    import geopandas as gpd
    import shapely

    from maps import deck as deck_module
    from maps.overview import areas_layer

    v = gpd.GeoDataFrame({"county_code": ["c1", "c1"], "county": ["甲县", "甲县"]},
                         geometry=[None, shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    rows = areas_layer(v, [[1, 2, 3, 4]] * 2, None, None, (0.5, 0.5), tolerance=0.01).data
    assert len(rows) == 1 and rows[0]["county_code"] == "c1"

    def refuse(*args, **kwargs):
        raise shapely.errors.GEOSException("TopologyException: side location conflict")

    monkeypatch.setattr(deck_module.shapely, "coverage_simplify", refuse)
    bump = shapely.Polygon([(0, 0), (1, 0.001), (2, 0), (2, 1), (0, 1)])
    out = deck_module.simplify_coverage([bump], 0.01)
    assert shapely.get_num_coordinates(out[0]) == 5
