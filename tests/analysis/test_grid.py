"""Grid figures on the toy dataset (grid table and drawing in conftest).

Areas are computed after a round trip EPSG:4549 → EPSG:4490 → the metric CRS
of :func:`geo.crs.metric_crs`, so they are compared with ``rel=1e-3``;
counts are exact.
"""
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from analysis import grid
from geo import schema as s
from geo.crs import metric_crs
from tests.analysis.conftest import (C1_CODE, C2_CODE, KM2, METRIC, T21, km_box, stored,
                                     toy_grids, toy_villages)

APPROX = dict(rel=1e-3)


def test_counts_and_shares_city_wide(toy):
    """L3: G1, G2, G3, G4, G5, GX = 6; with a branch G1, G3, G4 → 3/6.
    L4: 11; households within 80–120 (inclusive): G1-1 100, G2-1 120, G2-2 80,
    G4-1, G4-2, G5-1 90, GY-1, GZ-1 → 8/11 (G1-2 79, G3-1 121, GX-1 50 are not).
    Managers non-empty: G1-1, G2-1, G3-1, G4-1, G5-1, GY-1 → 6/11 ("", " ",
    None do not count)."""
    g = toy.grids
    assert grid.grid_l3(g) == 6
    assert grid.grid_l4(g) == 11
    assert grid.grid_l3_branch_coverage(g) == 0.5
    assert grid.grid_l4_standard_share(g) == pytest.approx(8 / 11)
    assert grid.grid_manager_coverage(g) == pytest.approx(6 / 11)


def test_standard_bounds_are_parameters(toy):
    """79–121 admits G1-2 (79) and G3-1 (121) too: 10/11; 100–100: G1-1, G4-1,
    G4-2, GY-1, GZ-1 → 5/11."""
    assert grid.grid_l4_standard_share(toy.grids, 79, 121) == pytest.approx(10 / 11)
    assert grid.grid_l4_standard_share(toy.grids, 100, 100) == pytest.approx(5 / 11)


def test_orphans(toy):
    """GX (level 3, parent "nope"), GY-1 (parent "missing"), GZ-1 (parent is a
    village code, the wrong level) → 3.  GX-1's parent GX exists at level 3,
    so it is no orphan even though GX is."""
    assert grid.grid_orphans(toy.villages, toy.grids) == 3
    _, orphan = grid.grid_placement(toy.villages, toy.grids)
    assert toy.grids.loc[orphan, s.GRID_CODE].tolist() == ["GX", "GY-1", "GZ-1"]


def test_placement_declared_then_geometric(toy):
    """Declared chain first: G1-1 → G1 → v1.  GX/GX-1 (broken chain) lie in v4
    and GZ-1 in v5 by their representative point; GY-1 lies in no village."""
    positions, _ = grid.grid_placement(toy.villages, toy.grids)
    where = dict(zip(toy.grids[s.GRID_CODE], positions))
    assert (where["G1-1"], where["G2-2"], where["G4-2"]) == (0, 1, 3)
    assert (where["GX"], where["GX-1"], where["GZ-1"], where["GY-1"]) == (4, 4, 5, -1)


def test_village_areas(toy):
    """Per village (km²): area, Σ area(v ∩ unit grid), area(v ∩ ∪ unit grids)::

        v1  1  1     1      G1-1 + G1-2 tile it
        v2  1  1.2   1      G2-1, G2-2 overlap on 1.4..1.6
        v3  1  0.5   0.5    G3-1 covers half: a gap
        c1  1  1.1   1      G4-2 reaches 0.1 into c1 over G4-1 (and 0.2 outside)
        v4  2  0.04  0.04   only GX-1 (an unplaced grid still covers ground)
        v5  1  1.01  1      GZ-1 lies on G5-1
    """
    a = grid.grid_village_areas(toy.villages, toy.grids) / KM2
    expected = [[1, 1, 1], [1, 1.2, 1], [1, 0.5, 0.5], [1, 1.1, 1], [2, 0.04, 0.04],
                [1, 1.01, 1]]
    assert a.index.equals(toy.villages.index)
    assert a.to_numpy() == pytest.approx(np.array(expected, dtype=float), **APPROX)


def test_area_coverage_and_overlap_city_wide(toy):
    """Covered 1 + 1 + 0.5 + 1 + 0.04 + 1 = 4.54 of 7 km²; overlap (inside
    villages) 0.2 + 0.1 + 0.01 = 0.31 km² — the same as SPEC's
    Σ area(L4) − area(∪ L4) = 6.05 − 5.74, G4-2's part outside the villages
    overlapping nothing."""
    assert grid.grid_area_coverage(toy.villages, toy.grids) == pytest.approx(4.54 / 7, **APPROX)
    assert grid.grid_overlap_share(toy.villages, toy.grids) == pytest.approx(0.31 / 7, **APPROX)


def test_per_county(toy):
    """A grid counts where its village lies (level 4 through its level-3 parent).

    C1 (v1, v2, v3, c1): L3 G1–G4 = 4, branches 3 → 0.75; L4 G1-1 … G4-2 = 7,
    standard 5/7 (not G1-2, G3-1), managers 4/7 (G1-1, G2-1, G3-1, G4-1);
    coverage 3.5/4, overlap 0.3/4; orphans 0.
    C2 (v4, v5): L3 G5, GX (placed in v4 by geometry) = 2, no branch → 0.0;
    L4 G5-1, GX-1, GZ-1 = 3, standard 2/3 (GX-1 has 50), managers 1/3;
    coverage 1.04/3, overlap 0.01/3; orphans GX, GZ-1 = 2.
    GY-1 lies in no village: it counts only city-wide (7 + 3 = 10 of 11).
    """
    f = grid.grid_figures(toy.villages, toy.grids, group=toy.villages[s.COUNTY_CODE])
    c1, c2 = f.loc[C1_CODE], f.loc[C2_CODE]
    assert c1[["grid_l3", "grid_l4", "grid_orphans"]].tolist() == [4, 7, 0]
    assert c1["grid_l3_branch_coverage"] == 0.75
    assert c1["grid_l4_standard_share"] == pytest.approx(5 / 7)
    assert c1["grid_manager_coverage"] == pytest.approx(4 / 7)
    assert c1["grid_area_coverage"] == pytest.approx(3.5 / 4, **APPROX)
    assert c1["grid_overlap_share"] == pytest.approx(0.3 / 4, **APPROX)
    assert c2[["grid_l3", "grid_l4", "grid_orphans"]].tolist() == [2, 3, 2]
    assert c2["grid_l3_branch_coverage"] == 0.0
    assert c2["grid_l4_standard_share"] == pytest.approx(2 / 3)
    assert c2["grid_manager_coverage"] == pytest.approx(1 / 3)
    assert c2["grid_area_coverage"] == pytest.approx(1.04 / 3, **APPROX)
    assert c2["grid_overlap_share"] == pytest.approx(0.01 / 3, **APPROX)
    city = grid.grid_figures(toy.villages, toy.grids).iloc[0]
    assert city[["grid_l3", "grid_l4", "grid_orphans"]].tolist() == [6, 11, 3]


def test_township_without_level3_grid_has_no_branch_ratio(toy):
    """T21 keeps only GZ-1 (level 4): grid_l3 0 → branch coverage None."""
    keep = toy.grids[s.GRID_CODE].isin(["G1", "G1-1", "GZ-1"])
    f = grid.grid_figures(toy.villages, toy.grids[keep], group=toy.villages[s.TOWNSHIP_CODE])
    assert f.loc[T21, "grid_l3"] == 0
    assert pd.isna(f.loc[T21, "grid_l3_branch_coverage"])
    assert f.loc[T21, "grid_l4"] == 1


def test_no_grids_give_none(bare):
    """Absent (empty) grids layer: every grid figure None, not 0."""
    v, g = bare.villages, bare.grids
    assert grid.grid_l3(g) is None and grid.grid_l4(g) is None
    assert grid.grid_l3_branch_coverage(g) is None
    assert grid.grid_l4_standard_share(g) is None
    assert grid.grid_manager_coverage(g) is None
    assert grid.grid_area_coverage(v, g) is None
    assert grid.grid_overlap_share(v, g) is None
    assert grid.grid_orphans(v, g) is None
    assert grid.grid_figures(v, g, group=v[s.COUNTY_CODE]).isna().all().all()


def test_level3_only_gives_zero_coverage_and_no_level4_ratios(toy):
    """Grids present but no unit grid: nothing is covered (0.0), while the
    level-4 ratios have no denominator (None)."""
    l3 = toy.grids[toy.grids[s.LEVEL] == 3]
    assert grid.grid_l4(l3) == 0
    assert grid.grid_l4_standard_share(l3) is None
    assert grid.grid_manager_coverage(l3) is None
    assert grid.grid_area_coverage(toy.villages, l3) == 0.0
    assert grid.grid_overlap_share(toy.villages, l3) == 0.0


def test_grids_in_another_crs(toy):
    """Grids kept in EPSG:4549 while villages are in EPSG:4490: the same figures."""
    metric_grids = toy_grids().to_crs(METRIC)
    assert grid.grid_area_coverage(toy.villages, metric_grids) == pytest.approx(4.54 / 7, **APPROX)
    positions, _ = grid.grid_placement(toy.villages, metric_grids)
    assert positions[metric_grids[s.GRID_CODE].tolist().index("GZ-1")] == 5


def test_exact_tiling_gives_exactly_full_and_zero():
    """Four unit grids tiling a 2 × 2 km village: coverage exactly 1.0 and
    overlap exactly 0.0: the slivers that reprojection opens between the
    village's straight edges and the cells' extra vertices (~6e-9 of the area)
    are below the rounding threshold of 1e-6."""
    village = stored([km_box(0, 0, 2, 2)], village_code=["v"])
    cells = [km_box(x, y, x + 1, y + 1) for x in (0, 1) for y in (0, 1)]
    unit = stored(cells, level=[4] * 4)
    assert grid.grid_area_coverage(village, unit) == 1.0
    assert grid.grid_overlap_share(village, unit) == 0.0


def test_grid_crossing_two_villages_is_split():
    """One unit grid 0.5..1.5 × 0..1 km over villages 0..1 and 1..2: half of
    it in each; coverage 0.5 in both, no overlap."""
    villages = stored([km_box(0, 0, 1, 1), km_box(1, 0, 2, 1)], village_code=["a", "b"])
    unit = stored([km_box(0.5, 0, 1.5, 1)], level=[4])
    a = grid.grid_village_areas(villages, unit) / KM2
    assert a.to_numpy() == pytest.approx(np.array([[1, 0.5, 0.5], [1, 0.5, 0.5]]), **APPROX)


def test_explicit_crs():
    """``crs`` may be given (here the one it would choose anyway)."""
    village = gpd.GeoDataFrame({"village_code": ["v"]}, geometry=[km_box(0, 0, 1, 1)], crs=METRIC)
    unit = gpd.GeoDataFrame({"level": [4]}, geometry=[km_box(0, 0, 1, 0.25)], crs=METRIC)
    assert grid.grid_area_coverage(village, unit, metric_crs(village)) == pytest.approx(0.25)


def test_t_junction_inside_a_village_is_still_exact():
    """G1-1 0..0.5 × 0..1 beside 0.5..1 × 0..0.5 and 0.5..1 × 0.5..1: a
    T-junction (not an edge-matched coverage), so the union is computed;
    they tile v1 all the same: coverage 1, overlap 0."""
    village = stored([km_box(0, 0, 1, 1)], village_code=["v1"])
    unit = stored([km_box(0, 0, 0.5, 1), km_box(0.5, 0, 1, 0.5), km_box(0.5, 0.5, 1, 1)],
                  level=[4, 4, 4])
    assert grid.grid_area_coverage(village, unit) == 1.0
    assert grid.grid_overlap_share(village, unit) == 0.0


def test_inputs_are_not_changed(toy):
    villages, grids = toy_villages(), toy_grids()
    v0, g0 = villages.copy(), grids.copy()
    grid.grid_figures(villages, grids, group=villages[s.COUNTY_CODE])
    pd.testing.assert_frame_equal(villages, v0)
    pd.testing.assert_frame_equal(grids, g0)
    assert villages.crs == v0.crs and grids.crs == g0.crs
