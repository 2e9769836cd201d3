"""The walking figure of SPEC §3 on hand-worked networks (EPSG:32650, metres).

15 minutes at 4 km/h is 1,000 m (SPEC); 10 minutes 666.7 m.  A village box
is a unit at its centre (its ``point_on_surface``); each case states the
walk: unit → nearest node (straight) + network path + node nearest the
site → site (straight).
"""
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analysis import walk
from analysis.kpis import compute_kpis, kpis_by_area, prepare_kpis
from analysis.params import Params
from analysis.service import service_population_coverage
from geo import schema as s
from tests.analysis.conftest import make_dataset

CRS = "EPSG:32650"
KEY = "walk_service_population_coverage"


def frame(geoms, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=list(geoms), crs=CRS)


def roads(*lines) -> gpd.GeoDataFrame:
    return frame([shapely.LineString(line) for line in lines])


def points(*xy) -> gpd.GeoDataFrame:
    return frame([shapely.Point(p) for p in xy])


def village_at(x, y, population=100, half=10) -> gpd.GeoDataFrame:
    """One village whose unit (its centre) is (x, y)."""
    return frame([shapely.box(x - half, y - half, x + half, y + half)], population=[population])


def reached(village, sites, network, minutes=15.0) -> bool:
    units = walk.walk_units(village, sites, network, walk_minutes=minutes)
    return bool(units["reached"].iloc[0])


# ---- the budget (SPEC example) -------------------------------------------------------

def test_spec_example_15_minutes_at_4_kmh_is_1000_m():
    assert walk.walk_budget_m() == walk.walk_budget_m(15, 4.0) == 1000.0
    assert walk.walk_budget_m(10, 4.0) == pytest.approx(666.667, abs=1e-3)
    with pytest.raises(ValueError, match="步行时间和步速应为正数"):
        walk.walk_budget_m(0, 4.0)


def test_exactly_1000_m_is_reached_in_15_minutes_not_in_14():
    """Site on the node (0, 0); unit on the node (1000, 0); path 500 + 500 = 1000 m."""
    network = roads([(0, 0), (500, 0), (1000, 0)])
    unit, site = village_at(1000, 0), points((0, 0))
    units = walk.walk_units(unit, site, network)
    assert units[["access_m", "walk_m"]].values.tolist() == [[0.0, 1000.0]]
    assert reached(unit, site, network, 15) and not reached(unit, site, network, 14.99)
    assert not reached(unit, site, network, 10)


# ---- the network ---------------------------------------------------------------------

def test_a_detour_is_walked_where_the_straight_line_is_short():
    """The unit (0, 300) is 300 m from the site (0, 0), but the road goes round:
    400 + 300 + 400 = 1,100 m.  The 1,000 m disc serves it; 15 minutes on foot
    do not; 16.5 minutes (1,100 m) do."""
    network = roads([(0, 0), (400, 0), (400, 300), (0, 300)])
    unit, site = village_at(0, 300, half=50), points((0, 0))
    assert service_population_coverage(unit, site, 1000.0) == 1.0
    assert walk.walk_service_population_coverage(unit, site, network) == 0.0
    assert walk.walk_service_population_coverage(unit, site, network, walk_minutes=16.5) == 1.0
    assert walk.walk_units(unit, site, network, walk_minutes=17)["walk_m"].tolist() == [1100.0]


def test_lines_that_cross_without_a_shared_vertex_do_not_connect():
    """(−500, 0)–(500, 0) and (0, −500)–(0, 500) cross at (0, 0), which is a
    vertex of neither: the unit at (0, 500) is never reached from the site at
    (−500, 0).  With (0, 0) a vertex of both it is 500 + 500 = 1,000 m."""
    unit, site = village_at(0, 500), points((-500, 0))
    crossing = roads([(-500, 0), (500, 0)], [(0, -500), (0, 500)])
    assert not reached(unit, site, crossing, minutes=600)
    joined = roads([(-500, 0), (0, 0), (500, 0)], [(0, -500), (0, 0), (0, 500)])
    assert reached(unit, site, joined, 15) and not reached(unit, site, joined, 14.9)


def test_vertices_closer_than_a_tenth_of_a_metre_are_one_node():
    """(0, 0.04) rounds to (0, 0) and connects; (0, 0.2) is another node and does not."""
    unit, site = village_at(0, 500), points((-500, 0))
    near = roads([(-500, 0), (0, 0)], [(0, 0.04), (0, 500)])
    apart = roads([(-500, 0), (0, 0)], [(0, 0.2), (0, 500)])
    assert reached(unit, site, near) and not reached(unit, site, apart, minutes=600)
    assert len(walk.road_network(near).nodes) == 3 and len(walk.road_network(apart).nodes) == 4


def test_parts_of_a_multilinestring_connect_only_through_shared_vertices():
    """Two parts with a 100 m gap: the unit at (1000, 0) is cut off."""
    gap = frame([shapely.MultiLineString([[(0, 0), (400, 0)], [(500, 0), (1000, 0)]])])
    assert not reached(village_at(1000, 0), points((0, 0)), gap, minutes=600)
    net = walk.road_network(gap)
    assert net.edges.tolist() == [[0, 1], [2, 3]] and net.lengths.tolist() == [400.0, 500.0]


def test_access_distance_is_counted_at_both_ends():
    """Site (0, 200) → node (0, 0): 200 m; path 600 m; node (600, 0) → unit
    (600, 250): 250 m; 1,050 m in all: not within 15 minutes (1,000 m), within 16
    (1,066.7 m).  Either access alone would have fitted (850 m, 800 m)."""
    network = roads([(0, 0), (300, 0), (600, 0)])
    unit, site = village_at(600, 250), points((0, 200))
    assert not reached(unit, site, network, 15)
    units = walk.walk_units(unit, site, network, walk_minutes=16)
    assert units[["access_m", "walk_m", "reached"]].values.tolist() == [[250.0, 1050.0, True]]


def test_the_nearest_site_on_foot_counts():
    """Sites A (0, 0) and B (2000, 0) on one road; the unit at (1800, 0) is 1,800 m
    from A and 200 m from B; B alone reaches it; two sites on one node count once."""
    network = roads([(0, 0), (1000, 0), (1800, 0), (2000, 0)])
    unit = village_at(1800, 0)
    assert walk.walk_units(unit, points((0, 0), (2000, 0)), network)["walk_m"].tolist() == [200.0]
    assert not reached(unit, points((0, 0)), network)
    distances = walk.network_distances(walk.road_network(network),
                                       np.array([[0.0, 30.0], [0.0, -10.0]]))
    assert distances.tolist() == [10.0, 1010.0, 1810.0, 2010.0]


# ---- the units -----------------------------------------------------------------------

def test_units_are_unit_grids_and_villages_without_one():
    """Village a has unit grids A1 (pop 60) and A2 (pop 0, geometry empty: no
    unit); village b has none and is one unit; its 片区 B is no unit."""
    v = frame([shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
              village_code=["a", "b"], population=[999, 40])
    g = frame([shapely.box(0, 0, 100, 100), shapely.box(0, 0, 50, 100), shapely.Polygon(),
               shapely.box(100, 0, 200, 50)],
              grid_code=["A", "A1", "A2", "B"], level=[3, 4, 4, 3],
              parent_code=["a", "A", "A", "b"], population=[60, 60, 0, 40])
    units = walk.population_units(v, g)
    assert units[["kind", "code", "village", "population", "x", "y"]].values.tolist() == [
        ["grid", "A1", 0, 60.0, 25.0, 50.0], ["village", "b", 1, 40.0, 150.0, 50.0]]


def test_without_roads_or_sites_the_figure_is_null():
    unit, network, site = village_at(0, 0), roads([(0, 0), (10, 0)]), points((0, 0))
    empty = frame([])
    assert walk.walk_service_population_coverage(unit, site, network) == 1.0
    assert walk.walk_service_population_coverage(unit, site, empty) is None
    assert walk.walk_service_population_coverage(unit, empty, network) is None
    assert walk.walk_units(unit, site, frame([shapely.LineString()])) is None
    assert walk.walk_figures(unit, None)[KEY].isna().all()


def test_inputs_are_not_changed():
    unit, network, site = village_at(0, 0), roads([(0, 0), (10, 0)]), points((0, 0))
    copies = [unit.copy(), network.copy(), site.copy()]
    walk.walk_units(unit, site, network)
    for before, after in zip(copies, (unit, network, site)):
        pd.testing.assert_frame_equal(before, after)


# ---- through the figures of SPEC §3 ---------------------------------------------------

def county_layers() -> dict:
    """County X: village v1 (population field 999, ignored) with unit grids g1
    (60 people, centre (250, 500)) and g2 (40, (750, 500)).  County Y: v2 (300,
    unit (1500, 500)) and v3 (200, (5500, 500)).  A unit grid GO (100, (9050, 50))
    lies in no village.  Road (250, 500)–(750, 500)–(1500, 500); site (250, 400).

    Walks: g1 100 + 0 + 0 = 100 m; g2 100 + 500 = 600 m; v2 100 + 1,250 =
    1,350 m; v3 and GO 4 km and more from the road.  At 15 minutes: X 100/100,
    Y 0/500, all 100/700; at 21 minutes (1,400 m): Y 300/500, all 400/700.
    """
    ids = ["v1", "v2", "v3"]
    villages = frame([shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000),
                      shapely.box(5000, 0, 6000, 1000)],
                     village_code=ids, name=ids, township_code=["X1", "Y1", "Y1"],
                     township=["甲镇", "乙镇", "乙镇"], county_code=["X", "Y", "Y"],
                     county=["甲县", "乙县", "乙县"], kind=["village"] * 3,
                     households=[30, 100, 70], population=[999, 300, 200])
    grids = frame([shapely.box(0, 0, 1000, 1000), shapely.box(0, 0, 500, 1000),
                   shapely.box(500, 0, 1000, 1000), shapely.box(9000, 0, 9100, 100)],
                  grid_code=["G", "g1", "g2", "GO"], name=["片区", "一", "二", "外"],
                  level=[3, 4, 4, 4], parent_code=["v1", "G", "G", "missing"],
                  households=[30, 20, 10, 30], population=[100, 60, 40, 100],
                  party_branch=[True, False, False, False], manager=["张", "李", "", ""])
    sites = frame([shapely.Point(250, 400)], site_id=["S1"], name=["一号中心"],
                  site_type=["center"])
    network = roads([(250, 500), (750, 500), (1500, 500)]).assign(road_id=["R1"])
    return {s.VILLAGES: villages, s.GRIDS: grids, s.SERVICE_SITES: sites, s.ROADS: network}


def county_dataset():
    return make_dataset(**county_layers())


def test_whole_dataset_and_per_county():
    data = county_dataset()
    assert compute_kpis(data)[KEY] == pytest.approx(100 / 700)
    by = {r["code"]: r[KEY] for r in kpis_by_area(data, "county")}
    assert by == {"X": 1.0, "Y": 0.0}
    later = Params(walk_minutes=21)
    assert compute_kpis(data, later)[KEY] == pytest.approx(400 / 700)
    by = {r["code"]: r[KEY] for r in kpis_by_area(data, "county", later)}
    assert by == {"X": 1.0, "Y": pytest.approx(0.6)}
    table = walk.village_walk_population(data.villages, prepare_kpis(data, later).walk_units)
    assert table.values.tolist() == [[100.0, 100.0], [300.0, 300.0], [200.0, 0.0]]


def test_null_without_roads_and_the_other_figures_unchanged():
    data, layers = county_dataset(), county_layers()
    network = layers.pop(s.ROADS)
    bare = make_dataset(**layers)
    with_roads, without = compute_kpis(data), compute_kpis(bare)
    assert without[KEY] is None and with_roads[KEY] is not None
    assert {k: v for k, v in with_roads.items() if k != KEY} == \
        {k: v for k, v in without.items() if k != KEY}
    assert all(r[KEY] is None for r in kpis_by_area(bare, "township"))
    no_sites = make_dataset(**{n: f for n, f in layers.items() if n != s.SERVICE_SITES}
                            | {s.ROADS: network})
    assert compute_kpis(no_sites)[KEY] is None


def test_prepared_walk_must_match_the_params():
    data = county_dataset()
    prepared = prepare_kpis(data, Params(walk_minutes=10))
    assert compute_kpis(data, Params(walk_minutes=10), prepared)[KEY] == pytest.approx(100 / 700)
    with pytest.raises(ValueError, match="步行 10 分钟"):
        compute_kpis(data, Params(), prepared)
