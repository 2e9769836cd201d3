"""Synthetic roads for the demo: a main network and a village road to every centre.

All coordinates are metres in :data:`data.demo_plan.METRIC_CRS`.

* **Township seats**: the centre (``point_on_surface``) of each township's
  first unit by code — its central community, or the village nearest its
  centre when it has none (:mod:`data.demo_geometry` numbers units by their
  distance from the township's centre).
* **Main roads** (``road_class`` 县乡道): the minimum spanning tree of the
  Delaunay edges between seats that stay inside the counties, plus the
  shortest other such edges (a few loops), each a gently winding line with a
  vertex every 300 m; lines meet at the seats, which they share.
* **Village roads** (村道): from the centre of every village and community to
  the nearest main-road vertex, which the road ends on (so it connects),
  winding a little more, a vertex every 150 m (the next nearest vertex when
  the line would leave the counties).  About 4 % of villages get no road
  (remote villages reached by paths only), so the walking figure is clearly
  lower than the straight-line one.
* **Lanes** (便道): from every service site, except those of the villages
  without a road, to the nearest vertex of the roads above, likewise (a
  党群服务中心 stands on a road; the synthetic sites are drawn anywhere in
  their village).

A line that would leave the counties winds less, or runs straight; every
line lies inside them.  The result is a valid ``roads`` layer: LineStrings,
no empty or zero-length line.

>>> import geopandas as gpd, shapely
>>> units = gpd.GeoDataFrame({"village_code": ["1001", "1201", "2001", "2201"],
...     "township_code": ["1", "1", "2", "2"], "township": ["东镇", "东镇", "西乡", "西乡"],
...     "name": ["甲社区", "乙村", "丙社区", "丁村"],
...     "kind": ["community", "village", "community", "village"]},
...     geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(0, 1000, 1000, 3000),
...               shapely.box(6000, 0, 7000, 1000), shapely.box(6000, 1000, 7000, 3000)],
...     crs="EPSG:4549")
>>> roads = build_roads(units, shapely.box(-100, -100, 7100, 3100), np.random.default_rng(1))
>>> roads["name"].tolist(), bool(roads.is_valid.all())
(['东镇至西乡公路', '乙村通村公路', '丁村通村公路'], True)
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import Delaunay, cKDTree

from geo import schema as s

MAIN, VILLAGE_ROAD = "县乡道", "村道"
MAIN_STEP_M, VILLAGE_STEP_M = 300.0, 150.0    # vertex spacing
MAIN_WIGGLE, VILLAGE_WIGGLE = 0.05, 0.08      # winding amplitude, share of the length
LOOP_SHARE = 0.15                             # extra main roads, share of the seats
NO_ROAD_SHARE = 0.04                          # villages left without a road
LANE = "便道"
_CANDIDATES = 16                              # road vertices tried for a village road or lane
_ROAD_NAME = {True: "通村公路", False: "主路"}  # a village's road, a community's


def township_seats(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One point per township: the centre of its first unit by code (metres)."""
    first = units.sort_values(s.VILLAGE_CODE).groupby(s.TOWNSHIP_CODE, sort=True).head(1)
    return gpd.GeoDataFrame({s.TOWNSHIP_CODE: first[s.TOWNSHIP_CODE].to_numpy(),
                             s.TOWNSHIP: first[s.TOWNSHIP].to_numpy()},
                            geometry=first.geometry.representative_point().to_numpy(),
                            crs=units.crs)


def _main_edges(xy: np.ndarray, region) -> list[tuple[int, int]]:
    """The spanning tree of the Delaunay edges inside ``region`` and a few short loops."""
    n = len(xy)
    if n < 2:
        return []
    if n == 2:
        return [(0, 1)]
    tri = Delaunay(xy)
    pairs = np.concatenate([tri.simplices[:, [0, 1]], tri.simplices[:, [1, 2]],
                            tri.simplices[:, [0, 2]]])
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    inside = shapely.within(shapely.linestrings(np.stack([xy[pairs[:, 0]], xy[pairs[:, 1]]], 1)),
                            region)
    pairs = pairs[inside]
    length = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    tree = minimum_spanning_tree(coo_matrix((length, (pairs[:, 0], pairs[:, 1])), shape=(n, n)))
    chosen = {tuple(sorted(p)) for p in zip(*tree.nonzero())}
    rest = [i for i in np.argsort(length, kind="stable") if tuple(pairs[i]) not in chosen]
    chosen |= {tuple(pairs[i]) for i in rest[:int(round(LOOP_SHARE * n))]}
    return sorted((int(a), int(b)) for a, b in chosen)


def winding_line(start: np.ndarray, end: np.ndarray, step: float, wiggle: float,
                 rng: np.random.Generator, region=None) -> np.ndarray | None:
    """Vertices (k, 2) of a winding road from ``start`` to ``end`` (both kept exactly).

    The offset from the straight line is a sum of three sine waves that
    vanish at both ends, of amplitude about ``wiggle`` × length; halved until
    the line lies in ``region`` (straight at last); ``None`` when even the
    straight line leaves it.

    >>> line = winding_line(np.array([0.0, 0.0]), np.array([1000.0, 0.0]), 250.0, 0.05,
    ...                     np.random.default_rng(0))
    >>> len(line), line[0].tolist(), line[-1].tolist()
    (5, [0.0, 0.0], [1000.0, 0.0])
    """
    vector = end - start
    length = float(np.hypot(*vector))
    k = max(1, int(np.ceil(length / step)))
    t = np.linspace(0.0, 1.0, k + 1)
    normal = np.array([-vector[1], vector[0]]) / max(length, 1e-9)
    waves = rng.normal(0.0, 1.0, 3) / np.arange(1, 4)
    phase = sum(w * np.sin((j + 1) * np.pi * t) for j, w in enumerate(waves))
    for scale in (1.0, 0.5, 0.25, 0.0):
        xy = start + t[:, None] * vector + (scale * wiggle * length * phase)[:, None] * normal
        xy[0], xy[-1] = start, end
        if region is None or shapely.within(shapely.LineString(xy), region):
            return xy
    return None


def _connected(start: np.ndarray, road_xy: np.ndarray, tree: cKDTree, rng: np.random.Generator,
               region) -> np.ndarray | None:
    """A village road from ``start`` to the nearest road vertex it can reach inside
    ``region`` (of the 16 nearest), ending exactly on that vertex; ``None`` if none."""
    distance, nearest = tree.query(start, k=min(_CANDIDATES, len(road_xy)))
    for d, j in zip(np.atleast_1d(distance), np.atleast_1d(nearest)):
        if d < 1.0:                 # already on a road
            return None
        xy = winding_line(start, road_xy[j], VILLAGE_STEP_M, VILLAGE_WIGGLE, rng, region)
        if xy is not None:
            return xy
    return None


def build_roads(units: gpd.GeoDataFrame, region, rng: np.random.Generator,
                sites: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """The ``roads`` layer for ``units`` (villages and communities, metric CRS) in ``region``.

    Returns a GeoDataFrame (``road_id``, ``name``, ``road_class``, LineString
    geometry) in ``units``' CRS: main roads first, then village roads in the
    order of ``units``, then the lanes to ``sites`` (points in the same CRS,
    with ``village_code`` and ``name``) in their order.
    """
    seats = township_seats(units)
    seat_xy = shapely.get_coordinates(seats.geometry.to_numpy())
    shapely.prepare(region)
    rows = []
    for a, b in _main_edges(seat_xy, region):
        xy = winding_line(seat_xy[a], seat_xy[b], MAIN_STEP_M, MAIN_WIGGLE, rng, region)
        if xy is not None:          # the straight line was checked: always drawn
            rows.append((MAIN, f"{seats[s.TOWNSHIP].iloc[a]}至{seats[s.TOWNSHIP].iloc[b]}公路",
                         xy))
    main_xy = np.concatenate([r[2] for r in rows]) if rows else seat_xy
    tree = cKDTree(main_xy)
    centres = shapely.get_coordinates(units.geometry.representative_point().to_numpy())
    village = (units[s.KIND] == s.KIND_VILLAGE).to_numpy()
    remote = np.zeros(len(units), dtype=bool)
    remote[rng.choice(np.flatnonzero(village), int(round(NO_ROAD_SHARE * village.sum())),
                      replace=False)] = True
    for i in np.flatnonzero(~remote):
        xy = _connected(centres[i], main_xy, tree, rng, region)
        if xy is not None:          # None: a seat, on the main road already
            rows.append((VILLAGE_ROAD, units[s.NAME].iloc[i] + _ROAD_NAME[bool(village[i])],
                         xy))
    if sites is not None and len(sites):
        rows += _lanes(sites, set(units[s.VILLAGE_CODE].to_numpy()[remote]),
                       np.concatenate([r[2] for r in rows]), region, rng)
    return gpd.GeoDataFrame({
        s.ROAD_ID: [f"DL{k:05d}" for k in range(1, len(rows) + 1)],
        s.NAME: [r[1] for r in rows], s.ROAD_CLASS: [r[0] for r in rows]},
        geometry=[shapely.LineString(r[2]) for r in rows], crs=units.crs)


def _lanes(sites: gpd.GeoDataFrame, remote: set, road_xy: np.ndarray, region,
           rng: np.random.Generator) -> list[tuple]:
    """A lane from each site not in a ``remote`` village to the nearest road vertex."""
    xy = shapely.get_coordinates(sites.geometry.to_numpy())
    tree = cKDTree(road_xy)
    rows = []
    for i in np.flatnonzero(~sites[s.VILLAGE_CODE].isin(remote).to_numpy()):
        line = _connected(xy[i], road_xy, tree, rng, region)
        if line is not None:
            rows.append((LANE, f"{sites[s.NAME].iloc[i]}{LANE}", line))
    return rows
