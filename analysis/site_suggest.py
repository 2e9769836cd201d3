"""选址建议 (issue 16): where ``k`` new 党群服务 sites would reach the most people
not yet within ``walk_minutes`` on foot of a site.

Today's sites stay where they are.  The **candidates** are the centres
(``point_on_surface``) of the area's villages and communities and the road
junctions (network nodes of degree ≥ 3) that lie inside them.  A candidate
reaches a population unit exactly as a site does (SPEC §3,
:mod:`analysis.walk`): straight line unit → its nearest node + shortest path
+ straight line from the node nearest the candidate ≤ the walking budget,
on the same network, in the same metric CRS.  The units and the figure are
the area's (a county, a township or the whole dataset).  Choosing the
candidates is a maximal covering location problem, solved exactly or
greedily by :mod:`analysis.site_mclp`.

>>> import geopandas as gpd, shapely
>>> v = gpd.GeoDataFrame({"village_code": ["a", "b"], "name": ["甲村", "乙村"],
...     "population": [100, 300]}, crs="EPSG:32650",
...     geometry=[shapely.box(-100, -100, 100, 100), shapely.box(1900, -100, 2100, 100)])
>>> road = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1000, 0), (2000, 0)])],
...                         crs="EPSG:32650")
>>> site = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs="EPSG:32650")
>>> table = reach_table(v, site, road)
>>> table.units["reached"].tolist(), table.candidates["name"].tolist()
([True, False], ['甲村', '乙村'])
>>> best = suggest_sites(table, 1)
>>> best.sites[["name", "new_population"]].values.tolist(), best.before, best.after
([['乙村', 300.0]], 0.25, 1.0)
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from analysis.areas import area_mask
from analysis.site_mclp import TIME_LIMIT_S, mclp_greedy, mclp_milp, order_by_gain, reduce_cover
from analysis.walk import (TOLERANCE_M, RoadNetwork, network_distances, population_units,
                           road_network, walk_budget_m, walk_units)
from geo import schema as s
from geo.crs import metric_crs, to_metric

VILLAGE_CENTRE, JUNCTION = "village", "junction"
JUNCTION_DEGREE = 3
METHODS = ("milp", "greedy")
BATCH = 128                # Dijkstra sources per call (a dense row per source)
CGCS2000 = "EPSG:4490"     # the coordinates of the exported suggestions
_NAMES = (s.VILLAGE_CODE, s.NAME, s.TOWNSHIP, s.COUNTY)


@dataclass(frozen=True)
class ReachTable:
    """Which candidate reaches which unit of an area, on foot.

    ``units``: :func:`analysis.walk.walk_units` rows of the area (``reached``
    by today's sites; ``access_m`` and ``node`` their nearest network node);
    ``candidates``: :func:`site_candidates`; ``cover``: units × candidates,
    bool (CSC); ``network``, ``tree`` (of its nodes) and ``budget_m`` (m) as
    used; ``crs`` the metric CRS of every coordinate.
    """

    units: pd.DataFrame
    candidates: pd.DataFrame
    cover: sp.csc_matrix
    network: RoadNetwork
    tree: cKDTree
    budget_m: float
    crs: object

    @property
    def total_population(self) -> float:
        return float(self.units["population"].sum())

    def reached_by(self, points_xy) -> np.ndarray:
        """Per unit: reached by the points as if they were sites (today's excluded).

        ``points_xy``: (n, 2) coordinates in :attr:`crs`, m.
        """
        xy = np.asarray(points_xy, dtype=float).reshape(-1, 2)
        if not len(xy) or not len(self.units):
            return np.zeros(len(self.units), dtype=bool)
        dist = network_distances(self.network, xy, self.budget_m, self.tree)
        walk = self.units["access_m"].to_numpy() + dist[self.units["node"].to_numpy()]
        return walk <= self.budget_m + TOLERANCE_M


def site_candidates(villages: gpd.GeoDataFrame, network: RoadNetwork,
                    keep: np.ndarray | None = None, crs=None) -> pd.DataFrame:
    """The candidate points of the villages ``keep`` (default: all).

    Parameters
    ----------
    villages : GeoDataFrame
        Villages and communities, any CRS.
    network : RoadNetwork
        :func:`analysis.walk.road_network`, in ``crs``.
    keep : array of bool, optional
        Villages of the area.
    crs : pyproj.CRS, optional
        Metric CRS of the network; default ``network.crs``.

    Returns
    -------
    DataFrame
        Village centres first (in layer order), then junctions (by node):
        ``kind`` (``"village"``/``"junction"``), ``village`` (row position of
        the village the point lies in), ``x``, ``y`` (m, in ``crs``), and the
        village's ``village_code``, ``name``, ``township``, ``county`` where
        the layer has them.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> v = gpd.GeoDataFrame({"name": ["甲村"]}, geometry=[shapely.box(0, 0, 100, 100)],
    ...                      crs="EPSG:32650")
    >>> lines = [shapely.LineString([(50, 50), (90, 50)]), shapely.LineString([(50, 50), (50, 90)]),
    ...          shapely.LineString([(50, 50), (150, 50)])]
    >>> net = road_network(gpd.GeoDataFrame(geometry=lines, crs="EPSG:32650"))
    >>> site_candidates(v, net)[["kind", "x", "y", "name"]].values.tolist()
    [['village', 50.0, 50.0, '甲村'], ['junction', 50.0, 50.0, '甲村']]
    """
    crs = network.crs if crs is None else crs
    keep = np.ones(len(villages), dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    where = np.flatnonzero(keep)
    geoms = np.asarray(to_metric(villages.geometry.iloc[where], crs).array, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    where, geoms = where[present], geoms[present]
    centres = shapely.get_coordinates(shapely.point_on_surface(geoms)) if len(geoms) else \
        np.zeros((0, 2))
    degree = np.bincount(network.edges.ravel(), minlength=len(network.nodes))
    junctions = network.nodes[degree >= JUNCTION_DEGREE]
    point, hit = shapely.STRtree(geoms).query(shapely.points(junctions), predicate="intersects") \
        if len(junctions) and len(geoms) else (np.zeros(0, int), np.zeros(0, int))
    point, first = np.unique(point, return_index=True)
    out = pd.DataFrame({
        "kind": [VILLAGE_CENTRE] * len(where) + [JUNCTION] * len(point),
        "village": np.concatenate([where, where[hit[first]]]).astype(np.int64),
        "x": np.concatenate([centres[:, 0], junctions[point, 0]]),
        "y": np.concatenate([centres[:, 1], junctions[point, 1]])})
    for column in _NAMES:
        if column in villages.columns:
            out[column] = villages[column].to_numpy(dtype=object)[out["village"].to_numpy()]
    return out


def candidate_reach(network: RoadNetwork, unit_access: np.ndarray, unit_node: np.ndarray,
                    candidates_xy: np.ndarray, budget_m: float,
                    tree: cKDTree | None = None) -> sp.csc_matrix:
    """Which unit each candidate reaches on foot, as a site would (SPEC §3).

    Parameters
    ----------
    network : RoadNetwork
    unit_access, unit_node : ndarray
        Per unit: straight line to its nearest node (m) and that node.
    candidates_xy : ndarray
        (k, 2) candidate coordinates in the network's CRS, m.
    budget_m : float
        The walking budget, m.
    tree : scipy.spatial.cKDTree, optional
        Of ``network.nodes``.

    Returns
    -------
    scipy.sparse.csc_matrix
        Units × candidates, bool: access + path + candidate's access ≤ budget.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> net = road_network(gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (600, 0),
    ...     (1200, 0)])], crs="EPSG:32650"))
    >>> a = candidate_reach(net, np.array([0.0, 50.0]), np.array([0, 2]),
    ...                     np.array([[0.0, 10.0], [600.0, 0.0]]), 1000.0)
    >>> a.toarray().tolist()       # 10 m + 0 m; 10 + 1,200 + 50 m too far; 600 m; 650 m
    [[True, True], [False, True]]
    """
    tree = cKDTree(network.nodes) if tree is None else tree
    xy = np.asarray(candidates_xy, dtype=float).reshape(-1, 2)
    n_units, limit = len(unit_node), budget_m + TOLERANCE_M
    if not len(xy) or not n_units:
        return sp.csc_matrix((n_units, len(xy)), dtype=bool)
    offset, start = tree.query(xy)
    targets, owner = np.unique(np.asarray(unit_node, dtype=np.int64), return_inverse=True)
    by_target = np.argsort(owner, kind="stable")
    first = np.searchsorted(owner[by_target], np.arange(len(targets)))
    count = np.bincount(owner, minlength=len(targets))
    graph = network.graph()
    rows, cols = [], []
    for lo in range(0, len(xy), BATCH):
        found = dijkstra(graph, directed=True, indices=start[lo:lo + BATCH], limit=limit)
        dist = found[:, targets] + offset[lo:lo + BATCH, None]
        cand, target = np.nonzero(dist <= limit)
        walk, repeat = dist[cand, target], count[target]
        at = np.repeat(first[target] - np.cumsum(repeat) + repeat, repeat) + \
            np.arange(int(repeat.sum()))
        unit = by_target[at]
        near = np.repeat(walk, repeat) + unit_access[unit] <= limit
        rows.append(unit[near])
        cols.append(np.repeat(cand + lo, repeat)[near])
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    return sp.csc_matrix((np.ones(len(rows), dtype=bool), (rows, cols)),
                         shape=(n_units, len(xy)))


def reach_table(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, roads: gpd.GeoDataFrame,
                grids: gpd.GeoDataFrame | None = None, county: str | None = None,
                township: str | None = None, walk_minutes: float = 15.0,
                walk_speed_kmh: float = 4.0, crs=None,
                placement: tuple | None = None) -> ReachTable | None:
    """Units, candidates and who reaches whom, for one area.

    Parameters
    ----------
    villages, sites, roads, grids : GeoDataFrame
        The layers of SPEC §2, any CRS (``grids`` optional).
    county, township : str, optional
        The area (codes); ``None`` for the whole dataset.
    walk_minutes, walk_speed_kmh : float
        Minutes on foot and km/h (15 min at 4 km/h = 1,000 m).
    crs : pyproj.CRS, optional
        Metric CRS; default ``metric_crs(villages)`` (that of the figure).
    placement : tuple, optional
        :func:`analysis.grid.grid_placement` of ``villages`` and ``grids``.

    Returns
    -------
    ReachTable or None
        ``None`` without roads.  Without sites no unit is reached yet.
    """
    budget = walk_budget_m(walk_minutes, walk_speed_kmh)
    crs = metric_crs(villages) if crs is None else crs
    network = road_network(roads, crs) if len(roads) else None
    if network is None or not len(network.nodes):
        return None
    units = walk_units(villages, sites, roads, grids, walk_minutes, walk_speed_kmh, crs,
                       placement, network)
    if units is None:  # no site: nobody is reached yet
        units = population_units(villages, grids, crs, placement).assign(reached=False)
    keep = area_mask(villages, county, township)
    position = units["village"].to_numpy()
    inside = (position >= 0) & keep[np.maximum(position, 0)] if (county or township) else \
        np.ones(len(units), dtype=bool)
    units = units[inside].reset_index(drop=True)
    tree = cKDTree(network.nodes)
    access, node = tree.query(units[["x", "y"]].to_numpy(dtype=float)) if len(units) else \
        (np.zeros(0), np.zeros(0, dtype=np.int64))
    units = units.assign(access_m=access, node=np.asarray(node, dtype=np.int64))
    candidates = site_candidates(villages, network, keep, crs)
    cover = candidate_reach(network, access, units["node"].to_numpy(),
                            candidates[["x", "y"]].to_numpy(dtype=float), budget, tree)
    return ReachTable(units, candidates, cover, network, tree, budget, crs)


@dataclass(frozen=True)
class SiteSuggestion:
    """:func:`suggest_sites`' answer.

    ``sites``: the chosen candidates (:func:`site_candidates` columns, with
    ``candidate``, their row in the table) in the order of their gain, with
    ``new_population`` (persons newly reached, those also reached by a site
    above counted there) and ``new_units``; ``total``, ``before`` and
    ``after`` persons of the area's units, reached today (and by the kept
    points) and with the suggested sites; ``method``, ``optimal`` (proven by
    the solver), ``seconds``; ``candidates`` in the table and ``considered``
    after :func:`analysis.site_mclp.reduce_cover`.
    """

    sites: pd.DataFrame
    total: float
    reached_before: float
    reached_after: float
    method: str
    optimal: bool
    seconds: float
    candidates: int
    considered: int

    @property
    def before(self) -> float | None:
        """The walking figure before, a fraction (None without population)."""
        return self.reached_before / self.total if self.total > 0 else None

    @property
    def after(self) -> float | None:
        """The walking figure with the suggested sites, a fraction."""
        return self.reached_after / self.total if self.total > 0 else None


def suggest_sites(table: ReachTable, k: int, kept_xy=None, method: str = "milp",
                  time_limit_s: float = TIME_LIMIT_S) -> SiteSuggestion:
    """``k`` new sites among the table's candidates reaching the most people not yet reached.

    Parameters
    ----------
    table : ReachTable
        :func:`reach_table` of the area.
    k : int
        Sites to add, 1–20 (fewer are returned when fewer reach anyone new).
    kept_xy : array, optional
        (n, 2) points already kept (in ``table.crs``, m): counted as sites.
    method : {"milp", "greedy"}
        Exact (:func:`analysis.site_mclp.mclp_milp`) or the greedy baseline.
    time_limit_s : float
        The exact solver's limit, s.

    Returns
    -------
    SiteSuggestion
    """
    if method not in METHODS:
        raise ValueError(f"未知方法 {method!r}，可选：{', '.join(METHODS)}")
    if not 1 <= int(k) <= 20:
        raise ValueError(f"新增阵地数应在 1–20 之间，收到 {k}")
    start = time.perf_counter()
    population = table.units["population"].to_numpy(dtype=float)
    reached = table.units["reached"].to_numpy(dtype=bool)
    if kept_xy is not None:
        reached = reached | table.reached_by(kept_xy)
    weights = np.where(reached, 0.0, population)
    small = reduce_cover(table.cover, weights)
    if method == "milp":
        chosen, optimal = mclp_milp(small.cover, small.weights, int(k), time_limit_s,
                                    reduce=False)
    else:
        chosen, optimal = mclp_greedy(small.cover, small.weights, int(k)), False
    order, gains = order_by_gain(table.cover, weights, small.columns[chosen])
    order, gains = order[gains > 0], gains[gains > 0]     # a site adding nobody is no advice
    seen = reached.copy()
    new_units = []
    for j in order:
        rows = table.cover.indices[table.cover.indptr[j]:table.cover.indptr[j + 1]]
        new_units.append(int((~seen[rows] & (population[rows] > 0)).sum()))
        seen[rows] = True
    sites = table.candidates.iloc[order].reset_index(names="candidate").assign(
        new_population=gains, new_units=np.asarray(new_units, dtype=np.int64))
    before = float(population[reached].sum())
    return SiteSuggestion(sites, float(population.sum()), before, before + float(gains.sum()),
                          method, bool(optimal), time.perf_counter() - start,
                          len(table.candidates), len(small.columns))


def to_cgcs2000(xy, crs) -> np.ndarray:
    """(n, 2) coordinates in the metric ``crs`` (m) as longitude and latitude in
    CGCS2000 (EPSG:4490), degrees.

    >>> to_cgcs2000([[500000.0, 2900000.0]], "EPSG:32650").round(4).tolist()
    [[117.0, 26.2196]]
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if not len(xy):
        return np.zeros((0, 2))
    points = gpd.GeoSeries(shapely.points(xy), crs=crs).to_crs(CGCS2000)
    return shapely.get_coordinates(points.to_numpy())

