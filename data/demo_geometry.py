"""Synthetic townships and villages: clipped Voronoi partitions of a county.

All coordinates here are metres in :data:`data.demo_plan.METRIC_CRS`.  A
partition of a region is the Voronoi diagram of seed points clipped to the
region; a cell that the clipping cuts into pieces keeps the piece holding its
seed and gives the others to the neighbour sharing the longest border, so the
cells stay contiguous, cover the region and do not overlap.

>>> import shapely
>>> cells = partition(shapely.box(0, 0, 100, 100), np.array([[25.0, 50.0], [75.0, 50.0]]))
>>> [round(c.area) for c in cells]
[5000, 5000]
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from data.demo_names import URBAN_SECOND, VILLAGE_FIRST, VILLAGE_SECOND, NamePool
from data.demo_plan import CountyPlan
from geo import schema as s

STREET, TOWN, XIANG = "街道", "镇", "乡"
_CODE_BASE = {STREET: 1, TOWN: 101, XIANG: 201}   # 3-digit township code ranges
_COMMUNITY_BASE, _VILLAGE_BASE = 1, 201            # 3-digit unit code ranges
_RURAL_STREET_M2 = 8e6                             # a 街道 this large has villages too


def points_in(geom, n: int, rng: np.random.Generator, centre=None, spread: float | None = None,
              avoid=None) -> np.ndarray:
    """``n`` random points (an (n, 2) array, m) inside ``geom``.

    Uniform over the polygon, or normal around ``centre`` with standard
    deviation ``spread`` (m) when both are given.  ``avoid`` = ((x, y), r)
    keeps points at least ``r`` m from ``(x, y)`` while that is possible.
    """
    if n <= 0:
        return np.empty((0, 2))
    shapely.prepare(geom)
    minx, miny, maxx, maxy = geom.bounds
    got: list[np.ndarray] = []
    have, tries = 0, 0
    while have < n:
        batch = max(64, 4 * (n - have))
        if centre is not None and spread is not None and tries < 40:
            xy = rng.normal(centre, spread, size=(batch, 2))
        else:
            xy = np.column_stack([rng.uniform(minx, maxx, batch), rng.uniform(miny, maxy, batch)])
        ok = shapely.contains_xy(geom, xy[:, 0], xy[:, 1])
        if avoid is not None and tries < 40:
            (ax, ay), radius = avoid
            ok &= np.hypot(xy[:, 0] - ax, xy[:, 1] - ay) >= radius
        got.append(xy[ok])
        have += int(ok.sum())
        tries += 1
    return np.concatenate(got)[:n]


def _polygons(geom) -> list:
    """The polygon parts of any geometry (lines and points dropped)."""
    out = []
    for part in shapely.get_parts(geom):
        if part.geom_type == "Polygon" and not part.is_empty:
            out.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            out.extend(_polygons(part))
    return out


def partition(region, seeds: np.ndarray) -> np.ndarray:
    """Cells of ``seeds`` (an (n, 2) array inside ``region``), in seed order."""
    n = len(seeds)
    if n == 1:
        return np.array([region], dtype=object)
    diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=region, ordered=True)
    clipped = shapely.intersection(shapely.get_parts(diagram), region)
    points = shapely.points(seeds)
    keep = np.empty(n, dtype=object)
    orphans = []
    for i, cell in enumerate(clipped):
        parts = _polygons(cell)
        home = next((p for p in parts if p.intersects(points[i])), None)
        if home is None:
            home = max(parts, key=lambda p: p.area)
        keep[i] = home
        orphans.extend(p for p in parts if p is not home)
    for frag in sorted(orphans, key=lambda p: -p.area):
        shared = shapely.area(shapely.intersection(keep, frag.buffer(0.5)))
        j = (int(np.argmax(shared)) if shared.max() > 0
             else int(np.argmin(shapely.distance(keep, frag))))
        keep[j] = shapely.union(keep[j], frag)
    return keep


def relax(region, seeds: np.ndarray, fixed: np.ndarray, iterations: int) -> np.ndarray:
    """Lloyd relaxation: move the seeds not ``fixed`` to their cells' centres."""
    seeds = seeds.copy()
    for _ in range(iterations):
        cells = partition(region, seeds)
        centres = shapely.centroid(cells)
        outside = ~shapely.contains(cells, centres)
        centres[outside] = shapely.point_on_surface(cells[outside])
        seeds[~fixed] = shapely.get_coordinates(centres)[~fixed]
    return seeds


def allocate(total: int, weights, minimum=0) -> np.ndarray:
    """Split ``total`` in proportion to ``weights`` (largest remainder), each ≥ ``minimum``.

    ``minimum`` is a number or one per part.

    >>> allocate(10, [1, 2, 2]).tolist(), allocate(5, [0, 1, 9], minimum=1).tolist()
    ([2, 4, 4], [1, 1, 3])
    """
    w = np.asarray(weights, dtype=float)
    low = np.broadcast_to(np.asarray(minimum, dtype=int), w.shape)
    rest = total - int(low.sum())
    if rest < 0:
        raise ValueError(f"cannot split {total} into {len(w)} parts of at least {low.tolist()}")
    share = rest * w / w.sum() if w.sum() > 0 else np.full(len(w), rest / len(w))
    out = np.floor(share).astype(int)
    order = np.argsort(-(share - out), kind="stable")
    out[order[: rest - out.sum()]] += 1
    return out + low


def _township_kinds(plan: CountyPlan, dist: np.ndarray) -> list[str]:
    """街道 first (seeded at the seat), then 镇 nearest the seat, 乡 farthest."""
    n_rural = plan.townships - plan.streets
    rank = np.argsort(np.argsort(dist[plan.streets:], kind="stable"), kind="stable")
    n_town = int(np.ceil(0.6 * n_rural))
    return [STREET] * plan.streets + [TOWN if r < n_town else XIANG for r in rank]


def layout_townships(county_code: str, plan: CountyPlan, county, seat: np.ndarray,
                     rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Townships of one county: code, name, kind, centre (x, y) and geometry (m)."""
    n_fixed = max(plan.streets, 1)
    near = points_in(county, n_fixed - 1, rng, centre=seat, spread=2500.0) if n_fixed > 1 \
        else np.empty((0, 2))
    rural = points_in(county, plan.townships - n_fixed, rng)
    seeds = np.vstack([seat[None, :], near, rural])
    fixed = np.arange(len(seeds)) < n_fixed
    seeds = relax(county, seeds, fixed, iterations=4)
    cells = partition(county, seeds)
    dist = np.hypot(*(seeds - seat).T)
    kinds = _township_kinds(plan, dist)
    names = NamePool(rng)
    rows = []
    counters = dict(_CODE_BASE)
    for i in np.lexsort((dist, [_CODE_BASE[k] for k in kinds])):
        kind = kinds[i]
        second = URBAN_SECOND if kind == STREET else VILLAGE_SECOND
        rows.append({s.TOWNSHIP_CODE: f"{county_code}{counters[kind]:03d}",
                     s.TOWNSHIP: names.take(VILLAGE_FIRST, second, kind), "township_kind": kind,
                     "cx": seeds[i, 0], "cy": seeds[i, 1], "geometry": cells[i]})
        counters[kind] += 1
    return gpd.GeoDataFrame(rows, geometry="geometry")


def _unit_counts(plan: CountyPlan, townships: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Villages and communities per township.

    Communities go mostly to the 街道 (or to the seat town), one more to each
    of the towns nearest the seat; villages follow the area, half the
    weight for 街道, at least two in every 镇 and 乡 and in every 街道 larger
    than 8 km² (so its communities stay near its centre).
    """
    kinds = townships["township_kind"].to_numpy()
    street = kinds == STREET
    n = len(townships)
    comm = np.zeros(n, dtype=int)
    urban = np.flatnonzero(street) if street.any() else np.array([0])
    n_urban = max(len(urban) * 2, int(round(0.75 * plan.communities)))
    comm[urban] = allocate(min(n_urban, plan.communities), np.ones(len(urban)), minimum=1)
    towns = [i for i in range(n) if kinds[i] == TOWN and i not in urban]
    for k in range(plan.communities - comm.sum()):
        comm[towns[k % len(towns)]] += 1
    area = townships.area.to_numpy()
    minimum = np.where(street & (area < _RURAL_STREET_M2), 0, 2)
    vill = allocate(plan.villages, area * np.where(street, 0.5, 1.0), minimum=minimum)
    return vill, comm


def _ring(region, centre: np.ndarray, radius: float, n: int,
          rng: np.random.Generator) -> np.ndarray:
    """Up to ``n`` points on a circle around ``centre`` that fall inside ``region``."""
    if n <= 0:
        return np.empty((0, 2))
    angle = rng.uniform(0, 2 * np.pi) + np.arange(n) * 2 * np.pi / n
    xy = centre + radius * np.column_stack([np.cos(angle), np.sin(angle)])
    return xy[shapely.contains_xy(region, xy[:, 0], xy[:, 1])]


def layout_units(township: dict, county_code: str, county: str, n_villages: int,
                 n_communities: int, rng: np.random.Generator, names: NamePool) -> list[dict]:
    """Villages and communities of one township, as attribute dicts with geometry."""
    region, centre = township["geometry"], np.array([township["cx"], township["cy"]])
    spread = min(1500.0, 300.0 * np.sqrt(max(n_communities, 1)))
    comm = points_in(region, n_communities, rng, centre=centre, spread=spread)
    ring = _ring(region, centre, 2.6 * spread, min(6, n_villages // 2), rng) if n_communities \
        else np.empty((0, 2))
    avoid = (centre, 2.6 * spread) if n_communities else None
    vill = points_in(region, n_villages - len(ring), rng, avoid=avoid)
    seeds = np.vstack([comm, ring, vill])
    fixed = np.arange(len(seeds)) < n_communities + len(ring)
    if n_villages > 1:
        seeds = relax(region, seeds, fixed, iterations=2)
    cells = partition(region, seeds)
    dist = np.hypot(*(seeds - centre).T)
    rows = []
    for kind, base, idx, second, suffix in (
            (s.KIND_COMMUNITY, _COMMUNITY_BASE, np.arange(n_communities), URBAN_SECOND, "社区"),
            (s.KIND_VILLAGE, _VILLAGE_BASE, np.arange(n_communities, len(seeds)), VILLAGE_SECOND,
             "村")):
        for k, i in enumerate(idx[np.argsort(dist[idx], kind="stable")]):
            rows.append({s.VILLAGE_CODE: f"{township[s.TOWNSHIP_CODE]}{base + k:03d}",
                         s.NAME: names.take(VILLAGE_FIRST, second, suffix),
                         s.TOWNSHIP_CODE: township[s.TOWNSHIP_CODE],
                         s.TOWNSHIP: township[s.TOWNSHIP], s.COUNTY_CODE: county_code,
                         s.COUNTY: county, s.KIND: kind, "geometry": cells[i]})
    return rows


def layout_county(county_code: str, plan: CountyPlan, county, seat: np.ndarray,
                  rng: np.random.Generator, crs) -> gpd.GeoDataFrame:
    """Villages and communities of one county (metric CRS ``crs``)."""
    townships = layout_townships(county_code, plan, county, seat, rng)
    vill, comm = _unit_counts(plan, townships)
    names = NamePool(rng)
    rows = []
    for (_, township), nv, nc in zip(townships.iterrows(), vill, comm):
        rows.extend(layout_units(township, county_code, plan.name, int(nv), int(nc), rng, names))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
