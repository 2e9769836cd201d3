"""The walking catchment maps (服务阵地): the road within ``walk_minutes`` of a
site, population units reached or not, the sites, and suggested new sites.

Web: :func:`walk_display_layers` turns a :class:`analysis.walk_catchment.Catchment`
into small display frames (EPSG:4326, rounded to 1e-5°, road pieces merged per
township and simplified), and :func:`build_walk_deck` draws one area of them
as a compact deck.gl map: integer offsets placed by ``lnglat-offsets`` (as the
grid map, :mod:`maps.grids`), lines as segments simplified to half a pixel of
the first view, no basemap, no stroke on points too small to show one, and no
visible layer pickable — the only pickable layer is an
invisible one under the suggested and kept sites, for their tooltip.

Print: :mod:`maps.walk_print` cuts the same catchment to an area in the print
map's CRS (without pydeck); :mod:`maps.static` draws it.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

from analysis.areas import area_mask
from geo import schema as s
from maps.deck import CompactDeck, view_of
from maps.display import DISPLAY_CRS
from maps.deck import DECIMALS, offset_props, polygon_rows
from maps.styles import WALK_STYLES, Legend
from texts import walk as tw

SIMPLIFY_M = 5.0           # road pieces are simplified this much for the screen
_AREA_CODES = (s.COUNTY_CODE, s.TOWNSHIP_CODE)
_HIT = [255, 255, 255, 1]  # all but transparent: the tooltip layer


def _owner(points: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Row of the polygon each point lies in (else the nearest), −1 without polygons."""
    if not len(points):
        return np.zeros(0, dtype=np.int64)
    if not len(polygons):
        return np.full(len(points), -1, dtype=np.int64)
    tree = shapely.STRtree(polygons)
    point, poly = tree.query_nearest(points, all_matches=False)
    out = np.full(len(points), -1, dtype=np.int64)
    out[point] = poly
    return out


def _merged_by_area(lines: np.ndarray, villages_m: gpd.GeoDataFrame, crs) -> gpd.GeoDataFrame:
    """Road pieces merged per township (the one holding the piece's midpoint, else the
    nearest), simplified, in EPSG:4326 rounded to 1e-5°."""
    columns = list(_AREA_CODES)
    if not len(lines):
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=DISPLAY_CRS)
    middle = shapely.line_interpolate_point(lines, 0.5, normalized=True)
    owner = _owner(middle, villages_m.geometry.to_numpy())
    group, keys = pd.factorize(villages_m[s.TOWNSHIP_CODE].astype(str).to_numpy()[owner],
                               sort=True)
    first = np.unique(group, return_index=True)[1]
    order = np.argsort(group, kind="stable")
    merged = shapely.line_merge(shapely.multilinestrings(lines[order], indices=group[order]))
    merged = shapely.simplify(merged, SIMPLIFY_M)
    codes = villages_m[columns].astype(str).to_numpy()[owner[first]]
    out = gpd.GeoDataFrame(dict(zip(columns, codes.T)), geometry=merged, crs=crs)
    out = out.to_crs(DISPLAY_CRS)
    rounded = shapely.transform(out.geometry.to_numpy(), lambda xy: np.round(xy, DECIMALS))
    return out.set_geometry(gpd.GeoSeries(rounded, index=out.index, crs=DISPLAY_CRS))


def display_points(xy: np.ndarray, crs) -> np.ndarray:
    """(n, 2) metric coordinates → lon/lat in EPSG:4326, rounded to 1e-5°."""
    if not len(xy):
        return np.zeros((0, 2))
    geo = gpd.GeoSeries(shapely.points(xy), crs=crs).to_crs(DISPLAY_CRS)
    return np.round(shapely.get_coordinates(geo.to_numpy()), DECIMALS)


def walk_display_layers(catchment, villages: gpd.GeoDataFrame) -> dict:
    """Display frames of a catchment, each row with its ``county_code`` and ``township_code``.

    Parameters
    ----------
    catchment : analysis.walk_catchment.Catchment
    villages : GeoDataFrame
        The villages the catchment's units refer to (by row position), any CRS.

    Returns
    -------
    dict
        ``reached`` and ``unreached`` road lines (GeoDataFrames, EPSG:4326),
        ``units`` (``lon``, ``lat``, ``reached``) and ``sites`` (``lon``,
        ``lat``; codes of the village they lie in, nearest when in none).
    """
    villages_m = villages[[*_AREA_CODES, "geometry"]].to_crs(catchment.crs)
    units = catchment.units
    position = units["village"].to_numpy()
    unit_xy = units[["x", "y"]].to_numpy(dtype=float)
    owner = np.where(position >= 0, position,
                     _owner(shapely.points(unit_xy), villages_m.geometry.to_numpy()))
    lonlat = display_points(unit_xy, catchment.crs)
    codes = villages_m[list(_AREA_CODES)].astype(str).to_numpy()
    frame = pd.DataFrame({"lon": lonlat[:, 0], "lat": lonlat[:, 1],
                          "reached": units["reached"].to_numpy(dtype=bool),
                          **dict(zip(_AREA_CODES, codes[owner].T))})
    site_owner = _owner(shapely.points(catchment.sites_xy), villages_m.geometry.to_numpy())
    site_lonlat = display_points(catchment.sites_xy, catchment.crs)
    sites = pd.DataFrame({"lon": site_lonlat[:, 0], "lat": site_lonlat[:, 1],
                          **dict(zip(_AREA_CODES, codes[site_owner].T))})
    return {"reached": _merged_by_area(catchment.reached, villages_m, catchment.crs),
            "unreached": _merged_by_area(catchment.unreached, villages_m, catchment.crs),
            "units": frame, "sites": sites}


def _ints(lonlat: np.ndarray, origin: np.ndarray) -> list:
    return np.rint((lonlat - origin) / 10.0 ** -DECIMALS).astype(np.int64).tolist()


def _scatter(rows: list, layer_id: str, origin, fill, radius: tuple, line=None,
             pickable: bool = False) -> pdk.Layer:
    """Points of ``radius`` = (metres, fewest pixels, most pixels): small at city zoom."""
    metres, low, high = radius
    return pdk.Layer("ScatterplotLayer", rows, id=layer_id, get_position="p",
                     get_fill_color=fill, get_radius=metres, radius_min_pixels=low,
                     radius_max_pixels=high, stroked=line is not None,
                     get_line_color=line or [0, 0, 0], line_width_units="'pixels'",
                     get_line_width=1.5, pickable=pickable, **offset_props(origin))


def segment_rows(geoms, origin: np.ndarray, tolerance: float = 0.0) -> list[dict]:
    """LineLayer rows ``{"s": [x0, y0], "t": [x1, y1]}``: every segment of the lines
    (or rings), simplified by ``tolerance`` (degrees) first, in integer offsets of
    1e-5° from ``origin``; segments shorter than that unit are dropped.

    >>> line = shapely.LineString([(117, 26), (117.00001, 26), (117.00001, 26.00003)])
    >>> segment_rows([line], np.array([117.0, 26.0]))
    [{'s': [0, 0], 't': [1, 0]}, {'s': [1, 0], 't': [1, 3]}]
    """
    geoms = np.asarray(geoms, dtype=object)
    if tolerance > 0 and len(geoms):
        geoms = shapely.simplify(geoms, tolerance)
    coords, owner = shapely.get_coordinates(shapely.get_parts(geoms), return_index=True)
    ints = np.rint((coords - origin) / 10.0 ** -DECIMALS).astype(np.int64)
    same = owner[1:] == owner[:-1]
    edges = np.hstack([ints[:-1][same], ints[1:][same]])
    edges = edges[(edges[:, :2] != edges[:, 2:]).any(axis=1)]
    return [{"s": [a, b], "t": [c, d]} for a, b, c, d in edges.tolist()]


def _segments(rows: list, layer_id: str, origin, color, width_px: float) -> pdk.Layer:
    """Lines as a ``LineLayer`` of segments, not pickable: under software WebGL
    deck.gl's path shader (``PathLayer``) makes the first frame much slower (the
    same finding as :func:`maps.deck.outline_layer`)."""
    return pdk.Layer("LineLayer", rows, id=layer_id, get_source_position="s",
                     get_target_position="t", get_color=color, get_width=width_px,
                     width_units="'pixels'", pickable=False, **offset_props(origin))


def _within(frame: pd.DataFrame, county: str | None, township: str | None) -> pd.DataFrame:
    return frame[area_mask(frame, county, township)] if len(frame) else frame


def build_walk_deck(display: dict, outlines: gpd.GeoDataFrame, county: str | None = None,
                    township: str | None = None, suggested: tuple = (),
                    kept: tuple = ()) -> CompactDeck:
    """The catchment map of the city, a county or a township.

    Parameters
    ----------
    display : dict
        :func:`walk_display_layers`.
    outlines : GeoDataFrame
        Display polygons (EPSG:4326) of the areas one level down (counties of
        the city, townships of a county, villages of a township), drawn as
        context: a light fill and their borders.
    county, township : str, optional
        The area shown.
    suggested, kept : tuple of (lon, lat, label)
        Suggested new sites and the sites kept in the what-if list (EPSG:4326).

    Returns
    -------
    CompactDeck
        Layers, bottom to top: ``areas`` (fill), ``borders``, ``roads``
        (not reached), ``units-reached``, ``units-missed`` (warning colour),
        ``catchment`` (the reached road, over the units), ``sites``, ``kept``,
        ``suggested`` and ``labels`` (invisible, pickable: the tooltip of the
        last two).
    """
    every = {name: _within(frame, county, township) for name, frame in display.items()}
    bounds = outlines.total_bounds if len(outlines) else np.array([117.0, 26.0, 118.0, 27.0])
    origin = np.round((bounds[:2] + bounds[2:]) / 2, 2)
    view = view_of(outlines)
    view.max_zoom = 17
    half_pixel = 360.0 / (512.0 * 2.0 ** float(view.zoom)) / 2   # degrees, at the first view
    style = WALK_STYLES

    def lines(frame, layer_id, color, width_px):
        rows = segment_rows(frame.geometry.to_numpy(), origin, half_pixel)
        return _segments(rows, layer_id, origin, color, width_px)

    borders = gpd.GeoDataFrame(geometry=shapely.boundary(outlines.geometry.to_numpy()),
                               crs=DISPLAY_CRS)
    layers = [pdk.Layer("PolygonLayer", polygon_rows(outlines, origin, {}), id="areas",
                        get_polygon="p", position_format="'XY'", filled=True, stroked=False,
                        get_fill_color=style["area"], **offset_props(origin)),
              lines(borders, "borders", style["border"], 1.0),
              lines(every["unreached"], "roads", style["road"], 1.0)]
    units = every["units"]
    for flag, layer_id, radius in ((True, "units-reached", (50.0, 1.0, 3.0)),
                                   (False, "units-missed", (80.0, 1.2, 5.0))):
        shown = units[units["reached"] == flag][["lon", "lat"]].to_numpy()
        layers.append(_scatter([{"p": p} for p in _ints(shown, origin)], layer_id, origin,
                               style["unit_reached" if flag else "unit_missed"], radius))
    layers.append(lines(every["reached"], "catchment", style["catchment"], 2.0))
    sites = every["sites"][["lon", "lat"]].to_numpy()
    layers.append(_scatter([{"p": p} for p in _ints(sites, origin)], "sites", origin,
                           style["site"], (40.0, 1.0, 4.0)))
    labelled = []
    for layer_id, points, radius in (("kept", kept, (150.0, 6.0, 9.0)),
                                     ("suggested", suggested, (150.0, 7.0, 10.0))):
        rows = [{"p": _ints(np.array([[lon, lat]]), origin)[0], "n": label}
                for lon, lat, label in points]
        layers.append(_scatter(rows, layer_id, origin, style[layer_id], radius,
                               line=style["marker_line"]))
        labelled += rows
    layers.append(_scatter(labelled, "labels", origin, _HIT, (150.0, 10.0, 12.0), pickable=True))
    return CompactDeck(layers=layers, initial_view_state=view, map_provider=None,
                       tooltip={"text": "{n}"})


def walk_legend(minutes: float) -> Legend:
    """Legend of :func:`build_walk_deck` (and of the print map)."""
    labels = tw.LEGEND
    entries = [(WALK_STYLES["catchment"], labels["catchment"].format(minutes=f"{minutes:g}")),
               (WALK_STYLES["road"], labels["road"]),
               (WALK_STYLES["unit_reached"], labels["unit_reached"]),
               (WALK_STYLES["unit_missed"], labels["unit_missed"]),
               (WALK_STYLES["site"], labels["site"]),
               (WALK_STYLES["suggested"], labels["suggested"]),
               (WALK_STYLES["kept"], labels["kept"])]
    return Legend("", tuple(entries))

