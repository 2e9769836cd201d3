"""The walking catchment of the service sites: which stretches of road lie
within ``walk_minutes`` of a site on foot (SPEC §3), for the maps.

A node at network distance ``d`` from the nearest site (its access line
included, :func:`analysis.walk.network_distances`) leaves ``budget − d`` metres
to walk on along each of its edges; an edge is reached from both ends
(possibly wholly) and the rest of it is not.  The population units and
whether each is reached are :func:`analysis.walk.walk_units`' — the figure's
own.

>>> import geopandas as gpd, shapely
>>> road = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (600, 0), (1500, 0)])],
...                         crs="EPSG:32650")
>>> site = gpd.GeoDataFrame(geometry=[shapely.Point(0, 30)], crs="EPSG:32650")
>>> v = gpd.GeoDataFrame({"population": [5]}, geometry=[shapely.box(1400, -5, 1500, 5)],
...                      crs="EPSG:32650")
>>> c = walk_catchment(v, site, road)
>>> [round(line.length, 1) for line in c.reached], [round(line.length, 1) for line in c.unreached]
([600.0, 370.0], [530.0])
>>> c.units["reached"].tolist()
[False]
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.walk import RoadNetwork, network_distances, road_network, walk_units
from geo.crs import metric_crs, to_metric

MIN_PIECE_M = 0.1   # shorter pieces of an edge (rounding at a node) are not drawn


@dataclass(frozen=True)
class Catchment:
    """What the catchment maps draw, in the metric CRS ``crs``.

    ``units``: :func:`analysis.walk.walk_units`; ``reached`` and ``unreached``:
    LineStrings (m), the road within the walking budget of a site and the rest;
    ``sites_xy``: (n, 2) site coordinates, m; ``budget_m``: m.
    """

    units: pd.DataFrame
    reached: np.ndarray
    unreached: np.ndarray
    sites_xy: np.ndarray
    budget_m: float
    crs: object


def road_reach(network: RoadNetwork, node_m: np.ndarray,
               budget_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Split every edge into the parts within ``budget_m`` of a site and the rest.

    Parameters
    ----------
    network : RoadNetwork
    node_m : ndarray
        Per node: distance to the nearest site on foot, m (``inf``: beyond).
    budget_m : float
        The walking budget, m.

    Returns
    -------
    (ndarray, ndarray)
        LineStrings (two points each, in the network's CRS): reached parts,
        then the parts not reached.

    Examples
    --------
    One 1,000 m edge whose ends are 700 m and 900 m from a site: 300 m are
    reached from one end, 100 m from the other, 600 m in between are not.

    >>> net = RoadNetwork(np.array([[0.0, 0], [1000, 0]]), np.array([[0, 1]]),
    ...                   np.array([1000.0]), None)
    >>> reached, rest = road_reach(net, np.array([700.0, 900.0]), 1000.0)
    >>> [line.coords[:] for line in reached], [line.coords[:] for line in rest]
    ([[(0.0, 0.0), (300.0, 0.0)], [(900.0, 0.0), (1000.0, 0.0)]], [[(300.0, 0.0), (900.0, 0.0)]])
    """
    a, b = network.edges[:, 0], network.edges[:, 1]
    length = network.lengths
    left = np.clip(budget_m - node_m[a], 0.0, None)   # metres on from each end
    right = np.clip(budget_m - node_m[b], 0.0, None)
    left, right = np.minimum(left, length), np.minimum(right, length)
    whole = left + right >= length
    start, end = network.nodes[a], network.nodes[b]
    unit = (end - start) / np.where(length > 0, length, 1.0)[:, None]

    def piece(keep, lo, hi):
        keep = keep & (hi - lo >= MIN_PIECE_M)
        p0 = start[keep] + unit[keep] * lo[keep, None]
        p1 = start[keep] + unit[keep] * hi[keep, None]
        return np.stack([p0, p1], axis=1)

    zero = np.zeros(len(length))
    reached = np.concatenate([piece(whole, zero, length), piece(~whole, zero, left),
                              piece(~whole, length - right, length)])
    rest = piece(~whole, left, length - right)
    return _lines(reached), _lines(rest)


def _lines(pairs: np.ndarray) -> np.ndarray:
    if not len(pairs):
        return np.empty(0, dtype=object)
    return shapely.linestrings(pairs.reshape(-1, 2), indices=np.repeat(np.arange(len(pairs)), 2))


def walk_catchment(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame,
                   roads: gpd.GeoDataFrame, grids: gpd.GeoDataFrame | None = None,
                   walk_minutes: float = 15.0, walk_speed_kmh: float = 4.0, crs=None,
                   placement: tuple | None = None) -> Catchment | None:
    """The sites' walking catchment and every unit reached or not.

    Parameters
    ----------
    villages, sites, roads, grids : GeoDataFrame
        The layers of SPEC §2, any CRS (``grids`` optional).
    walk_minutes, walk_speed_kmh : float
        Minutes on foot, km/h.
    crs : pyproj.CRS, optional
        Metric CRS; default ``metric_crs(villages)`` (that of the figure).
    placement : tuple, optional
        :func:`analysis.grid.grid_placement` of ``villages`` and ``grids``.

    Returns
    -------
    Catchment or None
        ``None`` without roads or without sites (as the figure).
    """
    crs = metric_crs(villages) if crs is None else crs
    network = road_network(roads, crs) if len(roads) else None
    units = walk_units(villages, sites, roads, grids, walk_minutes, walk_speed_kmh, crs,
                       placement, network)
    if units is None:
        return None
    budget = units.attrs["budget_m"]
    geoms = np.asarray(to_metric(sites.geometry, crs).array, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    xy = shapely.get_coordinates(geoms)
    reached, rest = road_reach(network, network_distances(network, xy, budget), budget)
    return Catchment(units, reached, rest, xy, budget, crs)
