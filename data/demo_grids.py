"""Levels 3 and 4 of the grid (片区 and unit grids) inside the synthetic villages.

Each village is cut into its 片区 and each 片区 into its unit grids by
relaxed, clipped Voronoi partitions (:func:`data.demo_geometry.partition`),
so the grids nest, cover the village and do not overlap — except for the two
defects that :func:`add_defects` puts in on purpose.  Geometry is in metres.
"""
from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data.demo_attributes import GridPlan
from data.demo_geometry import allocate, partition, points_in, relax
from data.demo_names import ordinal, person_names
from geo import schema as s

log = logging.getLogger(__name__)

_L3_BRANCH_SHARE = 0.85     # 片区 with a grid Party branch (Yong'an: all)
_L4_BRANCH_SHARE = 0.25
_MANAGER_SHARE = 0.95       # unit grids with a 网格管家
GAP_WIDTH_SHARE = 0.25      # the gap: the eastern quarter of one unit grid
OVERLAP_M = 30.0            # the overlap: one unit grid grown 30 m


def _cells(region, n: int, rng: np.random.Generator) -> np.ndarray:
    if n == 1:
        return np.array([region], dtype=object)
    seeds = relax(region, points_in(region, n, rng), np.zeros(n, dtype=bool), iterations=2)
    return partition(region, seeds)


def village_grids(code: str, village, plan: GridPlan, all_branches: bool,
                  rng: np.random.Generator) -> list[dict]:
    """The 片区 and unit grids of one village, as attribute dicts with geometry."""
    l3_cells = _cells(village, plan.l3, rng)
    n4 = allocate(len(plan.households), shapely.area(l3_cells), minimum=1)
    managers = person_names(rng, plan.l3 + len(plan.households))
    has_manager = rng.random(len(plan.households)) < _MANAGER_SHARE
    rows, k = [], 0
    for j, (l3_geom, m) in enumerate(zip(l3_cells, n4), start=1):
        l3_code = f"{code}W{j:02d}"
        take = slice(k, k + m)
        rows.append({
            s.GRID_CODE: l3_code, s.NAME: f"{ordinal(j)}片区", s.LEVEL: s.GRID_LEVEL_L3,
            s.PARENT_CODE: code, s.HOUSEHOLDS: int(plan.households[take].sum()),
            s.POPULATION: int(plan.population[take].sum()),
            s.PARTY_MEMBERS: int(plan.party_members[take].sum()),
            s.PARTY_BRANCH: bool(all_branches or rng.random() < _L3_BRANCH_SHARE),
            s.MANAGER: managers[j - 1], "geometry": l3_geom})
        for cell in _cells(l3_geom, int(m), rng):
            rows.append({
                s.GRID_CODE: f"{l3_code}{k + 1:03d}", s.NAME: f"第{k + 1}网格",
                s.LEVEL: s.GRID_LEVEL_L4, s.PARENT_CODE: l3_code,
                s.HOUSEHOLDS: int(plan.households[k]), s.POPULATION: int(plan.population[k]),
                s.PARTY_MEMBERS: int(plan.party_members[k]),
                s.PARTY_BRANCH: bool(rng.random() < _L4_BRANCH_SHARE),
                s.MANAGER: managers[plan.l3 + k] if has_manager[k] else "", "geometry": cell})
            k += 1
    return rows


def county_grids(units: gpd.GeoDataFrame, plans: dict[str, GridPlan], all_branches: bool,
                 rng: np.random.Generator) -> list[dict]:
    """Grid rows of the units of one county (those with a grid plan)."""
    rows = []
    for code, village in zip(units[s.VILLAGE_CODE], units.geometry):
        if code in plans:
            rows.extend(village_grids(code, village, plans[code], all_branches, rng))
    return rows


def add_defects(grids: gpd.GeoDataFrame, units: gpd.GeoDataFrame, county: str,
                rng: np.random.Generator) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """One coverage gap and one overlap among the unit grids of ``county``.

    The gap: the eastern quarter of one unit grid's bounding box is cut out,
    so that area lies in its village but in no unit grid.  The overlap: a
    unit grid of another village is grown by 30 m, clipped to its village,
    into its neighbours.  Returns a new frame and the grid codes changed.
    """
    out = grids.copy()
    village_of = dict(zip(grids[s.GRID_CODE], grids[s.PARENT_CODE]))
    geom_of = dict(zip(units[s.VILLAGE_CODE], units.geometry))
    l4 = out[(out[s.LEVEL] == s.GRID_LEVEL_L4) & out[s.GRID_CODE].str.startswith(county)]
    crowded = l4.groupby(s.PARENT_CODE)[s.GRID_CODE].transform("size") >= 3
    gap_pos, overlap_pos = rng.choice(np.asarray(l4.index[crowded]), 2, replace=False)
    if village_of[out.at[gap_pos, s.PARENT_CODE]] == village_of[out.at[overlap_pos, s.PARENT_CODE]]:
        others = l4.index[crowded & ~l4[s.GRID_CODE].str.startswith(
            village_of[out.at[gap_pos, s.PARENT_CODE]])]
        overlap_pos = rng.choice(np.asarray(others))
    cell = out.at[gap_pos, "geometry"]
    minx, miny, maxx, maxy = cell.bounds
    strip = shapely.box(maxx - GAP_WIDTH_SHARE * (maxx - minx), miny, maxx, maxy)
    out.at[gap_pos, "geometry"] = shapely.difference(cell, strip)
    cell = out.at[overlap_pos, "geometry"]
    village = geom_of[village_of[out.at[overlap_pos, s.PARENT_CODE]]]
    out.at[overlap_pos, "geometry"] = shapely.union(
        cell, shapely.intersection(cell.buffer(OVERLAP_M), village))
    defects = {"gap": out.at[gap_pos, s.GRID_CODE], "overlap": out.at[overlap_pos, s.GRID_CODE]}
    log.info("grid defects: gap in %s, overlap from %s", defects["gap"], defects["overlap"])
    return out, defects


def grids_frame(rows: list[dict], crs) -> gpd.GeoDataFrame:
    """Rows to a GeoDataFrame with SPEC's field order and types."""
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=crs)
    for col in (s.LEVEL, s.HOUSEHOLDS, s.POPULATION, s.PARTY_MEMBERS):
        frame[col] = frame[col].astype("int64")
    return frame.reset_index(drop=True)
