"""The demo's synthetic roads (data/demo_roads.py, data/demo/SOURCE.md).

Checked on the committed file with plain shapely and scipy: valid lines
inside the counties, one connected network in which every village road ends
on a main-road vertex, a few villages without a road, a lane to every other
service site.
"""
import numpy as np
import pytest
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from data.build_demo import read_counties
from data.demo_plan import METRIC_CRS
from data.demo_roads import LANE, MAIN, NO_ROAD_SHARE, VILLAGE_ROAD, township_seats
from geo import schema as s
from geo.dataset import load_dataset
from tests.conftest import DEMO, ROOT


@pytest.fixture(scope="module")
def demo():
    return load_dataset(DEMO)


@pytest.fixture(scope="module")
def roads(demo):
    return demo.roads.to_crs(METRIC_CRS)


def _ends(frame, which: int) -> np.ndarray:
    return np.array([np.asarray(g.coords)[which] for g in frame.geometry])


def test_valid_lines_inside_the_counties(roads):
    assert set(roads.geom_type) == {"LineString"} and roads.is_valid.all()
    assert roads[s.ROAD_ID].is_unique and roads[s.NAME].notna().all()
    assert set(roads[s.ROAD_CLASS]) == {MAIN, VILLAGE_ROAD, LANE}
    city = shapely.union_all(read_counties().geometry.to_numpy()).buffer(1.0)
    assert shapely.within(roads.geometry.to_numpy(), city).all()


def test_one_connected_network_sharing_vertices(demo, roads):
    """Nodes are the stored vertices (EPSG:4490, exact): every line meets another
    at a shared vertex, and all of them form one component."""
    parts = demo.roads.geometry.to_numpy()
    xy, owner = shapely.get_coordinates(parts, return_index=True)
    _, node = np.unique(xy, axis=0, return_inverse=True)
    node = node.reshape(-1)
    along = owner[1:] == owner[:-1]
    n = node.max() + 1
    graph = coo_matrix((np.ones(along.sum()), (node[:-1][along], node[1:][along])), shape=(n, n))
    assert connected_components(graph, directed=False)[0] == 1
    main = demo.roads[demo.roads[s.ROAD_CLASS] == MAIN]
    main_vertices = {tuple(c) for c in shapely.get_coordinates(main.geometry.to_numpy())}
    village_roads = demo.roads[demo.roads[s.ROAD_CLASS] == VILLAGE_ROAD]
    assert all(tuple(c) in main_vertices for c in _ends(village_roads, -1))


def test_a_few_villages_have_no_road(demo, roads):
    """About 4 % of villages: no village road starts at their centre, and they are no
    township seat (a seat lies on the main road)."""
    units = demo.villages.to_crs(METRIC_CRS)
    centres = shapely.get_coordinates(units.geometry.representative_point().to_numpy())
    starts = _ends(roads[roads[s.ROAD_CLASS] == VILLAGE_ROAD], 0)
    served = cKDTree(starts).query(centres)[0] < 0.01
    seats = units[s.VILLAGE_CODE].isin(
        units.sort_values(s.VILLAGE_CODE).groupby(s.TOWNSHIP_CODE).head(1)[s.VILLAGE_CODE])
    without = ~served & ~seats.to_numpy()
    village = (units[s.KIND] == s.KIND_VILLAGE).to_numpy()
    assert not (without & ~village).any()
    assert round(NO_ROAD_SHARE * village.sum()) <= without.sum() <= 0.05 * village.sum()
    assert len(township_seats(units)) == seats.sum() == units[s.TOWNSHIP_CODE].nunique()


def test_a_lane_from_each_site_of_a_village_with_a_road(demo, roads):
    sites = demo.service_sites.to_crs(METRIC_CRS)
    lanes = roads[roads[s.ROAD_CLASS] == LANE]
    starts = cKDTree(_ends(lanes, 0)).query(shapely.get_coordinates(sites.geometry.to_numpy()))[0]
    assert 0.95 * len(sites) <= (starts < 0.01).sum() == len(lanes)


def test_source_says_the_roads_are_synthetic():
    text = (ROOT / "data" / "demo" / "SOURCE.md").read_text(encoding="utf-8")
    assert "**synthetic, not a\n  survey of real roads**" in text
