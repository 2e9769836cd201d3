"""The walking catchment on a print map: :class:`analysis.walk_catchment.Catchment` cut
to an area and moved into the print map's CRS (:mod:`maps.static` draws it).

Kept apart from :mod:`maps.walk` so that the report (``python -m analysis report``)
loads no web-map library.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely


def print_walk_layers(catchment, villages: gpd.GeoDataFrame, keep: np.ndarray, crs) -> dict:
    """The catchment of the villages ``keep``, in the print map's ``crs`` (m).

    Returns ``reached`` and ``unreached`` (GeoSeries of the road pieces that
    meet the area's villages), ``units`` (GeoDataFrame of the area's units
    with ``reached``) and ``budget_m`` (m).
    """
    area = np.asarray(villages.geometry.to_crs(catchment.crs).array, dtype=object)[keep]
    tree = shapely.STRtree(area)

    def meeting(lines: np.ndarray) -> gpd.GeoSeries:
        hit = np.unique(tree.query(lines, predicate="intersects")[0]) if len(lines) else []
        return gpd.GeoSeries(lines[hit], crs=catchment.crs).to_crs(crs)

    units = catchment.units
    position = units["village"].to_numpy()
    inside = (position >= 0) & keep[np.maximum(position, 0)]
    points = gpd.GeoDataFrame({"reached": units["reached"].to_numpy(dtype=bool)[inside]},
                              geometry=shapely.points(units[["x", "y"]].to_numpy()[inside]),
                              crs=catchment.crs).to_crs(crs)
    return {"reached": meeting(catchment.reached), "unreached": meeting(catchment.unreached),
            "units": points, "budget_m": catchment.budget_m}
