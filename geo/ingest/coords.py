"""Coordinate systems of uploads: the CRS choices offered, sanity checks, web-map offsets.

A layer without a CRS is not guessed silently: the user picks one of
:func:`crs_choices` (CGCS2000 and WGS 84 longitude/latitude, CGCS2000
3-degree Gauss-Krüger zones with and without the zone number in front of the
easting).  :func:`coordinate_problem` refuses coordinates that do not fit the
CRS declared (metres declared as degrees and the reverse, or a place outside
China).  :func:`to_wgs84` removes the GCJ-02 offset of 高德/腾讯 maps or the
BD-09 offset of 百度 maps from every vertex, with ``prcoords`` (CC0, the
iterative "bored" inverses, ~0.1 mm); outside China coordinates are kept.

>>> import shapely
>>> wgs = to_wgs84(shapely.points([[116.38404722455657, 39.91334545536069]]), "gcj02")
>>> [round(float(v), 6) for v in shapely.get_coordinates(wgs)[0]]  # eviltransform's Beijing point
[116.377817, 39.911954]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import prcoords
import pyproj
import shapely

COORD_SYSTEMS = {
    "wgs84": "WGS84/CGCS2000 经纬度（无偏移）",
    "gcj02": "GCJ-02（高德、腾讯地图坐标，转换为 WGS84）",
    "bd09": "BD-09（百度地图坐标，转换为 WGS84）",
}
_INVERSE = {"gcj02": prcoords.gcj_wgs_bored, "bd09": prcoords.bd_wgs_bored}
# Mainland China with its islands, generously (degrees): (west, south, east, north).
CHINA_BOUNDS = (70.0, 0.0, 140.0, 56.0)
_GK_FIRST_ZONE, _GK_LAST_ZONE = 25, 45  # 3-degree zones covering China (CM 75°E–135°E)
_GK_PREFIX_EPSG, _GK_PLAIN_EPSG = 4513, 4534


@dataclass(frozen=True)
class CrsChoice:
    """A CRS the user can pick for a layer that declares none."""

    code: str
    label: str


def crs_choices() -> tuple[CrsChoice, ...]:
    """The CRS offered when a layer has none: geographic first, then Gauss-Krüger zones.

    >>> choices = crs_choices()
    >>> len(choices), choices[0]
    (44, CrsChoice(code='EPSG:4490', label='CGCS2000 经纬度（国家标准）'))
    >>> [c.label for c in choices if c.code in ("EPSG:4526", "EPSG:4547")]
    ... # doctest: +NORMALIZE_WHITESPACE
    ['CGCS2000 3度带 第38带（坐标含带号，中央经线 114°E）',
     'CGCS2000 3度带 中央经线 114°E（坐标不含带号）']
    """
    out = [CrsChoice("EPSG:4490", "CGCS2000 经纬度（国家标准）"),
           CrsChoice("EPSG:4326", "WGS84 经纬度（GPS）")]
    zones = range(_GK_FIRST_ZONE, _GK_LAST_ZONE + 1)
    out += [CrsChoice(f"EPSG:{_GK_PREFIX_EPSG + z - _GK_FIRST_ZONE}",
                      f"CGCS2000 3度带 第{z}带（坐标含带号，中央经线 {3 * z}°E）") for z in zones]
    out += [CrsChoice(f"EPSG:{_GK_PLAIN_EPSG + z - _GK_FIRST_ZONE}",
                      f"CGCS2000 3度带 中央经线 {3 * z}°E（坐标不含带号）") for z in zones]
    return tuple(out)


def choices_text() -> str:
    """The choices in one Chinese line, for messages.

    >>> choices_text().split("、")[2]
    'EPSG:4513–4533（CGCS2000 3度带第25–45带，坐标含带号）'
    """
    return ("EPSG:4490（CGCS2000 经纬度）、EPSG:4326（WGS84 经纬度）、"
            "EPSG:4513–4533（CGCS2000 3度带第25–45带，坐标含带号）、"
            "EPSG:4534–4554（CGCS2000 3度带中央经线 75°E–135°E，坐标不含带号）")


def parse_crs(text: str) -> pyproj.CRS:
    """A CRS from ``EPSG:4490``, ``4490`` or WKT.

    >>> parse_crs("4549").name
    'CGCS2000 / 3-degree Gauss-Kruger CM 120E'
    >>> parse_crs("EPSG:99999")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    ValueError: 无法识别坐标系 'EPSG:99999'；可选：EPSG:4490（CGCS2000 经纬度）、EPSG:4326（WGS84
     经纬度）、EPSG:4513–4533（CGCS2000 3度带第25–45带，坐标含带号）、EPSG:4534–4554（CGCS2000
     3度带中央经线 75°E–135°E，坐标不含带号）
    """
    value = str(text).strip()
    try:
        return pyproj.CRS.from_user_input(int(value) if value.isdigit() else value)
    except (pyproj.exceptions.CRSError, TypeError, ValueError):
        raise ValueError(f"无法识别坐标系 {value!r}；可选：{choices_text()}") from None


def crs_text(crs) -> str:
    """``EPSG:4490`` when the CRS has an EPSG code, else its name.

    >>> crs_text(pyproj.CRS("EPSG:4549"))
    'EPSG:4549'
    """
    crs = pyproj.CRS.from_user_input(crs)
    code = crs.to_epsg()
    return f"EPSG:{code}" if code else crs.name


def suggest_crs(bounds) -> tuple[str, ...]:
    """Codes that fit coordinates with these bounds ``(minx, miny, maxx, maxy)``.

    >>> suggest_crs((117.1, 26.0, 117.9, 26.8))
    ('EPSG:4490', 'EPSG:4326')
    >>> suggest_crs((39_450_000, 2_900_000, 39_520_000, 2_960_000))  # zone 39 in front
    ('EPSG:4527',)
    >>> len(suggest_crs((450_000, 2_900_000, 520_000, 2_960_000)))  # any central meridian
    21
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90:
        return ("EPSG:4490", "EPSG:4326")
    zone = int(minx // 1_000_000)
    if _GK_FIRST_ZONE <= zone <= _GK_LAST_ZONE and int(maxx // 1_000_000) == zone:
        return (f"EPSG:{_GK_PREFIX_EPSG + zone - _GK_FIRST_ZONE}",)
    if 0 < minx and maxx < 1_000_000 and 0 < miny and maxy < 10_000_000:
        return tuple(f"EPSG:{c}" for c in range(_GK_PLAIN_EPSG, _GK_PLAIN_EPSG + 21))
    return ()


def _looks_geographic(bounds) -> bool:
    minx, miny, maxx, maxy = bounds
    return -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90


def coordinate_problem(crs, bounds) -> str | None:
    """Why coordinates with ``bounds`` do not fit ``crs``, in Chinese; None when they fit.

    >>> coordinate_problem("EPSG:4490", (500_000, 2_900_000, 501_000, 2_901_000)).split("，像")[0]
    '坐标值（x 500000–501000，y 2900000–2901000）超出经纬度范围'
    >>> coordinate_problem("EPSG:4549", (117.0, 26.0, 117.1, 26.1))[:11]
    '坐标值像是经纬度（度）'
    >>> coordinate_problem("EPSG:4490", (117.0, 26.0, 117.1, 26.1)) is None
    True
    """
    crs = pyproj.CRS.from_user_input(crs)
    bounds = tuple(float(v) for v in bounds)
    if not np.all(np.isfinite(bounds)):
        return None
    span = f"x {bounds[0]:.0f}–{bounds[2]:.0f}，y {bounds[1]:.0f}–{bounds[3]:.0f}"
    hint = "、".join(suggest_crs(bounds)[:3])
    hint = f"；这些坐标可能属于 {hint}" if hint else ""
    if crs.is_geographic and not _looks_geographic(bounds):
        return (f"坐标值（{span}）超出经纬度范围，像是投影坐标（米），"
                f"但声明的坐标系 {crs_text(crs)}（{crs.name}）是经纬度坐标系{hint}。"
                "请检查 .prj 或用 --crs/页面选项指定正确的坐标系")
    if crs.is_projected and _looks_geographic(bounds):
        return (f"坐标值像是经纬度（度）（{bounds[0]:.4f}–{bounds[2]:.4f}，"
                f"{bounds[1]:.4f}–{bounds[3]:.4f}），"
                f"但声明的坐标系 {crs_text(crs)}（{crs.name}）是以米为单位的投影坐标系；"
                "请改用 EPSG:4490 或 EPSG:4326")
    lonlat = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    xs = [bounds[0], bounds[2], bounds[0], bounds[2]]
    ys = [bounds[1], bounds[1], bounds[3], bounds[3]]
    lon, lat = lonlat.transform(xs, ys, errcheck=False)
    w, s, e, n = CHINA_BOUNDS
    inside = np.isfinite(lon).all() and np.isfinite(lat).all() and (
        w <= min(lon) and max(lon) <= e and s <= min(lat) and max(lat) <= n)
    if not inside:
        return (f"按坐标系 {crs_text(crs)}（{crs.name}）换算，数据（{span}）不在中国范围内，"
                f"坐标系可能声明错了{hint}")
    return None


def _inverse_offset(coords: np.ndarray, system: str) -> np.ndarray:
    """WGS 84 lon/lat for GCJ-02/BD-09 lon/lat rows ``coords`` (n × 2); outside China unchanged."""
    inverse = _INVERSE[system]
    unique, back = np.unique(coords, axis=0, return_inverse=True)
    out = unique.copy()
    for i, (lon, lat) in enumerate(unique):
        if prcoords.sanity_in_china_p(prcoords.Coords(lat, lon)):
            fixed = inverse((lat, lon), False)
            out[i] = (fixed.lon, fixed.lat)
    return out[back.reshape(-1)]


def to_wgs84(geometries, system: str, crs=None):
    """Remove a Chinese web-map offset from every vertex.

    Parameters
    ----------
    geometries : GeoSeries, GeoDataFrame or array of shapely geometries
        Longitude/latitude in degrees (a GeoSeries/GeoDataFrame must have a
        geographic CRS).
    system : ``"wgs84"`` (returned unchanged), ``"gcj02"`` or ``"bd09"``.
    crs : the CRS of a plain array, to check that it is geographic.

    Returns
    -------
    Same type as ``geometries``: a new object in WGS 84 (within the
    conversion's accuracy also CGCS2000) lon/lat; the input is not changed.
    Vertices outside China are kept as they are.

    Raises
    ------
    ValueError
        For an unknown ``system`` (the valid ones are listed) or coordinates
        in a projected CRS (the offsets are defined on lon/lat only).
    """
    if system not in COORD_SYSTEMS:
        raise ValueError(f"未知的坐标偏移类型 {system!r}，可选：{'、'.join(COORD_SYSTEMS)}")
    if system == "wgs84":
        return geometries
    crs = getattr(geometries, "crs", crs)
    if crs is not None and not pyproj.CRS.from_user_input(crs).is_geographic:
        raise ValueError(f"{COORD_SYSTEMS[system]}只适用于经纬度坐标，"
                         f"但数据的坐标系 {crs_text(crs)} 是投影坐标系"
                         "（米）；投影坐标没有高德/百度偏移，请去掉 --coords 选项")
    if hasattr(geometries, "geometry"):  # GeoSeries / GeoDataFrame
        values = shapely.transform(np.asarray(geometries.geometry.values, dtype=object),
                                   lambda c: _inverse_offset(c, system))
        return geometries.set_geometry(values, crs=crs) if hasattr(geometries, "set_geometry") \
            else geometries.__class__(values, index=geometries.index, crs=crs)
    return shapely.transform(geometries, lambda c: _inverse_offset(c, system))
