"""Service sites (党群服务中心, 近邻之家, 驿站) and the villages they reach.

Figures of SPEC §3 over villages *and* communities:

* ``villages_with_site_share``: rows whose polygon contains (or has on its
  boundary) at least one site / all rows;
* ``service_population_coverage``: Σ population × area(polygon ∩ ∪ discs) /
  area(polygon) / Σ population, the discs of radius ``radius_m`` (m) around
  every site, population spread evenly over each polygon.

Without sites (absent or empty layer) both are ``None``.  Distances and areas
are computed in a projected metric CRS (:func:`geo.crs.metric_crs` of the
villages unless given).  Only the villages that a spatial index finds within
``radius_m`` of a site are intersected.  A disc is a regular 64-gon with the
disc's area π r² (its boundary within 0.08 % of ``radius_m``); a polygon
entirely within ``radius_m`` of one site is served whole.

>>> import geopandas as gpd, shapely
>>> v = gpd.GeoDataFrame({"population": [1000, 3000]}, crs="EPSG:32650",
...     geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)])
>>> sites = gpd.GeoDataFrame(geometry=[shapely.Point(500, 500)], crs="EPSG:32650")
>>> villages_with_site_share(v, sites)
0.5
>>> round(service_population_coverage(v, sites, radius_m=5000), 6)
1.0
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.geometry import threaded, union_area_by, union_by
from analysis.groups import first_value, group_index, ratio, sum_by, village_labels
from geo import schema as s
from geo.crs import metric_crs, to_metric

KEYS = ("villages_with_site_share", "service_population_coverage")
SUM_KEYS = ("rows", "with_site", "population", "served_population")
QUAD_SEGS = 16             # segments per quarter circle of a disc
_SIDES = 4 * QUAD_SEGS
# A regular polygon of this circumradius has the area of the disc π r².
EQUAL_AREA_SCALE = float(np.sqrt(2 * np.pi / (_SIDES * np.sin(2 * np.pi / _SIDES))))


def _geometries(gdf) -> np.ndarray:
    return np.asarray(gdf.geometry.array, dtype=object)


def site_reach(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, radius_m: float = 1000.0,
               crs=None) -> pd.DataFrame:
    """Per village: does it contain a site, and which share of its area is served.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages and communities, any CRS.
    sites : GeoDataFrame
        Service sites (points), any CRS.
    radius_m : float
        Service radius, m.
    crs : pyproj.CRS, optional
        Projected metric CRS of the computation; default ``metric_crs(villages)``.

    Returns
    -------
    DataFrame
        Index ``villages.index``; ``has_site`` (bool) and ``served_share``
        (area within ``radius_m`` of a site / area, fraction).

    Examples
    --------
    >>> v = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 4000, 4000)], crs="EPSG:32650")
    >>> p = gpd.GeoDataFrame(geometry=[shapely.Point(2000, 2000)], crs="EPSG:32650")
    >>> r = site_reach(v, p, 1000.0)
    >>> bool(r["has_site"].iloc[0]), round(float(r["served_share"].iloc[0]), 6)  # π/16
    (True, 0.19635)
    """
    if radius_m < 0:
        raise ValueError(f"服务半径应为非负的米数，收到 {radius_m}")
    crs = metric_crs(villages) if crs is None else crs
    polygons = _geometries(to_metric(villages.geometry, crs))
    points = _geometries(to_metric(sites.geometry, crs))
    points = points[~(shapely.is_missing(points) | shapely.is_empty(points))]
    n = len(polygons)
    has_site = np.zeros(n, dtype=bool)
    served = np.zeros(n)
    area = shapely.area(polygons)
    if len(points) and n:
        tree = shapely.STRtree(points)
        vi, si = tree.query(polygons, predicate="intersects")
        has_site[vi] = True
        vi, si = tree.query(polygons, predicate="dwithin", distance=radius_m)
        served = _served_area(polygons, points, vi, si, radius_m) / np.where(area > 0, area, 1.0)
    return pd.DataFrame({"has_site": has_site, "served_share": np.clip(served, 0.0, 1.0)},
                        index=villages.index)


def _served_area(polygons, points, vi, si, radius_m) -> np.ndarray:
    """area(polygon ∩ ∪ discs of its nearby sites), m², per polygon.

    ``vi``, ``si``: the polygon–site pairs within ``radius_m``.  A polygon
    whose vertices all lie within ``radius_m`` of one site is served whole; a
    polygon whose discs all lie inside it (site inside, ≥ radius from the
    boundary) is served by their union without clipping; the rest are
    clipped to the polygon.
    """
    n = len(polygons)
    area = shapely.area(polygons)
    box = shapely.bounds(polygons)
    small = np.hypot(box[:, 2] - box[:, 0], box[:, 3] - box[:, 1]) <= 2 * radius_m
    maybe = small[vi]          # a polygon wider than the disc cannot lie in it
    within = np.zeros(len(vi), dtype=bool)
    within[maybe] = _farthest_vertex(polygons, points, vi[maybe], si[maybe]) <= radius_m
    whole = np.bincount(vi, weights=within, minlength=n) > 0
    rest = ~whole[vi]
    vi, si = vi[rest], si[rest]
    discs = np.empty(len(points), dtype=object)
    used = np.unique(si)
    discs[used] = threaded(shapely.buffer, points[used], radius_m * EQUAL_AREA_SCALE,
                           quad_segs=QUAD_SEGS, min_chunk=500)
    pair_inside = (shapely.contains_xy(polygons[vi], *shapely.get_coordinates(points[si]).T)
                   & (shapely.distance(points[si], shapely.boundary(polygons[vi]))
                      >= radius_m * EQUAL_AREA_SCALE))
    all_inside = np.bincount(vi, weights=~pair_inside, minlength=n) == 0
    simple = all_inside[vi]
    result = union_area_by(discs[si[simple]], vi[simple], n)
    result[whole] = area[whole]
    clip = np.flatnonzero((np.bincount(vi, minlength=n) > 0) & ~all_inside)
    if len(clip):
        merged = union_by(discs[si[~simple]], vi[~simple], n)
        result[clip] = shapely.area(threaded(shapely.intersection, polygons[clip], merged[clip],
                                             min_chunk=200))
    return result


def _farthest_vertex(polygons, points, vi, si) -> np.ndarray:
    """For each pair, the distance from the site to the polygon's farthest vertex (m)."""
    if not len(vi):
        return np.zeros(0)
    coords, owner = shapely.get_coordinates(polygons, return_index=True)
    count = np.bincount(owner, minlength=len(polygons))
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    per_pair = count[vi]
    pair = np.repeat(np.arange(len(vi)), per_pair)
    offset = np.arange(per_pair.sum()) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    site_xy = shapely.get_coordinates(points)[si]
    d2 = ((coords[first[vi][pair] + offset] - site_xy[pair]) ** 2).sum(axis=1)
    starts = np.concatenate([[0], np.cumsum(per_pair)[:-1]])
    out = np.full(len(vi), np.inf)
    has = per_pair > 0
    out[has] = np.sqrt(np.maximum.reduceat(d2, starts[has]))
    return out


def service_figures(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame,
                    radius_m: float = 1000.0, group: pd.Series | None = None,
                    reach: pd.DataFrame | None = None) -> pd.DataFrame:
    """Both service figures, one row per group of villages.

    Parameters
    ----------
    villages, sites : GeoDataFrame
        The layers; an empty ``sites`` gives NaN.
    radius_m : float
        Service radius, m.
    group : Series, optional
        Group label per village, aligned with ``villages.index``; None: one group.
    reach : DataFrame, optional
        Precomputed :func:`site_reach` for the same radius.

    Returns
    -------
    DataFrame
        Index: sorted group labels; columns :data:`KEYS` (fractions); NaN where missing.

    Examples
    --------
    >>> v = gpd.GeoDataFrame({"population": [100, 300], "county_code": ["X", "Y"]},
    ...     crs="EPSG:32650", geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> p = gpd.GeoDataFrame(geometry=[shapely.Point(5, 5)], crs="EPSG:32650")
    >>> service_figures(v, p, 1.0, v["county_code"])["villages_with_site_share"].tolist()
    [1.0, 0.0]
    """
    labels = village_labels(villages, group)
    groups = group_index(labels, group is None)
    if not len(sites):
        return pd.DataFrame(index=groups, columns=list(KEYS), dtype=float)
    reach = site_reach(villages, sites, radius_m) if reach is None else reach
    return service_ratios(service_sums(villages, reach, labels, groups))


def service_sums(villages: pd.DataFrame, reach: pd.DataFrame, labels: np.ndarray,
                 groups: pd.Index) -> pd.DataFrame:
    """The additive parts of the service figures per group (they add up over groups).

    ``reach`` is :func:`site_reach` of ``villages``, ``labels`` the group label
    of each village row.  Columns :data:`SUM_KEYS`: rows, rows with a site,
    population and population served (persons).

    >>> v = pd.DataFrame({"population": [100, 300]})
    >>> r = pd.DataFrame({"has_site": [True, False], "served_share": [1.0, 0.5]})
    >>> sums = service_sums(v, r, np.array(["X", "X"]), pd.Index(["X"]))
    >>> sums.loc["X"].tolist(), service_ratios(sums).loc["X"].tolist()
    ([2.0, 1.0, 400.0, 250.0], [0.5, 0.625])
    """
    population = villages[s.POPULATION].to_numpy(dtype=float, na_value=0.0)
    parts = {"rows": sum_by(np.ones(len(villages)), labels, groups),
             "with_site": sum_by(reach["has_site"], labels, groups),
             "population": sum_by(population, labels, groups),
             "served_population": sum_by(population * reach["served_share"].to_numpy(),
                                         labels, groups)}
    return pd.DataFrame(parts, index=groups)[list(SUM_KEYS)]


def service_ratios(sums: pd.DataFrame) -> pd.DataFrame:
    """The service figures (:data:`KEYS`) of :func:`service_sums` (or of their sum)."""
    return pd.DataFrame({"villages_with_site_share": ratio(sums["with_site"], sums["rows"]),
                         "service_population_coverage": ratio(sums["served_population"],
                                                              sums["population"])},
                        index=sums.index)[list(KEYS)]


def villages_with_site_share(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> float | None:
    """Villages and communities containing ≥ 1 service site / all of them (fraction).

    >>> v = gpd.GeoDataFrame({"population": [1, 1]}, crs="EPSG:32650",
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> villages_with_site_share(v, gpd.GeoDataFrame(geometry=[], crs="EPSG:32650")) is None
    True
    """
    return first_value(service_figures(villages, sites), "villages_with_site_share")


def service_population_coverage(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame,
                                radius_m: float = 1000.0) -> float | None:
    """Share of the population (persons) living within ``radius_m`` (m) of a site.

    Population is spread evenly over each polygon; fraction.

    >>> v = gpd.GeoDataFrame({"population": [400]}, crs="EPSG:32650",
    ...     geometry=[shapely.box(0, 0, 2000, 1000)])
    >>> p = gpd.GeoDataFrame(geometry=[shapely.Point(0, 500)], crs="EPSG:32650")
    >>> service_population_coverage(v, p, radius_m=3000)
    1.0
    """
    return first_value(service_figures(villages, sites, radius_m), "service_population_coverage")
