"""Grid standards, integrity and drill-down on hand-built squares.

Built in EPSG:4549 (CGCS2000 Gauss-Krüger, CM 120°E; x = 500 km is the
central meridian, where the scale is 1) and stored in EPSG:4490, like real
data.  Coordinates are metres from (X0, Y0)::

    y=400 +---------------------+
          |  C (township T2)    |   no grid but the orphan X1 (20 m × 20 m at 100..120 × 250..270)
    y=200 +----------+----------+----------+
          |  A  (T1)            |  B  (T1)            |
          | A1-1   | A1-2  |gap | B1-1  |▒| B1-2      |   ▒ = overlap 600..620
    y=0   +--------+-------+----+-------+-+-----------+
          x=0      200     350  400     600 620       800

Villages A (0..400 × 0..200), B (400..800 × 0..200), C (0..400 × 200..400).

Grids (level 4 unless said; households; manager):

    A1  L3 in A, branch      A1-1  0..200      80  "张"   compliant
                             A1-2  200..350   120  ""     no manager
                                   → A's gap: 350..400 × 0..200 = 10,000 m²
    B1  L3 in B, no branch   B1-1  400.01..620 79  "  "   households, manager, branch
                             B1-2  600..800   121  None   households, manager, branch
                                   → overlap 600..620 × 0..200 = 4,000 m²; the 0.01 m
                                     strip 400..400.01 is a sliver (2 m²), not a gap
    Y   L3, parent "B1" (a grid, not a village: orphan), 700..720 × 150..170, lies in B
    X1  L4, parent "nope" (orphan), 100 households, "王", lies in C
                                   → C's gap: 80,000 − 400 = 79,600 m²

Areas come back through EPSG:4490 and the fitted equal-area CRS, so they are
compared with ``rel=1e-4``; with ``metric_crs=EPSG:4549`` to 1e-3 m².
"""
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from analysis.grid import grid_figures
from analysis.grid_checks import grid_compliance, grid_integrity
from analysis.grid_tree import (child_options, grid_tree, integrity_scope, level_figures,
                                node_path, noncompliant_grids, selected_node)
from analysis.params import Params

METRIC, STORED = "EPSG:4549", "EPSG:4490"
X0, Y0 = 500_000.0, 2_880_000.0
A, B, C = "350001101201", "350001101202", "350001102201"
T1, T2, C1 = "350001101", "350001102", "350001"


def m_box(x0, y0, x1, y1):
    """A ``shapely.box`` in metres from (X0, Y0), EPSG:4549."""
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def stored(boxes, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=[m_box(*b) for b in boxes],
                            crs=METRIC).to_crs(STORED)


@pytest.fixture
def villages():
    return stored([(0, 0, 400, 200), (400, 0, 800, 200), (0, 200, 400, 400)],
                  village_code=[A, B, C], name=["甲村", "乙村", "丙村"],
                  township_code=[T1, T1, T2], township=["一镇", "一镇", "二镇"],
                  county_code=[C1] * 3, county=["某县"] * 3)


@pytest.fixture
def grids():
    rows = [  # code, name, level, parent, households, branch, manager, box (m)
        ("A1", "甲一片区", 3, A, 200, True, "周", (0, 0, 400, 200)),
        ("A1-1", "第1网格", 4, "A1", 80, False, "张", (0, 0, 200, 200)),
        ("A1-2", "第2网格", 4, "A1", 120, False, "", (200, 0, 350, 200)),
        ("B1", "乙一片区", 3, B, 200, False, "吴", (400, 0, 800, 200)),
        ("B1-1", "第1网格", 4, "B1", 79, False, "  ", (400.01, 0, 620, 200)),
        ("B1-2", "第2网格", 4, "B1", 121, False, None, (600, 0, 800, 200)),
        ("Y", "无主片区", 3, "B1", 0, True, "", (700, 150, 720, 170)),
        ("X1", "孤立网格", 4, "nope", 100, False, "王", (100, 250, 120, 270)),
    ]
    code, name, level, parent, hh, branch, manager, boxes = zip(*rows)
    return stored(boxes, grid_code=list(code), name=list(name), level=list(level),
                  parent_code=list(parent), households=list(hh),
                  party_branch=list(branch), manager=list(manager))


# ---- standards ----------------------------------------------------------------------

def test_compliance_band_edges_manager_and_branch(grids):
    """80 and 120 are in the band, 79 and 121 are not; "  " and None are no
    manager; B1 has no branch; X1's parent does not exist."""
    c = grid_compliance(grids).set_index("grid_code")
    assert c.index.tolist() == ["A1-1", "A1-2", "B1-1", "B1-2", "X1"]
    assert c["households_ok"].tolist() == [True, True, False, False, True]
    assert c["has_manager"].tolist() == [True, False, False, False, True]
    assert c["parent_branch"].tolist() == [True, True, False, False, False]
    assert c["compliant"].tolist() == [True, False, False, False, False]
    assert c["status"].tolist() == ["compliant", "manager", "households", "households", "branch"]
    assert c.loc["B1-1", "reasons"] == ["户数79户，不在80–120户标准内", "未配备网格管家",
                                        "所属片区未建网格党支部"]
    assert c.loc["X1", "reasons"] == ["上级片区不存在"]
    assert c.loc["A1-1", "reasons"] == []


def test_compliance_band_is_a_parameter(grids):
    """79–121 admits B1-1 and B1-2's households (still no manager)."""
    c = grid_compliance(grids, Params(grid_min_households=79, grid_max_households=121))
    assert c["households_ok"].all()
    assert c["status"].tolist() == ["compliant", "manager", "manager", "manager", "branch"]


def test_compliance_of_no_grids(grids):
    assert grid_compliance(grids.iloc[:0]).empty


# ---- integrity -----------------------------------------------------------------------

def test_gaps_per_village_without_slivers(villages, grids):
    """A: 50 m × 200 m = 10,000 m²; B: only the 0.01 m sliver (dropped);
    C: 400 m × 200 m − X1's 400 m² = 79,600 m²."""
    gaps = grid_integrity(villages, grids).gaps.set_index("village_code")
    assert gaps.index.tolist() == [A, C]
    assert gaps.loc[A, "area_m2"] == pytest.approx(10_000, rel=1e-4)
    assert gaps.loc[C, "area_m2"] == pytest.approx(79_600, rel=1e-4)
    assert gaps.loc[A, "township_code"] == T1
    assert gaps.crs == villages.crs
    west, _, east, _ = gaps.loc[[A]].to_crs(METRIC).total_bounds - X0
    assert (round(west, 3), round(east, 3)) == (350.0, 400.0)


def test_overlap_of_two_unit_grids(villages, grids):
    """B1-1 ∩ B1-2 = 20 m × 200 m = 4,000 m², in B; nothing else overlaps."""
    overlaps = grid_integrity(villages, grids).overlaps
    assert overlaps[["grid_a", "grid_b", "village_code"]].values.tolist() == [["B1-1", "B1-2", B]]
    assert overlaps["area_m2"].iloc[0] == pytest.approx(4_000, rel=1e-4)


def test_orphans(villages, grids):
    """Y: level 3 whose parent is a grid; X1: level 4 whose parent is missing."""
    orphans = grid_integrity(villages, grids).orphans.set_index("grid_code")
    assert orphans.index.tolist() == ["Y", "X1"]
    assert orphans["village_code"].tolist() == [B, C]
    assert orphans["reason"].tolist() == ["上级村（社区）不存在", "上级片区不存在或不是三级网格"]
    assert orphans["area_m2"].tolist() == pytest.approx([400, 400], rel=1e-4)


def test_summary_and_explicit_metric_crs(villages, grids):
    summary = grid_integrity(villages, grids, METRIC).summary()
    assert summary["gap_area_m2"] == pytest.approx(89_600, abs=1e-3)
    assert summary["overlap_area_m2"] == pytest.approx(4_000, abs=1e-3)
    assert summary["orphans"] == 2


def test_within_an_area(villages, grids):
    integrity = grid_integrity(villages, grids)
    t1 = integrity.within("township_code", T1)
    assert (len(t1.gaps), len(t1.overlaps), len(t1.orphans)) == (1, 1, 1)
    assert integrity.within(None, None) is integrity
    assert list(integrity.tables()["gaps"].columns) == [
        "village_code", "name", "township_code", "county_code", "area_m2"]
    with pytest.raises(ValueError, match="未知的区域列 'name'"):
        integrity.within("name", "x")


def test_without_grids_every_village_is_a_gap(villages, grids):
    integrity = grid_integrity(villages, grids.iloc[:0])
    assert integrity.gaps["area_m2"].sum() == pytest.approx(3 * 80_000, rel=1e-4)
    assert integrity.overlaps.empty and integrity.orphans.empty


def test_inputs_are_not_changed(villages, grids):
    before_v, before_g = villages.copy(), grids.copy()
    grid_integrity(villages, grids)
    grid_compliance(grids)
    grid_tree(villages, grids)
    pd.testing.assert_frame_equal(villages, before_v)
    pd.testing.assert_frame_equal(grids, before_g)


# ---- the tree and its figures ------------------------------------------------------------

def test_tree_counts_and_households(villages, grids):
    """T1: A1, B1 and the orphan Y (it lies in B); A1-1, A1-2, B1-1, B1-2:
    80 + 120 + 79 + 121 = 400 households.  T2: X1 (lies in C), 100."""
    tree = grid_tree(villages, grids).set_index("code")
    assert tree.loc[T1, ["l3_count", "l4_count", "households"]].tolist() == [3, 4, 400]
    assert tree.loc[T2, ["l3_count", "l4_count", "households"]].tolist() == [0, 1, 100]
    assert tree.loc[B, ["l3_count", "l4_count", "households"]].tolist() == [2, 2, 200]
    assert tree.loc["A1", ["l4_count", "households", "parent_code"]].tolist() == [2, 200, A]
    assert tree.loc["X1", "parent_code"] == C and pd.isna(tree.loc["X1", "l3_code"])
    assert (tree["level"].value_counts().sort_index().tolist()) == [2, 3, 3, 5]


def test_level_figures_equal_the_spec_figures(villages, grids):
    """City: L3 3, branch 2/3 (A1, Y); L4 5, standard 3/5 (80, 120, 100),
    managers 2/5 (张, 王), mean households 500 / 5 = 100.  The same as
    :func:`analysis.grid.grid_figures`, per township too."""
    tree, compliance = grid_tree(villages, grids), grid_compliance(grids)
    city = level_figures(tree, compliance)
    assert city == {"grid_l3": 3, "grid_l3_branch_coverage": pytest.approx(2 / 3),
                    "grid_l4": 5, "grid_l4_standard_share": pytest.approx(3 / 5),
                    "grid_manager_coverage": pytest.approx(2 / 5),
                    "grid_l4_mean_households": 100.0}
    spec = grid_figures(villages, grids, group=villages["township_code"])
    for township in (T1, T2):
        figs = level_figures(tree, compliance, "township", township)
        for key in ("grid_l3", "grid_l4", "grid_l3_branch_coverage", "grid_l4_standard_share",
                    "grid_manager_coverage"):
            expected = spec.loc[township, key]
            assert (figs[key] is None and pd.isna(expected)) or figs[key] == pytest.approx(expected)


def test_level_figures_of_a_village_and_a_unit_grid(villages, grids):
    """B: B1 (no branch) and Y (a branch): 1/2; B1-1, B1-2 miss
    every standard; mean (79 + 121) / 2.  B1-2: its 片区 B1 (no branch)."""
    tree, compliance = grid_tree(villages, grids), grid_compliance(grids)
    village = level_figures(tree, compliance, "village", B)
    assert village == {"grid_l3": 2, "grid_l3_branch_coverage": 0.5, "grid_l4": 2,
                       "grid_l4_standard_share": 0.0, "grid_manager_coverage": 0.0,
                       "grid_l4_mean_households": 100.0}
    unit = level_figures(tree, compliance, "l4", "B1-2")
    assert (unit["grid_l3"], unit["grid_l3_branch_coverage"], unit["grid_l4"]) == (1, 0.0, 1)
    assert unit["grid_l4_mean_households"] == 121.0
    empty = level_figures(tree, compliance, "village", "nowhere")
    assert empty["grid_l4"] == 0 and empty["grid_l4_standard_share"] is None
    with pytest.raises(ValueError, match="未知的层级 by='row'"):
        level_figures(tree, compliance, "row", "x")


def test_drill_down_helpers(villages, grids):
    tree = grid_tree(villages, grids)
    assert child_options(tree, 2, "township", T1) == {A: "甲村", B: "乙村"}
    assert child_options(tree, 3, "village", B) == {"B1": "乙一片区", "Y": "无主片区"}
    assert child_options(tree, 4, "l3", "B1") == {"B1-1": "第1网格", "B1-2": "第2网格"}
    assert node_path(tree, "B1-2") == {"village": B, "l3": "B1", "l4": "B1-2"}
    assert node_path(tree, "X1") == {"village": C, "l3": None, "l4": "X1"}
    assert node_path(tree, T1) == {}
    assert selected_node({"county": C1, "township": T1, "village": B, "l3": None}) == ("village", B)
    assert integrity_scope(tree, "l4", "B1-2") == ("village_code", B)
    assert integrity_scope(tree, "township", T1) == ("township_code", T1)
    assert integrity_scope(tree, None, None) == (None, None)


def test_noncompliant_list(villages, grids):
    tree, compliance = grid_tree(villages, grids), grid_compliance(grids)
    table = noncompliant_grids(compliance, tree, "county", C1)
    assert table["grid_code"].tolist() == ["A1-2", "B1-1", "B1-2", "X1"]
    assert table["village"].tolist() == ["甲村", "乙村", "乙村", "丙村"]
    assert pd.isna(table.loc[3, "l3"])
    assert table.loc[0, "reasons"] == "未配备网格管家"
    assert len(noncompliant_grids(compliance, tree)) == int((~compliance["compliant"]).sum())
    assert noncompliant_grids(compliance, tree, "village", A)["grid_code"].tolist() == ["A1-2"]
