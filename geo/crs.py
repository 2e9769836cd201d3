"""Choosing a projected metric CRS for a dataset, and moving frames into it.

Areas and distances are computed only in a projected CRS whose unit is the
metre (SPEC §2).  Data already in such a CRS keep it; geographic data (CGCS2000
EPSG:4490, WGS 84 EPSG:4326 …) get an Albers equal-area projection fitted to
their extent, on the same geodetic datum so that no datum shift is applied.

>>> import geopandas as gpd, shapely
>>> gdf = gpd.GeoDataFrame(geometry=[shapely.box(117.0, 26.0, 117.5, 26.5)], crs="EPSG:4490")
>>> crs = metric_crs(gdf)
>>> crs.coordinate_operation.method_name, crs.axis_info[0].unit_name
('Albers Equal Area', 'metre')
>>> round(float(to_metric(gdf, crs).area.iloc[0]) / 1e6)  # km²
2767
"""
from __future__ import annotations

import pyproj
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import AlbersEqualAreaConversion

# Fallback extent (mainland China) for frames with no geometry to measure.
_CHINA_BOUNDS = (73.5, 18.0, 135.0, 53.6)


def _is_metric_projection(crs: pyproj.CRS) -> bool:
    """Projected, every axis in metres, and not a Mercator (areas off by 1/cos²φ)."""
    if not crs.is_projected:
        return False
    if any(axis.unit_name not in ("metre", "meter") for axis in crs.axis_info):
        return False
    method = (crs.coordinate_operation.method_name if crs.coordinate_operation else "").lower()
    return not ("mercator" in method and "transverse" not in method)


def _geographic_bounds(gdf) -> tuple[float, float, float, float]:
    """Longitude/latitude bounds of the non-empty geometries (degrees)."""
    geo = gdf[~(gdf.geometry.is_empty | gdf.geometry.isna())]
    if len(geo) == 0:
        return _CHINA_BOUNDS
    if not geo.crs.is_geographic:
        geo = geo.to_crs(geo.crs.geodetic_crs)
    return tuple(float(v) for v in geo.total_bounds)


def metric_crs(gdf) -> pyproj.CRS:
    """The projected metric CRS in which to measure areas and distances of ``gdf``.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data with a declared CRS (any).

    Returns
    -------
    pyproj.CRS
        ``gdf.crs`` itself when it is already projected with metre axes (and
        not a Mercator projection, whose areas are badly distorted); otherwise
        an Albers equal-area conic on ``gdf``'s geodetic datum, centred on the
        data's extent, standard parallels at 1/6 and 5/6 of its latitude span.
        This is valid from a single village to all of China.  A frame with no
        geometry gets the extent of mainland China.

    Raises
    ------
    ValueError
        When ``gdf`` has no CRS.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> pts = gpd.GeoSeries([shapely.Point(117, 25), shapely.Point(119, 31)], crs="EPSG:4490")
    >>> [p.value for p in metric_crs(pts).coordinate_operation.params][:4]  # φ0, λ0, φ1, φ2
    [28.0, 118.0, 26.0, 30.0]
    >>> metric_crs(pts.to_crs("EPSG:4549")).to_epsg()  # CGCS2000 / 3-degree GK CM 120E
    4549
    >>> metric_crs(pts.to_crs("EPSG:3857")).coordinate_operation.method_name  # not Mercator
    'Albers Equal Area'
    >>> metric_crs(gpd.GeoSeries([shapely.Point(117, 25)]))
    Traceback (most recent call last):
    ...
    ValueError: 数据没有坐标系（CRS），无法选择投影坐标系；请先用 set_crs 声明，例如 EPSG:4490
    """
    crs = gdf.crs
    if crs is None:
        raise ValueError("数据没有坐标系（CRS），无法选择投影坐标系；"
                         "请先用 set_crs 声明，例如 EPSG:4490")
    crs = pyproj.CRS.from_user_input(crs)
    if _is_metric_projection(crs):
        return crs
    west, south, east, north = _geographic_bounds(gdf)
    span = north - south
    conversion = AlbersEqualAreaConversion(
        latitude_first_parallel=south + span / 6,
        latitude_second_parallel=south + span * 5 / 6,
        latitude_false_origin=(south + north) / 2,
        longitude_false_origin=(west + east) / 2,
    )
    return ProjectedCRS(conversion=conversion, geodetic_crs=crs.geodetic_crs,
                        name="Albers equal-area fitted to the data")


def to_metric(gdf, crs: pyproj.CRS | None = None):
    """``gdf`` transformed (``to_crs``, never ``set_crs``) into a metric CRS.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data with a declared CRS.
    crs : pyproj.CRS, optional
        Target CRS, e.g. from :func:`metric_crs` of a reference layer so that
        several layers share one CRS; by default ``metric_crs(gdf)``.

    Returns
    -------
    GeoDataFrame or GeoSeries
        A new object in ``crs`` (a copy when ``gdf`` is already in it); ``gdf``
        is not changed.

    Raises
    ------
    ValueError
        When ``gdf`` has no CRS, or ``crs`` is not projected in metres.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)], crs="EPSG:4549").to_crs("EPSG:4490")
    >>> back = to_metric(g, pyproj.CRS("EPSG:4549"))
    >>> round(float(back.area.iloc[0]))  # m²
    1000000
    >>> g.crs.to_epsg()
    4490
    """
    if gdf.crs is None:
        raise ValueError("数据没有坐标系（CRS），不能投影；请先用 set_crs 声明，例如 EPSG:4490")
    target = metric_crs(gdf) if crs is None else pyproj.CRS.from_user_input(crs)
    if not target.is_projected or any(a.unit_name not in ("metre", "meter")
                                      for a in target.axis_info):
        raise ValueError(f"目标坐标系应为以米为单位的投影坐标系，收到：{target.name}")
    if pyproj.CRS.from_user_input(gdf.crs) == target:
        return gdf.copy()
    return gdf.to_crs(target)
