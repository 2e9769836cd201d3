"""An offline folium (Leaflet) base map and the basemaps a deployment may choose.

folium's ``Map`` asks for Leaflet, jQuery, Bootstrap, Font Awesome and the
awesome-markers plugin from CDNs, and streamlit-folium loads the
``default_js``/``default_css`` of every element of the map tree in its
iframe.  :func:`base_map` replaces them on the instance so that only the
Leaflet vendored in ``static/vendor/leaflet-1.9.3/`` is loaded, from
``/app/static/`` on the app's own server (``server.enableStaticServing``).
Builders must add no element that brings CDN assets (no ``folium.Marker``
with an ``Icon``, no plugins): points are ``CircleMarker`` s.

Basemaps are a lookup table (:data:`BASEMAP_SOURCES`); no tile is fetched
unless ``dashboard.toml`` sets one.  高德 (amap) tiles are drawn in GCJ-02,
so the data are shifted to GCJ-02 for display (:func:`shift_geometries`).

>>> from geo.settings import Settings
>>> m = base_map((117.0, 26.0, 118.0, 27.0))
>>> asset_links(m)
['/app/static/vendor/leaflet-1.9.3/leaflet.js', '/app/static/vendor/leaflet-1.9.3/leaflet.css']
>>> "tile_layer" in m.get_root().render()  # no basemap: no tiles at all
False
>>> tianditu = Settings("d", "f", "tianditu", tianditu_tk="K")
>>> [t.tiles.split("/")[3][:5] + " " + t.tiles[-4:] for t in tile_layers(tianditu)]
['vec_w tk=K', 'cva_w tk=K']
>>> asset_links(base_map((117.0, 26.0, 118.0, 27.0), tianditu)) == asset_links(m)
True
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import folium
from branca.element import Element, MacroElement
from folium.elements import ElementAddToElement
from folium.map import FitBounds
from folium.template import Template
from folium.utilities import get_obj_in_upper_tree
import numpy as np
import prcoords
import shapely

LEAFLET_DIR = "/app/static/vendor/leaflet-1.9.3"
LEAFLET_JS = f"{LEAFLET_DIR}/leaflet.js"
LEAFLET_CSS = f"{LEAFLET_DIR}/leaflet.css"
WGS84, GCJ02 = "wgs84", "gcj02"

_TIANDITU = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
             "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
             "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}")


@dataclass(frozen=True)
class TileSource:
    """One tile layer: a Leaflet URL template (``{tk}``, ``{xyz_url}`` are
    filled from the settings), its attribution and subdomains."""

    url: str
    attribution: str
    subdomains: str = "abc"


@dataclass(frozen=True)
class Basemap:
    """A basemap: its tile layers (drawn in order), the coordinates its tiles
    are drawn in (``wgs84`` or ``gcj02``) and whether county and township
    outlines are drawn as context."""

    tiles: tuple[TileSource, ...]
    coords: str = WGS84
    outlines: bool = False
    background: str = "#dddddd"


BASEMAP_SOURCES: dict[str, Basemap] = {
    "none": Basemap((), WGS84, outlines=True, background="#ffffff"),
    "tianditu": Basemap((
        TileSource(_TIANDITU.replace("{layer}", "vec"), "天地图", "01234567"),
        TileSource(_TIANDITU.replace("{layer}", "cva"), "天地图", "01234567"))),
    "amap": Basemap((TileSource(
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
        "&x={x}&y={y}&z={z}", "高德地图", "1234"),), GCJ02),
    "osm": Basemap((TileSource("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                               "© OpenStreetMap contributors", ""),)),
    "xyz": Basemap((TileSource("{xyz_url}", "{attribution}"),)),
}


def basemap_of(settings=None) -> Basemap:
    """The :class:`Basemap` named by ``settings.basemap`` (``None``: ``"none"``).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.

    Examples
    --------
    >>> basemap_of().outlines, basemap_of(type("S", (), {"basemap": "amap"})).coords
    (True, 'gcj02')
    """
    name = getattr(settings, "basemap", "none") if settings is not None else "none"
    if name not in BASEMAP_SOURCES:
        raise ValueError(f"未知底图 {name!r}，可选：{', '.join(BASEMAP_SOURCES)}")
    return BASEMAP_SOURCES[name]


def tile_layers(settings=None) -> list[folium.TileLayer]:
    """The tile layers of the configured basemap, keys and URLs filled in.

    User-supplied text (the ``xyz`` attribution) is HTML-escaped: Leaflet
    shows attributions as HTML.
    """
    fill = {"{tk}": getattr(settings, "tianditu_tk", ""),
            "{xyz_url}": getattr(settings, "xyz_url", ""),
            "{attribution}": html.escape(getattr(settings, "attribution", "") or " ")}
    layers = []
    for source in basemap_of(settings).tiles:
        url, attribution = source.url, source.attribution
        for key, value in fill.items():
            url, attribution = url.replace(key, value), attribution.replace(key, value)
        layers.append(folium.TileLayer(tiles=url, attr=attribution, subdomains=source.subdomains
                                       or "abc", max_zoom=18, overlay=False, control=False))
    return layers


def _wgs_to_gcj(xy: np.ndarray) -> np.ndarray:
    out = np.empty_like(xy)
    for i, (lon, lat) in enumerate(xy):
        shifted = prcoords.wgs_gcj(prcoords.Coords(lat, lon), check_china=False)
        out[i] = (shifted.lon, shifted.lat)
    return out


def shift_geometries(geoms, settings=None, decimals: int = 5) -> np.ndarray:
    """Geometries (lon/lat, WGS 84) moved into the configured basemap's coordinates.

    Shifted to GCJ-02 with ``prcoords.wgs_gcj`` for 高德, kept for WGS 84
    basemaps; then rounded to ``decimals`` (5 ≈ 1 m, 4 ≈ 10 m).  For display
    only: the result has no CRS and is never used for measuring.

    >>> g = shift_geometries([shapely.Point(117.6, 26.3)], type("S", (), {"basemap": "amap"}))
    >>> [round(c, 3) for c in g[0].coords[0]]
    [117.605, 26.297]
    """
    geoms = np.asarray(geoms, dtype=object)
    if basemap_of(settings).coords == GCJ02:
        geoms = shapely.transform(geoms, _wgs_to_gcj)
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def feature_collection(geoms, properties: list[dict]) -> dict:
    """A GeoJSON FeatureCollection of ``geoms`` with one properties dict each."""
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": props,
                          "geometry": shapely.geometry.mapping(geom)}
                         for geom, props in zip(geoms, properties)]}


def leaflet_corners(bounds) -> list:
    """(minx, miny, maxx, maxy) as Leaflet's [[south, west], [north, east]].

    >>> leaflet_corners((117.0, 25.0, 118.0, 26.0))
    [[25.0, 117.0], [26.0, 118.0]]
    """
    minx, miny, maxx, maxy = bounds
    return [[miny, minx], [maxy, maxx]]


def base_map(bounds, settings=None, **options) -> folium.Map:
    """An empty offline Leaflet map framing ``bounds``, with the configured tiles,
    a metric scale bar and the basemap's background colour.

    Parameters
    ----------
    bounds : (minx, miny, maxx, maxy)
        Longitude/latitude (degrees) in the basemap's coordinates.
    settings : geo.settings.Settings, optional
        ``basemap``, ``tianditu_tk``, ``xyz_url``, ``attribution``; ``None``
        means no basemap.
    **options
        Extra Leaflet map options (e.g. ``zoom_snap=0.25``).

    Returns
    -------
    folium.Map
        ``tiles=None``, ``prefer_canvas=True``; ``default_js``/``default_css``
        only the vendored Leaflet (:func:`asset_links`).
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9, tiles=None,
                   prefer_canvas=True, **options)
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    for layer in tile_layers(settings):
        layer.add_to(m)
    MetricScale().add_to(m)
    background = basemap_of(settings).background
    m.get_root().header.add_child(folium.Element(
        f"<style>.leaflet-container {{ background: {background}; }}</style>"), name="background")
    # Not animated: an animated first fit finishing late would undo a view the
    # user (or a test) has set in the meantime.
    fit = FitBounds([[miny, minx], [maxy, maxx]], padding=(8, 8))
    fit.options["animate"] = False
    m.add_child(fit)
    return m


class _RenderedText(Element):
    """Text already rendered, kept as it is (not compiled again as a template)."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class StaticGeoJson(folium.GeoJson):
    """``folium.GeoJson`` for large data drawn as given (no ``style_function``).

    folium walks every coordinate in Python to find a layer's bounds, and
    branca compiles each rendered script again as a Jinja template; with a
    city of villages both cost more than the rest of a rerun.  Here the bounds
    are given (``[[south, west], [north, east]]``) and the script is rendered
    once per render, kept as text.  The output is the same:

    >>> import re
    >>> point = {"type": "Feature", "properties": {"name": "甲"},
    ...          "geometry": {"type": "Point", "coordinates": [117.5, 26.5]}}
    >>> def page(layer):
    ...     m = base_map((117, 26, 118, 27))
    ...     layer.add_to(m)
    ...     return re.sub(r"_[0-9a-f]{32}", "", m.get_root().render())
    >>> page(StaticGeoJson(point, [[26.5, 117.5]] * 2)) == page(folium.GeoJson(point))
    True
    """

    def __init__(self, data: dict, bounds, **kwargs):
        super().__init__(data, **kwargs)
        self._bounds = [list(corner) for corner in bounds]

    def _get_self_bounds(self):
        return self._bounds

    def render(self, **kwargs):
        self.parent_map = get_obj_in_upper_tree(self, folium.Map)
        if self.show:
            self.add_child(ElementAddToElement(element_name=self.get_name(),
                                               element_parent_name=self._parent.get_name()),
                           name=self.get_name() + "_add")
        script = self._template.module.__dict__["script"]
        self.get_root().script.add_child(_RenderedText(script(self, kwargs)),
                                         name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class MetricScale(MacroElement):
    """Leaflet's scale bar in metres and kilometres only."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)


def asset_links(m: folium.Map) -> list[str]:
    """Every script and stylesheet URL the elements of ``m`` ask a page to load.

    The same walk as streamlit-folium's (``default_js`` then ``default_css``
    of every element), to check that nothing leaves the machine.
    """
    js, css = [], []
    stack = [m]
    while stack:
        element = stack.pop()
        js += [url for _, url in getattr(element, "default_js", [])]
        css += [url for _, url in getattr(element, "default_css", [])]
        stack.extend(reversed(list(getattr(element, "_children", {}).values())))
    return list(dict.fromkeys(js + css))
