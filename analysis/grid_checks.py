"""Checks of the four-level grid (网格治理): standards and integrity.

* :func:`grid_compliance` — is each unit grid (level 4) up to standard
  (80–120 households, a 网格管家, a Party branch in its 片区)?
* :func:`grid_integrity` — where the unit grids leave gaps in a village or
  overlap each other, and which grids have no parent (SPEC §3 全覆盖、无交叉、
  ``grid_orphans``).

The drill-down table of the four levels and the figures of one of its nodes
(:func:`grid_tree`, :func:`level_figures`) live in :mod:`analysis.grid_tree`
and are importable from here.  Areas are m², computed in a projected metric
CRS (:func:`geo.crs.metric_crs`); geometries are returned in the input CRS.

>>> import geopandas as gpd, shapely
>>> v = gpd.GeoDataFrame({"village_code": ["a"], "name": ["甲村"], "township_code": ["t"],
...     "township": ["甲镇"], "county_code": ["c"]}, geometry=[shapely.box(0, 0, 100, 100)],
...     crs="EPSG:4549")
>>> g = gpd.GeoDataFrame({"grid_code": ["A", "A1"], "name": ["第一片区", "第1网格"],
...     "level": [3, 4], "parent_code": ["a", "A"], "households": [90, 90],
...     "party_branch": [True, False], "manager": ["", "张三"]}, crs="EPSG:4549",
...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(0, 0, 100, 60)])
>>> grid_compliance(g)["compliant"].tolist()
[True]
>>> grid_integrity(v, g).summary()  # the northern 100 m × 40 m strip is a gap
{'gap_area_m2': 4000.0, 'overlap_area_m2': 0.0, 'orphans': 0}
>>> level_figures(grid_tree(v, g), grid_compliance(g), "village", "a")["grid_l4"]
1
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.grid import grid_placement, union_by
from analysis.grid_tree import (AREA_KEYS, grid_tree, level_figures, level_mask,  # noqa: F401
                                with_area_keys)
from analysis.params import Params
from geo import schema as s
from geo.crs import metric_crs as fitted_metric_crs
from geo.crs import to_metric

MIN_AREA_M2 = 1.0     # gap pieces and overlaps below this area (m²) are slivers,
SLIVER_WIDTH_M = 0.5  # and so are those nowhere wider than this (m)
STATUSES = ("compliant", "households", "manager", "branch")   # map classes, in order
REASONS = {
    "households": "户数{households}户，不在{low}–{high}户标准内",
    "households_missing": "户数缺失",
    "manager": "未配备网格管家",
    "branch": "所属片区未建网格党支部",
    "no_parent": "上级片区不存在",
}
ORPHAN_REASONS = {3: "上级村（社区）不存在", 4: "上级片区不存在或不是三级网格"}
def _has_manager(manager: pd.Series) -> pd.Series:
    return manager.fillna("").astype(str).str.strip().ne("")


# ---- standards -----------------------------------------------------------------

def grid_compliance(grids: pd.DataFrame, params: Params = Params()) -> pd.DataFrame:
    """Whether each unit grid (level 4) meets the grid standards.

    Parameters
    ----------
    grids : DataFrame
        The ``grids`` layer (geometry not needed).
    params : Params
        ``grid_min_households`` and ``grid_max_households`` (households, inclusive).

    Returns
    -------
    DataFrame
        One row per level-4 grid, index as in ``grids``: ``grid_code``,
        ``name``, ``parent_code``, ``households``, ``manager``;
        ``households_ok`` (min ≤ households ≤ max; missing is not ok),
        ``has_manager`` (``manager`` not empty after stripping blanks),
        ``parent_branch`` (the parent level-3 grid has a Party branch; false
        when it does not exist), ``compliant`` (all three), ``status`` (the
        first failed check of ``households``, ``manager``, ``branch``, else
        ``compliant``: see :data:`STATUSES`) and ``reasons`` (list of Chinese
        texts, empty when compliant).

    Examples
    --------
    >>> g = pd.DataFrame({"grid_code": ["A", "A1", "A2", "A3"], "name": ["片", "1", "2", "3"],
    ...     "level": [3, 4, 4, 4], "parent_code": ["v", "A", "A", "B"],
    ...     "households": [0, 80, 121, 100], "party_branch": [True, False, False, False],
    ...     "manager": ["", "张", "  ", "李"]})
    >>> c = grid_compliance(g)
    >>> c[["households_ok", "has_manager", "parent_branch", "status"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [[True, True, True, 'compliant'], [False, False, True, 'households'],
     [True, True, False, 'branch']]
    >>> c["reasons"].iloc[1]
    ['户数121户，不在80–120户标准内', '未配备网格管家']
    """
    is4 = level_mask(grids, s.GRID_LEVEL_L4)
    unit = grids.loc[is4, [s.GRID_CODE, s.NAME, s.PARENT_CODE, s.HOUSEHOLDS, s.MANAGER]].copy()
    l3 = grids.loc[level_mask(grids, s.GRID_LEVEL_L3)]
    branch_of = pd.Series(l3[s.PARTY_BRANCH].astype("boolean").fillna(False).to_numpy(dtype=bool),
                          index=l3[s.GRID_CODE].to_numpy())
    households = unit[s.HOUSEHOLDS].astype("Float64")
    low, high = params.grid_min_households, params.grid_max_households
    unit["households_ok"] = ((households >= low) & (households <= high)).fillna(False).astype(bool)
    unit["has_manager"] = _has_manager(unit[s.MANAGER]).to_numpy(dtype=bool)
    parent_known = unit[s.PARENT_CODE].isin(branch_of.index).to_numpy(dtype=bool)
    unit["parent_branch"] = (unit[s.PARENT_CODE].map(branch_of).fillna(False)
                             .to_numpy(dtype=bool))
    unit["compliant"] = unit["households_ok"] & unit["has_manager"] & unit["parent_branch"]
    checks = unit[["households_ok", "has_manager", "parent_branch"]].to_numpy()
    first_failed = np.where(checks.all(axis=1), 0, 1 + np.argmin(checks, axis=1))
    unit["status"] = np.asarray(STATUSES, dtype=object)[first_failed]
    unit["reasons"] = [
        _reasons(ok_h, hh, ok_m, ok_b, known, low, high)
        for ok_h, hh, ok_m, ok_b, known in zip(unit["households_ok"], households,
                                               unit["has_manager"], unit["parent_branch"],
                                               parent_known)]
    return unit


def _reasons(ok_h, households, ok_m, ok_b, parent_known, low, high) -> list[str]:
    out = []
    if not ok_h:
        out.append(REASONS["households_missing"] if pd.isna(households) else
                   REASONS["households"].format(households=int(households), low=low, high=high))
    if not ok_m:
        out.append(REASONS["manager"])
    if not ok_b:
        out.append(REASONS["branch"] if parent_known else REASONS["no_parent"])
    return out


# ---- integrity: gaps, overlaps, orphans ---------------------------------------------

@dataclass(frozen=True)
class GridIntegrity:
    """Gaps, overlaps and orphans of the grids (frames in the input CRS, areas m²).

    ``gaps``: one row per village with area not covered by any unit grid
    (``village_code``, ``name``, ``township_code``, ``county_code``,
    ``area_m2``).  ``overlaps``: one row per pair of overlapping unit grids
    (``grid_a`` < ``grid_b``, ``area_m2`` and the village of the overlap).
    ``orphans``: grids whose parent is missing or of the wrong level (``reason``
    and the village that contains them, when any).
    """

    gaps: gpd.GeoDataFrame
    overlaps: gpd.GeoDataFrame
    orphans: gpd.GeoDataFrame

    def summary(self) -> dict:
        """Total gap and overlap area (m²) and the number of orphans."""
        return {"gap_area_m2": float(self.gaps["area_m2"].sum()),
                "overlap_area_m2": float(self.overlaps["area_m2"].sum()),
                "orphans": int(len(self.orphans))}

    def tables(self) -> dict:
        """``gaps``, ``overlaps`` and ``orphans`` as plain tables for display:
        no geometry, areas rounded to 0.1 m²."""
        return {name: pd.DataFrame(getattr(self, name).drop(columns="geometry"))
                .round({"area_m2": 1}) for name in ("gaps", "overlaps", "orphans")}

    def within(self, column: str | None, code: str | None) -> GridIntegrity:
        """The rows whose ``column`` (one of :data:`AREA_KEYS`) equals ``code``."""
        if column is None:
            return self
        if column not in AREA_KEYS:
            raise ValueError(f"未知的区域列 {column!r}，可选：{'、'.join(AREA_KEYS)}")
        return GridIntegrity(*(f[f[column] == code] for f in (self.gaps, self.overlaps,
                                                              self.orphans)))


def _without_slivers(geoms: np.ndarray) -> np.ndarray:
    """Each polygon less its slivers; empty when nothing but slivers is left.

    Polygons whose vertices were transformed from another CRS no longer meet
    exactly where one polygon's vertex lay on a neighbour's edge: they leave
    hairline gaps and overlaps, millimetres wide but up to tens of m² long,
    alone or as tails of a real gap.  A morphological opening (shrink, then
    grow back, by half of :data:`SLIVER_WIDTH_M`, with mitred corners) drops
    every part nowhere wider than that; pieces under :data:`MIN_AREA_M2` go
    too.  Metric CRS.

    >>> tail = shapely.union(shapely.box(0, 0, 2, 2), shapely.box(2, 0, 50, 0.01))
    >>> shapely.area(_without_slivers(np.array([shapely.box(0, 0, 100, 0.01), tail]))).tolist()
    [0.0, 4.0]
    """
    half = SLIVER_WIDTH_M / 2
    polygons = _polygonal(geoms)
    polygons[shapely.is_missing(polygons)] = shapely.Polygon()
    opened = shapely.buffer(shapely.buffer(polygons, -half, quad_segs=1, join_style="mitre"),
                            half, quad_segs=1, join_style="mitre")
    core = _polygonal(shapely.intersection(opened, polygons))
    core[shapely.is_missing(core)] = shapely.Polygon()
    parts, owner = shapely.get_parts(core, return_index=True)
    keep = shapely.area(parts) >= MIN_AREA_M2
    out = union_by(parts[keep], owner[keep], len(geoms))
    out[shapely.is_missing(out)] = shapely.Polygon()
    return out


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """The polygonal part of each geometry (drops lines and points of collections)."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    keep = np.isin(shapely.get_type_id(parts), (3, 6))
    return union_by(parts[keep], owner[keep], len(geoms))


def _village_of(points: np.ndarray, villages: np.ndarray) -> np.ndarray:
    """Row of the village containing each point, −1 when none."""
    found = np.full(len(points), -1, dtype=np.int64)
    if len(points) and len(villages):
        inp, pos = shapely.STRtree(villages).query(points, predicate="within")
        first = np.unique(inp, return_index=True)[1]
        found[inp[first]] = pos[first]
    return found


def grid_integrity(villages: gpd.GeoDataFrame, grids: gpd.GeoDataFrame,
                   metric_crs=None) -> GridIntegrity:
    """Coverage gaps, overlaps and orphan grids (SPEC §3 全覆盖、无交叉、无上级).

    Parameters
    ----------
    villages, grids : GeoDataFrame
        The layers, in any CRS (``grids`` is compared in ``villages``' CRS).
    metric_crs : pyproj.CRS, optional
        Projected metric CRS for the areas; default
        ``geo.crs.metric_crs(villages)``.

    Returns
    -------
    GridIntegrity
        * gaps — per village, ``village − ∪ unit grids``, without slivers
          (pieces under :data:`MIN_AREA_M2` m² or nowhere wider than
          :data:`SLIVER_WIDTH_M` m);
        * overlaps — ``g ∩ h`` for each pair of unit grids whose intersection
          has an area beyond slivers, the pairs found with an STRtree query
          (the village is the one containing the overlap's representative
          point);
        * orphans — grids whose ``parent_code`` names no village (level 3)
          or no level-3 grid (level 4), with their area and village.

    Examples
    --------
    Two 60 m × 100 m unit grids in a 100 m × 100 m village, overlapping by 20 m:

    >>> v = gpd.GeoDataFrame({"village_code": ["a"], "name": ["甲村"], "township_code": ["t"],
    ...     "county_code": ["c"]}, geometry=[shapely.box(0, 0, 100, 100)], crs="EPSG:4549")
    >>> g = gpd.GeoDataFrame({"grid_code": ["A", "A1", "A2"], "level": [3, 4, 4],
    ...     "parent_code": ["a", "A", "X"]}, crs="EPSG:4549", geometry=[shapely.box(0, 0, 100, 100),
    ...     shapely.box(0, 0, 60, 100), shapely.box(40, 0, 100, 100)])
    >>> r = grid_integrity(v, g)
    >>> r.summary(), r.overlaps[["grid_a", "grid_b", "village_code"]].values.tolist()
    ({'gap_area_m2': 0.0, 'overlap_area_m2': 2000.0, 'orphans': 1}, [['A1', 'A2', 'a']])
    """
    crs = fitted_metric_crs(villages) if metric_crs is None else metric_crs
    if grids.crs is not None and villages.crs is not None and grids.crs != villages.crs:
        grids = grids.to_crs(villages.crs)
    village_m = np.asarray(to_metric(villages.geometry, crs).array, dtype=object)
    is4 = level_mask(grids, s.GRID_LEVEL_L4)
    unit = grids.loc[is4]
    unit_m = np.asarray(to_metric(unit.geometry, crs).array, dtype=object) if len(unit) \
        else np.zeros(0, dtype=object)
    with ThreadPoolExecutor(max_workers=1) as pool:   # independent: side by side
        overlaps = pool.submit(_overlaps, villages, village_m, unit, unit_m, crs)
        gaps = _gaps(villages, village_m, unit_m, crs)
        orphans = _orphans(villages, grids, crs)
        overlaps = overlaps.result()
    return GridIntegrity(gaps, overlaps, orphans)


def _frame(columns: dict, geoms: np.ndarray, crs, target) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries(geoms, crs=crs))
    return out.to_crs(target) if target is not None else out


def _gaps(villages, village_m, unit_m, crs) -> gpd.GeoDataFrame:
    vi, gi = shapely.STRtree(unit_m).query(village_m, predicate="intersects") if len(unit_m) \
        else (np.zeros(0, dtype=np.int64),) * 2
    inner = ~shapely.touches(village_m[vi], unit_m[gi])   # a neighbour's grid that only
    vi, gi = vi[inner], gi[inner]                         # touches covers nothing inside
    cover = union_by(unit_m[gi], vi, len(village_m))
    missing = shapely.is_missing(cover)
    rest = village_m.copy()
    rest[~missing] = shapely.difference(village_m[~missing], cover[~missing])
    geoms = _without_slivers(rest)
    rows = np.flatnonzero(~shapely.is_empty(geoms))
    columns = with_area_keys({s.NAME: villages[s.NAME].to_numpy()[rows]}, villages, rows)
    columns["area_m2"] = shapely.area(geoms[rows])
    out = _frame(columns, geoms[rows], crs, villages.crs)
    return out[[s.VILLAGE_CODE, s.NAME, "township_code", "county_code", "area_m2", "geometry"]]


def _overlaps(villages, village_m, unit, unit_m, crs) -> gpd.GeoDataFrame:
    a = b = np.zeros(0, dtype=np.int64)
    if len(unit_m):
        a, b = shapely.STRtree(unit_m).query(unit_m, predicate="intersects")
        pair = a < b
        a, b = a[pair], b[pair]
        inner = ~shapely.touches(unit_m[a], unit_m[b])
        a, b = a[inner], b[inner]
    geoms = _without_slivers(shapely.intersection(unit_m[a], unit_m[b]))
    area = shapely.area(geoms)
    big = area > 0
    a, b, geoms, area = a[big], b[big], geoms[big], area[big]
    codes = unit[s.GRID_CODE].to_numpy(dtype=object)
    first, second = codes[a], codes[b]
    swap = second < first
    first[swap], second[swap] = second[swap], first[swap]
    rows = _village_of(shapely.point_on_surface(geoms), village_m)
    columns = with_area_keys({"grid_a": first, "grid_b": second, "area_m2": area},
                              villages, rows)
    out = _frame(columns, geoms, crs, villages.crs)
    return out.sort_values(["grid_a", "grid_b"]).reset_index(drop=True)


def _orphans(villages, grids, crs) -> gpd.GeoDataFrame:
    if not len(grids):
        positions, orphan = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    else:
        positions, orphan = grid_placement(villages, grids)
    bad = grids.loc[orphan]
    level = bad[s.LEVEL].astype("Int64")
    columns = {s.GRID_CODE: bad[s.GRID_CODE].to_numpy(), s.NAME: bad[s.NAME].to_numpy()
               if s.NAME in bad else bad[s.GRID_CODE].to_numpy(),
               s.LEVEL: level.to_numpy(dtype=object), s.PARENT_CODE: bad[s.PARENT_CODE].to_numpy(),
               "reason": [ORPHAN_REASONS.get(int(x), "") for x in level]}
    columns = with_area_keys(columns, villages, positions[orphan])
    geoms = np.asarray(to_metric(bad.geometry, crs).array, dtype=object) if len(bad) \
        else np.zeros(0, dtype=object)
    columns["area_m2"] = shapely.area(geoms) if len(geoms) else np.zeros(0)
    return _frame(columns, geoms, crs, villages.crs).reset_index(drop=True)
