"""deck.gl (pydeck) building blocks: the view framing an area, a polygon layer,
and a deck serialised once, compactly.

Nothing here requests anything outside the machine: no basemap style is set,
so deck.gl (bundled with Streamlit's frontend) draws only our layers.
"""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pydeck as pdk
import shapely
from pydeck.bindings.json_tools import default_serialize

_POLYGONAL = (3, 6)  # shapely type ids of Polygon, MultiPolygon
DECIMALS = 5         # display coordinates: 1e-5° ≈ 1 m
SCALE = 10.0 ** -DECIMALS

def view_of(gdf: gpd.GeoDataFrame, width_px: int = 1100, height_px: int = 540) -> pdk.ViewState:
    """A view that frames ``gdf`` (EPSG:4326) in a canvas of about the given size.

    deck.gl's world is 512 px wide at zoom 0; latitude spans are stretched by
    Web Mercator's 1/cos φ.
    """
    if gdf.empty:
        return pdk.ViewState(latitude=26.2, longitude=117.6, zoom=7)
    minx, miny, maxx, maxy = gdf.total_bounds
    stretch = 1 / np.cos(np.radians((miny + maxy) / 2))
    zoom_x = np.log2(width_px * 360 / (512 * max(maxx - minx, 1e-5)))
    zoom_y = np.log2(height_px * 360 / (512 * max((maxy - miny) * stretch, 1e-5)))
    zoom = float(np.clip(min(zoom_x, zoom_y) - 0.2, 3, 17))
    return pdk.ViewState(latitude=(miny + maxy) / 2, longitude=(minx + maxx) / 2, zoom=zoom)


def polygon_layer(gdf: gpd.GeoDataFrame, layer_id: str, fill: list | None, line=(90, 90, 90),
                  line_width_px: float = 0.6, pickable: bool = False,
                  stroked: bool = True) -> pdk.Layer:
    """A GeoJsonLayer of polygons; ``fill`` None draws outlines only.

    When ``gdf`` has a ``_fill`` column each feature takes its own colour.
    ``stroked=False`` draws no outline (much cheaper to paint).
    """
    filled = fill is not None or "_fill" in gdf.columns
    return pdk.Layer(
        "GeoJsonLayer", gdf.__geo_interface__, id=layer_id, pickable=pickable, stroked=stroked,
        filled=filled, get_fill_color="properties._fill" if "_fill" in gdf.columns else fill,
        get_line_color=list(line), line_width_min_pixels=line_width_px, get_line_width=0)


def pixel_degrees(view: pdk.ViewState) -> float:
    """Degrees of longitude one screen pixel spans at ``view``'s zoom (deck.gl's
    world is 512 px wide at zoom 0).

    >>> round(pixel_degrees(pdk.ViewState(latitude=26, longitude=117, zoom=8)), 6)
    0.002747
    """
    return 360.0 / (512.0 * 2.0 ** float(view.zoom))


def simplify_coverage(geoms, tolerance: float) -> np.ndarray:
    """``shapely.coverage_simplify`` of the polygons ``geoms`` that are there: missing
    ones stay missing (shapely refuses them), and a coverage GEOS cannot simplify
    (broken polygons of data nobody here made) is simplified polygon by polygon.

    >>> out = simplify_coverage([None, shapely.box(0, 0, 1, 1)], 0.1)
    >>> out[0] is None, out[1].area
    (True, 1.0)
    """
    geoms = np.array(geoms, dtype=object)
    there = ~shapely.is_missing(geoms)
    if tolerance > 0 and there.any():
        try:
            geoms[there] = shapely.coverage_simplify(geoms[there], tolerance)
        except shapely.errors.GEOSException:
            geoms[there] = shapely.simplify(geoms[there], tolerance, preserve_topology=True)
    return geoms


def segments(geoms, tolerance: float = 0.0) -> np.ndarray:
    """Every edge ``(x0, y0, x1, y1)`` of the polygons' rings and of the lines, once.

    Polygons are first simplified together (``shapely.coverage_simplify``, so
    a border two neighbours share stays one line) when ``tolerance`` (in the
    coordinates' units) is positive; lines each on their own.  An edge two
    neighbours share is kept once; zero-length edges are dropped.

    >>> a, b = shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)
    >>> len(segments([a, b]))             # 4 + 4 edges, the shared one once
    7
    >>> segments([shapely.LineString([(0, 0), (0, 0), (3, 4)])]).tolist()
    [[0.0, 0.0, 3.0, 4.0]]
    """
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return np.empty((0, 4))
    polygonal = np.isin(shapely.get_type_id(geoms), _POLYGONAL)
    if tolerance > 0:
        geoms = geoms.copy()
        if polygonal.any():
            geoms[polygonal] = simplify_coverage(geoms[polygonal], tolerance)
        geoms[~polygonal] = shapely.simplify(geoms[~polygonal], tolerance)
    lines = np.where(polygonal, shapely.boundary(geoms), geoms)
    coords, owner = shapely.get_coordinates(shapely.get_parts(lines), return_index=True)
    same = owner[1:] == owner[:-1]
    edges = np.hstack([coords[:-1][same], coords[1:][same]])
    flip = (edges[:, 0] > edges[:, 2]) | ((edges[:, 0] == edges[:, 2]) &
                                          (edges[:, 1] > edges[:, 3]))
    edges[flip] = edges[flip][:, [2, 3, 0, 1]]
    edges = edges[(edges[:, 0] != edges[:, 2]) | (edges[:, 1] != edges[:, 3])]
    return np.unique(edges, axis=0)


def outline_layer(gdf: gpd.GeoDataFrame, layer_id: str, line, width_px: float,
                  tolerance: float = 0.0, decimals: int = 5, origin=None) -> pdk.Layer:
    """The outlines of ``gdf``'s polygons (or its lines) as a ``LineLayer``, never pickable.

    Measured under software WebGL (no GPU, as on many intranet desktops): a
    stroked ``GeoJsonLayer`` draws its outlines with deck.gl's path shader,
    which made the first frame of the city overview cost 0.9–1.1 s more than
    its fills alone; the same edges as line segments cost about a third of that
    and fewer edges (``tolerance`` ≈ half a pixel, :func:`pixel_degrees`) less
    again.  Line segments have no joins, invisible at the 1–2 px used here.

    With ``origin`` (lon, lat) the ends are integer offsets from it in 1e-5°
    (:func:`offset_props`; about 40 % less JSON than degrees to 5 decimals).

    >>> box = gpd.GeoDataFrame(geometry=[shapely.box(117, 26, 117.00002, 26.00001)])
    >>> outline_layer(box, "o", (0, 0, 0), 1, origin=(117.0, 26.0)).data[:2]
    [{'s': [0, 0], 't': [0, 1]}, {'s': [0, 0], 't': [2, 0]}]
    """
    edges = segments(gdf.geometry.to_numpy(), tolerance)
    props = {}
    if origin is not None:
        origin = np.asarray(origin, dtype=float)
        edges = np.rint((edges - np.tile(origin, 2)) / SCALE).astype(np.int64)
        props = offset_props(origin)
    else:
        edges = np.round(edges, decimals)
    data = [{"s": [x0, y0], "t": [x1, y1]} for x0, y0, x1, y1 in edges.tolist()]
    return pdk.Layer("LineLayer", data, id=layer_id, get_source_position="s",
                     get_target_position="t", get_color=list(line), get_width=width_px,
                     width_units="'pixels'", pickable=False, **props)


def marker_ring(x: float, y: float, radius: float, sides: int) -> np.ndarray:
    """The closed ring (``sides + 1`` lon/lat corners) of a regular polygon around
    ``(x, y)``, ``radius`` degrees of longitude across, round on the web map (its
    latitude radius shrunk by cos(latitude)): markers drawn as polygons.

    >>> marker_ring(117.0, 0.0, 1.0, 4).round(6).tolist()[:2]
    [[118.0, 0.0], [117.0, 1.0]]
    """
    angles = np.linspace(0, 2 * np.pi, sides + 1)[:, None]
    return np.hstack([x + radius * np.cos(angles),
                      y + radius * np.cos(np.radians(y)) * np.sin(angles)])


def offset_ints(coords: np.ndarray, origin: np.ndarray) -> list:
    """Coordinates as integer offsets from ``origin`` in units of 1e-5°, flat."""
    return np.rint((coords - origin) / SCALE).astype(np.int64).ravel().tolist()


def polygon_rows(gdf: gpd.GeoDataFrame, origin: np.ndarray, props: dict) -> list[dict]:
    """PolygonLayer rows of ``gdf`` (EPSG:4326): integer coordinates and properties.

    Each polygon part is one row ``{"p": …, **props}``; ``props`` maps a
    short key to a column.  A ring-less part is a flat list ``[x0, y0, …]`` of
    offsets from ``origin`` in units of 1e-5°; a part with holes is a list of
    rings of ``[x, y]`` pairs.

    >>> g = gpd.GeoDataFrame({"name": ["甲"]}, geometry=[shapely.box(117, 26, 117.00002, 26.00001)],
    ...                      crs="EPSG:4326")
    >>> polygon_rows(g, np.array([117.0, 26.0]), {"n": "name"})
    [{'p': [2, 0, 2, 1, 0, 1, 0, 0, 2, 0], 'n': '甲'}]
    """
    parts, owner = shapely.get_parts(gdf.geometry.to_numpy(), return_index=True)
    values = {key: gdf[col].to_numpy(dtype=object) for key, col in props.items()}
    rows = []
    for part, i in zip(parts, owner):
        if part.interiors:
            rings = [part.exterior, *part.interiors]
            p = [np.rint((shapely.get_coordinates(r) - origin) / SCALE).astype(int).tolist()
                 for r in rings]
        else:
            p = offset_ints(shapely.get_coordinates(part.exterior), origin)
        rows.append({"p": p, **{key: _plain(v[i]) for key, v in values.items()}})
    return rows


def path_rows(gdf: gpd.GeoDataFrame, origin: np.ndarray) -> list[dict]:
    """PathLayer rows ``{"p": [x0, y0, …]}`` of the lines of ``gdf`` (EPSG:4326),
    integer offsets from ``origin`` in units of 1e-5°.

    >>> g = gpd.GeoSeries([shapely.LineString([(117, 26), (117.00003, 26)])], crs="EPSG:4326")
    >>> path_rows(g.to_frame("geometry"), np.array([117.0, 26.0]))
    [{'p': [0, 0, 3, 0]}]
    """
    parts = shapely.get_parts(gdf.geometry.to_numpy())
    return [{"p": offset_ints(shapely.get_coordinates(line), origin)} for line in parts]


def _plain(value):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def offset_props(origin: np.ndarray) -> dict:
    """Layer props placing integer offsets (1e-5°) around ``origin`` (lon, lat).

    deck.gl's ``lnglat-offsets`` system takes positions as degrees from
    ``coordinateOrigin``; ``modelMatrix`` scales the integers to degrees.  (The
    plain ``lnglat`` system cannot be used: polygons are triangulated on the
    CPU from the raw positions, which must then be real longitudes and
    latitudes.)  The projection is exact in longitude and to second order in
    latitude: about 7 m off at 0.85° from the origin (a city); all layers of
    a deck share the origin, so they stay in register.
    """
    return {"coordinate_system": "'lnglat-offsets'",
            "coordinate_origin": [float(origin[0]), float(origin[1])],
            "model_matrix": [SCALE, 0, 0, 0, 0, SCALE, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]}


class CompactDeck(pdk.Deck):
    """A :class:`pydeck.Deck` serialised once, compactly.

    pydeck's ``to_json`` indents by two spaces, which makes a polygon layer
    about 3.5 times larger, and re-serialises on every Streamlit rerun.  This
    deck is built once (keep it read-only) and answers ``to_json`` with the
    compact UTF-8 JSON made at construction.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compact = json.dumps(self, sort_keys=True, default=default_serialize,
                             separators=(",", ":"), ensure_ascii=False)
        self._compact_json = compact

    def to_json(self) -> str:
        return self._compact_json

    def __repr__(self) -> str:
        return f"CompactDeck({len(self._compact_json):,} characters of JSON)"
