"""The bundled demo (data/demo/sanming.gpkg) and its generator.

The figures are recomputed here with plain pandas and shapely, not with the
analysis package, from the committed file; a fresh build must give the same
frames.
"""
from collections import Counter

import networkx as nx
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from data.build_demo import build_demo, read_counties
from data.demo_plan import DEFAULT_SEED, DEFECT_COUNTY, METRIC_CRS, YONGAN
from geo import schema as s
from geo.dataset import load_dataset
from tests.conftest import DEMO

SMALL = ["350429", "350430"]   # 泰宁县, 建宁县: a quick partial build


@pytest.fixture(scope="module")
def demo():
    return load_dataset(DEMO)


@pytest.fixture(scope="module")
def metric(demo):
    return demo.villages.to_crs(METRIC_CRS)


@pytest.fixture(scope="module")
def income_wide(demo):
    return demo.village_income.pivot(index=s.VILLAGE_CODE, columns=s.YEAR,
                                     values=s.COLLECTIVE_INCOME)


@pytest.fixture(scope="module")
def l4_with_village(demo):
    """Unit grids (metric CRS) with the village_code of their 片区."""
    grids = demo.grids.to_crs(METRIC_CRS)
    l3 = grids[grids[s.LEVEL] == 3].set_index(s.GRID_CODE)[s.PARENT_CODE]
    l4 = grids[grids[s.LEVEL] == 4].copy()
    l4[s.VILLAGE_CODE] = l4[s.PARENT_CODE].map(l3)
    return l4


def _county(demo, code):
    return demo.villages[demo.villages[s.COUNTY_CODE] == code]


# ---- validation and counts ------------------------------------------------

def test_demo_loads_with_only_the_intended_warnings(demo):
    assert Counter(p.code for p in demo.warnings) == {"income_missing": 3}
    missing = {p.row_id for p in demo.warnings}
    joint = set(demo.joint_members[s.VILLAGE_CODE])
    yongan = set(_county(demo, YONGAN)[s.VILLAGE_CODE])
    assert not missing & joint and not missing & yongan
    assert demo.present == frozenset(s.LAYERS)


def test_layers_are_stored_in_cgcs2000_and_tables_have_no_geometry():
    listed = dict(pyogrio.list_layers(DEMO))
    assert listed.keys() == set(s.LAYERS)
    assert {layer: listed[layer] in s.LAYERS[layer].geometry if s.LAYERS[layer].geometry
            else listed[layer] is None for layer in listed} == dict.fromkeys(listed, True)
    for layer in (s.VILLAGES, s.GRIDS, s.SERVICE_SITES):
        assert pyogrio.read_info(DEMO, layer=layer)["crs"] == "EPSG:4490"
    assert DEMO.stat().st_size <= 15e6


def test_village_and_community_counts(demo):
    kinds = demo.villages[s.KIND].value_counts()
    assert kinds[s.KIND_VILLAGE] == 1730
    assert 180 <= kinds[s.KIND_COMMUNITY] <= 220
    yongan = _county(demo, YONGAN)[s.KIND].value_counts()
    assert (yongan[s.KIND_VILLAGE], yongan[s.KIND_COMMUNITY]) == (175, 26)
    assert demo.villages[s.COUNTY_CODE].nunique() == 11
    assert demo.villages[s.VILLAGE_CODE].str.fullmatch(r"\d{12}").all()


def test_joint_organisations(demo):
    orgs, members = demo.joint_orgs, demo.joint_members
    assert len(orgs) == 223
    assert members[s.VILLAGE_CODE].nunique() == len(members) == 869
    kind = demo.villages.set_index(s.VILLAGE_CODE)[s.KIND]
    assert (kind[members[s.VILLAGE_CODE]] == s.KIND_VILLAGE).all()
    sizes = members.groupby(s.ORG_ID).size()
    assert sizes.between(2, 7).all() and round(sizes.mean(), 1) == 3.9
    types = orgs[s.ORG_TYPE].value_counts()
    assert set(types.index) == set(s.ORG_TYPES) and types.index[0] == "strong_weak"
    assert orgs[s.PROJECTS].between(2, 15).all() and orgs[s.PROJECTS].sum() == 1795
    assert orgs[s.FOUNDED_YEAR].between(2018, 2022).all()
    county = demo.villages.set_index(s.VILLAGE_CODE)[s.COUNTY_CODE]
    assert 20 <= (county[orgs[s.LEAD_VILLAGE_CODE]] == YONGAN).sum() <= 30


def test_every_lead_village_is_a_strong_member(demo, income_wide):
    members = set(zip(demo.joint_members[s.ORG_ID], demo.joint_members[s.VILLAGE_CODE]))
    orgs = demo.joint_orgs
    assert all(pair in members for pair in zip(orgs[s.ORG_ID], orgs[s.LEAD_VILLAGE_CODE]))
    assert (income_wide.loc[orgs[s.LEAD_VILLAGE_CODE], 2023] >= 50).all()


def test_weak_organisations_and_star_shares(demo):
    v = demo.villages
    assert v[s.WEAK_ORG].sum() == 53 and (v[s.WEAK_ORG] & v[s.RECTIFIED]).sum() == 47
    assert (v.loc[v[s.WEAK_ORG], s.STAR_RATING] <= 1).all()
    rated = v[s.STAR_RATING].dropna()
    assert 0 < v[s.STAR_RATING].isna().sum() < 30
    assert round((rated >= 4).mean(), 3) == 0.403
    assert round((rated == 5).mean(), 3) == 0.057


# ---- income ---------------------------------------------------------------

def test_income_only_for_villages_2019_to_2023(demo, income_wide):
    kind = demo.villages.set_index(s.VILLAGE_CODE)[s.KIND]
    assert (kind[income_wide.index] == s.KIND_VILLAGE).all()
    assert len(income_wide) == 1730 and list(income_wide.columns) == [2019, 2020, 2021, 2022, 2023]
    values = demo.village_income[s.COLLECTIVE_INCOME]   # three 2023 rows missing
    assert len(values) == 1730 * 5 - 3 and (values.round(2) == values).all()


def test_yongan_income_growth_and_no_low_income(demo, income_wide):
    codes = _county(demo, YONGAN).query(f"{s.KIND} == '{s.KIND_VILLAGE}'")[s.VILLAGE_CODE]
    both = income_wide.loc[codes, [2019, 2021]].dropna()
    assert len(both) == 175
    assert round(both[2021].sum() / both[2019].sum() - 1, 4) == 0.3081
    assert income_wide.loc[codes, [2021, 2022, 2023]].min().min() >= 10


def test_joint_villages_gain_more(demo, income_wide):
    both = income_wide[[2019, 2023]].dropna()
    gain = both[2023] - both[2019]
    joint = gain.index.isin(demo.joint_members[s.VILLAGE_CODE])
    assert joint.sum() == 869
    assert round(gain[joint].mean(), 2) == 6.50
    assert 2.5 <= gain[~joint].mean() <= 4.5
    last = income_wide[2023].dropna()
    assert (last < 10).sum() > 0 and 0.10 <= (last >= 50).mean() <= 0.20


# ---- grids ----------------------------------------------------------------

def test_yongan_grids(demo, l4_with_village):
    grids = demo.grids
    yongan = set(_county(demo, YONGAN)[s.VILLAGE_CODE])
    l3 = grids[(grids[s.LEVEL] == 3) & grids[s.PARENT_CODE].isin(yongan)]
    assert len(l3) == 195 and l3[s.PARTY_BRANCH].all()
    assert l4_with_village[s.VILLAGE_CODE].isin(yongan).sum() == 1775
    per_unit = l3[s.PARENT_CODE].value_counts()
    assert len(yongan - set(per_unit.index)) == 12 and (per_unit == 2).sum() == 6


def test_every_unit_outside_yongan_has_a_pian_qu(demo):
    others = demo.villages.loc[demo.villages[s.COUNTY_CODE] != YONGAN, s.VILLAGE_CODE]
    assert others.isin(demo.grids.loc[demo.grids[s.LEVEL] == 3, s.PARENT_CODE]).all()


def test_households_add_up_over_grids(demo, l4_with_village):
    counts = [s.HOUSEHOLDS, s.POPULATION, s.PARTY_MEMBERS]
    by_village = l4_with_village.groupby(s.VILLAGE_CODE)[counts].sum()
    villages = demo.villages.set_index(s.VILLAGE_CODE)[counts]
    pd.testing.assert_frame_equal(by_village, villages.loc[by_village.index], check_dtype=False,
                                  check_index_type=False)
    l3 = demo.grids[demo.grids[s.LEVEL] == 3].set_index(s.GRID_CODE)[counts]
    by_l3 = l4_with_village.groupby(s.PARENT_CODE)[counts].sum()
    pd.testing.assert_frame_equal(by_l3, l3.loc[by_l3.index], check_dtype=False,
                                  check_index_type=False, check_names=False)
    standard = l4_with_village[s.HOUSEHOLDS].between(80, 120).mean()
    assert 0.9 <= standard < 1.0
    managed = l4_with_village[s.MANAGER].fillna("").ne("").mean()
    assert 0.9 <= managed < 1.0


def test_unit_grids_lie_in_their_village(metric, l4_with_village):
    village = metric.set_index(s.VILLAGE_CODE).geometry
    outside = shapely.area(shapely.difference(
        l4_with_village.geometry.to_numpy(),
        village[l4_with_village[s.VILLAGE_CODE]].to_numpy()))
    assert outside.max() < 1.0   # m²


def test_one_gap_and_one_overlap_in_sanyuan(metric, l4_with_village):
    geoms = l4_with_village.geometry.to_numpy()
    codes = l4_with_village[s.GRID_CODE].to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    shared = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    overlaps = [{codes[a], codes[b]} for a, b, area in
                zip(left[pairs], right[pairs], shared) if area > 1.0]   # m²
    assert overlaps and set.intersection(*overlaps)       # all with one grown grid
    assert all(c.startswith(DEFECT_COUNTY) for pair in overlaps for c in pair)
    union = l4_with_village.dissolve(s.VILLAGE_CODE).geometry
    gridded = metric.set_index(s.VILLAGE_CODE).geometry[union.index]
    gap = shapely.area(shapely.difference(gridded.to_numpy(), union.to_numpy()))
    assert (gap > 1.0).sum() == 1 and union.index[gap > 1.0][0].startswith(DEFECT_COUNTY)


# ---- geometry of villages, organisations and sites ------------------------

def test_villages_tile_the_counties(metric):
    area = metric.area
    union = shapely.union_all(metric.geometry.to_numpy())
    assert abs(area.sum() - union.area) / union.area < 1e-6
    counties = read_counties().set_index(s.COUNTY_CODE).geometry
    by_county = area.groupby(metric[s.COUNTY_CODE]).sum()
    assert np.allclose(by_county, counties[by_county.index].area, rtol=1e-6)
    townships = metric.dissolve(s.TOWNSHIP_CODE).geometry
    assert (townships.geom_type == "Polygon").all()   # each township one piece
    assert townships.index.str.fullmatch(r"\d{9}").all() and 120 <= len(townships) <= 160


def test_organisations_are_contiguous(demo, metric):
    position = {c: i for i, c in enumerate(metric[s.VILLAGE_CODE])}
    geoms = metric.geometry.to_numpy()
    for org_id, group in demo.joint_members.groupby(s.ORG_ID):
        idx = [position[c] for c in group[s.VILLAGE_CODE]]
        graph = nx.Graph()
        graph.add_nodes_from(idx)
        graph.add_edges_from((a, b) for a in idx for b in idx
                             if a < b and shapely.dwithin(geoms[a], geoms[b], 1.0))
        assert nx.is_connected(graph), org_id


def test_service_sites_lie_in_their_village(demo, metric):
    sites = demo.service_sites.to_crs(METRIC_CRS)
    village = metric.set_index(s.VILLAGE_CODE).geometry[sites[s.VILLAGE_CODE]].to_numpy()
    assert shapely.contains(village, sites.geometry.to_numpy()).all()
    types = sites[s.SITE_TYPE].value_counts()
    assert types["neighbor_station"] == 584 and types["station"] > 0
    centers = sites.loc[sites[s.SITE_TYPE] == "center", s.VILLAGE_CODE].nunique()
    assert round(centers / len(metric), 2) == 0.97


# ---- the generator --------------------------------------------------------

def _rows(frame: pd.DataFrame) -> list[tuple]:
    """Plain Python rows (NA as None, geometry as WKB) for exact comparison."""
    cols = [frame[c].to_numpy() if c != "geometry" else shapely.to_wkb(frame[c].to_numpy())
            for c in frame.columns]
    return [tuple(None if (not isinstance(x, (bytes, str)) and pd.isna(x)) else x for x in row)
            for row in zip(*cols)]


def test_same_seed_gives_identical_frames():
    first, second = build_demo(DEFAULT_SEED, SMALL), build_demo(DEFAULT_SEED, SMALL)
    assert first.keys() == second.keys() == set(s.LAYERS)
    for layer in first:
        assert _rows(first[layer]) == _rows(second[layer]), layer
    other = build_demo(DEFAULT_SEED + 1, SMALL)
    assert _rows(other[s.VILLAGES]) != _rows(first[s.VILLAGES])


def test_partial_build_keeps_each_countys_geometry(demo):
    partial = build_demo(DEFAULT_SEED, SMALL)[s.VILLAGES]
    full = demo.villages[demo.villages[s.COUNTY_CODE].isin(SMALL)]
    cols = [s.VILLAGE_CODE, s.NAME, s.HOUSEHOLDS]
    assert _rows(partial[cols]) == _rows(full[cols].reset_index(drop=True))
    # Coverage cleaning over the whole city adds the neighbouring county's
    # vertices along shared borders, so shapes agree to within 0.1 m, not bit for bit.
    apart = shapely.hausdorff_distance(partial.geometry.to_numpy(), full.geometry.to_numpy())
    assert float(apart.max()) < 1e-6


def test_unknown_county_is_refused():
    with pytest.raises(ValueError, match="unknown county codes.*valid"):
        build_demo(DEFAULT_SEED, ["999999"])


def test_committed_file_is_a_fresh_build():
    fresh = build_demo(DEFAULT_SEED)
    for layer, frame in fresh.items():
        stored = pyogrio.read_dataframe(DEMO, layer=layer,
                                        read_geometry="geometry" in frame.columns)
        assert list(stored.columns) == list(frame.columns), layer
        assert _rows(stored) == _rows(frame), layer
