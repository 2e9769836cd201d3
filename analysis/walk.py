"""Walking to a service site along the roads: the 十分钟/一刻钟服务圈 of SPEC §3.

``walk_service_population_coverage`` = population of the units reached /
population of all units, where

* the **network** is the ``roads`` layer (SPEC §2): every vertex of every line
  is a node, its coordinates rounded to 0.1 m in a projected metric CRS
  (:func:`geo.crs.metric_crs` of the villages), so lines that share a vertex
  connect and lines that only cross do not; consecutive vertices of a line
  are joined by an edge as long as the segment between the two nodes (m);
* the **population units** are every level-4 grid, at its
  ``point_on_surface`` with its population, and every village or community
  without a level-4 grid, at its own ``point_on_surface`` with its
  population.  A unit counts in the village where its grid counts
  (:func:`analysis.grid.grid_placement`); a grid in no village only counts in
  the whole-dataset figure.  A grid without geometry is no unit;
* a unit is **reached** when, for some site, straight line (unit → its
  nearest node) + shortest path on the network + straight line (the node
  nearest the site → site) ≤ ``walk_speed_kmh`` × 1000 / 60 ×
  ``walk_minutes`` (m); 15 min at 4 km/h is 1,000 m.  Distances within
  1e-6 m of the budget count as within it (floating-point sums).

The shortest paths from every site at once are one Dijkstra search
(``scipy.sparse.csgraph.dijkstra``) from a virtual source joined to the node
nearest each site by an edge as long as that site's access line: every node
gets min over sites of (access + path), exactly, and the search stops at the
budget.  (``benchmarks/bench_walk.py`` compares this with networkx.)  Without
roads or without sites the figure is ``None`` (null, not zero).

>>> import geopandas as gpd, shapely
>>> v = gpd.GeoDataFrame({"population": [100, 300]}, crs="EPSG:32650",
...     geometry=[shapely.box(0, -100, 200, 100), shapely.box(900, -100, 1300, 100)])
>>> road = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (500, 0), (1100, 0)])],
...                         crs="EPSG:32650")
>>> site = gpd.GeoDataFrame(geometry=[shapely.Point(0, 50)], crs="EPSG:32650")
>>> walk_service_population_coverage(v, site, road)        # 50 + 0 + 100 m; 50 + 1100 m
0.25
>>> walk_service_population_coverage(v, site, road, walk_minutes=20)   # 1,333 m on foot
1.0
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from analysis.grid import grid_placement
from analysis.groups import first_value, group_index, item_labels, ratio, sum_by, village_labels
from geo import schema as s
from geo.crs import metric_crs, to_metric

KEYS = ("walk_service_population_coverage",)
NODE_PRECISION_M = 0.1     # node coordinates are rounded to this (SPEC §2 roads)
TOLERANCE_M = 1e-6         # a walk this much over the budget still counts (rounding of sums)
GRID_UNIT, VILLAGE_UNIT = "grid", "village"
_LINE_TYPE_IDS = (1, 2)    # LineString, LinearRing (parts of MultiLineStrings included)


def walk_budget_m(walk_minutes: float = 15.0, walk_speed_kmh: float = 4.0) -> float:
    """How far one walks in ``walk_minutes`` at ``walk_speed_kmh``, m.

    >>> walk_budget_m(15, 4.0), walk_budget_m(10, 4.0)
    (1000.0, 666.6666666666666)
    """
    if not walk_minutes > 0 or not walk_speed_kmh > 0:
        raise ValueError(f"步行时间和步速应为正数，收到 walk_minutes={walk_minutes}、"
                         f"walk_speed_kmh={walk_speed_kmh}")
    return float(walk_speed_kmh) * 1000.0 * float(walk_minutes) / 60.0


def _geometries(gdf) -> np.ndarray:
    return np.asarray(gdf.geometry.array, dtype=object)


def _present(geoms: np.ndarray) -> np.ndarray:
    return ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))


@dataclass(frozen=True)
class RoadNetwork:
    """The walking network of SPEC §2 in a metric CRS.

    ``nodes``: (n, 2) coordinates, m, rounded to 0.1 m; ``edges``: (m, 2)
    node numbers (each undirected edge once, smaller number first);
    ``lengths``: m, per edge; ``crs``: the CRS of the coordinates.
    """

    nodes: np.ndarray
    edges: np.ndarray
    lengths: np.ndarray
    crs: object

    def graph(self, source: np.ndarray | None = None) -> sp.csr_matrix:
        """The sparse adjacency: edge lengths (m), every road edge both ways.

        With ``source`` (one distance per node, ``inf`` for none) a virtual node
        ``n`` is added with an edge from it to every node of finite ``source``,
        of that length (an explicit 0 is an edge of length 0 for scipy's csgraph).

        >>> net = RoadNetwork(np.array([[0.0, 0], [5, 0]]), np.array([[0, 1]]),
        ...                   np.array([5.0]), None)
        >>> g = net.graph(np.array([0.0, np.inf]))     # the source 2 → node 0, length 0
        >>> g.shape, g.nnz, float(g[0, 1]), float(g[1, 0])
        ((3, 3), 3, 5.0, 5.0)
        """
        a, b = self.edges[:, 0], self.edges[:, 1]
        rows, cols, data = [a, b], [b, a], [self.lengths, self.lengths]
        n = len(self.nodes)
        if source is not None:
            first = np.flatnonzero(np.isfinite(source))
            rows.append(np.full(len(first), n))
            cols.append(first)
            data.append(source[first])
        size = n + (source is not None)
        return sp.csr_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(size, size))


def road_network(roads: gpd.GeoDataFrame, crs=None) -> RoadNetwork:
    """The walking network of the ``roads`` layer (SPEC §2).

    Parameters
    ----------
    roads : GeoDataFrame
        LineString/MultiLineString rows, any CRS; empty rows are left out.
    crs : pyproj.CRS, optional
        Projected metric CRS of the network; default ``metric_crs(roads)``.

    Returns
    -------
    RoadNetwork

    Examples
    --------
    Two lines crossing at (5, 0) without a shared vertex, and a third sharing
    the vertex (10, 0.04) of the first (rounded to (10, 0)):

    >>> lines = [shapely.LineString([(0, 0), (10, 0.04)]), shapely.LineString([(5, -5), (5, 5)]),
    ...          shapely.LineString([(10, 0), (10, 8)])]
    >>> net = road_network(gpd.GeoDataFrame(geometry=lines, crs="EPSG:32650"))
    >>> len(net.nodes), net.edges.tolist(), net.lengths.tolist()
    (5, [[0, 3], [1, 2], [3, 4]], [10.0, 10.0, 8.0])
    """
    crs = metric_crs(roads) if crs is None else crs
    lines = _geometries(to_metric(roads.geometry, crs)) if len(roads) else np.empty(0, object)
    parts = shapely.get_parts(lines[_present(lines)]) if len(lines) else lines
    parts = parts[np.isin(shapely.get_type_id(parts), _LINE_TYPE_IDS)] if len(parts) else parts
    xy, part = shapely.get_coordinates(parts, return_index=True)
    nodes, node = _rounded_nodes(xy)
    along = part[1:] == part[:-1]
    a, b = node[:-1][along], node[1:][along]
    a, b = np.minimum(a, b)[a != b], np.maximum(a, b)[a != b]
    edges = np.unique(np.column_stack([a, b]), axis=0).reshape(-1, 2).astype(np.int64)
    lengths = np.hypot(*(nodes[edges[:, 1]] - nodes[edges[:, 0]]).T) if len(edges) else \
        np.zeros(0)
    return RoadNetwork(nodes, edges, lengths, crs)


def _rounded_nodes(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct coordinates rounded to 0.1 m, and each vertex's node number."""
    if not len(xy):
        return np.zeros((0, 2)), np.zeros(0, dtype=np.int64)
    keys = np.rint(xy * (1 / NODE_PRECISION_M)).astype(np.int64)
    low = keys.min(axis=0)
    span = keys.max(axis=0) - low
    if span.max() < 2 ** 31:       # both in one int64: a 1-D unique is several times faster
        packed = ((keys[:, 0] - low[0]) << 32) | (keys[:, 1] - low[1])
        distinct, node = np.unique(packed, return_inverse=True)
        keys = np.column_stack([(distinct >> 32) + low[0], (distinct & 0xFFFFFFFF) + low[1]])
    else:
        keys, node = np.unique(keys, axis=0, return_inverse=True)
    return keys * NODE_PRECISION_M, node.reshape(-1).astype(np.int64)


def population_units(villages: gpd.GeoDataFrame, grids: gpd.GeoDataFrame | None = None,
                     crs=None, placement: tuple | None = None) -> pd.DataFrame:
    """The population units of SPEC §3: unit grids, and villages without one.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages and communities (``population``; ``village_code`` when there
        are grids), any CRS.
    grids : GeoDataFrame, optional
        The ``grids`` layer, any CRS; only level-4 grids with a geometry are units.
    crs : pyproj.CRS, optional
        Projected metric CRS; default ``metric_crs(villages)``.
    placement : tuple, optional
        :func:`analysis.grid.grid_placement` of ``villages`` and ``grids``.

    Returns
    -------
    DataFrame
        One row per unit, grids first (in layer order), then villages:
        ``kind`` (``"grid"``/``"village"``), ``code`` (grid_code or
        village_code, when the layer has it), ``village`` (row position in
        ``villages`` where the unit counts, −1 for none), ``population``
        (persons, missing as 0), ``x``, ``y`` (m, ``point_on_surface`` in ``crs``).

    Examples
    --------
    >>> v = gpd.GeoDataFrame({"village_code": ["a", "b"], "population": [90, 40]},
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], crs="EPSG:32650")
    >>> g = gpd.GeoDataFrame({"grid_code": ["A", "A1"], "level": [3, 4], "parent_code": ["a", "A"],
    ...     "population": [90, 80]}, geometry=[shapely.box(0, 0, 10, 10), shapely.box(0, 0, 4, 10)],
    ...     crs="EPSG:32650")
    >>> population_units(v, g)[["kind", "code", "village", "population", "x", "y"]].values.tolist()
    [['grid', 'A1', 0, 80.0, 2.0, 5.0], ['village', 'b', 1, 40.0, 15.0, 5.0]]
    """
    crs = metric_crs(villages) if crs is None else crs
    has_grid = np.zeros(len(villages), dtype=bool)
    parts = []
    if grids is not None and len(grids):
        positions = (grid_placement(villages, grids) if placement is None else placement)[0]
        unit = (grids[s.LEVEL] == s.GRID_LEVEL_L4).fillna(False).to_numpy(dtype=bool)
        geoms = np.full(len(grids), None, dtype=object)
        geoms[unit] = _geometries(to_metric(grids.geometry[unit], crs))
        unit = unit & _present(geoms)
        has_grid[positions[unit & (positions >= 0)]] = True
        parts.append(_units(GRID_UNIT, grids, s.GRID_CODE, unit, positions, geoms))
    own = ~has_grid
    geoms = np.full(len(villages), None, dtype=object)
    geoms[own] = _geometries(to_metric(villages.geometry[own], crs))
    own = own & _present(geoms)
    parts.append(_units(VILLAGE_UNIT, villages, s.VILLAGE_CODE, own,
                        np.arange(len(villages)), geoms))
    return pd.concat(parts, ignore_index=True)


def _units(kind: str, frame, code_field: str, keep, positions, geoms) -> pd.DataFrame:
    points = shapely.point_on_surface(geoms[keep])
    xy = shapely.get_coordinates(points) if len(points) else np.zeros((0, 2))
    codes = (frame[code_field].to_numpy(dtype=object)[keep] if code_field in frame.columns
             else np.full(int(keep.sum()), None, dtype=object))
    population = (frame[s.POPULATION].to_numpy(dtype=float, na_value=0.0)[keep]
                  if s.POPULATION in frame.columns else np.zeros(int(keep.sum())))
    return pd.DataFrame({"kind": kind, "code": codes,
                         "village": np.asarray(positions, dtype=np.int64)[keep],
                         "population": population, "x": xy[:, 0], "y": xy[:, 1]})


def walk_units(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, roads: gpd.GeoDataFrame,
               grids: gpd.GeoDataFrame | None = None, walk_minutes: float = 15.0,
               walk_speed_kmh: float = 4.0, crs=None,
               placement: tuple | None = None,
               network: RoadNetwork | None = None) -> pd.DataFrame | None:
    """Every population unit and how far it is on foot from the nearest site.

    Parameters
    ----------
    villages, sites, roads, grids : GeoDataFrame
        The layers of SPEC §2, any CRS (``grids`` optional).
    walk_minutes : float
        Minutes on foot (15 = 一刻钟, 10 = 十分钟).
    walk_speed_kmh : float
        Walking speed, km/h.
    crs : pyproj.CRS, optional
        Projected metric CRS; default ``metric_crs(villages)``.
    placement : tuple, optional
        :func:`analysis.grid.grid_placement` of ``villages`` and ``grids``.
    network : RoadNetwork, optional
        :func:`road_network` of ``roads`` in ``crs``, when the caller has it.

    Returns
    -------
    DataFrame or None
        ``None`` without roads (no line) or without sites.  Otherwise
        :func:`population_units` with ``access_m`` (unit → nearest node, m),
        ``walk_m`` (the whole walk to the nearest site by the network, m;
        ``inf`` beyond the budget or without a connection) and ``reached``
        (bool); ``attrs["budget_m"]`` is the budget, m.

    Raises
    ------
    ValueError
        When ``walk_minutes`` or ``walk_speed_kmh`` is not positive.

    Examples
    --------
    A detour: the unit (0, 100) is 100 m from the site (0, 0) as the crow
    flies, but the road runs 500 m out and 500 m back (1,000 m).

    >>> v = gpd.GeoDataFrame({"population": [10]}, crs="EPSG:32650",
    ...                      geometry=[shapely.box(-10, 90, 10, 110)])
    >>> road = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (500, 0), (500, 100),
    ...     (0, 100)])], crs="EPSG:32650")
    >>> site = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs="EPSG:32650")
    >>> u = walk_units(v, site, road, walk_minutes=15)
    >>> u[["access_m", "walk_m", "reached"]].values.tolist(), u.attrs["budget_m"]
    ([[0.0, inf, False]], 1000.0)
    >>> walk_units(v, site, road, walk_minutes=16.5)[["walk_m", "reached"]].values.tolist()
    [[1100.0, True]]
    """
    budget = walk_budget_m(walk_minutes, walk_speed_kmh)
    crs = metric_crs(villages) if crs is None else crs
    site_geoms = _geometries(to_metric(sites.geometry, crs)) if len(sites) else np.empty(0, object)
    site_geoms = site_geoms[_present(site_geoms)] if len(site_geoms) else site_geoms
    if network is None:  # a caller that walks the same roads again passes its network
        network = road_network(roads, crs) if len(roads) else None
    if network is None or not len(network.nodes) or not len(site_geoms):
        return None
    units = population_units(villages, grids, crs, placement)
    tree = cKDTree(network.nodes)
    access, node = tree.query(units[["x", "y"]].to_numpy(dtype=float)) if len(units) else \
        (np.zeros(0), np.zeros(0, dtype=np.int64))
    dist = network_distances(network, shapely.get_coordinates(site_geoms), budget, tree)
    walk = access + dist[node] if len(units) else np.zeros(0)
    walk = np.where(walk <= budget + TOLERANCE_M, walk, np.inf)
    out = units.assign(access_m=access, walk_m=walk, reached=np.isfinite(walk))
    out.attrs["budget_m"] = budget
    return out


def network_distances(network: RoadNetwork, sites_xy: np.ndarray, limit_m: float = np.inf,
                      tree: cKDTree | None = None) -> np.ndarray:
    """Per node: min over sites of (site → its nearest node, straight) + network path, m.

    Parameters
    ----------
    network : RoadNetwork
    sites_xy : ndarray
        (k, 2) site coordinates in the network's CRS, m.
    limit_m : float
        Stop searching beyond this distance, m; farther nodes get ``inf``.
    tree : scipy.spatial.cKDTree, optional
        Of ``network.nodes``, when already built.

    Returns
    -------
    ndarray
        One distance per node, m (``inf`` when unreachable or beyond the limit).

    Examples
    --------
    >>> net = road_network(gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (300, 0)])],
    ...                                     crs="EPSG:32650"))
    >>> network_distances(net, np.array([[0.0, 40.0], [300.0, -10.0]])).tolist()
    [40.0, 10.0]
    """
    n = len(network.nodes)
    tree = cKDTree(network.nodes) if tree is None else tree
    offset, nearest = tree.query(np.asarray(sites_xy, dtype=float).reshape(-1, 2))
    start = np.full(n, np.inf)
    np.minimum.at(start, nearest, offset)        # several sites may share a node
    found = dijkstra(network.graph(start), directed=True, indices=n, limit=limit_m + TOLERANCE_M)
    return found[:n]


def walk_figures(villages: gpd.GeoDataFrame, units: pd.DataFrame | None,
                 group: pd.Series | None = None) -> pd.DataFrame:
    """The walking figure, one row per group of villages.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages and communities (only their index and ``group`` are used).
    units : DataFrame or None
        :func:`walk_units`; ``None`` (no roads or no sites) gives NaN.
    group : Series, optional
        Group label per village, aligned with ``villages.index``; None: one group.

    Returns
    -------
    DataFrame
        Index: sorted group labels; column :data:`KEYS` (fractions); NaN
        where missing (no units, or a group with no population).

    Examples
    --------
    >>> v = pd.DataFrame({"county": ["X", "Y"]})
    >>> u = pd.DataFrame({"village": [0, 1, 1, -1], "population": [10.0, 30.0, 10.0, 50.0],
    ...                   "reached": [True, False, True, True]})
    >>> walk_figures(v, u)["walk_service_population_coverage"].tolist()
    [0.7]
    >>> walk_figures(v, u, v["county"])["walk_service_population_coverage"].tolist()
    [1.0, 0.25]
    """
    labels = village_labels(villages, group)
    groups = group_index(labels, group is None)
    if units is None:
        return pd.DataFrame(index=groups, columns=list(KEYS), dtype=float)
    at = item_labels(labels, units["village"].to_numpy(), group is not None)
    return walk_ratios(walk_sums(units, at, groups))


def walk_sums(units: pd.DataFrame, at: np.ndarray, groups: pd.Index) -> pd.DataFrame:
    """Population of the units and of those reached (persons) per group, by unit label ``at``.

    >>> u = pd.DataFrame({"population": [10.0, 30.0], "reached": [True, False]})
    >>> walk_ratios(walk_sums(u, np.array(["X", "X"]), pd.Index(["X"])))[KEYS[0]].tolist()
    [0.25]
    """
    population = units["population"].to_numpy(dtype=float)
    reached = population * units["reached"].to_numpy(dtype=bool)
    return pd.DataFrame({"unit_population": sum_by(population, at, groups),
                         "reached_population": sum_by(reached, at, groups)}, index=groups)


def walk_ratios(sums: pd.DataFrame) -> pd.DataFrame:
    """The walking figure (:data:`KEYS`) of :func:`walk_sums` (or of their sum over groups)."""
    return pd.DataFrame({KEYS[0]: ratio(sums["reached_population"], sums["unit_population"])},
                        index=sums.index)


def village_walk_population(villages: gpd.GeoDataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Per village: the population of its units, and of those reached (persons).

    Units in no village are left out.

    >>> v = pd.DataFrame(index=[7, 8])
    >>> u = pd.DataFrame({"village": [0, 0, 1, -1], "population": [10.0, 5.0, 30.0, 50.0],
    ...                   "reached": [True, False, False, True]})
    >>> village_walk_population(v, u).values.tolist()
    [[15.0, 10.0], [30.0, 0.0]]
    """
    placed = units[units["village"] >= 0]
    where = placed["village"].to_numpy()
    population = placed["population"].to_numpy(dtype=float)
    size = len(villages)
    return pd.DataFrame({
        "unit_population": np.bincount(where, population, minlength=size),
        "reached_population": np.bincount(where, population * placed["reached"].to_numpy(bool),
                                          minlength=size),
    }, index=villages.index)


def walk_service_population_coverage(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame,
                                     roads: gpd.GeoDataFrame,
                                     grids: gpd.GeoDataFrame | None = None,
                                     walk_minutes: float = 15.0,
                                     walk_speed_kmh: float = 4.0) -> float | None:
    """Share of the population within ``walk_minutes`` of a site on foot (fraction).

    See the module's docstring for the definition (SPEC §3) and an example;
    ``None`` without roads, without sites or without population.

    >>> v = gpd.GeoDataFrame({"population": [5]}, geometry=[shapely.box(0, 0, 10, 10)],
    ...                      crs="EPSG:32650")
    >>> none = gpd.GeoDataFrame(geometry=[], crs="EPSG:32650")
    >>> walk_service_population_coverage(v, none, none) is None
    True
    """
    units = walk_units(villages, sites, roads, grids, walk_minutes, walk_speed_kmh)
    return first_value(walk_figures(villages, units), KEYS[0])
