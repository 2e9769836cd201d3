"""The four-level grid (四级网格): levels 3 (片区) and 4 (unit grids, 单元网格).

Figures of SPEC §3: ``grid_l3``, ``grid_l4``, ``grid_l3_branch_coverage``,
``grid_l4_standard_share``, ``grid_manager_coverage``, ``grid_area_coverage``,
``grid_overlap_share``, ``grid_orphans``.  Without grids (absent or empty
layer) every figure is ``None``; a ratio over no grid is ``None``.

A grid counts where its village lies: a level-3 grid in its parent village,
a level-4 grid in the village of its level-3 parent.  A grid whose chain of
parents breaks (an orphan, or a unit grid under an orphan 片区) counts in the
village that contains its representative point, and nowhere but in the
whole-dataset figures when it lies outside every village.

Areas are m² in a projected metric CRS (:func:`geo.crs.metric_crs` of the
villages unless given).  They are computed per village from the village ×
unit-grid intersection, so that they add up over counties and townships:

* covered(v) = area(v ∩ ∪ level-4 grids);
* overlap(v) = Σ area(v ∩ g) − covered(v) over level-4 grids g;
* grid_area_coverage = Σ covered / Σ area(v); grid_overlap_share = Σ overlap / Σ area(v).

For villages that do not overlap each other (a tessellation, as SPEC's
layers are) these are SPEC's ``area(∪ L4 ∩ ∪ villages) / area(∪ villages)``
and ``(Σ area(L4) − area(∪ L4)) / area(∪ villages)``, the overlap counted
inside the villages.  Gaps and overlaps smaller than 1e-6 of a village's
area (1 m² per km²) are taken for rounding of the boundaries (coordinates
rounded on export, straight edges bent by reprojection) and set to 0, so a
tiling reads exactly 1.0 and 0.0.

>>> import geopandas as gpd, pandas as pd, shapely
>>> villages = gpd.GeoDataFrame({"village_code": ["a"]},
...     geometry=[shapely.box(0, 0, 2000, 1000)], crs="EPSG:32650")
>>> grids = gpd.GeoDataFrame({"grid_code": ["a1", "a1-1", "a1-2"], "level": [3, 4, 4],
...     "parent_code": ["a", "a1", "a1"]},
...     geometry=[shapely.box(0, 0, 2000, 1000), shapely.box(0, 0, 1200, 1000),
...               shapely.box(1000, 0, 1500, 1000)], crs="EPSG:32650")
>>> grid_area_coverage(villages, grids), grid_overlap_share(villages, grids)
(0.75, 0.1)
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.geometry import threaded, tiles_without_overlap, union_by
from analysis.groups import group_index, item_labels, ratio, sum_by, village_labels
from geo import schema as s
from geo.crs import metric_crs, to_metric

KEYS = ("grid_l3", "grid_l4", "grid_l3_branch_coverage", "grid_l4_standard_share",
        "grid_manager_coverage", "grid_area_coverage", "grid_overlap_share", "grid_orphans")
COUNT_KEYS = frozenset({"grid_l3", "grid_l4", "grid_orphans"})
SUM_KEYS = ("l3", "l4", "l3_branch", "l4_standard", "l4_manager", "orphans",
            "area_m2", "covered_m2", "overlap_m2")
ROUNDING = 1e-6            # relative to a village's area: below it, rounding


def _geometries(gdf) -> np.ndarray:
    return np.asarray(gdf.geometry.array, dtype=object)


# ---- placement of grids in villages ------------------------------------------

def grid_placement(villages: gpd.GeoDataFrame, grids: gpd.GeoDataFrame
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Where each grid counts, and which grids are orphans.

    Parameters
    ----------
    villages, grids : GeoDataFrame
        The layers (any CRS; ``grids`` is transformed to ``villages``' CRS
        for the containment test when they differ).

    Returns
    -------
    positions : ndarray of int
        Row position in ``villages`` of each grid's village, −1 when none.
    orphan : ndarray of bool
        ``parent_code`` matches no parent of the right level (a village for
        level 3, a level-3 grid for level 4).

    Examples
    --------
    >>> v = gpd.GeoDataFrame({"village_code": ["a", "b"]}, crs="EPSG:32650",
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> g = gpd.GeoDataFrame({"grid_code": ["A", "A1", "X1"], "level": [3, 4, 4],
    ...     "parent_code": ["a", "A", "nope"]}, crs="EPSG:32650",
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(0, 0, 5, 5),
    ...               shapely.box(12, 2, 14, 4)])
    >>> positions, orphan = grid_placement(v, g)
    >>> positions.tolist(), orphan.tolist()
    ([0, 0, 1], [False, False, True])
    """
    level = grids[s.LEVEL].to_numpy(dtype=float, na_value=np.nan)
    is3, is4 = level == s.GRID_LEVEL_L3, level == s.GRID_LEVEL_L4
    codes = pd.Index(villages[s.VILLAGE_CODE])
    parent = grids[s.PARENT_CODE]
    positions = np.full(len(grids), -1, dtype=np.int64)
    orphan = np.zeros(len(grids), dtype=bool)
    pos3 = codes.get_indexer(parent[is3])
    positions[is3] = pos3
    orphan[is3] = pos3 < 0
    l3 = pd.Index(grids.loc[is3, s.GRID_CODE])
    j = l3.get_indexer(parent[is4])
    positions[is4] = np.where(j >= 0, pos3[np.maximum(j, 0)] if len(pos3) else -1, -1)
    orphan[is4] = j < 0
    lost = np.flatnonzero(positions < 0)
    if len(lost) and len(villages):
        positions[lost] = _containing_village(villages, grids.iloc[lost])
    return positions, orphan


def _containing_village(villages, grids) -> np.ndarray:
    """Village row containing each grid's representative point, −1 if none."""
    if villages.crs is not None and grids.crs is not None and grids.crs != villages.crs:
        grids = grids.to_crs(villages.crs)
    points = shapely.point_on_surface(_geometries(grids))
    found = np.full(len(grids), -1, dtype=np.int64)
    inp, tree_pos = shapely.STRtree(_geometries(villages)).query(points, predicate="within")
    first = np.unique(inp, return_index=True)[1]
    found[inp[first]] = tree_pos[first]
    return found


# ---- village × unit-grid areas -----------------------------------------------

def grid_village_areas(villages: gpd.GeoDataFrame, grids: gpd.GeoDataFrame,
                       crs=None) -> pd.DataFrame:
    """Per village: its area, the unit-grid area inside it, the area covered.

    Parameters
    ----------
    villages, grids : GeoDataFrame
        The layers, in any CRS; only level-4 grids are used.
    crs : pyproj.CRS, optional
        Projected metric CRS of the computation; default
        ``metric_crs(villages)``.

    Returns
    -------
    DataFrame
        Index ``villages.index``; columns ``area_m2`` (area(v)),
        ``grid_area_m2`` (Σ area(v ∩ g)) and ``covered_m2``
        (area(v ∩ ∪ g)), all m².

    Examples
    --------
    >>> v = gpd.GeoDataFrame({"village_code": ["a"]}, crs="EPSG:32650",
    ...     geometry=[shapely.box(0, 0, 100, 100)])
    >>> g = gpd.GeoDataFrame({"level": [4, 4]}, crs="EPSG:32650",
    ...     geometry=[shapely.box(0, 0, 60, 100), shapely.box(50, 0, 80, 100)])
    >>> grid_village_areas(v, g).iloc[0].tolist()
    [10000.0, 9000.0, 8000.0]
    """
    crs = metric_crs(villages) if crs is None else crs
    village_geoms = _geometries(to_metric(villages.geometry, crs))
    unit = grids[(grids[s.LEVEL] == s.GRID_LEVEL_L4).fillna(False).to_numpy(dtype=bool)]
    grid_geoms = _geometries(to_metric(unit.geometry, crs))
    grid_geoms = grid_geoms[~(shapely.is_missing(grid_geoms) | shapely.is_empty(grid_geoms))]
    n = len(village_geoms)
    area = shapely.area(village_geoms)
    owner, members, pieces, foreign, grid_area = _village_members(village_geoms, grid_geoms,
                                                                  area)
    # Villages whose member grids tile without overlap need no union: what
    # they cover is Σ area(v ∩ g), already summed.  A village reached by a
    # grid of another village (``foreign``) seldom tiles: it is not tested.
    screen = ~foreign[owner]
    tiled = ~foreign & tiles_without_overlap(grid_geoms[members[screen]], owner[screen], n)
    covered = grid_area.copy()
    pick = ~tiled[owner]
    # The pieces lie inside their village: their union is v ∩ ∪ g, no clipping.
    union = union_by(pieces[pick], owner[pick], n)
    covered[~tiled] = np.nan_to_num(shapely.area(union[~tiled]))
    covered = np.minimum(covered, area)
    tolerance = ROUNDING * area
    covered = np.where(area - covered < tolerance, area, covered)
    grid_area = np.where(np.abs(grid_area - covered) < tolerance, covered, grid_area)
    return pd.DataFrame({"area_m2": area, "grid_area_m2": grid_area, "covered_m2": covered},
                        index=villages.index)


def _village_members(villages: np.ndarray, grids: np.ndarray, area: np.ndarray):
    """Which unit grids reach into each village, and how much of them.

    A grid covered by the village that holds its representative point (its
    home) belongs to it whole.  A grid that leaves its home by less than the
    rounding threshold (``ROUNDING`` × the home's area, e.g. a sliver from
    coordinates rounded on export) belongs to its home only, with the part
    inside.  Any other grid is intersected with every village it meets and
    belongs to those where the intersection has an area.

    Returns ``owner`` and ``members`` (village and grid position of each
    village–grid pair), ``pieces`` (v ∩ g of each pair: the grid itself when
    whole), ``foreign`` (per village: some member grid is neither inside it
    nor a sliver of its own) and ``grid_area`` (per village: Σ area(v ∩ g), m²).
    """
    n = len(villages)
    empty = np.zeros(0, dtype=np.int64)
    if not len(grids) or not n:
        return (empty, empty, np.zeros(0, dtype=object), np.zeros(n, dtype=bool),
                np.zeros(n))
    home = np.full(len(grids), -1, dtype=np.int64)
    vi, gi = shapely.STRtree(shapely.point_on_surface(grids)).query(villages, predicate="contains")
    home[gi] = vi
    inside = np.zeros(len(grids), dtype=bool)
    placed = np.flatnonzero(home >= 0)
    inside[placed] = threaded(shapely.covers, villages[home[placed]], grids[placed])
    whole = np.flatnonzero(inside)
    cross = np.flatnonzero(~inside & (home >= 0))
    inner_parts = threaded(shapely.intersection, villages[home[cross]], grids[cross],
                           min_chunk=500)
    inner = shapely.area(inner_parts)
    sliver = shapely.area(grids[cross]) - inner < ROUNDING * area[home[cross]]
    nearly, inner, inner_parts = cross[sliver], inner[sliver], inner_parts[sliver]
    rest = np.concatenate([np.flatnonzero(home < 0), cross[~sliver]])
    gi, vi = shapely.STRtree(villages).query(grids[rest], predicate="intersects")
    parts = threaded(shapely.intersection, villages[vi], grids[rest[gi]], min_chunk=500)
    part_area = shapely.area(parts)
    keep = part_area > 0
    grid_area = (np.bincount(home[whole], weights=shapely.area(grids[whole]), minlength=n)
                 + np.bincount(home[nearly], weights=inner, minlength=n)
                 + np.bincount(vi[keep], weights=part_area[keep], minlength=n))
    foreign = np.bincount(vi[keep], minlength=n) > 0
    owner = np.concatenate([home[whole], home[nearly], vi[keep]])
    members = np.concatenate([whole, nearly, rest[gi[keep]]])
    return (owner, members, np.concatenate([grids[whole], inner_parts, parts[keep]]),
            foreign, grid_area)


# ---- figures -------------------------------------------------------------------

def grid_figures(villages: gpd.GeoDataFrame, grids: gpd.GeoDataFrame,
                 min_households: int = 80, max_households: int = 120,
                 group: pd.Series | None = None, areas: pd.DataFrame | None = None,
                 placement: tuple | None = None) -> pd.DataFrame:
    """All grid figures, one row per group of villages.

    Parameters
    ----------
    villages, grids : GeoDataFrame
        The layers; an empty ``grids`` gives NaN for every figure.
    min_households, max_households : int
        Households of a standard unit grid, inclusive.
    group : Series, optional
        Group label per village, aligned with ``villages.index``; None: one
        group holding every grid, placed or not.
    areas, placement : optional
        Precomputed :func:`grid_village_areas` and :func:`grid_placement`
        (computed when not given).

    Returns
    -------
    DataFrame
        Index: sorted group labels; columns :data:`KEYS`; NaN where missing.

    Examples
    --------
    >>> v = gpd.GeoDataFrame({"village_code": ["a"], "county_code": ["X"]}, crs="EPSG:32650",
    ...     geometry=[shapely.box(0, 0, 100, 100)])
    >>> g = gpd.GeoDataFrame({"grid_code": ["A", "A1"], "level": [3, 4],
    ...     "parent_code": ["a", "A"], "households": [200, 100],
    ...     "party_branch": [True, False], "manager": ["张三", ""]}, crs="EPSG:32650",
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(0, 0, 100, 50)])
    >>> grid_figures(v, g, group=v["county_code"]).loc["X"].tolist()
    [1.0, 1.0, 1.0, 1.0, 0.0, 0.5, 0.0, 0.0]
    """
    labels = village_labels(villages, group)
    groups = group_index(labels, group is None)
    if not len(grids):
        return pd.DataFrame(index=groups, columns=list(KEYS), dtype=float)
    positions, orphan = grid_placement(villages, grids) if placement is None else placement
    at = item_labels(labels, positions, group is not None)
    areas = grid_village_areas(villages, grids) if areas is None else areas
    return grid_ratios(grid_sums(grids, at, orphan, areas, labels, groups, min_households,
                                 max_households))


def grid_sums(grids: pd.DataFrame, at: np.ndarray, orphan: np.ndarray, areas: pd.DataFrame,
              labels: np.ndarray, groups: pd.Index, min_households: int = 80,
              max_households: int = 120) -> pd.DataFrame:
    """The additive parts of the grid figures per group (they add up over groups).

    ``at``: group label of each grid (where it counts); ``orphan``: its flag;
    ``areas``: :func:`grid_village_areas` (m²); ``labels``: group label of each
    village row.  Columns :data:`SUM_KEYS`: grid counts, and m² for the areas.

    >>> g = pd.DataFrame({"level": [3, 4], "households": [200, 100],
    ...                   "party_branch": [True, False], "manager": ["张三", ""]})
    >>> a = pd.DataFrame({"area_m2": [4.0], "grid_area_m2": [3.0], "covered_m2": [2.0]})
    >>> sums = grid_sums(g, np.array(["X", "X"]), np.array([False, True]), a,
    ...                  np.array(["X"]), pd.Index(["X"]))
    >>> sums.loc["X"].tolist()
    [1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 4.0, 2.0, 1.0]
    >>> grid_ratios(sums).loc["X", ["grid_area_coverage", "grid_overlap_share"]].tolist()
    [0.5, 0.25]
    """
    level = grids[s.LEVEL].to_numpy(dtype=float, na_value=np.nan)
    is3, is4 = level == s.GRID_LEVEL_L3, level == s.GRID_LEVEL_L4
    branch = grids[s.PARTY_BRANCH].astype("boolean").fillna(False).to_numpy(dtype=bool)
    households = grids[s.HOUSEHOLDS].to_numpy(dtype=float, na_value=np.nan)
    standard = (households >= min_households) & (households <= max_households)
    manager = grids[s.MANAGER].fillna("").astype(str).str.strip().ne("").to_numpy(dtype=bool)
    overlap = areas["grid_area_m2"] - areas["covered_m2"]
    parts = {"l3": sum_by(is3, at, groups), "l4": sum_by(is4, at, groups),
             "l3_branch": sum_by(is3 & branch, at, groups), "orphans": sum_by(orphan, at, groups),
             "l4_standard": sum_by(is4 & standard, at, groups),
             "l4_manager": sum_by(is4 & manager, at, groups),
             "area_m2": sum_by(areas["area_m2"], labels, groups),
             "covered_m2": sum_by(areas["covered_m2"], labels, groups),
             "overlap_m2": sum_by(overlap, labels, groups)}
    return pd.DataFrame(parts, index=groups)[list(SUM_KEYS)]


def grid_ratios(sums: pd.DataFrame) -> pd.DataFrame:
    """The grid figures (:data:`KEYS`) of :func:`grid_sums` (or of their sum over groups)."""
    out = pd.DataFrame(index=sums.index, columns=list(KEYS), dtype=float)
    n3, n4 = sums["l3"], sums["l4"]
    out["grid_l3"], out["grid_l4"] = n3, n4
    out["grid_l3_branch_coverage"] = ratio(sums["l3_branch"], n3)
    out["grid_l4_standard_share"] = ratio(sums["l4_standard"], n4)
    out["grid_manager_coverage"] = ratio(sums["l4_manager"], n4)
    out["grid_orphans"] = sums["orphans"]
    out["grid_area_coverage"] = ratio(sums["covered_m2"], sums["area_m2"])
    out["grid_overlap_share"] = ratio(sums["overlap_m2"], sums["area_m2"])
    return out


def _count(grids: pd.DataFrame, level: int) -> int | None:
    return int((grids[s.LEVEL] == level).sum()) if len(grids) else None


def _share(grids: pd.DataFrame, level: int, hit: pd.Series) -> float | None:
    rows = (grids[s.LEVEL] == level).fillna(False)
    n = int(rows.sum()) if len(grids) else 0
    return float((hit & rows).sum()) / n if n else None


def grid_l3(grids: pd.DataFrame) -> int | None:
    """Level-3 grids (片区); ``None`` without grids.

    >>> grid_l3(pd.DataFrame({"level": [3, 4, 4]})), grid_l3(pd.DataFrame({"level": []}))
    (1, None)
    """
    return _count(grids, s.GRID_LEVEL_L3)


def grid_l4(grids: pd.DataFrame) -> int | None:
    """Level-4 grids (unit grids); ``None`` without grids.

    >>> grid_l4(pd.DataFrame({"level": [3, 4, 4]}))
    2
    """
    return _count(grids, s.GRID_LEVEL_L4)


def grid_l3_branch_coverage(grids: pd.DataFrame) -> float | None:
    """Level-3 grids with a grid Party branch / level-3 grids (fraction).

    >>> grid_l3_branch_coverage(pd.DataFrame({"level": [3, 3, 4],
    ...                                       "party_branch": [True, False, True]}))
    0.5
    """
    if not len(grids):
        return None
    return _share(grids, s.GRID_LEVEL_L3,
                  grids[s.PARTY_BRANCH].astype("boolean").fillna(False))


def grid_l4_standard_share(grids: pd.DataFrame, min_households: int = 80,
                           max_households: int = 120) -> float | None:
    """Level-4 grids with min ≤ households ≤ max (inclusive) / level-4 grids.

    >>> grid_l4_standard_share(pd.DataFrame({"level": [4, 4, 4, 3],
    ...                                      "households": [80, 120, 121, 100]}))
    0.6666666666666666
    """
    if not len(grids):
        return None
    hh = grids[s.HOUSEHOLDS]
    return _share(grids, s.GRID_LEVEL_L4, ((hh >= min_households) & (hh <= max_households))
                  .astype("boolean").fillna(False))


def grid_manager_coverage(grids: pd.DataFrame) -> float | None:
    """Level-4 grids with a non-empty ``manager`` / level-4 grids (fraction).

    >>> grid_manager_coverage(pd.DataFrame({"level": [4, 4, 4, 4],
    ...                                     "manager": ["李四", "", None, " "]}))
    0.25
    """
    if not len(grids):
        return None
    return _share(grids, s.GRID_LEVEL_L4,
                  grids[s.MANAGER].fillna("").astype(str).str.strip().ne(""))


def grid_area_coverage(villages: gpd.GeoDataFrame, grids: gpd.GeoDataFrame,
                       crs=None) -> float | None:
    """area(∪ unit grids ∩ villages) / area(villages), in a metric CRS (fraction).

    ``None`` without grids.  See the module notes.

    >>> v = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 10, 10)], crs="EPSG:32650")
    >>> g = gpd.GeoDataFrame({"level": [4]}, geometry=[shapely.box(5, 0, 20, 10)], crs="EPSG:32650")
    >>> grid_area_coverage(v, g)
    0.5
    """
    if not len(grids):
        return None
    a = grid_village_areas(villages, grids, crs)
    return float(ratio(pd.Series([a["covered_m2"].sum()]), pd.Series([a["area_m2"].sum()]))[0])


def grid_overlap_share(villages: gpd.GeoDataFrame, grids: gpd.GeoDataFrame,
                       crs=None) -> float | None:
    """(Σ area(v ∩ unit grid) − area(villages ∩ ∪ unit grids)) / area(villages).

    In a metric CRS (fraction); ``None`` without grids.

    >>> v = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 10, 10)], crs="EPSG:32650")
    >>> g = gpd.GeoDataFrame({"level": [4, 4]}, crs="EPSG:32650",
    ...                      geometry=[shapely.box(0, 0, 6, 10), shapely.box(4, 0, 10, 10)])
    >>> round(grid_overlap_share(v, g), 12)
    0.2
    """
    if not len(grids):
        return None
    a = grid_village_areas(villages, grids, crs)
    overlap = a["grid_area_m2"].sum() - a["covered_m2"].sum()
    return float(ratio(pd.Series([overlap]), pd.Series([a["area_m2"].sum()]))[0])


def grid_orphans(villages: pd.DataFrame, grids: gpd.GeoDataFrame) -> int | None:
    """Grids whose ``parent_code`` matches no parent of the right level.

    >>> v = pd.DataFrame({"village_code": ["a"]})
    >>> g = pd.DataFrame({"grid_code": ["A", "A1", "B1"], "level": [3, 4, 4],
    ...                   "parent_code": ["a", "A", "a"]})
    >>> grid_orphans(v, g)
    1
    """
    if not len(grids):
        return None
    level = grids[s.LEVEL]
    is3, is4 = (level == s.GRID_LEVEL_L3).fillna(False), (level == s.GRID_LEVEL_L4).fillna(False)
    bad3 = is3 & ~grids[s.PARENT_CODE].isin(villages[s.VILLAGE_CODE])
    bad4 = is4 & ~grids[s.PARENT_CODE].isin(grids.loc[is3, s.GRID_CODE])
    return int((bad3 | bad4).sum())
