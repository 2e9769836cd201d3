"""geo.ingest.coords: GCJ-02/BD-09 accuracy on published points, round trips,
CRS choices and checks.

Reference pairs (WGS 84 ↔ GCJ-02) are the test points of googollee/eviltransform
(python/test.py: Shanghai, Shenzhen, Beijing, to 1e-6°); the BD-09 and GCJ-02
values at (123°E, 45°N) are those of hujiulong/gcoord's unit tests
(test/unit/crs/BD09.spec.js, GCJ02.spec.js, to 1e-5°).  Distances are
measured on the WGS 84 ellipsoid with pyproj.Geod.
"""
import geopandas as gpd
import numpy as np
import prcoords
import pyproj
import pytest
import shapely

from geo.ingest.coords import (CHINA_BOUNDS, coordinate_problem, crs_choices, parse_crs,
                               suggest_crs, to_wgs84)

GEOD = pyproj.Geod(ellps="WGS84")
# (WGS lat, WGS lon, GCJ lat, GCJ lon)
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),   # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),   # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),   # Beijing
]
# (system, input lon, lat, WGS lon, lat)
GCOORD = [("gcj02", 123.0, 45.0, 122.99395597, 44.99804071),
          ("bd09", 123.0, 45.0, 122.98762210, 44.99171540)]


def _metres(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


@pytest.mark.parametrize("wlat, wlon, glat, glon", EVILTRANSFORM)
def test_gcj02_published_points(wlat, wlon, glat, glon):
    lon, lat = shapely.get_coordinates(to_wgs84(shapely.points([[glon, glat]]), "gcj02"))[0]
    assert _metres(lon, lat, wlon, wlat) < 0.01  # about 1 cm; the offset itself is ~300–600 m
    assert _metres(glon, glat, wlon, wlat) > 100


@pytest.mark.parametrize("system, lon, lat, wlon, wlat", GCOORD)
def test_gcoord_reference_values(system, lon, lat, wlon, wlat):
    got = shapely.get_coordinates(to_wgs84(shapely.points([[lon, lat]]), system))[0]
    assert _metres(*got, wlon, wlat) < 0.5  # gcoord quotes 1e-5° (≈ 1 m)


def test_round_trips_across_china_stay_under_a_metre():
    rng = np.random.default_rng(7)
    lon = rng.uniform(74, 134, 400)
    lat = rng.uniform(19, 53, 400)
    for forward, system in ((prcoords.wgs_gcj, "gcj02"), (prcoords.wgs_bd, "bd09")):
        shifted = np.array([forward((la, lo), False)[::-1] for lo, la in zip(lon, lat)])
        back = shapely.get_coordinates(to_wgs84(shapely.points(shifted), system))
        errors = GEOD.inv(back[:, 0], back[:, 1], lon, lat)[2]
        assert errors.max() < 1.0, (system, errors.max())
        assert np.median(errors) < 0.01


def test_every_vertex_of_every_geometry_is_converted_and_the_input_kept():
    hole = shapely.Polygon([(117, 26), (117.1, 26), (117.1, 26.1), (117, 26.1)],
                           [[(117.02, 26.02), (117.05, 26.02), (117.05, 26.05)]])
    multi = shapely.MultiPolygon([shapely.box(118, 26, 118.1, 26.1),
                                  shapely.box(118.2, 26, 118.3, 26.1)])
    gdf = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[hole, multi], crs="EPSG:4490")
    out = to_wgs84(gdf, "gcj02")
    assert out.crs == gdf.crs and out["name"].tolist() == ["a", "b"]
    assert gdf.geometry.iloc[0].equals(hole)  # input unchanged
    before, after = (shapely.get_coordinates(gdf.geometry.values),
                     shapely.get_coordinates(out.geometry.values))
    assert before.shape == after.shape
    moved = GEOD.inv(before[:, 0], before[:, 1], after[:, 0], after[:, 1])[2]
    assert (moved > 100).all() and (moved < 1000).all()
    assert shapely.get_num_interior_rings(out.geometry.values[0]) == 1
    series = to_wgs84(gdf.geometry, "bd09")
    assert isinstance(series, gpd.GeoSeries) and series.crs == gdf.crs


def test_outside_china_nothing_moves_and_projected_data_are_refused():
    paris = shapely.points([[2.35, 48.85]])
    assert shapely.get_coordinates(to_wgs84(paris, "gcj02")).tolist() == [[2.35, 48.85]]
    projected = gpd.GeoSeries([shapely.Point(500_000, 2_900_000)], crs="EPSG:4549")
    with pytest.raises(ValueError, match="只适用于经纬度坐标.*EPSG:4549 是投影坐标系"):
        to_wgs84(projected, "gcj02")
    with pytest.raises(ValueError, match="未知的坐标偏移类型 'mars'"):
        to_wgs84(projected, "mars")
    assert to_wgs84(projected, "wgs84") is projected


def test_crs_choices_match_the_epsg_registry():
    codes = [c.code for c in crs_choices()]
    assert codes[:2] == ["EPSG:4490", "EPSG:4326"]
    assert codes[2:] == [f"EPSG:{n}" for n in range(4513, 4555)]
    for choice in crs_choices()[2:]:
        crs = pyproj.CRS.from_user_input(choice.code)
        assert crs.name.startswith("CGCS2000 / 3-degree Gauss-Kruger")
        zone_or_cm = crs.name.rsplit(" ", 1)[-1]  # "38" or "114E"
        if zone_or_cm.endswith("E"):
            assert f"中央经线 {zone_or_cm[:-1]}°E（坐标不含带号）" in choice.label
        else:
            assert (f"第{zone_or_cm}带（坐标含带号，中央经线 {3 * int(zone_or_cm)}°E）"
                    in choice.label)
    params = {p.name: p.value for p in pyproj.CRS("EPSG:4526").coordinate_operation.params}
    assert params["False easting"] == 38_500_000  # the zone number in front


def test_parse_and_suggest():
    assert parse_crs("EPSG:4490").to_epsg() == 4490 and parse_crs(" 4326 ").to_epsg() == 4326
    with pytest.raises(ValueError, match="无法识别坐标系 'CGCS2001'"):
        parse_crs("CGCS2001")
    assert suggest_crs((117.2, 25.9, 117.6, 26.3)) == ("EPSG:4490", "EPSG:4326")
    assert suggest_crs((38_400_000, 2_860_000, 38_600_000, 2_900_000)) == ("EPSG:4526",)
    assert suggest_crs((4_000_000, 2_000_000, 5_000_000, 2_100_000)) == ()


@pytest.mark.parametrize("crs, bounds, fragment", [
    ("EPSG:4490", (500_000, 2_900_000, 510_000, 2_910_000), "超出经纬度范围，像是投影坐标"),
    ("EPSG:4490", (39_500_000, 2_900_000, 39_510_000, 2_910_000), "可能属于 EPSG:4527"),
    ("EPSG:4549", (117.0, 26.0, 117.5, 26.5), "像是经纬度"),
    ("EPSG:4326", (2.2, 48.8, 2.4, 48.9), "不在中国范围内"),
    ("EPSG:4549", (39_500_000, 2_900_000, 39_510_000, 2_910_000), "不在中国范围内"),
])
def test_coordinates_that_do_not_fit_the_crs(crs, bounds, fragment):
    assert fragment in coordinate_problem(crs, bounds)


def test_coordinates_that_fit():
    assert coordinate_problem("EPSG:4526", (38_400_000, 2_860_000, 38_600_000, 2_900_000)) is None
    assert coordinate_problem("EPSG:4549", (400_000, 2_860_000, 600_000, 2_900_000)) is None
    w, s, e, n = CHINA_BOUNDS
    assert coordinate_problem("EPSG:4490", (w + 1, s + 1, e - 1, n - 1)) is None
