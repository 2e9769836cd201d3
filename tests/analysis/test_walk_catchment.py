"""The walking catchment drawn on the maps: the road within the budget of a site, on
hand-worked networks (EPSG:32650, metres; 15 minutes at 4 km/h = 1,000 m)."""
import geopandas as gpd
import numpy as np
import shapely

from analysis import walk
from analysis.walk_catchment import road_reach, walk_catchment

CRS = "EPSG:32650"


def frame(geoms, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=list(geoms), crs=CRS)


def lengths(lines) -> list[float]:
    return sorted(round(float(x), 3) for x in shapely.length(lines))


def test_an_edge_reached_from_both_ends_keeps_its_middle_out():
    """Sites at both ends of a 1,600 m road: 1,000 m from each end cover it whole;
    in 10 minutes (666.7 m) the middle 266.7 m are out."""
    roads = frame([shapely.LineString([(0, 0), (1600, 0)])])
    sites = frame([shapely.Point(0, 0), shapely.Point(1600, 0)])
    villages = frame([shapely.box(700, -10, 900, 10)], population=[10])
    whole = walk_catchment(villages, sites, roads)
    assert lengths(whole.reached) == [1600.0] and len(whole.unreached) == 0
    ten = walk_catchment(villages, sites, roads, walk_minutes=10)
    assert lengths(ten.reached) == [666.667, 666.667] and lengths(ten.unreached) == [266.667]
    assert ten.units["reached"].tolist() == [False] and whole.units["reached"].tolist() == [True]


def test_access_lines_count_and_crossing_roads_stay_out():
    """The site is 200 m off the road's start: 800 m of road are left.  A road crossing
    at (300, 0) without a shared vertex is not walked onto."""
    roads = frame([shapely.LineString([(0, 0), (2000, 0)]),
                   shapely.LineString([(300, -400), (300, 400)])])
    sites = frame([shapely.Point(0, 200)])
    villages = frame([shapely.box(-10, -10, 10, 10)], population=[1])
    found = walk_catchment(villages, sites, roads)
    assert lengths(found.reached) == [800.0]
    assert lengths(found.unreached) == [800.0, 1200.0]
    assert found.units.equals(walk.walk_units(villages, sites, roads))
    assert found.budget_m == 1000.0 and found.sites_xy.tolist() == [[0.0, 200.0]]


def test_road_reach_pieces_add_up_to_the_network():
    net = walk.road_network(frame([shapely.LineString([(0, 0), (500, 0), (500, 700),
                                                       (1500, 700)])]))
    dist = walk.network_distances(net, np.array([[500.0, 0.0]]), 1000.0)
    reached, rest = road_reach(net, dist, 1000.0)
    assert lengths(reached) == [300.0, 500.0, 700.0]      # 500 back, 700 up, 300 on
    assert lengths(rest) == [700.0]
    assert round(float(shapely.length(reached).sum() + shapely.length(rest).sum()), 6) == \
        round(float(net.lengths.sum()), 6)


def test_nothing_without_roads_or_sites():
    villages = frame([shapely.box(0, 0, 10, 10)], population=[1])
    roads = frame([shapely.LineString([(0, 0), (10, 0)])])
    assert walk_catchment(villages, frame([]), roads) is None
    assert walk_catchment(villages, frame([shapely.Point(0, 0)]), roads.iloc[:0]) is None
