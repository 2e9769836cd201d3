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
from pydeck.bindings.json_tools import default_serialize

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
