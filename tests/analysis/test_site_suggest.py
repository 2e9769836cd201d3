"""选址建议 (issue 16): the maximal covering location problem against brute force, greedy
against the exact answer, and the candidates' reach walked by the rule of SPEC §3
(EPSG:32650, metres; 15 minutes at 4 km/h = 1,000 m)."""
import itertools

import geopandas as gpd
import numpy as np
import pytest
import scipy.sparse as sp
import shapely

from analysis import walk
from analysis.kpis import kpis_by_area
from analysis.params import Params
from analysis.site_mclp import (covered_weight, mclp_greedy, mclp_milp, order_by_gain,
                                reduce_cover)
from analysis.site_suggest import (JUNCTION, VILLAGE_CENTRE, candidate_reach, reach_table,
                                   site_candidates, suggest_sites, to_cgcs2000)

CRS = "EPSG:32650"


def brute_force(cover, weights, k) -> float:
    """The best total weight over every choice of ``k`` columns."""
    n = cover.shape[1]
    return max(covered_weight(cover, weights, list(c))
               for c in itertools.combinations(range(n), min(k, n)))


# ---- the MCLP on hand-made matrices -------------------------------------------------

# Seven units (persons) in a row, six candidates, each reaching a stretch of the row:
#   c0 {0, 1}   c1 {1, 2, 3}   c2 {3, 4}   c3 {4, 5, 6}   c4 {0, 6}   c5 {2}
HAND = np.zeros((7, 6), dtype=bool)
for j, rows in enumerate([(0, 1), (1, 2, 3), (3, 4), (4, 5, 6), (0, 6), (2,)]):
    HAND[list(rows), j] = True
PERSONS = np.array([50.0, 10.0, 40.0, 30.0, 20.0, 25.0, 60.0])


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
def test_exact_answer_equals_brute_force_on_the_hand_case(k):
    """c4 alone reaches 110; c1 + c4 190; from k = 3 on everyone (235, e.g. c0 + c1 + c3)."""
    chosen, optimal = mclp_milp(HAND, PERSONS, k)
    assert optimal
    assert covered_weight(HAND, PERSONS, chosen) == brute_force(HAND, PERSONS, k)
    assert covered_weight(HAND, PERSONS, chosen) == {1: 110.0, 2: 190.0}.get(k, 235.0)
    assert len(chosen) <= k


def test_greedy_falls_short_where_the_exact_answer_does_not():
    """Units 3, 4, 4, 3 persons; c0 {0, 1}, c1 {1, 2}, c2 {2, 3}: greedy takes c1 (8)
    and one end (3) = 11; the two ends reach 14."""
    cover = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]], dtype=bool)
    w = np.array([3.0, 4.0, 4.0, 3.0])
    assert covered_weight(cover, w, mclp_greedy(cover, w, 2)) == 11.0
    chosen, optimal = mclp_milp(cover, w, 2)
    assert chosen.tolist() == [0, 2] and optimal and brute_force(cover, w, 2) == 14.0


@pytest.mark.parametrize("seed", range(8))
def test_random_cases_exact_equals_brute_force_and_greedy_is_no_better(seed):
    rng = np.random.default_rng(seed)
    cover = rng.random((14, 9)) < 0.25
    w = rng.integers(0, 50, 14).astype(float)
    for k in (1, 2, 3, 4):
        exact = covered_weight(cover, w, mclp_milp(cover, w, k)[0])
        assert exact == brute_force(cover, w, k)
        assert covered_weight(cover, w, mclp_greedy(cover, w, k)) <= exact
        assert covered_weight(cover, w, mclp_milp(cover, w, k, reduce=False)[0]) == exact


def test_reduction_drops_dominated_and_empty_columns_and_merges_rows():
    """c5 {2} lies in c1; with unit 2 already served (weight 0) c5 reaches nobody."""
    small = reduce_cover(HAND, PERSONS)
    assert 5 not in small.columns.tolist() and small.columns_in == 6
    served = PERSONS.copy()
    served[[2, 3]] = 0.0
    small = reduce_cover(HAND, served)
    assert small.rows_in == 5 and 5 not in small.columns.tolist()
    assert small.weights.sum() == served.sum()


def test_fewer_sites_than_asked_when_everyone_is_reached():
    chosen, optimal = mclp_milp(HAND, PERSONS, 6)
    assert optimal and covered_weight(HAND, PERSONS, chosen) == PERSONS.sum()
    assert len(chosen) == 3
    with pytest.raises(ValueError, match="k 应为正整数"):
        mclp_milp(HAND, PERSONS, 0)


def test_each_site_is_credited_with_the_people_it_adds():
    order, gains = order_by_gain(HAND, PERSONS, [1, 3, 4])
    """c4 first (110), then c1 (80), then c3 without unit 6 (45)."""
    assert order.tolist() == [4, 1, 3] and gains.tolist() == [110.0, 80.0, 45.0]


# ---- candidates and their reach on a hand-worked network ------------------------------

def frame(geoms, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=list(geoms), crs=CRS)


@pytest.fixture
def town():
    """A road west–east (0, 0)–(3000, 0) with a branch (1500, 0)–(1500, 600): the node
    (1500, 0) is a junction (degree 3).  Villages (units at their centres):
    W at (0, 0), 100 persons, a site on it; M at (1500, 300), 300 persons (access
    0 m: the branch passes through (1500, 300)); E at (3000, 0), 200 persons.
    A road (2000, -500)–(2000, 500) crosses the main road without a shared vertex."""
    villages = frame([shapely.box(-100, -100, 100, 100), shapely.box(1400, 200, 1600, 400),
                      shapely.box(2900, -100, 3100, 100)],
                     village_code=["W", "M", "E"], name=["西村", "中村", "东村"],
                     county_code=["C", "C", "C"], township_code=["T1", "T1", "T2"],
                     population=[100, 300, 200])
    roads = frame([shapely.LineString([(0, 0), (1500, 0), (3000, 0)]),
                   shapely.LineString([(1500, 0), (1500, 300), (1500, 600)]),
                   shapely.LineString([(2000, -500), (2000, 500)])])
    return villages, frame([shapely.Point(0, 0)]), roads


def test_candidates_are_village_centres_and_junctions(town):
    villages, _, roads = town
    network = walk.road_network(roads)
    cands = site_candidates(villages, network)
    assert cands["kind"].tolist() == [VILLAGE_CENTRE] * 3
    # the junction (1500, 0) lies in no village; with M stretched over it, it is M's
    stretched = villages.copy()
    stretched.loc[1, "geometry"] = shapely.box(1400, -50, 1600, 400)
    cands = site_candidates(stretched, network)
    assert cands["kind"].tolist() == [VILLAGE_CENTRE] * 3 + [JUNCTION]
    assert cands.iloc[3][["x", "y", "name"]].tolist() == [1500.0, 0.0, "中村"]


def test_a_candidate_reaches_a_unit_exactly_as_a_site_would(town):
    """From the junction (1500, 0): M 300 m (reached), W and E 1,500 m (not, in 15 min);
    from (1500, 300): M 0 m.  Every column equals walk_units with that point as the site."""
    villages, _, roads = town
    network = walk.road_network(roads)
    units = walk.population_units(villages)
    access, node = walk.cKDTree(network.nodes).query(units[["x", "y"]].to_numpy())
    points = np.array([[1500.0, 0.0], [1500.0, 300.0], [0.0, 40.0], [2000.0, 400.0]])
    cover = candidate_reach(network, access, node, points, 1000.0).toarray()
    assert cover.tolist() == [[False, False, True, False], [True, True, False, False],
                              [False, False, False, False]]
    for j, xy in enumerate(points):
        as_site = walk.walk_units(villages, frame([shapely.Point(*xy)]), roads)
        assert as_site["reached"].tolist() == cover[:, j].tolist()


def test_one_new_site_goes_where_most_people_are_not_yet_reached(town):
    villages, site, roads = town
    table = reach_table(villages, site, roads)
    assert table.units["reached"].tolist() == [True, False, False]
    best = suggest_sites(table, 1)
    assert best.sites["name"].tolist() == ["中村"] and best.sites["new_population"].tolist() == [
        300.0]
    assert (best.before, best.after, best.optimal) == (100 / 600, 400 / 600, True)
    two = suggest_sites(table, 2)
    assert sorted(two.sites["name"]) == ["东村", "中村"] and two.after == 1.0
    kept = suggest_sites(table, 1, kept_xy=[[1500.0, 300.0]])   # 中村 kept: 东村 is next
    assert kept.sites["name"].tolist() == ["东村"] and kept.before == 400 / 600
    greedy = suggest_sites(table, 2, method="greedy")
    assert greedy.reached_after <= two.reached_after and not greedy.optimal


def test_the_area_limits_units_and_candidates(town):
    villages, site, roads = town
    table = reach_table(villages, site, roads, county="C", township="T2")
    assert table.units["village"].tolist() == [2] and table.candidates["name"].tolist() == [
        "东村"]
    assert suggest_sites(table, 3).after == 1.0


def test_bad_arguments_and_no_roads(town):
    villages, site, roads = town
    table = reach_table(villages, site, roads)
    with pytest.raises(ValueError, match="1–20"):
        suggest_sites(table, 21)
    with pytest.raises(ValueError, match="未知方法"):
        suggest_sites(table, 1, method="spopt")
    assert reach_table(villages, site, roads.iloc[:0]) is None
    no_site = reach_table(villages, site.iloc[:0], roads)
    assert not no_site.units["reached"].any() and suggest_sites(no_site, 3).after == 1.0


def test_coordinates_are_exported_in_cgcs2000():
    lonlat = to_cgcs2000([[500000.0, 0.0]], CRS)
    assert lonlat.round(6).tolist() == [[117.0, 0.0]]


# ---- the demo ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def yongan(request):
    from geo.dataset import load_dataset
    from tests.conftest import DEMO

    data = load_dataset(DEMO)
    return data, reach_table(data.villages, data.service_sites, data.roads, data.grids,
                             county="350481")


def test_demo_county_before_is_the_walking_figure_and_milp_beats_greedy(yongan):
    data, table = yongan
    row = next(r for r in kpis_by_area(data, "county", Params()) if r["code"] == "350481")
    figure = table.units.loc[table.units["reached"], "population"].sum() / table.total_population
    assert figure == pytest.approx(row["walk_service_population_coverage"], abs=1e-12)
    for k in (1, 5, 20):
        exact, greedy = suggest_sites(table, k), suggest_sites(table, k, method="greedy")
        assert exact.optimal and exact.seconds < 5
        assert greedy.reached_after <= exact.reached_after
        assert exact.sites["new_population"].sum() == exact.reached_after - exact.reached_before
        assert len(exact.sites) == k and (exact.sites["new_population"] > 0).all()
    cover = sp.csc_matrix(table.cover)
    assert cover.shape == (len(table.units), len(table.candidates))
