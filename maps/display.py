"""Display geometry for web maps: coverage-simplified, rounded, in EPSG:4326.

>>> DISPLAY_CRS
'EPSG:4326'
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import metric_crs

DISPLAY_CRS = "EPSG:4326"


def display_geometry(gdf: gpd.GeoDataFrame, tolerance_m: float = 60.0,
                     decimals: int = 5) -> gpd.GeoDataFrame:
    """Polygons simplified for the screen, in EPSG:4326.

    The polygons are treated as a coverage (villages, grids): one that is not
    edge-matched is first cleaned (``shapely.coverage_clean``, which snaps
    shared edges together and removes slivers), then simplified with
    ``shapely.coverage_simplify`` so that no gap opens between neighbours.
    Coordinates are rounded to ``decimals`` (5 ≈ 1 m).  Returns a new frame;
    the input is not changed.
    """
    if gdf.empty:
        return gdf.to_crs(DISPLAY_CRS)
    crs = metric_crs(gdf)
    geoms = gdf.geometry.to_crs(crs).to_numpy()
    if not bool(shapely.coverage_is_valid(geoms)):
        geoms = np.asarray(shapely.coverage_clean(geoms, gap_width=1.0))
    simple = shapely.coverage_simplify(geoms, tolerance_m)
    out = gdf.set_geometry(gpd.GeoSeries(simple, index=gdf.index, crs=crs)).to_crs(DISPLAY_CRS)
    rounded = shapely.transform(out.geometry.to_numpy(), lambda xy: np.round(xy, decimals))
    return out.set_geometry(gpd.GeoSeries(rounded, index=out.index, crs=DISPLAY_CRS))


def dissolve_display(display: gpd.GeoDataFrame, by: list[str]) -> gpd.GeoDataFrame:
    """Outlines of groups (townships, counties) from display polygons.

    The display polygons share rounded vertices, so their union has no
    slivers along internal borders.
    """
    return display.dissolve(by=by, as_index=False)[[*by, "geometry"]]
