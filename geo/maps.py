"""Map builders: display geometry and the overview's deck.gl map.

Builders return a :class:`pydeck.Deck`; pages render it.  Nothing here
requests anything outside the machine: no basemap style is set, so deck.gl
(bundled with Streamlit's frontend) draws only our layers.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize
import shapely

from geo.crs import metric_crs

DISPLAY_CRS = "EPSG:4326"
NO_DATA = [204, 204, 204, 160]

# Colour ramps (RGB) for classified figures, light to dark.
RAMPS = {
    "reds": [[254, 229, 217], [252, 174, 145], [251, 106, 74], [222, 45, 38], [165, 15, 21]],
    "greens": [[237, 248, 233], [186, 228, 179], [116, 196, 118], [49, 163, 84], [0, 109, 44]],
}
CATEGORY_COLORS = {True: [200, 16, 46, 200], False: [189, 189, 189, 150]}
# Natural breaks by Jenks–Caspall: deterministic and fast (mapclassify's NaturalBreaks
# is k-means with random starts, so printed maps and the dashboard would disagree).
SCHEMES = {"natural_breaks": "JenksCaspall", "quantiles": "Quantiles",
           "equal_interval": "EqualInterval"}


@dataclass(frozen=True)
class Legend:
    """Legend entries: ``(rgba, label)`` pairs, in drawing order."""

    title: str
    entries: tuple


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


def classify_colors(values: pd.Series, scheme: str = "natural_breaks", k: int = 5,
                    ramp: str = "reds", unit: str = "") -> tuple[list, Legend]:
    """RGBA per value by a mapclassify scheme, and the legend.

    Missing values get grey (``NO_DATA``).  Unknown scheme or ramp names
    raise ``ValueError`` listing the valid ones.

    >>> colors, legend = classify_colors(pd.Series([1.0, 2.0, None, 9.0]), "equal_interval", k=2)
    >>> colors[2] == NO_DATA, len(legend.entries)
    (True, 3)
    """
    if scheme not in SCHEMES:
        raise ValueError(f"未知分级方法 {scheme!r}，可选：{', '.join(SCHEMES)}")
    if ramp not in RAMPS:
        raise ValueError(f"未知色带 {ramp!r}，可选：{', '.join(RAMPS)}")
    known = values.dropna().astype(float)
    colors = [NO_DATA] * len(values)
    entries = []
    if len(known):
        k = max(1, min(k, known.nunique()))
        classifier = getattr(mapclassify, SCHEMES[scheme])(known.to_numpy(), k=k)
        palette = _spread(RAMPS[ramp], len(classifier.bins))
        position = {idx: pos for pos, idx in enumerate(values.index)}
        for idx, cls in zip(known.index, classifier.yb):
            colors[position[idx]] = palette[cls] + [210]
        lower = float(known.min())
        for color, upper in zip(palette, classifier.bins):
            entries.append((color + [210], f"{lower:,.1f} – {upper:,.1f}{unit}"))
            lower = float(upper)
    if known.size < len(values):
        entries.append((NO_DATA, "无数据"))
    return colors, Legend("", tuple(entries))


def _spread(ramp: list, n: int) -> list:
    picks = np.linspace(0, len(ramp) - 1, n).round().astype(int) if n > 1 else [len(ramp) - 1]
    return [list(ramp[i]) for i in picks]


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


def legend_html(legend: Legend) -> str:
    """Legend as a line of coloured swatches; labels are HTML-escaped."""
    from html import escape

    items = "".join(
        f'<span style="display:inline-block;margin-right:14px">'
        f'<span style="display:inline-block;width:14px;height:14px;vertical-align:middle;'
        f'background:rgba({c[0]},{c[1]},{c[2]},{c[3] / 255:.2f});border:1px solid #888"></span> '
        f'{escape(label)}</span>' for c, label in legend.entries)
    title = f"<b>{escape(legend.title)}</b> " if legend.title else ""
    return f'<div class="legend">{title}{items}</div>'


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
