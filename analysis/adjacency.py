"""Which villages are neighbours (SPEC §4): polygons that touch or lie within 10 m.

The adjacency is built once per dataset version, in a projected metric CRS,
with a spatial index (``dwithin``), and returned as a libpysal
:class:`~libpysal.graph.Graph` whose ids are the village codes.  Contiguity
checks and the grouping algorithms read it; they never rebuild it.

>>> import geopandas as gpd, shapely
>>> v = gpd.GeoDataFrame({"village_code": ["a", "b", "c"]},
...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100),
...               shapely.box(500, 0, 600, 100)], crs="EPSG:32650")
>>> neighbour_sets(village_adjacency(v))
{'a': {'b'}, 'b': {'a'}, 'c': set()}
"""
from __future__ import annotations

import numpy as np
import shapely
from libpysal.graph import Graph

from geo import schema as s
from geo.crs import metric_crs, to_metric

ADJACENCY_TOLERANCE_M = 10.0


def village_adjacency(villages, tolerance_m: float = ADJACENCY_TOLERANCE_M) -> Graph:
    """The neighbour graph of ``villages`` keyed by ``village_code``.

    Parameters
    ----------
    villages : GeoDataFrame
        SPEC §2 ``villages`` in any CRS with a definition; it is projected to a
        metric CRS (:func:`geo.crs.metric_crs`) for the distance test.
    tolerance_m : float
        m; two villages are adjacent when their polygons touch or the gap
        between them is at most this distance (SPEC §4: 10 m).

    Returns
    -------
    libpysal.graph.Graph
        Binary, symmetric; a village without neighbours is an isolate.

    Examples
    --------
    Two 100 m squares 5 m apart are adjacent, 50 m apart they are not:

    >>> import geopandas as gpd, shapely
    >>> v = gpd.GeoDataFrame({"village_code": ["a", "b", "c"]},
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(105, 0, 205, 100),
    ...               shapely.box(255, 0, 355, 100)], crs="EPSG:32650")
    >>> sorted(village_adjacency(v).neighbors["b"])
    ['a']
    """
    if tolerance_m < 0:
        raise ValueError(f"tolerance_m 应 ≥ 0，实际为 {tolerance_m}")
    codes = villages[s.VILLAGE_CODE].astype(str).to_numpy()
    if len(codes) == 0:
        return Graph.from_arrays(np.array([], dtype=object), np.array([], dtype=object),
                                 np.array([], dtype=float))
    metric = to_metric(villages.geometry, metric_crs(villages))
    geoms = metric.to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=tolerance_m)
    keep = left != right
    left, right = left[keep], right[keep]
    isolated = np.setdiff1d(np.arange(len(codes)), left)
    focal = np.concatenate([codes[left], codes[isolated]])
    neighbour = np.concatenate([codes[right], codes[isolated]])
    weight = np.concatenate([np.ones(len(left)), np.zeros(len(isolated))])
    return Graph.from_arrays(focal, neighbour, weight)


def neighbour_sets(graph: Graph) -> dict[str, set[str]]:
    """``{village_code: set of neighbouring codes}`` (isolates map to an empty set)."""
    return {str(k): {str(n) for n in v if n != k} for k, v in graph.neighbors.items()}
