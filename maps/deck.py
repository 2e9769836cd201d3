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
            geoms[polygonal] = shapely.coverage_simplify(geoms[polygonal], tolerance)
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
                  tolerance: float = 0.0, decimals: int = 5) -> pdk.Layer:
    """The outlines of ``gdf``'s polygons (or its lines) as a ``LineLayer``, never pickable.

    Measured under software WebGL (no GPU, as on many intranet desktops): a
    stroked ``GeoJsonLayer`` draws its outlines with deck.gl's path shader,
    which made the first frame of the city overview cost 0.9–1.1 s more than
    its fills alone; the same edges as line segments cost about a third of that
    and fewer edges (``tolerance`` ≈ half a pixel, :func:`pixel_degrees`) less
    again.  Line segments have no joins, invisible at the 1–2 px used here.
    """
    edges = np.round(segments(gdf.geometry.to_numpy(), tolerance), decimals).tolist()
    data = [{"s": [x0, y0], "t": [x1, y1]} for x0, y0, x1, y1 in edges]
    return pdk.Layer("LineLayer", data, id=layer_id, get_source_position="s",
                     get_target_position="t", get_color=list(line), get_width=width_px,
                     width_units="'pixels'", pickable=False)


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
